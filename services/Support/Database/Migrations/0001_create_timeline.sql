-- Every event Support observed about an order, keyed by the event's id: a redelivered event is one entry.
CREATE TABLE timeline_entries (
    event_id    uuid        PRIMARY KEY,
    order_id    uuid        NOT NULL,
    customer_id text        NOT NULL,
    event_type  text        NOT NULL,
    source      text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX timeline_entries_by_order ON timeline_entries (order_id, occurred_at);
CREATE INDEX timeline_entries_by_customer ON timeline_entries (customer_id, occurred_at);
