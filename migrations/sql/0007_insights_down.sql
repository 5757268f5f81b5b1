DROP TABLE IF EXISTS leaderboard_entries;
DROP TABLE IF EXISTS leaderboard_refreshes;

DROP TRIGGER IF EXISTS exam_instances_record_unit_scores ON exam_instances;
DROP FUNCTION IF EXISTS record_evaluated_exam_unit_scores();
DROP FUNCTION IF EXISTS record_exam_unit_scores(uuid);
DROP TABLE IF EXISTS exam_unit_scores;

DROP INDEX IF EXISTS exam_instances_submitted_at_idx;
DROP INDEX IF EXISTS exam_instances_started_at_idx;
DROP INDEX IF EXISTS exam_instances_evaluated_ranking_idx;
CREATE INDEX IF NOT EXISTS exam_instances_evaluated_class_idx ON exam_instances (class, student_user_id)
    INCLUDE (percentage) WHERE status = 'evaluated';

DROP TRIGGER IF EXISTS exam_instances_stamp_evaluated_at ON exam_instances;
DROP FUNCTION IF EXISTS stamp_exam_evaluated_at();
ALTER TABLE exam_instances DROP COLUMN IF EXISTS evaluated_at;
