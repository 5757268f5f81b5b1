-- name: all_config
-- Every business setting (a few dozen rows; cached per process).
SELECT config_key, config_value, value_type, description, updated_at, updated_by
FROM system_config
ORDER BY config_key;
