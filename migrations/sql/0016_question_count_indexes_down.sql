DROP INDEX questions_filter_idx;
CREATE INDEX questions_filter_idx ON questions (class, question_type, unit, status);

DROP INDEX questions_created_by_idx;
CREATE INDEX questions_created_by_idx ON questions (created_by, created_at DESC);
