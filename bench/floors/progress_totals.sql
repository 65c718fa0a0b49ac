-- The programme's activities by status, for a Viewer (the totals of the progress API and
-- the dashboard's totals block; the total is their sum).
SELECT status, count(*) FROM activities_activity
WHERE programme_id = %(programme)s AND releasability <> 'restricted' AND review_state <> 'draft'
GROUP BY status
