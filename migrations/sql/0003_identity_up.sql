-- Identity: refresh-token families (rotation, reuse detection, logout), single-use account
-- tokens (e-mail verification, password reset), parent link codes, and idempotency keys
-- shared by the endpoints that consume something.

-- A login starts a family; every refresh rotates within it. Revoking the family (logout,
-- reuse of a rotated token, password reset) cuts off its refresh and access tokens at once.
CREATE TABLE token_families (
    family_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    revoked_reason text
);
CREATE INDEX token_families_user_idx ON token_families (user_id) WHERE revoked_at IS NULL;

-- One row per issued refresh token (its jti). used_at is set when it is rotated.
CREATE TABLE refresh_tokens (
    token_id   uuid PRIMARY KEY,
    family_id  uuid NOT NULL REFERENCES token_families (family_id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    issued_at  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- E-mail verification and password reset tokens; only a SHA-256 of the token is stored.
CREATE TABLE account_tokens (
    token_hash text PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

-- Short-lived, single-use codes a student gives a parent to link accounts (hash stored).
CREATE TABLE parent_link_codes (
    code_hash       text PRIMARY KEY,
    student_user_id uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_by      uuid REFERENCES users (user_id) ON DELETE SET NULL,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    used_by         uuid REFERENCES users (user_id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parent_link_codes_student_idx ON parent_link_codes (student_user_id);

-- Idempotency-Key: the first answer to a consuming POST, replayed on retry.
CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    endpoint      text NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash  text NOT NULL,
    status_code   integer NOT NULL,
    response_body jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, endpoint, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
