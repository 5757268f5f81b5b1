-- name: lock_key$
-- Serialise concurrent requests carrying the same key until this transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended(:lock_name, 0));

-- name: get_response^
SELECT request_hash, status_code, response_body
FROM idempotency_keys
WHERE user_id = :user_id AND endpoint = :endpoint AND key = :key;

-- name: save_response!
INSERT INTO idempotency_keys (user_id, endpoint, key, request_hash, status_code, response_body)
VALUES (:user_id, :endpoint, :key, :request_hash, :status_code, :response_body);
