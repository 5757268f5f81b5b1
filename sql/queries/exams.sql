-- name: get_template_for_start^
SELECT template_id, template_name, class, exam_type, specific_unit, config, total_marks, duration_minutes
FROM exam_templates
WHERE template_id = :template_id AND is_active;

-- name: student_class$
SELECT student_class FROM users WHERE user_id = :user_id AND role = 'student';

-- name: sample_candidates
-- Eligible ids for every (type, unit) of a paper in one statement: for each, up to its
-- limit from its own random pivot onwards in key order, wrapping round to the ids before
-- the pivot only when the first half runs short (the Append under LIMIT stops early).
-- Each half is an index range scan of questions_active_sampling_idx whose cost is the
-- sample size, never the size of the bank.
SELECT w.question_type, w.unit, s.question_id
FROM unnest(CAST(:question_types AS text[]), CAST(:units AS text[]), CAST(:limits AS int[]),
            CAST(:pivots AS uuid[])) AS w(question_type, unit, sample_limit, pivot)
CROSS JOIN LATERAL (
    (SELECT q.question_id
     FROM questions q
     WHERE q.class = CAST(:school_class AS student_class)
       AND q.question_type = CAST(w.question_type AS question_type)
       AND q.unit = w.unit AND q.status = 'active' AND q.question_id >= w.pivot
     ORDER BY q.question_id
     LIMIT w.sample_limit)
    UNION ALL
    (SELECT q.question_id
     FROM questions q
     WHERE q.class = CAST(:school_class AS student_class)
       AND q.question_type = CAST(w.question_type AS question_type)
       AND q.unit = w.unit AND q.status = 'active' AND q.question_id < w.pivot
     ORDER BY q.question_id
     LIMIT w.sample_limit)
    LIMIT w.sample_limit
) AS s;

-- name: sample_adaptive_candidates
-- The sampling of sample_candidates (same pivots, same index range scans, so the cost is
-- the sample size) for an adaptive paper, with what its preference reads of each sampled
-- question: the declared difficulty and the measured facility of its current version
-- (question_analysis; NULL when unmeasured).
SELECT w.question_type, w.unit, s.question_id, q.difficulty::text AS difficulty, qa.facility
FROM unnest(CAST(:question_types AS text[]), CAST(:units AS text[]), CAST(:limits AS int[]),
            CAST(:pivots AS uuid[])) AS w(question_type, unit, sample_limit, pivot)
CROSS JOIN LATERAL (
    (SELECT q.question_id
     FROM questions q
     WHERE q.class = CAST(:school_class AS student_class)
       AND q.question_type = CAST(w.question_type AS question_type)
       AND q.unit = w.unit AND q.status = 'active' AND q.question_id >= w.pivot
     ORDER BY q.question_id
     LIMIT w.sample_limit)
    UNION ALL
    (SELECT q.question_id
     FROM questions q
     WHERE q.class = CAST(:school_class AS student_class)
       AND q.question_type = CAST(w.question_type AS question_type)
       AND q.unit = w.unit AND q.status = 'active' AND q.question_id < w.pivot
     ORDER BY q.question_id
     LIMIT w.sample_limit)
    LIMIT w.sample_limit
) AS s
JOIN questions q ON q.question_id = s.question_id
LEFT JOIN question_analysis qa ON qa.question_id = q.question_id AND qa.question_version = q.version;

-- name: adaptive_evidence
-- What adaptive practice and recommendations stand on, in one statement: the student's
-- marks per unit over their evaluated exams of :school_class (exam_unit_scores_student_idx),
-- the class average of each of those units (unit_class_averages) and the config of the
-- class's seeded board template (the board weights). No marks yet: one row, unit NULL.
SELECT b.config AS board_config, b.exam_type AS board_exam_type,
       s.unit, s.obtained, s.possible, s.exams, a.average_percentage AS class_average
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT t.config, t.exam_type::text AS exam_type
    FROM exam_templates t
    WHERE t.template_id = :board_template_id
) AS b ON true
LEFT JOIN LATERAL (
    SELECT us.unit,
           sum(us.mcq_obtained + us.written_obtained) AS obtained,
           sum(us.mcq_possible + us.written_possible) AS possible,
           count(*) AS exams
    FROM exam_unit_scores us
    JOIN exam_instances e ON e.exam_instance_id = us.exam_instance_id
    WHERE us.student_user_id = :student_user_id
      AND e.class = CAST(:school_class AS student_class)
    GROUP BY us.unit
) AS s ON true
LEFT JOIN unit_class_averages a ON a.class = CAST(:school_class AS student_class) AND a.unit = s.unit
ORDER BY s.unit;

