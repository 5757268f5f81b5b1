-- Revision 0015 down: the class averages, and the adaptive templates unless an exam used
-- one. The exam_type value stays: PostgreSQL cannot drop an enum value (revision 0001's
-- down drops the whole type), and the up script adds it only if missing.
--
-- Run by alembic through exec_driver_sql, so this file must contain no percent sign.
DROP TABLE IF EXISTS unit_class_averages;

DELETE FROM exam_templates t
WHERE t.template_id IN ('20644b87-1ab1-5a6a-a3fc-8eaa62f18279', '758d62e5-8a62-5852-9020-ca30a5f0990a')
  AND NOT EXISTS (SELECT 1 FROM exam_instances e WHERE e.template_id = t.template_id);
