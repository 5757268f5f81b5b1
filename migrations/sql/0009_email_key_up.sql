-- E-mail identity: users.email_key (NFKC + Unicode case folding of the address, computed
-- by the application) is the unique key, so the database collation never decides whether
-- two addresses are one account. The column is filled by the revision file between the
-- two halves of this migration (0009_email_key_up.sql, then 0009_email_key_finish.sql).
ALTER TABLE users ADD COLUMN email_key text;
