-- Mathvidya schema, revision 0001 down: drops everything 0001_schema_up.sql created, in
-- reverse order. DROP TABLE does not fire the append-only triggers (they guard UPDATE,
-- DELETE and TRUNCATE). The extensions (btree_gist, pgcrypto) are left installed: other
-- objects of the database may use them, and the up file creates them IF NOT EXISTS.

DROP TABLE email_outbox;
DROP TABLE notifications;
DROP TABLE system_config;
DROP TABLE holidays;
DROP TABLE audit_logs;
DROP TABLE evaluation_annotations;
DROP TABLE question_marks;
DROP TABLE evaluations;
DROP TABLE unanswered_questions;
DROP TABLE answer_sheet_uploads;
DROP TABLE student_mcq_answers;
DROP TABLE exam_instances;
DROP TABLE exam_templates;
DROP TABLE question_versions;
DROP TABLE questions;
DROP TABLE subscriptions;
DROP TABLE subscription_plans;
DROP TABLE parent_student_mappings;
DROP TABLE users;

DROP FUNCTION refuse_exam_snapshot_change();
DROP FUNCTION check_mapped_user_role_change();
DROP FUNCTION check_parent_student_roles();
DROP FUNCTION mcq_choice_labels(jsonb);
DROP FUNCTION refuse_append_only_change();
DROP FUNCTION set_updated_at();

DROP TYPE evaluation_status;
DROP TYPE exam_status;
DROP TYPE exam_type;
DROP TYPE question_status;
DROP TYPE question_difficulty;
DROP TYPE question_type;
DROP TYPE student_class;
DROP TYPE billing_cycle;
DROP TYPE subscription_status;
DROP TYPE plan_type;
DROP TYPE relationship_type;
DROP TYPE user_role;
