-- The board paper, revision 0011: internal choice ("either (a) or (b)") in sections B to E
-- of the board templates, step-mark schemes on written questions, and what a teacher marks
-- against them (each alternative's marks, each step's marks).
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.

-- ---------------------------------------------------------------------------------------
-- questions.marking_scheme: [{"step": text, "marks": n}, ...] for a written question:
-- 1 to 10 steps, step text 1 to 300 characters, marks positive multiples of 0.5 adding up
-- to the question's marks. MCQs have none (they are marked by the key).
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION marking_scheme_is_valid(scheme jsonb, question_marks numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_typeof(scheme) = 'array'
       AND jsonb_array_length(scheme) BETWEEN 1 AND 10
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_array_elements(scheme) AS s(step)
           WHERE jsonb_typeof(s.step) <> 'object'
              OR jsonb_typeof(s.step -> 'step') IS DISTINCT FROM 'string'
              OR jsonb_typeof(s.step -> 'marks') IS DISTINCT FROM 'number'
              OR char_length(btrim(s.step ->> 'step')) NOT BETWEEN 1 AND 300
              OR (s.step ->> 'marks')::numeric <= 0
              OR (s.step ->> 'marks')::numeric * 2 <> trunc((s.step ->> 'marks')::numeric * 2))
       AND (SELECT sum((s.step ->> 'marks')::numeric) FROM jsonb_array_elements(scheme) AS s(step))
           = question_marks
$$;

ALTER TABLE questions ADD COLUMN marking_scheme jsonb;
ALTER TABLE questions ADD CONSTRAINT questions_marking_scheme_valid CHECK (
    marking_scheme IS NULL OR (question_type <> 'MCQ' AND marking_scheme_is_valid(marking_scheme, marks))
);

-- ---------------------------------------------------------------------------------------
-- exam_instances.attempted_choices: the student's declaration at confirm-upload, question
-- number (as text) -> "a", "b" or "both", for choice questions only.
-- ---------------------------------------------------------------------------------------
ALTER TABLE exam_instances ADD COLUMN attempted_choices jsonb NOT NULL DEFAULT '{}';
ALTER TABLE exam_instances ADD CONSTRAINT exam_instances_attempted_choices_object
    CHECK (jsonb_typeof(attempted_choices) = 'object');

-- ---------------------------------------------------------------------------------------
-- Marking a choice question: question_marks keeps one row per question (the alternative
-- that counts, the higher mark), so totals and unit scores read it as before;
-- question_alternative_marks keeps each alternative the teacher marked.
-- ---------------------------------------------------------------------------------------
ALTER TABLE question_marks ADD COLUMN counted_choice text;
ALTER TABLE question_marks ADD CONSTRAINT question_marks_counted_choice_known
    CHECK (counted_choice IS NULL OR counted_choice IN ('a', 'b'));

CREATE TABLE question_alternative_marks (
    evaluation_id   uuid NOT NULL,
    question_number integer NOT NULL,
    choice          text NOT NULL,
    question_id     uuid NOT NULL REFERENCES questions (question_id),
    marks_awarded   numeric NOT NULL,
    marks_possible  numeric(4, 1) NOT NULL,
    teacher_comment text,
    PRIMARY KEY (evaluation_id, question_number, choice),
    FOREIGN KEY (evaluation_id, question_number)
        REFERENCES question_marks (evaluation_id, question_number) ON DELETE CASCADE,
    CONSTRAINT question_alternative_marks_choice_known CHECK (choice IN ('a', 'b')),
    CONSTRAINT question_alternative_marks_possible_positive CHECK (marks_possible > 0),
    CONSTRAINT question_alternative_marks_awarded_bounds CHECK (marks_awarded BETWEEN 0 AND marks_possible),
    CONSTRAINT question_alternative_marks_half_steps CHECK (marks_awarded * 2 = trunc(marks_awarded * 2)),
    CONSTRAINT question_alternative_marks_comment_length CHECK (char_length(teacher_comment) <= 500)
);

-- ---------------------------------------------------------------------------------------
-- question_step_marks: the marks of each step of a schemed question (or alternative), for
-- results and for analysing which steps students miss. step_number is 1-based, in the
-- order of the question's scheme as snapshotted into the exam.
-- ---------------------------------------------------------------------------------------
CREATE TABLE question_step_marks (
    evaluation_id   uuid NOT NULL REFERENCES evaluations (evaluation_id) ON DELETE CASCADE,
    question_number integer NOT NULL,
    choice          text NOT NULL DEFAULT '',
    step_number     integer NOT NULL,
    question_id     uuid NOT NULL REFERENCES questions (question_id),
    step            text NOT NULL,
    marks_awarded   numeric NOT NULL,
    marks_possible  numeric(4, 1) NOT NULL,
    PRIMARY KEY (evaluation_id, question_number, choice, step_number),
    CONSTRAINT question_step_marks_choice_known CHECK (choice IN ('', 'a', 'b')),
    CONSTRAINT question_step_marks_step_positive CHECK (step_number BETWEEN 1 AND 10),
    CONSTRAINT question_step_marks_possible_positive CHECK (marks_possible > 0),
    CONSTRAINT question_step_marks_awarded_bounds CHECK (marks_awarded BETWEEN 0 AND marks_possible),
    CONSTRAINT question_step_marks_half_steps CHECK (marks_awarded * 2 = trunc(marks_awarded * 2))
);
-- Step award rates per question (item analysis) read by question.
CREATE INDEX question_step_marks_question_idx ON question_step_marks (question_id, step_number);

-- ---------------------------------------------------------------------------------------
-- The board templates offer internal choice in sections B to E (docs/exams.md explains
-- the numbers): Class XII B 2, C 3, D 2, E 3; Class X B 2, C 2, D 2, E 3.
-- ---------------------------------------------------------------------------------------
UPDATE exam_templates t
SET config = jsonb_set(t.config, '{sections}', (
        SELECT jsonb_agg(
                   CASE WHEN c.choices IS NULL THEN s.section
                        ELSE s.section || jsonb_build_object('internal_choice_count', c.choices) END
                   ORDER BY s.position)
        FROM jsonb_array_elements(t.config -> 'sections') WITH ORDINALITY AS s(section, position)
        LEFT JOIN (VALUES ('XII', 'Section B', 2), ('XII', 'Section C', 3), ('XII', 'Section D', 2),
                          ('XII', 'Section E', 3), ('X', 'Section B', 2), ('X', 'Section C', 2),
                          ('X', 'Section D', 2), ('X', 'Section E', 3)) AS c(klass, section_name, choices)
               ON c.klass = t.class::text AND c.section_name = s.section ->> 'section_name'))
WHERE t.template_id IN ('449b701e-1d69-5fcf-9bd4-65a99e4f2d26', 'fe9ca3e1-df27-50aa-bc3d-70402eca2eed');
