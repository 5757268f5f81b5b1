-- name: get_evaluation^
SELECT ev.*, e.student_user_id, e.exam_snapshot, e.total_marks, e.mcq_score, e.status AS exam_status,
       e.submitted_at, e.class AS student_class, e.subscription_id, e.attempted_choices, e.candidate_code,
       su.first_name || ' ' || su.last_name AS student_name
FROM evaluations ev
JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
JOIN users su ON su.user_id = e.student_user_id
WHERE ev.evaluation_id = :evaluation_id;

-- name: lock_evaluation^
-- The evaluation and its exam, both locked for a state change; with the student's name and
-- the written questions declared unanswered, which submitting needs.
SELECT ev.*, e.student_user_id, e.exam_snapshot, e.total_marks, e.mcq_score, e.status AS exam_status,
       e.submitted_at, e.class AS student_class, e.subscription_id, e.attempted_choices,
       e.sla_deadline AS exam_sla_deadline, su.first_name AS student_first_name, su.last_name AS student_last_name,
       ARRAY(SELECT uq.question_number FROM unanswered_questions uq
             WHERE uq.exam_instance_id = e.exam_instance_id ORDER BY uq.question_number) AS unanswered_numbers
FROM evaluations ev
JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
JOIN users su ON su.user_id = e.student_user_id
WHERE ev.evaluation_id = :evaluation_id
FOR UPDATE OF ev, e;

-- name: serialise_assignment$
-- One assigner at a time (for this transaction): teacher balance stays exact across workers.
SELECT pg_advisory_xact_lock(hashtextextended('mathvidya:evaluation-assignment', 0));

-- name: lock_unassigned_exam^
-- A confirmed exam that has no evaluation yet, locked (skipped if another worker holds it).
SELECT e.exam_instance_id, e.student_user_id, e.sla_deadline, e.assignment_alerted_at,
       e.exam_snapshot -> 'template' ->> 'template_name' AS exam_name, e.candidate_code,
       (SELECT u.first_name || ' ' || u.last_name FROM users u WHERE u.user_id = e.student_user_id) AS student_name
FROM exam_instances e
WHERE e.exam_instance_id = :exam_instance_id AND e.status = 'pending_evaluation'
  AND NOT EXISTS (SELECT 1 FROM evaluations ev WHERE ev.exam_instance_id = e.exam_instance_id)
FOR UPDATE OF e SKIP LOCKED;

-- name: unassigned_exams
-- The sweep: confirmed exams still without an evaluation, earliest deadline first.
SELECT e.exam_instance_id
FROM exam_instances e
WHERE e.status = 'pending_evaluation'
  AND NOT EXISTS (SELECT 1 FROM evaluations ev WHERE ev.exam_instance_id = e.exam_instance_id)
ORDER BY e.sla_deadline
LIMIT :batch;

-- name: least_busy_teacher$
-- The active teacher with the fewest open evaluations, ties to the least recently assigned.
SELECT u.user_id
FROM users u
LEFT JOIN LATERAL (
    SELECT count(*) AS open_count FROM evaluations ev
    WHERE ev.teacher_user_id = u.user_id AND ev.status <> 'completed'
) o ON true
LEFT JOIN LATERAL (
    SELECT max(ev.assigned_at) AS last_assigned FROM evaluations ev WHERE ev.teacher_user_id = u.user_id
) l ON true
WHERE u.role = 'teacher' AND u.is_active
ORDER BY o.open_count, l.last_assigned NULLS FIRST, u.user_id
LIMIT 1;

-- name: insert_evaluation^
-- The unique exam_instance_id is the last line of defence against a double assignment.
INSERT INTO evaluations (exam_instance_id, teacher_user_id, status, assigned_at, sla_deadline)
VALUES (:exam_instance_id, :teacher_user_id, 'assigned', :assigned_at, :sla_deadline)
ON CONFLICT (exam_instance_id) DO NOTHING
RETURNING evaluation_id, teacher_user_id, sla_deadline;

-- name: mark_assignment_alerted$
UPDATE exam_instances SET assignment_alerted_at = :alerted_at
WHERE exam_instance_id = :exam_instance_id AND assignment_alerted_at IS NULL
RETURNING exam_instance_id;

-- name: active_admins
SELECT user_id, email, first_name FROM users WHERE role = 'admin' AND is_active ORDER BY created_at;

