DROP INDEX users_email_key_key;
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
DROP TRIGGER users_default_email_key ON users;
DROP FUNCTION users_default_email_key();
ALTER TABLE users DROP COLUMN email_key;
