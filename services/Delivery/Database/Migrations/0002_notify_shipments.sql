-- Wakes the courier simulator when shipments are created.
CREATE TRIGGER shipments_inserted
    AFTER INSERT ON shipments
    FOR EACH STATEMENT EXECUTE FUNCTION notify_channel('shipments');
