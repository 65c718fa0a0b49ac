-- Every activity a Viewer sees, newest first, with exactly the CSV export's cells
-- (activities/exports.py), for COPY (…) TO STDOUT WITH CSV HEADER: the columns in the
-- export's order and under its names; the programme by its label; goals by title (by
-- their order), objectives by number, Allies by code (by name), organisations by short
-- name (else name) with the role in brackets (by name), each joined with '; ';
-- dates as YYYY-MM-DD; updated_at in the local time as Python's isoformat() writes it, for
-- the default DJANGO_TIME_ZONE (Europe/Brussels); a text starting with = + - @ tab CR or '
-- prefixed with ' (the formula guard; choices, numbers and dates cannot start so). The
-- parsed cells equal the export's (tests/activities/test_csv_dialect.py); the bytes differ
-- only by CSV quoting (COPY quotes an empty text, writes \n line ends and no BOM).
-- Each link table is aggregated once and hash-joined: a correlated subquery per row and
-- link table took about twice as long (EXPLAIN ANALYZE at 100,000: see docs/performance.md).
SELECT a.id,
    CASE WHEN left(p.label, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || p.label ELSE p.label END AS programme,
    CASE WHEN left(a.title, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.title ELSE a.title END AS title,
    CASE WHEN left(a.title_ja, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.title_ja ELSE a.title_ja END AS title_ja,
    a.activity_type, a.status, a.releasability,
    to_char(a.start_date, 'YYYY-MM-DD') AS start_date,
    to_char(a.end_date, 'YYYY-MM-DD') AS end_date,
    CASE WHEN left(gl.goals, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || gl.goals ELSE gl.goals END AS goals,
    ol.objectives,
    CASE WHEN left(al.allies, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || al.allies ELSE al.allies END AS allies,
    CASE WHEN left(pl.organisations, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || pl.organisations ELSE pl.organisations END AS organisations,
    CASE WHEN left(a.location, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.location ELSE a.location END AS location,
    CASE WHEN left(a.lead_organisation, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.lead_organisation ELSE a.lead_organisation END AS lead_organisation,
    a.participants, a.women_participants,
    CASE WHEN left(a.description, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.description ELSE a.description END AS description,
    CASE WHEN left(a.description_ja, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.description_ja ELSE a.description_ja END AS description_ja,
    CASE WHEN left(a.outcome, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.outcome ELSE a.outcome END AS outcome,
    CASE WHEN left(a.outcome_ja, 1) IN ('=', '+', '-', '@', E'\t', E'\r', '''')
        THEN '''' || a.outcome_ja ELSE a.outcome_ja END AS outcome_ja,
    a.version,
    to_char(a.updated_at AT TIME ZONE 'Europe/Brussels', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN to_char(a.updated_at, 'US') = '000000' THEN ''
            ELSE to_char(a.updated_at, '.US') END
        || CASE WHEN t.utc_offset = interval '0' THEN 'Z'
            WHEN t.utc_offset > interval '0' THEN '+' || to_char(t.utc_offset, 'HH24:MI')
            ELSE '-' || to_char(-t.utc_offset, 'HH24:MI') END AS updated_at
FROM activities_activity a
JOIN (
    SELECT id, partner || ' ITPP ' || start_year || '–' || end_year AS label
    FROM goals_programme
) p ON p.id = a.programme_id
CROSS JOIN LATERAL (
    SELECT (a.updated_at AT TIME ZONE 'Europe/Brussels') - (a.updated_at AT TIME ZONE 'UTC')
) t(utc_offset)
LEFT JOIN (
    SELECT l.activity_id, string_agg(g.title, '; ' ORDER BY g."order", g.id) AS goals
    FROM activities_activity_goals l JOIN goals_partnershipgoal g ON g.id = l.partnershipgoal_id
    GROUP BY l.activity_id
) gl ON gl.activity_id = a.id
LEFT JOIN (
    SELECT l.activity_id, string_agg(o.number::text, '; ' ORDER BY o.number, o.id) AS objectives
    FROM activities_activity_objectives l
    JOIN goals_strategicobjective o ON o.id = l.strategicobjective_id
    GROUP BY l.activity_id
) ol ON ol.activity_id = a.id
LEFT JOIN (
    SELECT l.activity_id, string_agg(y.code, '; ' ORDER BY y.name, y.code) AS allies
    FROM activities_activity_allies l JOIN activities_ally y ON y.code = l.ally_id
    GROUP BY l.activity_id
) al ON al.activity_id = a.id
LEFT JOIN (
    SELECT l.activity_id,
        string_agg(coalesce(nullif(o.short_name, ''), o.name) || ' (' || l.role || ')', '; '
            ORDER BY o.name, o.id) AS organisations
    FROM activities_activityorganisation l
    JOIN activities_organisation o ON o.id = l.organisation_id
    GROUP BY l.activity_id
) pl ON pl.activity_id = a.id
WHERE a.releasability <> 'restricted' AND a.review_state <> 'draft'
ORDER BY a.start_date DESC, a.id DESC
