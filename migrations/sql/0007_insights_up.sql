-- Insights, revision 0007: when each exam was evaluated, its marks per unit (kept by the
-- database at the moment of evaluation, whichever code path evaluates it), the recorded
-- leaderboard refreshes with their rankings, and the indexes the dashboards read through.
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.

-- ---------------------------------------------------------------------------------------
-- exam_instances.evaluated_at: the instant an exam became evaluated (MCQ-only exams at MCQ
-- submission, written ones when the teacher submitted). A leaderboard refresh "as of" an
-- instant counts exactly the exams evaluated by then, so a recorded ranking can be
-- recomputed later from the same rows. Set by a trigger, so no writer can forget it.
-- ---------------------------------------------------------------------------------------
ALTER TABLE exam_instances ADD COLUMN evaluated_at timestamptz;

UPDATE exam_instances e
SET evaluated_at = coalesce(
        (SELECT ev.completed_at FROM evaluations ev
         WHERE ev.exam_instance_id = e.exam_instance_id AND ev.status = 'completed'),
        e.mcq_submitted_at, e.submitted_at, e.updated_at)
WHERE e.status = 'evaluated';

CREATE FUNCTION stamp_exam_evaluated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.evaluated_at := coalesce(NEW.evaluated_at, now());
    RETURN NEW;
END;
$$;
CREATE TRIGGER exam_instances_stamp_evaluated_at
    BEFORE INSERT OR UPDATE OF status ON exam_instances
    FOR EACH ROW WHEN (NEW.status = 'evaluated')
    EXECUTE FUNCTION stamp_exam_evaluated_at();

-- The leaderboard refresh aggregates one class's evaluated exams per student: an
-- index-only scan of this index (it supersedes exam_instances_evaluated_class_idx).
DROP INDEX IF EXISTS exam_instances_evaluated_class_idx;
CREATE INDEX exam_instances_evaluated_ranking_idx ON exam_instances (class, student_user_id)
    INCLUDE (percentage, evaluated_at) WHERE status = 'evaluated';

-- The admin dashboard counts exams started and finished per day over a date range.
CREATE INDEX exam_instances_started_at_idx ON exam_instances (started_at) WHERE started_at IS NOT NULL;
CREATE INDEX exam_instances_submitted_at_idx ON exam_instances (submitted_at) WHERE submitted_at IS NOT NULL;

-- ---------------------------------------------------------------------------------------
-- exam_unit_scores: an evaluated exam's marks per unit, MCQ and written apart, from its
-- immutable snapshot (unit and marks of each question) and the question-level marks
-- (student_mcq_answers, question_marks). Written once, when the exam becomes evaluated,
-- in that same transaction; the dashboard and the prediction read these few rows instead
-- of re-reading every snapshot.
-- ---------------------------------------------------------------------------------------
CREATE TABLE exam_unit_scores (
    exam_instance_id uuid NOT NULL REFERENCES exam_instances (exam_instance_id) ON DELETE CASCADE,
    unit             text NOT NULL,
    student_user_id  uuid NOT NULL,
    mcq_obtained     numeric(7, 2) NOT NULL DEFAULT 0,
    mcq_possible     numeric(7, 2) NOT NULL DEFAULT 0,
    written_obtained numeric(7, 2) NOT NULL DEFAULT 0,
    written_possible numeric(7, 2) NOT NULL DEFAULT 0,
    questions        integer NOT NULL,
    PRIMARY KEY (exam_instance_id, unit),
    CONSTRAINT exam_unit_scores_mcq_bounds CHECK (mcq_obtained BETWEEN 0 AND mcq_possible),
    CONSTRAINT exam_unit_scores_written_bounds CHECK (written_obtained BETWEEN 0 AND written_possible),
    CONSTRAINT exam_unit_scores_questions_positive CHECK (questions > 0)
);
CREATE INDEX exam_unit_scores_student_idx ON exam_unit_scores (student_user_id, unit);

