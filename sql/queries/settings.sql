-- name: all_config
-- Every business setting (a few dozen rows; cached per process).
SELECT config_key, config_value, value_type, description, updated_at, updated_by
FROM system_config
ORDER BY config_key;

-- name: config_entries
-- Every setting with who changed it last, for GET /admin/config (never the cache).
SELECT config_key, config_value, value_type, description, updated_at, updated_by
FROM system_config
ORDER BY config_key;

-- name: config_entry^
SELECT config_key, config_value, value_type, description, updated_at, updated_by
FROM system_config
WHERE config_key = :config_key;

-- name: lock_config_entry^
-- The row an update replaces, locked so two admins' updates audit the right old value.
SELECT config_key, config_value, value_type, description, updated_at, updated_by
FROM system_config
WHERE config_key = :config_key
FOR UPDATE;

-- name: update_config_value^
-- The table's CHECK refuses a value of another JSON type; updated_at is set by trigger.
UPDATE system_config
SET config_value = :config_value, updated_by = :updated_by
WHERE config_key = :config_key
RETURNING config_key, config_value, value_type, description, updated_at, updated_by;
