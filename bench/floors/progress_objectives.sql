-- Activities per Strategic Objective of the programme, by status, for a Viewer: one hash join
-- of the link table with the visible activities (an index-only scan of activity_counted),
-- grouped by the link's objective. Objectives without visible activities have no row (the
-- app gives them zeros): the floor does the least work for the same numbers.
SELECT ag.strategicobjective_id, count(*),
    count(*) FILTER (WHERE a.status = 'planned'),
    count(*) FILTER (WHERE a.status = 'ongoing'),
    count(*) FILTER (WHERE a.status = 'completed'),
    count(*) FILTER (WHERE a.status = 'postponed'),
    count(*) FILTER (WHERE a.status = 'cancelled'),
    max(a.start_date) FILTER (WHERE a.status IN ('ongoing', 'completed'))
FROM activities_activity_objectives ag
JOIN activities_activity a ON a.id = ag.activity_id
WHERE a.releasability <> 'restricted' AND a.review_state <> 'draft'
    AND ag.strategicobjective_id IN (
        SELECT id FROM goals_strategicobjective WHERE programme_id = %(programme)s)
GROUP BY ag.strategicobjective_id
