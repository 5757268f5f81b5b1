-- SLA compliance report (admins) and a teacher's own workload figures.
-- A plan is exam_instances.subscription_id → subscriptions.plan_id → subscription_plans.plan_type.

-- name: sla_compliance_groups
-- Evaluations whose exam was submitted in [:period_start, :period_end), counted overall
-- (both flags false), per plan and per teacher in one pass. on_time: completed by the
-- deadline; breached: completed after it, or still open with the deadline before :now.
-- Index-backed in two branches: completed ones through evaluations_completed_at_idx
-- (completed_at >= submitted_at >= :period_start), open ones through
-- evaluations_open_deadline_idx (the open set is small by nature).
WITH in_period AS (
    SELECT ev.teacher_user_id, ev.status, ev.completed_at, ev.sla_deadline, e.subscription_id
    FROM evaluations ev
    JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
    WHERE ev.status = 'completed'
      AND ev.completed_at >= :period_start
      AND e.submitted_at >= :period_start
      AND e.submitted_at < :period_end
    UNION ALL
    SELECT ev.teacher_user_id, ev.status, ev.completed_at, ev.sla_deadline, e.subscription_id
    FROM evaluations ev
    JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
    WHERE ev.status <> 'completed'
      AND e.submitted_at >= :period_start
      AND e.submitted_at < :period_end
),
classified AS (
    SELECT p.teacher_user_id,
           pl.plan_type,
           (p.status = 'completed' AND p.completed_at <= p.sla_deadline) AS on_time,
           ((p.status = 'completed' AND p.completed_at > p.sla_deadline)
             OR (p.status <> 'completed' AND p.sla_deadline < :now)) AS breached
    FROM in_period p
    LEFT JOIN subscriptions s ON s.subscription_id = p.subscription_id
    LEFT JOIN subscription_plans pl ON pl.plan_id = s.plan_id
),
grouped AS (
    SELECT GROUPING(c.plan_type) = 0 AS is_plan_row,
           GROUPING(c.teacher_user_id) = 0 AS is_teacher_row,
           c.plan_type,
           c.teacher_user_id,
           count(*) AS total_evaluations,
           count(*) FILTER (WHERE c.on_time) AS on_time,
           count(*) FILTER (WHERE c.breached) AS breached
    FROM classified c
    GROUP BY GROUPING SETS ((), (c.plan_type), (c.teacher_user_id))
)
SELECT g.is_plan_row, g.is_teacher_row, g.plan_type::text AS plan_type, g.teacher_user_id,
       CASE WHEN g.is_teacher_row THEN u.first_name || ' ' || u.last_name END AS teacher_name,
       g.total_evaluations, g.on_time, g.breached
FROM grouped g
LEFT JOIN users u ON g.is_teacher_row AND u.user_id = g.teacher_user_id
ORDER BY g.is_plan_row, g.is_teacher_row, g.plan_type, teacher_name, g.teacher_user_id;

-- name: teacher_workload^
-- One teacher's evaluations by status (evaluations_teacher_queue_idx), completions since
-- :recent_since, the breached ones still open, and the nearest open deadline.
SELECT count(*) FILTER (WHERE status <> 'completed') AS open_evaluations,
       count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE status = 'completed' AND completed_at >= :recent_since) AS completed_recently,
       count(*) FILTER (WHERE status <> 'completed' AND sla_deadline < :now) AS open_past_deadline,
       min(sla_deadline) FILTER (WHERE status <> 'completed') AS next_deadline
FROM evaluations
WHERE teacher_user_id = :teacher_user_id;

-- name: teacher_completions_since
-- The teacher's evaluations completed since :since, with their exam's submission time
-- (for working-hours turnaround and the late share).
SELECT ev.evaluation_id, e.submitted_at, ev.completed_at, ev.sla_deadline
FROM evaluations ev
JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
WHERE ev.teacher_user_id = :teacher_user_id
  AND ev.status = 'completed'
  AND ev.completed_at >= :since
ORDER BY ev.completed_at;
