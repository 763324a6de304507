-- The order-fulfillment saga: one row per order, written in the transaction of the message that moved it.
CREATE TABLE order_sagas (
    correlation_id uuid        PRIMARY KEY, -- the order id
    version        int         NOT NULL,
    current_state  text        NULL,
    data           jsonb       NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
