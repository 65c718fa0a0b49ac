-- Activities per quarter and type, cancelled ones left out, for a Viewer (the dashboard's chart).
SELECT date_trunc('quarter', start_date)::date AS quarter, activity_type, count(*)
FROM activities_activity
WHERE programme_id = %(programme)s AND releasability <> 'restricted' AND review_state <> 'draft'
    AND status <> 'cancelled'
GROUP BY 1, 2
