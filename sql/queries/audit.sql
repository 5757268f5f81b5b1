-- name: insert_audit_log$
-- Append one audit row; the table refuses UPDATE, DELETE and TRUNCATE.
INSERT INTO audit_logs (event_type, actor_user_id, actor_role, ip_address, resource_type,
                        resource_id, details)
VALUES (:event_type, :actor_user_id, :actor_role, :ip_address, :resource_type,
        :resource_id, :details)
RETURNING log_id;
