-- name: token_liveness^
-- Per-request token check: user active, token version, family not revoked (PK lookups).
SELECT u.role, u.is_active, u.token_version,
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
