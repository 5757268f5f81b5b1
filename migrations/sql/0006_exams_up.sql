-- Exam generation samples eligible questions of one (class, type, unit) by key range from
-- a random pivot: this index makes that a range scan whatever the size of the bank.
CREATE INDEX questions_active_sampling_idx
    ON questions (class, question_type, unit, question_id) WHERE status = 'active';

-- When admins were told that no teacher could take this exam (told once per exam).
ALTER TABLE exam_instances ADD COLUMN assignment_alerted_at timestamptz;

-- Teacher figures read a teacher's recent completions.
CREATE INDEX evaluations_teacher_completed_idx ON evaluations (teacher_user_id, completed_at)
    WHERE status = 'completed';
