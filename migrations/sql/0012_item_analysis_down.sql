DELETE FROM system_config WHERE config_key = 'item_analysis_min_attempts';
DROP TRIGGER IF EXISTS exam_instances_record_question_versions ON exam_instances;
DROP FUNCTION IF EXISTS record_evaluated_exam_question_versions();
DROP FUNCTION IF EXISTS record_exam_question_versions(uuid);
DROP TABLE IF EXISTS exam_question_versions;
DROP TABLE IF EXISTS question_analysis;
DROP TABLE IF EXISTS item_analysis_runs;
