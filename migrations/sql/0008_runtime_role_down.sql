-- Take back the runtime group's privileges. The role itself is left: roles belong to the
-- cluster, not to this database, and login roles may still be members of it.
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM mathvidya_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM mathvidya_runtime;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM mathvidya_runtime;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM mathvidya_runtime;
REVOKE USAGE ON SCHEMA public FROM mathvidya_runtime;
