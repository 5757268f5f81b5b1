-- ---------------------------------------------------------------------------------------
-- item_analysis_runs: one row per run of the measurement, with the extent of its inputs,
-- so that any figure shown later can be explained (which exams, up to when, what minimum).
-- ---------------------------------------------------------------------------------------
CREATE TABLE item_analysis_runs (
    run_id             uuid PRIMARY KEY,
    started_at         timestamptz NOT NULL,
    computed_at        timestamptz NOT NULL,
    exams_considered   integer NOT NULL,
    evaluated_from     timestamptz,
    evaluated_to       timestamptz,
    questions_measured integer NOT NULL,
    min_attempts       integer NOT NULL,
    CONSTRAINT item_analysis_runs_counts CHECK (exams_considered >= 0 AND questions_measured >= 0),
    CONSTRAINT item_analysis_runs_min_attempts CHECK (min_attempts >= 1)
);
CREATE INDEX item_analysis_runs_computed_idx ON item_analysis_runs (computed_at DESC);

-- ---------------------------------------------------------------------------------------
-- question_analysis: the latest figures of each question version (replaced by every run;
-- run_id says which run computed them). Fractions are 0..1; discrimination is -1..1 and
-- null below the configured minimum of attempts.
-- ---------------------------------------------------------------------------------------
CREATE TABLE question_analysis (
    question_id         uuid NOT NULL REFERENCES questions (question_id) ON DELETE CASCADE,
    question_version    integer NOT NULL,
    run_id              uuid NOT NULL REFERENCES item_analysis_runs (run_id),
    attempts            integer NOT NULL,
    facility            numeric(5, 4),
    discrimination      numeric(5, 4),
    choice_shares       jsonb,
    step_award_rates    jsonb,
    flags               text[] NOT NULL DEFAULT '{}',
    measured_difficulty text,
    PRIMARY KEY (question_id, question_version),
    CONSTRAINT question_analysis_attempts CHECK (attempts >= 0),
    CONSTRAINT question_analysis_facility CHECK (facility BETWEEN 0 AND 1),
    CONSTRAINT question_analysis_discrimination CHECK (discrimination BETWEEN -1 AND 1),
    CONSTRAINT question_analysis_difficulty CHECK (measured_difficulty IN ('easy', 'medium', 'hard'))
);
-- The admin list filters by flag.
CREATE INDEX question_analysis_flags_idx ON question_analysis USING gin (flags);

-- The admin list filters by class and unit (copied from the question by each run; nullable
-- so that other writers of figures need not know them) and pages in this order.
ALTER TABLE question_analysis ADD COLUMN class student_class;
ALTER TABLE question_analysis ADD COLUMN unit text;
CREATE INDEX question_analysis_class_unit_idx ON question_analysis (class, unit, question_id, question_version);

-- ---------------------------------------------------------------------------------------
-- exam_question_versions: which version of each question an evaluated exam carried, and
-- its marks on that paper. Read from the exam's immutable snapshot once, when the exam
-- becomes evaluated (a trigger, like exam_unit_scores), so item analysis joins these small
-- rows to question_marks and student_mcq_answers instead of re-reading every snapshot.
-- An internal-choice question contributes one row per alternative (choice 'a' or 'b').
-- ---------------------------------------------------------------------------------------
CREATE TABLE exam_question_versions (
    exam_instance_id uuid NOT NULL REFERENCES exam_instances (exam_instance_id) ON DELETE CASCADE,
    question_id      uuid NOT NULL,
    question_number  integer NOT NULL,
    choice           text NOT NULL DEFAULT '',
    question_version integer NOT NULL,
    max_marks        numeric(4, 1) NOT NULL,
    PRIMARY KEY (exam_instance_id, question_id),
    CONSTRAINT exam_question_versions_choice_known CHECK (choice IN ('', 'a', 'b')),
    CONSTRAINT exam_question_versions_marks_positive CHECK (max_marks > 0)
);

CREATE FUNCTION record_exam_question_versions(p_exam_instance_id uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    INSERT INTO exam_question_versions (exam_instance_id, question_id, question_number, choice,
                                        question_version, max_marks)
    SELECT e.exam_instance_id, (item.elem ->> 'question_id')::uuid,
           round((q.elem ->> 'question_number')::numeric)::integer,
           coalesce(item.elem ->> 'choice', ''),
           round((item.elem ->> 'version')::numeric)::integer,
           (item.elem ->> 'marks')::numeric
    FROM exam_instances e
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(e.exam_snapshot -> 'questions') = 'array'
             THEN e.exam_snapshot -> 'questions' ELSE '[]'::jsonb END) AS q(elem)
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(q.elem -> 'alternatives') = 'array' THEN q.elem -> 'alternatives'
             ELSE jsonb_build_array(q.elem) END) AS item(elem)
    WHERE e.exam_instance_id = p_exam_instance_id
      AND jsonb_typeof(q.elem) = 'object'
      AND jsonb_typeof(q.elem -> 'question_number') = 'number'
      AND jsonb_typeof(item.elem) = 'object'
      AND jsonb_typeof(item.elem -> 'version') = 'number'
      AND jsonb_typeof(item.elem -> 'marks') = 'number'
      AND (item.elem ->> 'marks')::numeric > 0
      AND item.elem ->> 'question_id' ~ '^[0-9a-fA-F-]{36}$'
    ON CONFLICT (exam_instance_id, question_id) DO NOTHING;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END;
$$;

CREATE FUNCTION record_evaluated_exam_question_versions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'evaluated' THEN
        RETURN NULL;
    END IF;
    PERFORM record_exam_question_versions(NEW.exam_instance_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER exam_instances_record_question_versions
    AFTER INSERT OR UPDATE OF status ON exam_instances
    FOR EACH ROW WHEN (NEW.status = 'evaluated')
    EXECUTE FUNCTION record_evaluated_exam_question_versions();

SELECT record_exam_question_versions(exam_instance_id) FROM exam_instances WHERE status = 'evaluated';

INSERT INTO system_config (config_key, config_value, value_type, description) VALUES
    ('item_analysis_min_attempts', '30', 'integer',
     'Attempts a question version needs before item analysis states its discrimination, difficulty band and flags.');
