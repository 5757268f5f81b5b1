-- name: insert_user^
-- A new account; the unique index on email_key refuses a second one per address.
INSERT INTO users (email, email_key, password_hash, role, first_name, last_name, phone, student_class,
                   school_name, email_verified)
VALUES (:email, :email_key, :password_hash, :role, :first_name, :last_name, :phone, :student_class,
        :school_name, :email_verified)
RETURNING user_id, email, role, first_name, last_name, student_class, email_verified, is_active,
          created_at;

-- name: get_user_by_email_key^
SELECT user_id, email, password_hash, role, first_name, last_name, student_class, is_active,
       email_verified, token_version
FROM users
WHERE email_key = :email_key;

-- name: get_user_by_id^
SELECT user_id, email, role, first_name, last_name, phone, student_class, school_name, is_active,
       email_verified, token_version, show_on_leaderboard_as_initials, photo_key, email_opt_out,
       last_login_at, created_at, updated_at
FROM users
WHERE user_id = :user_id;

-- name: insert_token_family$
INSERT INTO token_families (user_id) VALUES (:user_id) RETURNING family_id;

-- name: insert_refresh_token!
INSERT INTO refresh_tokens (token_id, family_id, user_id, expires_at)
VALUES (:token_id, :family_id, :user_id, :expires_at);

-- name: lock_refresh_token^
-- The presented refresh token, locked so two concurrent refreshes cannot both rotate it.
SELECT r.token_id, r.family_id, r.user_id, r.used_at, (f.revoked_at IS NOT NULL) AS family_revoked
FROM refresh_tokens r
JOIN token_families f ON f.family_id = r.family_id
WHERE r.token_id = CAST(:token_id AS uuid)
FOR UPDATE OF r;

-- name: mark_refresh_token_used!
UPDATE refresh_tokens SET used_at = now() WHERE token_id = :token_id AND used_at IS NULL;

-- name: revoke_family!
UPDATE token_families SET revoked_at = now(), revoked_reason = :reason
WHERE family_id = CAST(:family_id AS uuid) AND revoked_at IS NULL;

-- name: revoke_user_families!
UPDATE token_families SET revoked_at = now(), revoked_reason = :reason
WHERE user_id = :user_id AND revoked_at IS NULL;

-- name: bump_token_version!
UPDATE users SET token_version = token_version + 1 WHERE user_id = :user_id;

-- name: insert_account_token!
INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at)
VALUES (:token_hash, :user_id, :purpose, :expires_at);

-- name: consume_account_token$
-- Single use: only an unused, unexpired token of the right purpose is marked used.
UPDATE account_tokens SET used_at = now()
WHERE token_hash = :token_hash AND purpose = :purpose AND used_at IS NULL AND expires_at > now()
RETURNING user_id;

-- name: mark_email_verified!
UPDATE users SET email_verified = true WHERE user_id = :user_id;

-- name: set_password_hash!
UPDATE users SET password_hash = :password_hash WHERE user_id = :user_id;

-- name: record_login^
-- Stamp the login and return the profile (the columns of get_user_by_id) in one statement.
UPDATE users SET last_login_at = now() WHERE user_id = :user_id
RETURNING user_id, email, role, first_name, last_name, phone, student_class, school_name, is_active,
          email_verified, token_version, show_on_leaderboard_as_initials, photo_key, email_opt_out,
          last_login_at, created_at, updated_at;

-- name: update_profile^
-- Safe profile fields; a NULL argument with its *_set flag false leaves the column alone.
UPDATE users SET
    first_name = CASE WHEN :first_name_set THEN :first_name ELSE first_name END,
    last_name = CASE WHEN :last_name_set THEN :last_name ELSE last_name END,
    phone = CASE WHEN :phone_set THEN :phone ELSE phone END,
    school_name = CASE WHEN :school_name_set THEN :school_name ELSE school_name END,
    show_on_leaderboard_as_initials = CASE WHEN :initials_set THEN CAST(:initials AS boolean)
                                           ELSE show_on_leaderboard_as_initials END,
    email_opt_out = CASE WHEN :opt_out_set THEN email_opt_out || CAST(:opt_out AS jsonb) ELSE email_opt_out END
WHERE user_id = :user_id
RETURNING user_id, email, role, first_name, last_name, phone, student_class, school_name, is_active,
          email_verified, show_on_leaderboard_as_initials, email_opt_out, last_login_at, created_at;

-- name: search_users
-- Admin user list: optional role, activity and text filters; newest first.
SELECT user_id, email, role, first_name, last_name, phone, student_class, school_name, is_active,
       email_verified, show_on_leaderboard_as_initials, email_opt_out, last_login_at, created_at

FROM users
WHERE (CAST(:role AS user_role) IS NULL OR role = CAST(:role AS user_role))
  AND (CAST(:is_active AS boolean) IS NULL OR is_active = CAST(:is_active AS boolean))
  AND (CAST(:pattern AS text) IS NULL
       OR lower(email) LIKE :pattern OR lower(first_name || ' ' || last_name) LIKE :pattern)
ORDER BY created_at DESC, user_id
LIMIT :limit OFFSET :offset;

-- name: count_users$
SELECT count(*)
FROM users
WHERE (CAST(:role AS user_role) IS NULL OR role = CAST(:role AS user_role))
  AND (CAST(:is_active AS boolean) IS NULL OR is_active = CAST(:is_active AS boolean))
  AND (CAST(:pattern AS text) IS NULL
       OR lower(email) LIKE :pattern OR lower(first_name || ' ' || last_name) LIKE :pattern);

-- name: lock_user^
SELECT user_id, email, role, is_active, student_class, token_version
FROM users WHERE user_id = :user_id FOR UPDATE;

-- name: set_user_active!
UPDATE users SET is_active = :is_active WHERE user_id = :user_id;

-- name: set_user_role!
UPDATE users SET role = CAST(:role AS user_role),
                 student_class = CASE WHEN :role = 'student' THEN CAST(:student_class AS student_class) ELSE NULL END
WHERE user_id = :user_id;
