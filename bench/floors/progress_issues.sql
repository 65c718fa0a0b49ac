-- Distinct activities per priority issue of the programme, by status, for a Viewer. An
-- activity reaches an issue through each of its goals there; each (issue, activity) pair is
-- kept once by an anti-join (the link whose goal is the activity's first of that issue), then
-- counted plainly. Faster than SELECT DISTINCT over the pairs, whose hash of 170,000 pairs
-- spills to disk with the default work_mem (about 1.0 s against 0.7 s at 100,000 on the
-- loaded machine, EXPLAIN ANALYZE).
SELECT g.priority_issue_id, count(*),
    count(*) FILTER (WHERE a.status = 'planned'),
    count(*) FILTER (WHERE a.status = 'ongoing'),
    count(*) FILTER (WHERE a.status = 'completed'),
    count(*) FILTER (WHERE a.status = 'postponed'),
    count(*) FILTER (WHERE a.status = 'cancelled'),
    max(a.start_date) FILTER (WHERE a.status IN ('ongoing', 'completed'))
FROM activities_activity_goals ag
JOIN goals_partnershipgoal g ON g.id = ag.partnershipgoal_id
JOIN activities_activity a ON a.id = ag.activity_id
WHERE g.programme_id = %(programme)s AND a.releasability <> 'restricted'
    AND a.review_state <> 'draft'
    AND NOT EXISTS (
        SELECT 1 FROM activities_activity_goals ag2
        JOIN goals_partnershipgoal g2 ON g2.id = ag2.partnershipgoal_id
        WHERE ag2.activity_id = ag.activity_id
            AND g2.priority_issue_id = g.priority_issue_id
            AND ag2.partnershipgoal_id < ag.partnershipgoal_id)
GROUP BY g.priority_issue_id
