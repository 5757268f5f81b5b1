CREATE INDEX IF NOT EXISTS questions_active_pick_idx ON questions (class, question_type, unit, question_id)
    WHERE status = 'active';
DROP INDEX IF EXISTS evaluations_teacher_open_idx;
