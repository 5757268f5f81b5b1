-- Rows written outside the application (psql, seed scripts, tests) get an approximate
-- key: NFKC and lower(); the application always supplies the exact one.
CREATE FUNCTION users_default_email_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.email_key IS NULL
       OR (TG_OP = 'UPDATE' AND NEW.email IS DISTINCT FROM OLD.email AND NEW.email_key = OLD.email_key) THEN
        NEW.email_key := lower(normalize(NEW.email, NFKC));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_default_email_key
    BEFORE INSERT OR UPDATE OF email, email_key ON users
    FOR EACH ROW EXECUTE FUNCTION users_default_email_key();

ALTER TABLE users ALTER COLUMN email_key SET NOT NULL;
DROP INDEX users_email_lower_key;
CREATE UNIQUE INDEX users_email_key_key ON users (email_key);
