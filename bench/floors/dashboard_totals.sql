-- The programme's activities by status, for a Viewer (the dashboard's totals block).
SELECT status, count(*) FROM activities_activity
WHERE programme_id = %(programme)s AND releasability <> 'restricted'
GROUP BY status
