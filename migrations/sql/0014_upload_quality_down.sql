DROP TABLE IF EXISTS reupload_requests;
UPDATE evaluations ev SET sla_deadline = e.sla_deadline
FROM exam_instances e
WHERE e.exam_instance_id = ev.exam_instance_id AND ev.sla_deadline IS NULL AND e.sla_deadline IS NOT NULL;
DELETE FROM evaluations WHERE sla_deadline IS NULL;
ALTER TABLE evaluations ALTER COLUMN sla_deadline SET NOT NULL;
-- PostgreSQL cannot drop an enum value: exams waiting for new pages go back to evaluation,
-- and the value stays (unused) in the type.
UPDATE exam_instances SET status = 'pending_evaluation' WHERE status = 'reupload_requested';
DELETE FROM system_config WHERE config_key IN ('upload_quality_check_enabled', 'upload_min_short_side_px');
