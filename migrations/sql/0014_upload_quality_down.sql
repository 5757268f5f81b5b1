DROP TABLE IF EXISTS reupload_requests;
-- PostgreSQL cannot drop an enum value: exams waiting for new pages go back to evaluation,
-- due at once (their deadline was cleared), and the value stays unused in the type.
UPDATE exam_instances SET status = 'pending_evaluation', sla_deadline = coalesce(sla_deadline, now())
WHERE status = 'reupload_requested';
UPDATE evaluations ev SET sla_deadline = coalesce(e.sla_deadline, now())
FROM exam_instances e
WHERE e.exam_instance_id = ev.exam_instance_id AND ev.sla_deadline IS NULL;
ALTER TABLE evaluations ALTER COLUMN sla_deadline SET NOT NULL;
DELETE FROM system_config WHERE config_key IN ('upload_quality_check_enabled', 'upload_min_short_side_px');