-- One exam's rows. Questions without a unit or marks (hand-made test snapshots) are
-- skipped; a missing answer or mark counts as 0 of the question's marks.
CREATE FUNCTION record_exam_unit_scores(p_exam_instance_id uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    INSERT INTO exam_unit_scores (exam_instance_id, unit, student_user_id, mcq_obtained, mcq_possible,
                                  written_obtained, written_possible, questions)
    SELECT e.exam_instance_id, q.unit, e.student_user_id,
           coalesce(sum(least(coalesce(a.marks_awarded, 0), q.marks)) FILTER (WHERE q.is_mcq), 0),
           coalesce(sum(q.marks) FILTER (WHERE q.is_mcq), 0),
           coalesce(sum(least(coalesce(m.marks_awarded, 0), q.marks)) FILTER (WHERE NOT q.is_mcq), 0),
           coalesce(sum(q.marks) FILTER (WHERE NOT q.is_mcq), 0),
           count(*)
    FROM exam_instances e
    CROSS JOIN LATERAL (
        SELECT elem ->> 'unit' AS unit,
               coalesce(elem ->> 'question_type', '') = 'MCQ' AS is_mcq,
               (elem ->> 'marks')::numeric AS marks,
               round((elem ->> 'question_number')::numeric)::integer AS question_number
        FROM jsonb_array_elements(
                 CASE WHEN jsonb_typeof(e.exam_snapshot -> 'questions') = 'array'
                      THEN e.exam_snapshot -> 'questions' ELSE '[]'::jsonb END) AS elem
        WHERE jsonb_typeof(elem) = 'object'
          AND jsonb_typeof(elem -> 'unit') = 'string'
          AND jsonb_typeof(elem -> 'marks') = 'number'
          AND jsonb_typeof(elem -> 'question_number') = 'number'
          AND (elem ->> 'marks')::numeric > 0
    ) q
    LEFT JOIN student_mcq_answers a
           ON q.is_mcq AND a.exam_instance_id = e.exam_instance_id AND a.question_number = q.question_number
    LEFT JOIN evaluations ev
           ON NOT q.is_mcq AND ev.exam_instance_id = e.exam_instance_id
    LEFT JOIN question_marks m
           ON m.evaluation_id = ev.evaluation_id AND m.question_number = q.question_number
    WHERE e.exam_instance_id = p_exam_instance_id
    GROUP BY e.exam_instance_id, e.student_user_id, q.unit
    ON CONFLICT (exam_instance_id, unit) DO NOTHING;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END;
$$;

CREATE FUNCTION record_evaluated_exam_unit_scores() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'evaluated' THEN
        RETURN NULL;
    END IF;
    PERFORM record_exam_unit_scores(NEW.exam_instance_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER exam_instances_record_unit_scores
    AFTER INSERT OR UPDATE OF status ON exam_instances
    FOR EACH ROW WHEN (NEW.status = 'evaluated')
    EXECUTE FUNCTION record_evaluated_exam_unit_scores();

SELECT record_exam_unit_scores(exam_instance_id) FROM exam_instances WHERE status = 'evaluated';

-- ---------------------------------------------------------------------------------------
-- Leaderboard refreshes. Each refresh of a class is one row: when it ran (computed_at),
-- the instant whose data it ranked (as_of), the inputs of the rule (rule version, top_n,
-- the plans that carried leaderboard access, the business date) and the SHA-256 of the
-- canonical ranking, so any ranking shown can be recomputed from stored rows and checked.
-- The ranking itself is leaderboard_entries (every eligible student, not only the top).
-- ---------------------------------------------------------------------------------------
CREATE TABLE leaderboard_refreshes (
    refresh_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    class          student_class NOT NULL,
    computed_at    timestamptz NOT NULL,
    as_of          timestamptz NOT NULL,
    reason         text NOT NULL,
    rule_version   text NOT NULL,
    eligible_count integer NOT NULL,
    exams_counted  integer NOT NULL,
    inputs         jsonb NOT NULL,
    ranking_digest text NOT NULL,
    duration_ms    integer NOT NULL DEFAULT 0,
    entries_pruned boolean NOT NULL DEFAULT false,
    CONSTRAINT leaderboard_refreshes_reason_known CHECK (reason IN ('evaluation', 'nightly', 'manual')),
    CONSTRAINT leaderboard_refreshes_counts_nonnegative CHECK (eligible_count >= 0 AND exams_counted >= 0),
    CONSTRAINT leaderboard_refreshes_digest_format CHECK (ranking_digest ~ '^[0-9a-f]{64}$'),
    CONSTRAINT leaderboard_refreshes_inputs_object CHECK (jsonb_typeof(inputs) = 'object')
);
-- The latest refresh of a class is the first row of this index.
CREATE INDEX leaderboard_refreshes_class_latest_idx ON leaderboard_refreshes (class, computed_at DESC, refresh_id);
CREATE INDEX leaderboard_refreshes_computed_idx ON leaderboard_refreshes (computed_at);

CREATE TABLE leaderboard_entries (
    refresh_id      uuid NOT NULL REFERENCES leaderboard_refreshes (refresh_id) ON DELETE CASCADE,
    position        integer NOT NULL,
    rank            integer NOT NULL,
    student_user_id uuid NOT NULL,
    avg_percentage  numeric(5, 2) NOT NULL,
    total_exams     integer NOT NULL,
    PRIMARY KEY (refresh_id, position),
    -- The caller's own row, whatever their rank.
    CONSTRAINT leaderboard_entries_student_key UNIQUE (refresh_id, student_user_id),
    CONSTRAINT leaderboard_entries_rank_range CHECK (rank BETWEEN 1 AND position),
    CONSTRAINT leaderboard_entries_percentage_bounds CHECK (avg_percentage BETWEEN 0 AND 100),
    CONSTRAINT leaderboard_entries_exams_positive CHECK (total_exams > 0)
);