-- name: queue
-- A teacher's (or, with no teacher, everyone's) evaluations by deadline, then plan priority.
SELECT ev.evaluation_id, ev.exam_instance_id, ev.teacher_user_id, ev.status, ev.assigned_at, ev.sla_deadline,
       ev.sla_breached, ev.completed_at, u.first_name || ' ' || u.last_name AS student_name,
       e.class AS student_class, p.plan_type, e.candidate_code,
       (SELECT count(*) FROM jsonb_array_elements(e.exam_snapshot -> 'questions') AS q
        WHERE q ->> 'question_type' <> 'MCQ') AS total_manual_questions
FROM evaluations ev
JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
JOIN users u ON u.user_id = e.student_user_id
LEFT JOIN subscriptions s ON s.subscription_id = e.subscription_id
LEFT JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE (CAST(:teacher_user_id AS uuid) IS NULL OR ev.teacher_user_id = :teacher_user_id)
  AND ev.status = ANY(CAST(:statuses AS evaluation_status[]))
  AND (CAST(:breached AS boolean) IS NULL OR ev.sla_breached = CAST(:breached AS boolean))
ORDER BY ev.sla_deadline, p.priority DESC NULLS LAST, ev.evaluation_id
LIMIT :limit OFFSET :offset;

-- name: teacher_open_queue
-- The same for one teacher's open evaluations only: written without optional filters so
-- that even a cached generic plan reads evaluations_teacher_open_idx.
SELECT ev.evaluation_id, ev.exam_instance_id, ev.teacher_user_id, ev.status, ev.assigned_at, ev.sla_deadline,
       ev.sla_breached, ev.completed_at, u.first_name || ' ' || u.last_name AS student_name,
       e.class AS student_class, p.plan_type, e.candidate_code,
       (SELECT count(*) FROM jsonb_array_elements(e.exam_snapshot -> 'questions') AS q
        WHERE q ->> 'question_type' <> 'MCQ') AS total_manual_questions
FROM evaluations ev
JOIN exam_instances e ON e.exam_instance_id = ev.exam_instance_id
JOIN users u ON u.user_id = e.student_user_id
LEFT JOIN subscriptions s ON s.subscription_id = e.subscription_id
LEFT JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE ev.teacher_user_id = :teacher_user_id AND ev.status <> 'completed'
  AND ev.status = ANY(CAST(:statuses AS evaluation_status[]))
  AND (CAST(:breached AS boolean) IS NULL OR ev.sla_breached = CAST(:breached AS boolean))
ORDER BY ev.sla_deadline, p.priority DESC NULLS LAST, ev.evaluation_id
LIMIT :limit OFFSET :offset;

-- name: count_queue$
SELECT count(*)
FROM evaluations ev
WHERE (CAST(:teacher_user_id AS uuid) IS NULL OR ev.teacher_user_id = :teacher_user_id)
  AND ev.status = ANY(CAST(:statuses AS evaluation_status[]))
  AND (CAST(:breached AS boolean) IS NULL OR ev.sla_breached = CAST(:breached AS boolean));

-- name: count_teacher_open_queue$
SELECT count(*)
FROM evaluations ev
WHERE ev.teacher_user_id = :teacher_user_id AND ev.status <> 'completed'
  AND ev.status = ANY(CAST(:statuses AS evaluation_status[]))
  AND (CAST(:breached AS boolean) IS NULL OR ev.sla_breached = CAST(:breached AS boolean));

-- name: exam_pages
SELECT u.page_number, u.s3_key, u.content_type, u.question_numbers, a.annotation_data, a.annotated_s3_key
FROM answer_sheet_uploads u
LEFT JOIN evaluation_annotations a ON a.evaluation_id = :evaluation_id AND a.page_number = u.page_number
WHERE u.exam_instance_id = :exam_instance_id
ORDER BY u.page_number;

-- name: unanswered_numbers
SELECT question_number FROM unanswered_questions WHERE exam_instance_id = :exam_instance_id
ORDER BY question_number;

-- name: start_evaluation^
-- Guarded transition: assigned → in_progress.
UPDATE evaluations SET status = 'in_progress', started_at = :started_at
WHERE evaluation_id = :evaluation_id AND status = 'assigned'
RETURNING evaluation_id, status, started_at;

