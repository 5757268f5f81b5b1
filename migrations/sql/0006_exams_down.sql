DROP INDEX IF EXISTS evaluations_teacher_completed_idx;
ALTER TABLE exam_instances DROP COLUMN IF EXISTS assignment_alerted_at;
DROP INDEX IF EXISTS questions_active_sampling_idx;
