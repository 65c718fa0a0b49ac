-- The activity list's first page (status=completed, newest first, 100 rows) and its count,
-- for a Viewer: exactly the API's JSON (every field of the serializer, links in the API's
-- order), timestamps in the session's time zone (the API writes the programme's: the same
-- instants). A Viewer sees neither restricted activities nor drafts (the visibility gate,
-- activities.querysets.visibility): both conditions are in the count and the page.
-- No CTE (PostgreSQL 12+ materialises a CTE referenced twice); the count is a plain count
-- with the same conditions (an index-only scan of activity_counted, which holds status,
-- releasability and review_state), the page a backward scan of activity_start_id that
-- stops at the 100th row, then the links of those 100 rows.
SELECT json_build_object(
    'count', (
        SELECT count(*) FROM activities_activity
        WHERE status = 'completed' AND releasability <> 'restricted'
            AND review_state <> 'draft'),
    'results', (
        SELECT coalesce(json_agg(json_build_object(
            'id', p.id, 'programme', p.programme_id, 'title', p.title,
            'title_ja', p.title_ja, 'description', p.description,
            'description_ja', p.description_ja, 'activity_type', p.activity_type,
            'status', p.status, 'start_date', p.start_date, 'end_date', p.end_date,
            'location', p.location,
            'goals', ARRAY(
                SELECT g.partnershipgoal_id FROM activities_activity_goals g
                JOIN goals_partnershipgoal pg ON pg.id = g.partnershipgoal_id
                WHERE g.activity_id = p.id ORDER BY pg."order", g.partnershipgoal_id),
            'objectives', ARRAY(
                SELECT o.strategicobjective_id FROM activities_activity_objectives o
                JOIN goals_strategicobjective so ON so.id = o.strategicobjective_id
                WHERE o.activity_id = p.id ORDER BY so.number, o.strategicobjective_id),
            'allies', ARRAY(
                SELECT l.ally_id FROM activities_activity_allies l
                JOIN activities_ally al ON al.code = l.ally_id
                WHERE l.activity_id = p.id ORDER BY al.name, l.ally_id),
            'organisations', ARRAY(
                SELECT json_build_object('organisation', ao.organisation_id, 'role', ao.role)
                FROM activities_activityorganisation ao
                JOIN activities_organisation org ON org.id = ao.organisation_id
                WHERE ao.activity_id = p.id ORDER BY org.name, ao.organisation_id),
            'lead_organisation', p.lead_organisation, 'participants', p.participants,
            'women_participants', p.women_participants, 'outcome', p.outcome,
            'outcome_ja', p.outcome_ja,
            'releasability', p.releasability, 'review_state', p.review_state,
            'review_comment', p.review_comment, 'review_changed_at', p.review_changed_at,
            'version', p.version, 'created_by', cu.username, 'updated_by', uu.username,
            'created_at', p.created_at, 'updated_at', p.updated_at
        ) ORDER BY p.start_date DESC, p.id DESC), '[]')
        FROM (
            SELECT * FROM activities_activity
            WHERE status = 'completed' AND releasability <> 'restricted'
                AND review_state <> 'draft'
            ORDER BY start_date DESC, id DESC LIMIT 100
        ) p
        LEFT JOIN auth_user cu ON cu.id = p.created_by_id
        LEFT JOIN auth_user uu ON uu.id = p.updated_by_id
    )
)::text
