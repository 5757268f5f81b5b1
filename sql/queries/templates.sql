-- name: insert_template^
INSERT INTO exam_templates (template_name, class, exam_type, specific_unit, config, total_marks,
                            duration_minutes, is_active, created_by)
VALUES (:template_name, :class_, :exam_type, :specific_unit, :config, :total_marks,
        :duration_minutes, :is_active, :created_by)
RETURNING template_id, template_name, class, exam_type, specific_unit, config, total_marks,
          duration_minutes, is_active, created_by, created_at, updated_at;

-- name: get_template^
SELECT template_id, template_name, class, exam_type, specific_unit, config, total_marks,
       duration_minutes, is_active, created_by, created_at, updated_at
FROM exam_templates
WHERE template_id = :template_id;

-- name: lock_template^
SELECT template_id, template_name, class, exam_type, specific_unit, config, total_marks,
       duration_minutes, is_active, created_by, created_at, updated_at
FROM exam_templates
WHERE template_id = :template_id
FOR UPDATE;

-- name: update_template^
UPDATE exam_templates
SET template_name = :template_name, class = :class_, exam_type = :exam_type,
    specific_unit = :specific_unit, config = :config, total_marks = :total_marks,
    duration_minutes = :duration_minutes, is_active = :is_active
WHERE template_id = :template_id
RETURNING template_id, template_name, class, exam_type, specific_unit, config, total_marks,
          duration_minutes, is_active, created_by, created_at, updated_at;

-- name: count_templates$
SELECT count(*)
FROM exam_templates
WHERE (CAST(:class_ AS student_class) IS NULL OR class = CAST(:class_ AS student_class))
  AND (CAST(:exam_type AS exam_type) IS NULL OR exam_type = CAST(:exam_type AS exam_type))
  AND (CAST(:is_active AS boolean) IS NULL OR is_active = CAST(:is_active AS boolean));

-- name: list_templates
-- The admin's list: every template, active or not.
SELECT template_id, template_name, class, exam_type, specific_unit, config, total_marks,
       duration_minutes, is_active, created_by, created_at, updated_at
FROM exam_templates
WHERE (CAST(:class_ AS student_class) IS NULL OR class = CAST(:class_ AS student_class))
  AND (CAST(:exam_type AS exam_type) IS NULL OR exam_type = CAST(:exam_type AS exam_type))
  AND (CAST(:is_active AS boolean) IS NULL OR is_active = CAST(:is_active AS boolean))
ORDER BY class, exam_type, template_name, template_id
LIMIT :limit OFFSET :offset;

-- name: count_active_templates$
SELECT count(*)
FROM exam_templates t
WHERE t.is_active
  AND (CAST(:class_ AS student_class) IS NULL OR t.class = CAST(:class_ AS student_class))
  AND (CAST(:exam_type AS exam_type) IS NULL OR t.exam_type = CAST(:exam_type AS exam_type))
  AND (CAST(:student_user_id AS uuid) IS NULL
       OR t.class = (SELECT u.student_class FROM users u WHERE u.user_id = CAST(:student_user_id AS uuid)));

-- name: list_active_templates
-- Active templates (exam_templates_class_type_idx); with a student, only those of the
-- student's class, each with the refusal a start would get from the student's plan: NULL
-- when allowed (always NULL when no student is given).
-- The plan is the student's active subscription today (Asia/Kolkata) joined to its plan row.
WITH plan AS (
    SELECT p.allows_board_exam, p.allows_section_exam, p.allows_unit_practice,
           p.manual_evaluation_included
    FROM subscriptions s
    JOIN subscription_plans p ON p.plan_id = s.plan_id
    WHERE s.student_user_id = CAST(:student_user_id AS uuid)
      AND s.status = 'active'
      AND s.start_date <= (now() AT TIME ZONE 'Asia/Kolkata')::date
      AND s.end_date > (now() AT TIME ZONE 'Asia/Kolkata')::date
    ORDER BY s.start_date DESC
    LIMIT 1
)
SELECT t.template_id, t.template_name, t.class, t.exam_type, t.specific_unit, t.config,
       t.total_marks, t.duration_minutes, t.is_active, t.created_by, t.created_at, t.updated_at,
       CASE
           WHEN CAST(:student_user_id AS uuid) IS NULL THEN NULL
           WHEN NOT EXISTS (SELECT 1 FROM plan) THEN 'SUBSCRIPTION_REQUIRED'
           WHEN NOT (SELECT CASE t.exam_type
                                WHEN 'board_exam' THEN plan.allows_board_exam
                                WHEN 'unit_practice' THEN plan.allows_unit_practice
                                WHEN 'adaptive_practice' THEN plan.allows_unit_practice
                                ELSE plan.allows_section_exam
                            END
                     FROM plan) THEN 'EXAM_TYPE_NOT_IN_PLAN'
           WHEN NOT (SELECT plan.manual_evaluation_included FROM plan)
                AND EXISTS (SELECT 1 FROM jsonb_array_elements(t.config -> 'sections') AS s(section)
                            WHERE s.section ->> 'question_type' <> 'MCQ') THEN 'EXAM_TYPE_NOT_IN_PLAN'
       END AS plan_refusal
FROM exam_templates t
WHERE t.is_active
  AND (CAST(:class_ AS student_class) IS NULL OR t.class = CAST(:class_ AS student_class))
  AND (CAST(:exam_type AS exam_type) IS NULL OR t.exam_type = CAST(:exam_type AS exam_type))
  AND (CAST(:student_user_id AS uuid) IS NULL
       OR t.class = (SELECT u.student_class FROM users u WHERE u.user_id = CAST(:student_user_id AS uuid)))
ORDER BY t.class, t.exam_type, t.template_name, t.template_id
LIMIT :limit OFFSET :offset;
