-- name: insert_audit_log$
-- Append one audit row; the table refuses UPDATE, DELETE and TRUNCATE.
INSERT INTO audit_logs (event_type, actor_user_id, actor_role, ip_address, resource_type,
                        resource_id, details)
VALUES (:event_type, :actor_user_id, :actor_role, :ip_address, :resource_type,
        :resource_id, :details)
RETURNING log_id;

-- name: insert_audit_logs!
-- Several rows of one actor in one statement (:events is a JSON array of
-- {event_type, resource_type, resource_id, details}).
INSERT INTO audit_logs (event_type, actor_user_id, actor_role, ip_address, resource_type,
                        resource_id, details)
SELECT a.event_type, CAST(:actor_user_id AS uuid), CAST(:actor_role AS text), CAST(:ip_address AS inet),
       a.resource_type, a.resource_id, coalesce(a.details, '{}'::jsonb)
FROM jsonb_to_recordset(CAST(:events AS jsonb)) AS a(event_type text, resource_type text, resource_id text, details jsonb);
