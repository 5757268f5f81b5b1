-- Insights: leaderboard refreshes and reads, the student dashboard, the admin dashboard.
-- exam_instances.evaluated_at and exam_unit_scores are kept by triggers (migration 0007).

-- ---------------------------------------------------------------------------------------
-- leaderboard refreshes
-- ---------------------------------------------------------------------------------------

-- name: lock_class_refresh$
-- Serialise refreshes of one class until this transaction ends (two workers, or the
-- nightly job meeting an after-evaluation refresh).
SELECT pg_advisory_xact_lock(hashtextextended('leaderboard|' || CAST(:school_class AS text), 0));

-- name: leaderboard_plan_types
-- The plans that carry leaderboard access now (recorded in each refresh's inputs).
SELECT plan_type::text AS plan_type
FROM subscription_plans
WHERE leaderboard_access
ORDER BY plan_type::text;

-- name: leaderboard_standings
-- Per eligible student of :school_class as of :as_of, the sum and count of the
-- percentages of their evaluated exams (the ranking rule averages and ranks them).
-- Eligible: an active student of the class whose subscription covering :business_date
-- is on one of :plan_types, and who had an evaluated exam of the class by :as_of.
-- A subscription counts as covering the date if it is active, expired since, or was
-- cancelled after :as_of, so a past refresh is recomputed as it was. The exams come from
-- an index-only scan of exam_instances_evaluated_ranking_idx.
WITH eligible AS (
    SELECT u.user_id
    FROM users u
    WHERE u.role = 'student'
      AND u.is_active
      AND u.student_class = CAST(:school_class AS student_class)
      AND EXISTS (
          SELECT 1
          FROM subscriptions s
          JOIN subscription_plans p ON p.plan_id = s.plan_id
          WHERE s.student_user_id = u.user_id
            AND p.plan_type::text = ANY(CAST(:plan_types AS text[]))
            AND s.start_date <= CAST(:business_date AS date)
            AND s.end_date > CAST(:business_date AS date)
            AND (s.status IN ('active', 'expired')
                 OR (s.status = 'cancelled' AND s.cancelled_at > :as_of))
      )
)
SELECT e.student_user_id, sum(e.percentage) AS percentage_sum, count(*) AS total_exams
FROM eligible el
JOIN exam_instances e ON e.student_user_id = el.user_id
WHERE e.class = CAST(:school_class AS student_class)
  AND e.status = 'evaluated'
  AND e.percentage IS NOT NULL
  AND (e.evaluated_at IS NULL OR e.evaluated_at <= :as_of)
GROUP BY e.student_user_id;

-- name: insert_leaderboard_refresh^
INSERT INTO leaderboard_refreshes (class, computed_at, as_of, reason, rule_version, eligible_count,
                                   exams_counted, inputs, ranking_digest, duration_ms)
VALUES (CAST(:school_class AS student_class), :computed_at, :as_of, :reason, :rule_version, :eligible_count,
        :exams_counted, :inputs, :ranking_digest, :duration_ms)
RETURNING refresh_id, class::text AS class, computed_at, as_of, reason, rule_version, eligible_count,
          exams_counted, inputs, ranking_digest, duration_ms;

-- name: insert_leaderboard_entries!
-- The whole ranking in one statement (arrays in position order).
INSERT INTO leaderboard_entries (refresh_id, position, rank, student_user_id, avg_percentage, total_exams)
SELECT :refresh_id, t.position, t.rank, t.student_user_id, t.avg_percentage, t.total_exams
FROM unnest(CAST(:positions AS integer[]), CAST(:ranks AS integer[]), CAST(:student_user_ids AS uuid[]),
            CAST(:averages AS numeric[]), CAST(:totals AS integer[]))
     AS t (position, rank, student_user_id, avg_percentage, total_exams);

-- name: latest_leaderboard_refresh^
-- The class's latest refresh: the first row of leaderboard_refreshes_class_latest_idx.
SELECT refresh_id, class::text AS class, computed_at, as_of, reason, rule_version, eligible_count,
       exams_counted, inputs, ranking_digest, duration_ms, entries_pruned
FROM leaderboard_refreshes
WHERE class = CAST(:school_class AS student_class)
ORDER BY computed_at DESC, refresh_id
LIMIT 1;

-- name: get_leaderboard_refresh^
SELECT refresh_id, class::text AS class, computed_at, as_of, reason, rule_version, eligible_count,
       exams_counted, inputs, ranking_digest, duration_ms, entries_pruned
FROM leaderboard_refreshes
WHERE refresh_id = :refresh_id;

-- name: leaderboard_top
-- The first :top_n places of a refresh with how each student wants to be shown (read now,
-- so choosing initials takes effect at once).
SELECT le.position, le.rank, le.student_user_id, le.avg_percentage, le.total_exams,
       u.first_name, u.last_name, u.show_on_leaderboard_as_initials, u.photo_key
FROM leaderboard_entries le
JOIN users u ON u.user_id = le.student_user_id
WHERE le.refresh_id = :refresh_id
  AND le.position <= :top_n
ORDER BY le.position;

-- name: leaderboard_entry^
-- One student's place in a refresh (leaderboard_entries_student_key).
SELECT position, rank, student_user_id, avg_percentage, total_exams
FROM leaderboard_entries
WHERE refresh_id = :refresh_id AND student_user_id = :student_user_id;

-- name: leaderboard_entries
-- A refresh's whole ranking in position order (to check it against a recomputation).
SELECT position, rank, student_user_id, avg_percentage, total_exams
FROM leaderboard_entries
WHERE refresh_id = :refresh_id
ORDER BY position;

-- name: class_standing^
-- The class's latest refresh (NULL columns when there is none), the student's entry in it
-- and whether the student has an evaluated exam of the class: one statement for a rank.
SELECT r.refresh_id, r.class::text AS class, r.computed_at, r.as_of, r.reason, r.rule_version,
       r.eligible_count, r.exams_counted, r.inputs, r.ranking_digest, r.duration_ms, r.entries_pruned,
       le.position AS entry_position, le.rank AS entry_rank, le.student_user_id AS entry_student_user_id,
       le.avg_percentage AS entry_avg_percentage, le.total_exams AS entry_total_exams,
       EXISTS (SELECT 1 FROM exam_instances e
               WHERE e.class = CAST(:school_class AS student_class)
                 AND e.student_user_id = CAST(:student_user_id AS uuid)
                 AND e.status = 'evaluated') AS has_evaluated_exam
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT * FROM leaderboard_refreshes
    WHERE class = CAST(:school_class AS student_class)
    ORDER BY computed_at DESC, refresh_id
    LIMIT 1
) AS r ON true
LEFT JOIN leaderboard_entries le
       ON le.refresh_id = r.refresh_id AND le.student_user_id = CAST(:student_user_id AS uuid);

