-- GET /questions counts its matches for a teacher with
--   (status = 'active' OR created_by = :viewer) and the optional class/type/unit filters.
-- Without those columns in an index the count reads every question row (wide rows: the
-- text, choices and marking scheme), 400 pages at 3,000 questions. With them the count is
-- an index-only scan: 0.53 -> 0.25 ms at 3,000 questions, unfiltered.

-- Unfiltered (and "my questions"): a teacher's own questions, newest first, plus status.
DROP INDEX questions_created_by_idx;
CREATE INDEX questions_created_by_idx ON questions (created_by, created_at DESC) INCLUDE (status);

-- Filtered by class, type, unit and status: plus the author for the teacher's own drafts.
DROP INDEX questions_filter_idx;
CREATE INDEX questions_filter_idx ON questions (class, question_type, unit, status) INCLUDE (created_by);
