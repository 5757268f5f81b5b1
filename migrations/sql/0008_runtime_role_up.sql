-- The runtime role. Migrations run as the schema's owner (MIGRATION_DATABASE_URL); the app
-- and the worker log in as a plain role that is a member of mathvidya_runtime, which gets
-- exactly what they need: read and write rows, never own, alter, truncate or trigger.
-- audit_logs and question_versions are append-only for it (SELECT, INSERT): it cannot
-- disable or drop their triggers (ownership), switch session_replication_role
-- (superuser), or change a row (no UPDATE, DELETE, TRUNCATE privilege).
--
-- The group role is created here when missing (needs CREATEROLE); otherwise a database
-- administrator creates it first: CREATE ROLE mathvidya_runtime NOLOGIN.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mathvidya_runtime') THEN
        CREATE ROLE mathvidya_runtime NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'the role mathvidya_runtime is missing and this role may not create it: '
        'run CREATE ROLE mathvidya_runtime NOLOGIN as an administrator, then migrate again';
END
$$;

GRANT USAGE ON SCHEMA public TO mathvidya_runtime;

-- Tables and sequences that exist now.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mathvidya_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mathvidya_runtime;
REVOKE UPDATE, DELETE ON audit_logs, question_versions FROM mathvidya_runtime;

-- Tables and sequences later migrations create (as this same owner role). A later
-- append-only table revokes UPDATE and DELETE in its own migration, as above.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mathvidya_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO mathvidya_runtime;