-- name: recently_seen_question_ids
-- Questions the student was given in their most recent exams (to prefer fresh ones).
SELECT DISTINCT (q ->> 'question_id') AS question_id
FROM (
    SELECT exam_snapshot FROM exam_instances
    WHERE student_user_id = :student_user_id
    ORDER BY created_at DESC
    LIMIT :exam_count
) recent, jsonb_array_elements(recent.exam_snapshot -> 'questions') AS q;

-- name: recently_seen_question_and_alternative_ids
-- Questions the student was given in their most recent exams (to prefer fresh ones), both
-- alternatives of an internal-choice question included.
SELECT DISTINCT seen.question_id
FROM (
    SELECT exam_snapshot FROM exam_instances
    WHERE student_user_id = :student_user_id
    ORDER BY created_at DESC
    LIMIT :exam_count
) recent
CROSS JOIN LATERAL jsonb_array_elements(recent.exam_snapshot -> 'questions') AS q
CROSS JOIN LATERAL (
    SELECT q ->> 'question_id' AS question_id
    UNION ALL
    SELECT alternative ->> 'question_id'
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(q -> 'alternatives') = 'array'
                                   THEN q -> 'alternatives' ELSE '[]'::jsonb END) AS alternative
) seen
WHERE seen.question_id IS NOT NULL;

-- name: record_attempted_choices!
-- The student's declaration of which alternative(s) of each choice question they answered.
UPDATE exam_instances SET attempted_choices = :attempted_choices
WHERE exam_instance_id = :exam_instance_id;

-- name: question_alternative_marks_for_exam
SELECT am.question_number, am.choice, am.marks_awarded, am.marks_possible, am.teacher_comment
FROM question_alternative_marks am
JOIN evaluations ev ON ev.evaluation_id = am.evaluation_id
WHERE ev.exam_instance_id = :exam_instance_id
ORDER BY am.question_number, am.choice;

-- name: question_step_marks_for_exam
SELECT sm.question_number, sm.choice, sm.step_number, sm.marks_awarded
FROM question_step_marks sm
JOIN evaluations ev ON ev.evaluation_id = sm.evaluation_id
WHERE ev.exam_instance_id = :exam_instance_id
ORDER BY sm.question_number, sm.choice, sm.step_number;

-- name: question_contents
SELECT question_id, class, unit, topic, question_type, marks, difficulty, question_text, question_image_key,
       diagram_image_key, mcq_choices, mcq_correct_choices, correct_answer_text, correct_answer_image_key,
       explanation, explanation_image_key, version, marking_scheme
FROM questions
WHERE question_id = ANY(:question_ids);

-- name: insert_exam^
-- No row back when the candidate code is taken: the caller draws another code and retries.
INSERT INTO exam_instances (student_user_id, template_id, subscription_id, exam_type, class, status, seed,
                            exam_snapshot, total_marks, duration_minutes, started_at, deadline_at, candidate_code)
VALUES (:student_user_id, :template_id, :subscription_id, CAST(:exam_type AS exam_type),
        CAST(:school_class AS student_class), 'in_progress', :seed, :exam_snapshot, :total_marks, :duration_minutes,
        :started_at, :deadline_at, :candidate_code)
ON CONFLICT (candidate_code) DO NOTHING
RETURNING *;

-- name: get_exam^
-- The exam with its evaluation's teacher, status and completion. With :as_of (the exam view),
-- also the holiday rows the turnaround figures need (from the day before the submission to
-- the day after the latest of now, the deadline and the completion), in this one statement.
SELECT e.*, t.template_name, ev.teacher_user_id, ev.status AS evaluation_status,
       ev.completed_at AS evaluation_completed_at,
       CASE WHEN CAST(:as_of AS timestamptz) IS NOT NULL AND e.submitted_at IS NOT NULL THEN
           (SELECT coalesce(jsonb_agg(jsonb_build_object('holiday_date', h.holiday_date,
                                                         'is_working_day', h.is_working_day)), '[]'::jsonb)
            FROM holidays h
            WHERE h.holiday_date BETWEEN CAST(e.submitted_at AS date) - 1
                                     AND CAST(greatest(CAST(:as_of AS timestamptz), e.sla_deadline, ev.completed_at)
                                              AS date) + 1)
       END AS turnaround_holidays
FROM exam_instances e
JOIN exam_templates t ON t.template_id = e.template_id
LEFT JOIN evaluations ev ON ev.exam_instance_id = e.exam_instance_id
WHERE e.exam_instance_id = :exam_instance_id;

-- name: lock_exam^
-- The exam row, locked for the rest of the transaction (autosave, submit, confirm).
SELECT * FROM exam_instances WHERE exam_instance_id = :exam_instance_id FOR UPDATE;

-- name: saved_answers
SELECT question_number, selected_choices, is_correct, marks_awarded
FROM student_mcq_answers
WHERE exam_instance_id = :exam_instance_id
ORDER BY question_number;