-- name: evaluated_exam_count$
-- A student's evaluated exams of a class (exam_instances_evaluated_ranking_idx).
SELECT count(*)
FROM exam_instances
WHERE class = CAST(:school_class AS student_class)
  AND student_user_id = :student_user_id
  AND status = 'evaluated';

-- name: prune_leaderboard_entries!
-- Drop the entries of refreshes computed before :before, except each class's latest; the
-- refresh rows stay (inputs and digest), so those rankings can still be recomputed.
WITH latest AS (
    SELECT DISTINCT ON (class) refresh_id
    FROM leaderboard_refreshes
    ORDER BY class, computed_at DESC, refresh_id
),
pruned AS (
    UPDATE leaderboard_refreshes r
    SET entries_pruned = true
    WHERE r.computed_at < :before
      AND NOT r.entries_pruned
      AND r.refresh_id NOT IN (SELECT refresh_id FROM latest)
    RETURNING r.refresh_id
)
DELETE FROM leaderboard_entries le
USING pruned
WHERE le.refresh_id = pruned.refresh_id;

-- name: delete_old_leaderboard_refreshes!
-- Refresh records older than the analytics retention, except each class's latest.
DELETE FROM leaderboard_refreshes r
WHERE r.computed_at < :before
  AND r.refresh_id NOT IN (
      SELECT DISTINCT ON (class) refresh_id
      FROM leaderboard_refreshes
      ORDER BY class, computed_at DESC, refresh_id
  );

