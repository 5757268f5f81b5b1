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