-- name: upsert_answers!
-- Every answer of one autosave in one statement (:answers is a JSON array of
-- {question_number, question_id, selected_choices}; each question at most once).
INSERT INTO student_mcq_answers (exam_instance_id, question_number, question_id, selected_choices, answered_at)
SELECT :exam_instance_id, a.question_number, a.question_id, a.selected_choices, now()
FROM jsonb_to_recordset(CAST(:answers AS jsonb))
     AS a(question_number integer, question_id uuid, selected_choices text[])
ON CONFLICT (exam_instance_id, question_number)
DO UPDATE SET selected_choices = EXCLUDED.selected_choices, answered_at = now();

-- name: record_mcq_results!
-- Every MCQ's marked answer in one statement (:results is a JSON array of
-- {question_number, question_id, selected_choices, is_correct, marks_awarded}).
INSERT INTO student_mcq_answers (exam_instance_id, question_number, question_id, selected_choices, is_correct,
                                 marks_awarded)
SELECT :exam_instance_id, r.question_number, r.question_id, r.selected_choices, r.is_correct, r.marks_awarded
FROM jsonb_to_recordset(CAST(:results AS jsonb))
     AS r(question_number integer, question_id uuid, selected_choices text[], is_correct boolean,
          marks_awarded numeric)
ON CONFLICT (exam_instance_id, question_number)
DO UPDATE SET selected_choices = EXCLUDED.selected_choices, is_correct = EXCLUDED.is_correct,
              marks_awarded = EXCLUDED.marks_awarded;

-- name: finish_mcq_part^
-- Guarded transition: only an exam still in progress can have its MCQ part submitted.
UPDATE exam_instances
SET status = CAST(:new_status AS exam_status), mcq_submitted_at = :submitted_at,
    mcq_score = :mcq_score, mcq_total = :mcq_total, mcq_percentage = :mcq_percentage,
    total_score = :total_score, percentage = :percentage,
    submitted_at = CASE WHEN :new_status = 'evaluated' THEN :submitted_at ELSE submitted_at END
WHERE exam_instance_id = :exam_instance_id AND status = 'in_progress'
RETURNING exam_instance_id, status;

-- name: overdue_exams
-- In-progress exams whose time (duration + grace) ran out by :as_of; skip ones being handled.
SELECT exam_instance_id
FROM exam_instances
WHERE status = 'in_progress' AND deadline_at <= :as_of
ORDER BY deadline_at
LIMIT :batch
FOR UPDATE SKIP LOCKED;

-- name: list_exams
-- A student's exams (or every exam for an admin without a student filter), newest first.
SELECT e.exam_instance_id, e.student_user_id, e.template_id, t.template_name, e.exam_type, e.class, e.status,
       e.started_at, e.deadline_at, e.mcq_submitted_at, e.submitted_at, e.sla_deadline, e.total_marks,
       e.duration_minutes, e.mcq_score, e.mcq_total, e.mcq_percentage, e.manual_score, e.total_score,
       e.percentage, e.created_at, e.candidate_code, ev.status AS evaluation_status,
       ev.completed_at AS evaluation_completed_at
FROM exam_instances e
JOIN exam_templates t ON t.template_id = e.template_id
LEFT JOIN evaluations ev ON ev.exam_instance_id = e.exam_instance_id
WHERE (CAST(:student_user_id AS uuid) IS NULL OR e.student_user_id = :student_user_id)
  AND (CAST(:status AS exam_status) IS NULL OR e.status = CAST(:status AS exam_status))
ORDER BY e.created_at DESC, e.exam_instance_id
LIMIT :limit OFFSET :offset;

-- name: count_exams$
SELECT count(*)
FROM exam_instances e
WHERE (CAST(:student_user_id AS uuid) IS NULL OR e.student_user_id = :student_user_id)
  AND (CAST(:status AS exam_status) IS NULL OR e.status = CAST(:status AS exam_status));

-- name: exam_sla_hours$
-- The SLA hours of the plan the exam was taken under; no row when the exam has no subscription.
SELECT p.sla_hours
FROM exam_instances e
JOIN subscriptions s ON s.subscription_id = e.subscription_id
JOIN subscription_plans p ON p.plan_id = s.plan_id
WHERE e.exam_instance_id = :exam_instance_id;

-- name: upload_pages
SELECT page_number, s3_key, content_type, size_bytes, question_numbers, uploaded_at
FROM answer_sheet_uploads
WHERE exam_instance_id = :exam_instance_id
ORDER BY page_number;

-- name: insert_upload_pages!
-- Every confirmed page in one statement (:pages is a JSON array of {page_number, s3_key,
-- content_type, size_bytes, question_numbers}).
INSERT INTO answer_sheet_uploads (exam_instance_id, page_number, s3_key, content_type, size_bytes,
                                  question_numbers)
