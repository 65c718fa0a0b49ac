-- The programme's activities by the quarter they start in, by status, for a Viewer (the
-- progress API's `quarters`; quarters between the first and the last with none are zeros
-- the app adds, no work for the database).
SELECT date_trunc('quarter', start_date)::date AS quarter, count(*),
    count(*) FILTER (WHERE status = 'planned'),
    count(*) FILTER (WHERE status = 'ongoing'),
    count(*) FILTER (WHERE status = 'completed'),
    count(*) FILTER (WHERE status = 'postponed'),
    count(*) FILTER (WHERE status = 'cancelled')
FROM activities_activity
WHERE programme_id = %(programme)s AND releasability <> 'restricted' AND review_state <> 'draft'
GROUP BY 1
