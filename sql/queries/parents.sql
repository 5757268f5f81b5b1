-- name: insert_link_code!
INSERT INTO parent_link_codes (code_hash, student_user_id, created_by, expires_at)
VALUES (:code_hash, :student_user_id, :created_by, :expires_at);

-- name: consume_link_code$
-- Single use: an unused, unexpired code is marked used by this parent; returns its student.
UPDATE parent_link_codes SET used_at = now(), used_by = :parent_user_id
WHERE code_hash = :code_hash AND used_at IS NULL AND expires_at > now()
RETURNING student_user_id;

-- name: insert_mapping^
INSERT INTO parent_student_mappings (parent_user_id, student_user_id, relationship, is_primary)
VALUES (:parent_user_id, :student_user_id, :relationship, :is_primary)
RETURNING mapping_id, parent_user_id, student_user_id, relationship, is_primary, created_at;

-- name: children_of_parent
SELECT m.mapping_id, u.user_id AS student_user_id, u.email, u.first_name, u.last_name, u.student_class,
       m.relationship, m.is_primary, m.created_at AS linked_at
FROM parent_student_mappings m
JOIN users u ON u.user_id = m.student_user_id
WHERE m.parent_user_id = :parent_user_id
ORDER BY m.created_at, m.mapping_id;

-- name: delete_mapping^
DELETE FROM parent_student_mappings WHERE mapping_id = :mapping_id
RETURNING mapping_id, parent_user_id, student_user_id;

-- name: student_has_parent$
SELECT EXISTS (SELECT 1 FROM parent_student_mappings WHERE student_user_id = :student_user_id);

-- name: parents_of_student
SELECT u.user_id, u.email, u.first_name, u.last_name, u.email_opt_out
FROM parent_student_mappings m
JOIN users u ON u.user_id = m.parent_user_id
WHERE m.student_user_id = :student_user_id AND u.is_active;