SELECT :exam_instance_id, p.page_number, p.s3_key, p.content_type, p.size_bytes, p.question_numbers
FROM jsonb_to_recordset(CAST(:pages AS jsonb))
     AS p(page_number integer, s3_key text, content_type text, size_bytes bigint, question_numbers integer[]);

-- name: insert_unanswered!
-- The written questions declared unanswered, in one statement.
INSERT INTO unanswered_questions (exam_instance_id, question_number)
SELECT :exam_instance_id, n FROM unnest(CAST(:question_numbers AS integer[])) AS n;

-- name: unanswered_numbers
SELECT question_number FROM unanswered_questions
WHERE exam_instance_id = :exam_instance_id ORDER BY question_number;

-- name: mark_uploaded^
-- Guarded transition: pages registered after the MCQ part (or after time ran out).
UPDATE exam_instances SET status = 'uploaded'
WHERE exam_instance_id = :exam_instance_id AND status IN ('submitted_mcq', 'pending_upload')
RETURNING exam_instance_id;

-- name: mark_pending_evaluation^
-- Guarded transition: the upload is confirmed and the SLA clock starts.
UPDATE exam_instances
SET status = 'pending_evaluation', submitted_at = :submitted_at, sla_deadline = :sla_deadline
WHERE exam_instance_id = :exam_instance_id AND status = 'uploaded'
RETURNING exam_instance_id, submitted_at, sla_deadline;

-- name: question_marks_for_exam
SELECT qm.question_number, qm.marks_awarded, qm.marks_possible, qm.teacher_comment, qm.counted_choice
FROM question_marks qm
JOIN evaluations ev ON ev.evaluation_id = qm.evaluation_id
WHERE ev.exam_instance_id = :exam_instance_id
ORDER BY qm.question_number;

-- name: annotated_pages
SELECT a.page_number, a.annotated_s3_key
FROM evaluation_annotations a
JOIN evaluations ev ON ev.evaluation_id = a.evaluation_id
WHERE ev.exam_instance_id = :exam_instance_id AND a.annotated_s3_key IS NOT NULL;

-- name: replace_upload_pages!
-- A re-upload: the confirmed pages replace the earlier ones (same page numbers keep their row).
INSERT INTO answer_sheet_uploads (exam_instance_id, page_number, s3_key, content_type, size_bytes,
                                  question_numbers)
SELECT :exam_instance_id, p.page_number, p.s3_key, p.content_type, p.size_bytes, p.question_numbers
FROM jsonb_to_recordset(CAST(:pages AS jsonb))
     AS p(page_number integer, s3_key text, content_type text, size_bytes bigint, question_numbers integer[])
ON CONFLICT (exam_instance_id, page_number) DO UPDATE
SET s3_key = excluded.s3_key, content_type = excluded.content_type, size_bytes = excluded.size_bytes,
    uploaded_at = now();

-- name: mark_reupload_confirmed^
-- Guarded transition: the requested pages are confirmed; a new SLA clock starts, for the
-- exam and for its evaluation (same teacher; breach and warning marks start afresh), and
-- the open request is fulfilled.
WITH exam AS (
    UPDATE exam_instances
    SET status = 'pending_evaluation', submitted_at = :submitted_at, sla_deadline = :sla_deadline
    WHERE exam_instance_id = :exam_instance_id AND status = 'reupload_requested'
    RETURNING exam_instance_id, submitted_at, sla_deadline
), evaluation AS (
    UPDATE evaluations ev
    SET sla_deadline = :sla_deadline, sla_breached = false, breach_flagged_at = NULL, sla_warned_at = NULL
    FROM exam
    WHERE ev.exam_instance_id = exam.exam_instance_id AND ev.status <> 'completed'
    RETURNING ev.evaluation_id, ev.teacher_user_id
), request AS (
    UPDATE reupload_requests r SET fulfilled_at = :submitted_at
    FROM exam
    WHERE r.exam_instance_id = exam.exam_instance_id AND r.fulfilled_at IS NULL
    RETURNING r.page_numbers
)
SELECT exam.exam_instance_id, exam.submitted_at, exam.sla_deadline,
       (SELECT evaluation_id FROM evaluation) AS evaluation_id,
       (SELECT teacher_user_id FROM evaluation) AS teacher_user_id,
       (SELECT page_numbers FROM request LIMIT 1) AS requested_pages
FROM exam;

-- name: open_reupload_pages$
-- The pages of the exam's unfulfilled re-upload request (empty when there is none).
SELECT coalesce((SELECT page_numbers FROM reupload_requests
                 WHERE exam_instance_id = :exam_instance_id AND fulfilled_at IS NULL
                 ORDER BY request_number DESC LIMIT 1), '{}');
