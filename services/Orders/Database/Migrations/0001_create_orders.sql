CREATE TABLE orders (
    order_id         uuid          PRIMARY KEY,
    customer_id      text          NOT NULL,
    status           text          NOT NULL,
    currency         char(3)       NOT NULL,
    total            numeric(14,2) NOT NULL,
    lines            jsonb         NOT NULL, -- immutable once placed
    shipping_address jsonb         NOT NULL,
    placed_at        timestamptz   NOT NULL,
    updated_at       timestamptz   NOT NULL
);

CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC);

-- Every status an order went through, in order: the "history" of GET /api/orders/{orderId}.
CREATE TABLE order_history (
    order_id uuid        NOT NULL REFERENCES orders (order_id),
    seq      int         NOT NULL,
    status   text        NOT NULL,
    at       timestamptz NOT NULL,
    reason   text        NULL,
    PRIMARY KEY (order_id, seq)
);

-- Idempotency-Key of each creating POST (the messaging migrations create it too, now that every
-- service may take creating POSTs: whichever runs first creates it).
CREATE TABLE IF NOT EXISTS idempotency_keys (
    operation    text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operation, key)
);
