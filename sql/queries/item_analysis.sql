-- Item analysis (docs/item-analysis.md): the set-based measurement of every question version
-- over evaluated exams, the stored run and figures, and the reads of the two endpoints.

-- name: measure_items
-- One row per question version attempted in an exam evaluated by :as_of: attempts,
-- facility, the facilities of the top and bottom groups (each round(0.27 n) exams by the
-- exam's percentage, at least 1; ties broken by exam id), and for MCQs the picks of the
-- most-picked key and distractor in the top group. An MCQ left blank is no attempt; a
-- written question (or the alternative marked) is one.
WITH attempts AS (
    SELECT v.question_id, v.question_version, v.exam_instance_id, e.percentage,
           coalesce(a.marks_awarded, 0) AS awarded, v.max_marks AS possible, a.selected_choices
    FROM exam_question_versions v
    JOIN exam_instances e ON e.exam_instance_id = v.exam_instance_id
    JOIN student_mcq_answers a ON a.exam_instance_id = v.exam_instance_id AND a.question_number = v.question_number
                             AND a.question_id = v.question_id
    WHERE e.status = 'evaluated' AND e.evaluated_at <= :as_of AND cardinality(a.selected_choices) > 0
    UNION ALL
    SELECT v.question_id, v.question_version, v.exam_instance_id, e.percentage,
           m.marks_awarded, m.marks_possible, NULL::text[]
    FROM exam_question_versions v
    JOIN exam_instances e ON e.exam_instance_id = v.exam_instance_id
    JOIN evaluations ev ON ev.exam_instance_id = v.exam_instance_id
    JOIN question_marks m ON m.evaluation_id = ev.evaluation_id AND m.question_number = v.question_number
    WHERE e.status = 'evaluated' AND e.evaluated_at <= :as_of AND v.choice = '' AND m.question_id = v.question_id
    UNION ALL
    SELECT v.question_id, v.question_version, v.exam_instance_id, e.percentage,
           am.marks_awarded, am.marks_possible, NULL::text[]
    FROM exam_question_versions v
    JOIN exam_instances e ON e.exam_instance_id = v.exam_instance_id
    JOIN evaluations ev ON ev.exam_instance_id = v.exam_instance_id
    JOIN question_alternative_marks am
      ON am.evaluation_id = ev.evaluation_id AND am.question_number = v.question_number AND am.choice = v.choice
    WHERE e.status = 'evaluated' AND e.evaluated_at <= :as_of AND v.choice <> ''
),
ranked AS (
    -- One sort serves both groups: the bottom group is the last group_size of the top-down order.
    SELECT t.question_id, t.question_version, t.awarded, t.possible, t.selected_choices,
           count(*) OVER item AS n,
           greatest(1, round(0.27 * count(*) OVER item)) AS group_size,
           row_number() OVER (item ORDER BY t.percentage DESC, t.exam_instance_id) AS rank_from_top
    FROM attempts t
    WINDOW item AS (PARTITION BY t.question_id, t.question_version)
),
figures AS (
    SELECT question_id, question_version, count(*)::int AS attempts,
           round(sum(awarded) / sum(possible), 4) AS facility,
           round(sum(awarded) FILTER (WHERE rank_from_top <= group_size)
                 / sum(possible) FILTER (WHERE rank_from_top <= group_size), 4) AS top_facility,
           round(sum(awarded) FILTER (WHERE rank_from_top > n - group_size)
                 / sum(possible) FILTER (WHERE rank_from_top > n - group_size), 4) AS bottom_facility
    FROM ranked
    GROUP BY question_id, question_version
),
top_picks AS (
    SELECT r.question_id, r.question_version, p.label, count(*) AS picks
    FROM ranked r CROSS JOIN LATERAL unnest(r.selected_choices) AS p(label)
    WHERE r.rank_from_top <= r.group_size
    GROUP BY r.question_id, r.question_version, p.label
),
all_picks AS (
    SELECT r.question_id, r.question_version, p.label, count(*) AS picks
    FROM ranked r CROSS JOIN LATERAL unnest(r.selected_choices) AS p(label)
    GROUP BY r.question_id, r.question_version, p.label
),
keys AS (
    SELECT f.question_id, f.question_version,
           CASE WHEN qv.content IS NOT NULL
                THEN ARRAY(SELECT jsonb_array_elements_text(qv.content -> 'mcq_correct_choices'))
                ELSE q.mcq_correct_choices END AS correct
    FROM figures f
    JOIN questions q ON q.question_id = f.question_id
    LEFT JOIN question_versions qv ON qv.question_id = f.question_id AND qv.version = f.question_version
                                  AND jsonb_typeof(qv.content -> 'mcq_correct_choices') = 'array'
    WHERE q.question_type = 'MCQ'
),
labels AS (
    SELECT f.question_id, f.question_version, unnest(mcq_choice_labels(q.mcq_choices)) AS label
    FROM figures f JOIN questions q ON q.question_id = f.question_id
    WHERE q.question_type = 'MCQ'
    UNION
    SELECT question_id, question_version, label FROM all_picks
),
shares AS (
    SELECT l.question_id, l.question_version,
           jsonb_object_agg(l.label, round(coalesce(ap.picks, 0)::numeric / f.attempts, 4) ORDER BY l.label)
               AS choice_shares
    FROM labels l
    JOIN figures f ON f.question_id = l.question_id AND f.question_version = l.question_version
    LEFT JOIN all_picks ap
           ON ap.question_id = l.question_id AND ap.question_version = l.question_version AND ap.label = l.label
    GROUP BY l.question_id, l.question_version
),
top_group_picks AS (
    SELECT tp.question_id, tp.question_version,
           max(tp.picks) FILTER (WHERE tp.label = ANY (k.correct)) AS top_key_picks,
           max(tp.picks) FILTER (WHERE NOT (tp.label = ANY (k.correct))) AS top_distractor_picks
    FROM top_picks tp
    JOIN keys k ON k.question_id = tp.question_id AND k.question_version = tp.question_version
    GROUP BY tp.question_id, tp.question_version
)
SELECT f.question_id, f.question_version, q.class::text AS class, q.unit, q.question_type::text AS question_type,
       f.attempts, f.facility, f.top_facility, f.bottom_facility,
       (q.question_type = 'MCQ') AS is_mcq,
       s.choice_shares, t.top_key_picks, t.top_distractor_picks
FROM figures f
JOIN questions q ON q.question_id = f.question_id
LEFT JOIN shares s ON s.question_id = f.question_id AND s.question_version = f.question_version
LEFT JOIN top_group_picks t ON t.question_id = f.question_id AND t.question_version = f.question_version
ORDER BY f.question_id, f.question_version;

-- name: step_award_rates
-- Per question version, mean step marks / step marks for each step of its scheme, in step
-- order, over exams evaluated by :as_of (the alternative's steps for choice questions).
SELECT s.question_id, s.question_version,
       jsonb_agg(s.rate ORDER BY s.step_number) AS step_award_rates
FROM (
    SELECT sm.question_id, v.question_version, sm.step_number,
           round(sum(sm.marks_awarded) / sum(sm.marks_possible), 4) AS rate
    FROM question_step_marks sm
    JOIN evaluations ev ON ev.evaluation_id = sm.evaluation_id
    JOIN exam_question_versions v ON v.exam_instance_id = ev.exam_instance_id AND v.question_id = sm.question_id
    JOIN exam_instances e ON e.exam_instance_id = v.exam_instance_id
    WHERE e.status = 'evaluated' AND e.evaluated_at <= :as_of
    GROUP BY sm.question_id, v.question_version, sm.step_number
) s
GROUP BY s.question_id, s.question_version;

-- name: evaluated_extent^
-- The inputs' extent of a run: how many exams evaluated by :as_of, first and last instant.
SELECT count(*)::int AS exams_considered, min(evaluated_at) AS evaluated_from, max(evaluated_at) AS evaluated_to
FROM exam_instances
WHERE status = 'evaluated' AND evaluated_at <= :as_of;

-- name: key_suspect_questions
-- The question versions flagged key_suspect by the latest run (before it is replaced).
SELECT question_id, question_version FROM question_analysis WHERE flags @> ARRAY['key_suspect'];

-- name: lock_item_analysis!
-- One run at a time (a second waits, then measures again).
SELECT pg_advisory_xact_lock(hashtext('mathvidya:item-analysis'));

-- name: allow_large_sorts!
-- The measurement ranks every attempt of every question version in one sort: let this
-- transaction sort in memory rather than on disk.
SET LOCAL work_mem = '256MB';

-- name: insert_run!
INSERT INTO item_analysis_runs (run_id, started_at, computed_at, exams_considered, evaluated_from, evaluated_to,
                                questions_measured, min_attempts)
VALUES (:run_id, :started_at, :computed_at, :exams_considered, :evaluated_from, :evaluated_to,
        :questions_measured, :min_attempts);

-- name: clear_question_analysis!
DELETE FROM question_analysis;

-- name: insert_question_analysis!
-- Every figure of the run in one statement.
INSERT INTO question_analysis (question_id, question_version, run_id, class, unit, attempts, facility,
                               discrimination, choice_shares, step_award_rates, flags, measured_difficulty)
SELECT r.question_id, r.question_version, :run_id, r.class::student_class, r.unit, r.attempts, r.facility,
       r.discrimination, r.choice_shares, r.step_award_rates, r.flags, r.measured_difficulty
FROM jsonb_to_recordset(:rows) AS r(question_id uuid, question_version integer, class text, unit text,
                                    attempts integer, facility numeric, discrimination numeric,
                                    choice_shares jsonb, step_award_rates jsonb, flags text[],
                                    measured_difficulty text);

-- name: question_for_analysis^
SELECT question_id, version, difficulty::text AS declared_difficulty FROM questions WHERE question_id = :question_id;

-- name: question_analysis^
SELECT a.question_id, a.question_version, a.attempts, a.facility, a.discrimination, a.choice_shares,
       a.step_award_rates, a.flags, a.measured_difficulty, r.computed_at
FROM question_analysis a JOIN item_analysis_runs r ON r.run_id = a.run_id
WHERE a.question_id = :question_id AND a.question_version = :version;

-- name: latest_run^
SELECT run_id, computed_at, min_attempts FROM item_analysis_runs ORDER BY computed_at DESC LIMIT 1;

-- name: list_question_analysis
-- The admin list: filtered by class, unit and flag, in (class, unit, question, version) order
-- (question_analysis_class_unit_idx; the flag filter uses the GIN index on flags).
SELECT a.question_id, a.question_version, a.class::text AS class, a.unit, q.question_type::text AS question_type,
       q.difficulty::text AS declared_difficulty, a.attempts, a.facility, a.discrimination, a.choice_shares,
       a.step_award_rates, a.flags, a.measured_difficulty, r.computed_at
FROM question_analysis a
JOIN questions q ON q.question_id = a.question_id
JOIN item_analysis_runs r ON r.run_id = a.run_id
WHERE (CAST(:school_class AS text) IS NULL OR a.class = CAST(:school_class AS student_class))
  AND (CAST(:unit AS text) IS NULL OR a.unit = :unit)
  AND (CAST(:flag AS text) IS NULL OR a.flags @> ARRAY[CAST(:flag AS text)])
ORDER BY a.class, a.unit, a.question_id, a.question_version
LIMIT :limit OFFSET :offset;

-- name: count_question_analysis$
SELECT count(*)::int FROM question_analysis a
WHERE (CAST(:school_class AS text) IS NULL OR a.class = CAST(:school_class AS student_class))
  AND (CAST(:unit AS text) IS NULL OR a.unit = :unit)
  AND (CAST(:flag AS text) IS NULL OR a.flags @> ARRAY[CAST(:flag AS text)]);

-- name: active_admins
SELECT user_id FROM users WHERE role = 'admin' AND is_active ORDER BY created_at;