-- name: insert_marks!
-- Every mark of an evaluation in one statement, whatever the number of questions: each
-- written question's counted marks (question_marks), each alternative marked of a choice
-- question (question_alternative_marks) and each step mark (question_step_marks). The
-- foreign keys between them are checked at the end of the statement.
WITH question_rows AS (
    INSERT INTO question_marks (evaluation_id, question_number, question_id, marks_awarded, marks_possible,
                                teacher_comment, counted_choice)
    SELECT CAST(:evaluation_id AS uuid), r.question_number, r.question_id, r.marks_awarded, r.marks_possible,
           r.teacher_comment, r.counted_choice
    FROM jsonb_to_recordset(:question_rows) AS r(question_number integer, question_id uuid, marks_awarded numeric,
                                                 marks_possible numeric, teacher_comment text, counted_choice text)
    RETURNING question_number
), alternative_rows AS (
    INSERT INTO question_alternative_marks (evaluation_id, question_number, choice, question_id, marks_awarded,
                                            marks_possible, teacher_comment)
    SELECT CAST(:evaluation_id AS uuid), r.question_number, r.choice, r.question_id, r.marks_awarded,
           r.marks_possible, r.teacher_comment
    FROM jsonb_to_recordset(:alternative_rows) AS r(question_number integer, choice text, question_id uuid,
                                                    marks_awarded numeric, marks_possible numeric,
                                                    teacher_comment text)
    RETURNING question_number
)
INSERT INTO question_step_marks (evaluation_id, question_number, choice, step_number, question_id, step,
                                 marks_awarded, marks_possible)
SELECT CAST(:evaluation_id AS uuid), r.question_number, r.choice, r.step_number, r.question_id, r.step,
       r.marks_awarded, r.marks_possible
FROM jsonb_to_recordset(:step_rows) AS r(question_number integer, choice text, step_number integer,
                                         question_id uuid, step text, marks_awarded numeric,
                                         marks_possible numeric);

-- name: complete_evaluation^
-- Guarded transition: an open evaluation becomes completed, breached if late.
UPDATE evaluations
SET status = 'completed', completed_at = :completed_at, total_manual_marks = :total_manual_marks,
    sla_breached = sla_breached OR :completed_at > sla_deadline
WHERE evaluation_id = :evaluation_id AND status IN ('assigned', 'in_progress')
RETURNING evaluation_id, status, completed_at, sla_breached;

-- name: record_exam_evaluated^
-- Guarded transition: pending_evaluation → evaluated with the final scores.
UPDATE exam_instances
SET status = 'evaluated', manual_score = :manual_score, total_score = :total_score, percentage = :percentage
WHERE exam_instance_id = :exam_instance_id AND status = 'pending_evaluation'
RETURNING exam_instance_id, total_score, percentage, class;

-- name: reassign_evaluation^
-- Open evaluations only; the deadline stays what it was.
UPDATE evaluations
SET teacher_user_id = :teacher_user_id, status = 'assigned', assigned_at = :assigned_at, started_at = NULL,
    sla_warned_at = NULL
WHERE evaluation_id = :evaluation_id AND status IN ('assigned', 'in_progress')
RETURNING evaluation_id, teacher_user_id, sla_deadline, status;

-- name: active_teacher$
SELECT EXISTS (SELECT 1 FROM users WHERE user_id = :user_id AND role = 'teacher' AND is_active);

-- name: reupload_request_count$
SELECT count(*) FROM reupload_requests WHERE exam_instance_id = :exam_instance_id;

-- name: insert_reupload_request^
-- The next request of the exam: numbered 1 or 2 (the table refuses a third).
INSERT INTO reupload_requests (exam_instance_id, request_number, evaluation_id, teacher_user_id, page_numbers,
                               reason, requested_at)
SELECT :exam_instance_id, coalesce(max(request_number), 0) + 1, :evaluation_id, :teacher_user_id,
       :page_numbers, :reason, :requested_at
FROM reupload_requests WHERE exam_instance_id = :exam_instance_id
RETURNING request_number;

-- name: mark_reupload_requested^
-- Guarded transition: the teacher asks for new pages; the SLA deadline is cleared for the
-- exam and its evaluation until the student confirms them.
WITH exam AS (
    UPDATE exam_instances SET status = 'reupload_requested', sla_deadline = NULL
    WHERE exam_instance_id = :exam_instance_id AND status = 'pending_evaluation'
    RETURNING exam_instance_id, status
), evaluation AS (
    UPDATE evaluations ev SET sla_deadline = NULL, sla_warned_at = NULL
    FROM exam
    WHERE ev.exam_instance_id = exam.exam_instance_id
    RETURNING ev.evaluation_id
)
SELECT exam.exam_instance_id, exam.status, (SELECT evaluation_id FROM evaluation) AS evaluation_id FROM exam;

-- name: exam_page_numbers
SELECT page_number FROM answer_sheet_uploads WHERE exam_instance_id = :exam_instance_id ORDER BY page_number;
