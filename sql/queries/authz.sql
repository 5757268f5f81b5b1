-- name: token_liveness^
-- Per-request token check: user active, token version, family not revoked (PK lookups).
-- It returns the caller's profile too (the columns of get_user_by_id), so a request that
-- needs the signed-in user reads no second row.
SELECT u.user_id, u.email, u.role, u.first_name, u.last_name, u.phone, u.student_class, u.school_name,
       u.is_active, u.email_verified, u.token_version, u.show_on_leaderboard_as_initials, u.photo_key,
       u.email_opt_out, u.last_login_at, u.created_at, u.updated_at,
       (f.revoked_at IS NOT NULL) AS family_revoked
FROM users u
LEFT JOIN token_families f ON f.family_id = :family_id AND f.user_id = u.user_id
WHERE u.user_id = :user_id;

-- name: user_role$
SELECT role FROM users WHERE user_id = :user_id;

-- name: is_linked_parent$
SELECT EXISTS (
    SELECT 1 FROM parent_student_mappings
    WHERE parent_user_id = :parent_user_id AND student_user_id = :student_user_id
);
