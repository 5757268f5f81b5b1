DELETE FROM system_config WHERE config_key = 'anonymous_marking';
DROP INDEX IF EXISTS exam_instances_candidate_code_key;
ALTER TABLE exam_instances DROP COLUMN IF EXISTS candidate_code;
DROP FUNCTION IF EXISTS new_candidate_code();
