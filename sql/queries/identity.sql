-- name: insert_user^
-- A new account; the unique index on lower(email) refuses a second one per address.
INSERT INTO users (email, password_hash, role, first_name, last_name, phone, student_class,
                   school_name, email_verified)
VALUES (:email, :password_hash, :role, :first_name, :last_name, :phone, :student_class,
        :school_name, :email_verified)
RETURNING user_id, email, role, first_name, last_name, student_class, email_verified, is_active,
          created_at;

-- name: get_user_by_email^
SELECT user_id, email, password_hash, role, first_name, last_name, student_class, is_active,
       email_verified, token_version
FROM users
WHERE lower(email) = lower(:email);

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
