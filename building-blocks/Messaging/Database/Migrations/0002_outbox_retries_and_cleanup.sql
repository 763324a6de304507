-- MessagingCleanup deletes sent outbox rows after their retention and inbox rows after the dedup window.
CREATE INDEX outbox_messages_sent ON outbox_messages (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX inbox_messages_received ON inbox_messages (received_at);

-- A row the relay cannot publish (its type is no longer declared, its body no longer deserializes) is
-- retried with a backoff of its own, pushed back through not_before, so it never holds up the others.
ALTER TABLE outbox_messages
    ADD COLUMN attempts   int  NOT NULL DEFAULT 0,
    ADD COLUMN last_error text NULL;
