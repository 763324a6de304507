-- Idempotency-Key of each creating POST: the request it was first used with and the answer given.
-- (Orders created this table before it moved here, hence IF NOT EXISTS.)
CREATE TABLE IF NOT EXISTS idempotency_keys (
    operation    text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operation, key)
);
