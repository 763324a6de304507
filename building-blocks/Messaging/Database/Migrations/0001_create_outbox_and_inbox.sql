-- Messages written in the same transaction as the business rows they describe; the relay publishes them.
CREATE TABLE outbox_messages (
    id           uuid        PRIMARY KEY,            -- also the message id on the wire
    message_type text        NOT NULL,               -- the message's URN
    destination  text        NULL,                   -- null: published to the type's exchange
    body         jsonb       NOT NULL,
    trace_parent text        NULL,                   -- W3C traceparent of the writer
    created_at   timestamptz NOT NULL DEFAULT now(),
    not_before   timestamptz NOT NULL DEFAULT now(), -- durable scheduling: not published earlier
    sent_at      timestamptz NULL
);

CREATE INDEX outbox_messages_pending ON outbox_messages (not_before) WHERE sent_at IS NULL;

-- Wakes the relay when a writer commits: NOTIFY is delivered only on commit.
CREATE FUNCTION outbox_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_messages', '');
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_messages_inserted
    AFTER INSERT ON outbox_messages
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_messages_notify();

-- One row per message a consumer has processed; the primary key makes a redelivery a no-op.
CREATE TABLE inbox_messages (
    consumer    text        NOT NULL,
    message_id  uuid        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
