DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS parent_link_codes;
DROP TABLE IF EXISTS account_tokens;
DROP TABLE IF EXISTS refresh_tokens;
DROP TABLE IF EXISTS token_families;