-- ---------------------------------------------------------------------------------------
-- the student dashboard (everything bounded by one student's own rows)
-- ---------------------------------------------------------------------------------------

-- name: dashboard_student^
SELECT user_id, first_name, last_name, student_class::text AS student_class, role::text AS role, is_active
FROM users
WHERE user_id = :student_user_id;

-- name: recent_exams
-- The student's latest exams, any status (exam_instances_student_created_idx).
SELECT e.exam_instance_id, e.exam_type::text AS exam_type, t.template_name, e.status::text AS status,
       e.started_at, e.submitted_at, e.evaluated_at, e.total_marks, e.mcq_score, e.mcq_total,
       e.mcq_percentage, e.total_score, e.percentage
FROM exam_instances e
JOIN exam_templates t ON t.template_id = e.template_id
WHERE e.student_user_id = :student_user_id
ORDER BY e.created_at DESC, e.exam_instance_id
LIMIT :limit;

-- name: exam_type_summary
-- Per exam type: evaluated exams, average / best / latest percentage.
SELECT e.exam_type::text AS exam_type,
       count(*) AS exams,
       avg(e.percentage) AS average_percentage,
       max(e.percentage) AS best_percentage,
       (array_agg(e.percentage ORDER BY e.evaluated_at DESC NULLS LAST, e.exam_instance_id))[1]
           AS latest_percentage
FROM exam_instances e
WHERE e.student_user_id = :student_user_id
  AND e.status = 'evaluated'
GROUP BY e.exam_type
ORDER BY e.exam_type;

-- name: percentage_trend
-- The latest :limit evaluated exams, newest first (the service shows them oldest first).
SELECT e.exam_instance_id, e.exam_type::text AS exam_type, e.evaluated_at, e.percentage
FROM exam_instances e
WHERE e.student_user_id = :student_user_id
  AND e.status = 'evaluated'
ORDER BY e.evaluated_at DESC NULLS LAST, e.exam_instance_id DESC
LIMIT :limit;

-- name: unit_performance
-- Marks obtained / possible per unit over every evaluated exam (exam_unit_scores_student_idx).
SELECT unit,
       sum(mcq_obtained) AS mcq_obtained, sum(mcq_possible) AS mcq_possible,
       sum(written_obtained) AS written_obtained, sum(written_possible) AS written_possible,
       sum(questions) AS questions, count(*) AS exams
FROM exam_unit_scores
WHERE student_user_id = :student_user_id
GROUP BY unit;

-- name: prediction_evidence
-- The latest :limit evaluated exams with their marks per unit (one row per exam and unit;
-- an exam without unit rows comes once with a null unit).
WITH recent AS (
    SELECT e.exam_instance_id, e.exam_type, e.percentage, e.evaluated_at
    FROM exam_instances e
    WHERE e.student_user_id = :student_user_id
      AND e.status = 'evaluated'
      AND e.percentage IS NOT NULL
    ORDER BY e.evaluated_at DESC NULLS LAST, e.exam_instance_id DESC
    LIMIT :limit
)
SELECT r.exam_instance_id, r.exam_type::text AS exam_type, r.percentage, r.evaluated_at,
       s.unit, s.mcq_obtained, s.mcq_possible, s.written_obtained, s.written_possible
FROM recent r
LEFT JOIN exam_unit_scores s ON s.exam_instance_id = r.exam_instance_id
ORDER BY r.evaluated_at NULLS FIRST, r.exam_instance_id, s.unit;

-- name: board_template_config^
-- The seeded board-pattern template of a class (its sections carry the CBSE unit weights).
SELECT template_id, class::text AS class, exam_type::text AS exam_type, config
FROM exam_templates
WHERE template_id = :template_id;

-- ---------------------------------------------------------------------------------------
-- the admin dashboard (bounded by the period through indexes, or by small live sets)
-- ---------------------------------------------------------------------------------------

-- name: admin_student_counts^
-- Student accounts, students with a subscription covering :today, and students who
-- started an exam in [:period_start, :period_end) (exam_instances_started_at_idx).
SELECT (SELECT count(*) FROM users WHERE role = 'student' AND is_active) AS student_accounts,
       (SELECT count(DISTINCT s.student_user_id)
        FROM subscriptions s
        WHERE s.status = 'active'
          AND s.start_date <= CAST(:today AS date)
          AND s.end_date > CAST(:today AS date)) AS subscribed_students,
       (SELECT count(DISTINCT e.student_user_id)
        FROM exam_instances e
        WHERE e.started_at >= :period_start AND e.started_at < :period_end) AS active_students;

-- name: admin_exam_activity
-- Exams started and finished (handed in: submitted_at) per Asia/Kolkata day and type.
WITH started AS (
    SELECT (e.started_at AT TIME ZONE 'Asia/Kolkata')::date AS day, e.exam_type, count(*) AS n
    FROM exam_instances e
    WHERE e.started_at >= :period_start AND e.started_at < :period_end
    GROUP BY 1, 2
),
finished AS (
    SELECT (e.submitted_at AT TIME ZONE 'Asia/Kolkata')::date AS day, e.exam_type, count(*) AS n
    FROM exam_instances e
    WHERE e.submitted_at >= :period_start AND e.submitted_at < :period_end
    GROUP BY 1, 2
)
SELECT coalesce(s.day, f.day) AS day, coalesce(s.exam_type, f.exam_type)::text AS exam_type,
       coalesce(s.n, 0) AS started, coalesce(f.n, 0) AS finished
FROM started s
FULL JOIN finished f ON f.day = s.day AND f.exam_type = s.exam_type
ORDER BY 1, 2;

-- name: admin_open_evaluations
-- Open evaluations now, per teacher (evaluations_open_deadline_idx: the open set is small).
SELECT ev.teacher_user_id, u.first_name || ' ' || u.last_name AS teacher_name,
       count(*) AS open_evaluations,
       count(*) FILTER (WHERE ev.status = 'in_progress') AS in_progress,
       count(*) FILTER (WHERE ev.sla_deadline < :now) AS past_deadline
FROM evaluations ev
JOIN users u ON u.user_id = ev.teacher_user_id
WHERE ev.status <> 'completed'
GROUP BY ev.teacher_user_id, u.first_name, u.last_name;

-- name: admin_completed_evaluations
-- Evaluations completed in the period with their exam's submission time, for working-hours
-- turnaround (evaluations_completed_at_idx).
SELECT ev.teacher_user_id, u.first_name || ' ' || u.last_name AS teacher_name,
       e.submitted_at, ev.completed_at, ev.sla_deadline
FROM evaluations ev
JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
JOIN users u ON u.user_id = ev.teacher_user_id
WHERE ev.status = 'completed'
  AND ev.completed_at >= :period_start
  AND ev.completed_at < :period_end;

-- name: admin_subscriptions_by_plan
-- Per plan: subscriptions covering :today, created in the period, active ones ending
-- within 7 days of :today, and the period's revenue (amounts paid, paise).
SELECT p.plan_type::text AS plan_type, p.plan_name,
       (SELECT count(*) FROM subscriptions s
        WHERE s.plan_id = p.plan_id AND s.status = 'active'
          AND s.start_date <= CAST(:today AS date) AND s.end_date > CAST(:today AS date)) AS active,
       (SELECT count(*) FROM subscriptions s
        WHERE s.plan_id = p.plan_id
          AND s.created_at >= :period_start AND s.created_at < :period_end) AS new_in_period,
       (SELECT count(*) FROM subscriptions s
        WHERE s.plan_id = p.plan_id AND s.status = 'active'
          AND s.end_date > CAST(:today AS date)
          AND s.end_date <= CAST(:today AS date) + 7) AS expiring_within_7_days,
       (SELECT coalesce(sum(s.amount_paid_paise), 0) FROM subscriptions s
        WHERE s.plan_id = p.plan_id
          AND s.created_at >= :period_start AND s.created_at < :period_end) AS revenue_paise
FROM subscription_plans p
ORDER BY p.monthly_price_paise, p.plan_type;

-- ---------------------------------------------------------------------------------------
-- recommendations: class averages per unit (nightly), the templates to suggest
-- ---------------------------------------------------------------------------------------

-- name: upsert_unit_class_averages!
-- Per class and unit, the mean of the students' own percentages in the unit over their
-- evaluated exams of that class (each student once; a student counts once they have had
-- :min_marks marks in the unit), stamped :computed_at. A whole-table aggregate: nightly only.
WITH per_student AS (
    SELECT e.class, us.unit, us.student_user_id,
           sum(us.mcq_obtained + us.written_obtained) * 100
               / sum(us.mcq_possible + us.written_possible) AS percentage
    FROM exam_unit_scores us
    JOIN exam_instances e ON e.exam_instance_id = us.exam_instance_id
    GROUP BY e.class, us.unit, us.student_user_id
    HAVING sum(us.mcq_possible + us.written_possible) >= :min_marks
)
INSERT INTO unit_class_averages (class, unit, average_percentage, students, computed_at)
SELECT class, unit, round(avg(percentage), 2), count(*), :computed_at
FROM per_student
GROUP BY class, unit
ON CONFLICT (class, unit) DO UPDATE
SET average_percentage = EXCLUDED.average_percentage,
    students = EXCLUDED.students,
    computed_at = EXCLUDED.computed_at;

-- name: delete_stale_unit_class_averages!
-- Units no refresh at :computed_at measured any more (their exams or marks are gone).
DELETE FROM unit_class_averages WHERE computed_at < :computed_at;

-- name: recommendation_context^
-- For recommendations, in one statement: when the class averages were computed, and the
-- student's evaluated practice exams of the class (any type but the board paper) since
-- their latest evaluated board paper (all of them when there is none).
SELECT (SELECT max(computed_at) FROM unit_class_averages
        WHERE class = CAST(:school_class AS student_class)) AS class_averages_computed_at,
       (SELECT count(*) FROM exam_instances e
        WHERE e.student_user_id = :student_user_id
          AND e.class = CAST(:school_class AS student_class)
          AND e.status = 'evaluated'
          AND e.exam_type <> 'board_exam'
          AND e.evaluated_at > coalesce(
              (SELECT max(b.evaluated_at) FROM exam_instances b
               WHERE b.student_user_id = :student_user_id
                 AND b.class = CAST(:school_class AS student_class)
                 AND b.status = 'evaluated'
                 AND b.exam_type = 'board_exam'),
              '-infinity')) AS practices_since_board,
       EXISTS (SELECT 1 FROM exam_instances e
               WHERE e.student_user_id = :student_user_id
                 AND e.class = CAST(:school_class AS student_class)
                 AND e.status = 'evaluated') AS has_evaluated_exam;

-- name: suggestible_templates
-- The class's active templates a recommendation may name (adaptive practice, unit practice,
-- board paper): a handful of rows (exam_templates_class_type_idx).
SELECT t.template_id, t.template_name, t.exam_type::text AS exam_type, t.specific_unit, t.config
FROM exam_templates t
WHERE t.is_active
  AND t.class = CAST(:school_class AS student_class)
  AND t.exam_type IN ('adaptive_practice', 'unit_practice', 'board_exam')
ORDER BY t.exam_type, t.template_name, t.template_id;
