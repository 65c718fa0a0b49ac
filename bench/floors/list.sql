-- The activity list's first page (status=completed, newest first, 100 rows) and its count,
-- for a Viewer. No CTE (PostgreSQL 12+ materialises a CTE referenced twice); the count is
-- a plain count with the same conditions (an index-only scan of activity_counted), the page
-- a backward scan of activity_start_id that stops at the 100th row.
SELECT json_build_object(
    'count', (
        SELECT count(*) FROM activities_activity
        WHERE status = 'completed' AND releasability <> 'restricted'),
    'results', (
        SELECT json_agg(json_build_object(
            'id', p.id, 'programme', p.programme_id, 'title', p.title,
            'description', p.description, 'activity_type', p.activity_type,
            'status', p.status, 'releasability', p.releasability,
            'start_date', p.start_date, 'end_date', p.end_date,
            'location', p.location,
            'goals', (
                SELECT coalesce(json_agg(g.partnershipgoal_id ORDER BY g.partnershipgoal_id), '[]')
                FROM activities_activity_goals g WHERE g.activity_id = p.id),
            'objectives', (
                SELECT coalesce(
                    json_agg(o.strategicobjective_id ORDER BY o.strategicobjective_id), '[]')
                FROM activities_activity_objectives o WHERE o.activity_id = p.id),
            'allies', (
                SELECT coalesce(json_agg(l.ally_id ORDER BY l.ally_id), '[]')
                FROM activities_activity_allies l WHERE l.activity_id = p.id),
            'lead_organisation', p.lead_organisation, 'participants', p.participants,
            'women_participants', p.women_participants, 'outcome', p.outcome,
            'created_by', cu.username, 'updated_by', uu.username,
            'created_at', p.created_at, 'updated_at', p.updated_at, 'version', p.version
        ) ORDER BY p.start_date DESC, p.id DESC)
        FROM (
            SELECT * FROM activities_activity
            WHERE status = 'completed' AND releasability <> 'restricted'
            ORDER BY start_date DESC, id DESC LIMIT 100
        ) p
        LEFT JOIN auth_user cu ON cu.id = p.created_by_id
        LEFT JOIN auth_user uu ON uu.id = p.updated_by_id
    )
)::text
