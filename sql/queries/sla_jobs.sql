-- The SLA sweeps: flag breaches once, warn teachers once. Both read open evaluations by
-- deadline through evaluations_open_deadline_idx (sla_deadline WHERE status <> 'completed').

-- name: flag_breaches
-- Open evaluations whose deadline passed and that were never flagged → flagged now, once:
-- the guard re-checks breach_flagged_at under the row lock, and SKIP LOCKED leaves a row a
-- teacher is submitting right now to the next run. Returns what the messages need.
UPDATE evaluations ev
SET sla_breached = true,
    breach_flagged_at = :as_of
FROM exam_instances e, users st, users t
WHERE ev.evaluation_id IN (
        SELECT evaluation_id
        FROM evaluations
        WHERE status <> 'completed'
          AND sla_deadline < :as_of
          AND breach_flagged_at IS NULL
        ORDER BY sla_deadline
        LIMIT :batch
        FOR UPDATE SKIP LOCKED
    )
  AND ev.breach_flagged_at IS NULL
  AND ev.status <> 'completed'
  AND e.exam_instance_id = ev.exam_instance_id
  AND st.user_id = e.student_user_id
  AND t.user_id = ev.teacher_user_id
RETURNING ev.evaluation_id, ev.exam_instance_id, ev.teacher_user_id, ev.sla_deadline,
          coalesce(e.exam_snapshot -> 'template' ->> 'template_name', e.exam_type::text) AS exam_name,
          st.first_name || ' ' || st.last_name AS student_name, e.candidate_code,
          t.first_name || ' ' || t.last_name AS teacher_name;

-- name: active_admins
SELECT user_id
FROM users
WHERE role = 'admin'
  AND is_active
ORDER BY created_at, user_id;

-- name: warning_candidates
-- Open, unwarned evaluations whose deadline is still ahead but no later than :horizon
-- (the instant two working hours from now, capped at a few days): a bounded index range.
SELECT evaluation_id, sla_deadline
FROM evaluations
WHERE status <> 'completed'
  AND sla_deadline > :as_of
  AND sla_deadline <= :horizon
  AND sla_warned_at IS NULL
ORDER BY sla_deadline, evaluation_id
LIMIT :batch;

-- name: mark_warned
-- Record the warning once (the guard makes a concurrent or repeated run a no-op) and
-- return what the teacher's message needs.
UPDATE evaluations ev
SET sla_warned_at = :as_of
FROM exam_instances e, users st
WHERE ev.evaluation_id = ANY(:evaluation_ids)
  AND ev.sla_warned_at IS NULL
  AND ev.status <> 'completed'
  AND e.exam_instance_id = ev.exam_instance_id
  AND st.user_id = e.student_user_id
RETURNING ev.evaluation_id, ev.exam_instance_id, ev.teacher_user_id, ev.sla_deadline,
          coalesce(e.exam_snapshot -> 'template' ->> 'template_name', e.exam_type::text) AS exam_name,
          st.first_name || ' ' || st.last_name AS student_name, e.candidate_code;
