-- One return per order: Requested, then Received when the goods arrive.
CREATE TABLE returns (
    return_id    uuid        PRIMARY KEY,
    order_id     uuid        NOT NULL UNIQUE,
    customer_id  text        NOT NULL,
    reason       text        NOT NULL,
    status       text        NOT NULL, -- Requested | Received
    requested_at timestamptz NOT NULL,
    received_at  timestamptz NULL
);
