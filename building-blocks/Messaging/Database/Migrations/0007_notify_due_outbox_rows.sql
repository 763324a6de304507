-- Only a row due now wakes the relays. A unit of work's own messages are leased to its dispatcher, which publishes
-- them at its commit (not_before is the lease's end); a scheduled one is not due yet. The relays find either by
-- their next-due timer. A row trigger, so that its WHEN can look at the row; PostgreSQL delivers one notification
-- per channel and transaction however many rows notify.
DROP TRIGGER outbox_messages_inserted ON outbox_messages;

CREATE TRIGGER outbox_messages_inserted
    AFTER INSERT ON outbox_messages
    FOR EACH ROW WHEN (NEW.not_before <= NEW.created_at) EXECUTE FUNCTION outbox_messages_notify();
