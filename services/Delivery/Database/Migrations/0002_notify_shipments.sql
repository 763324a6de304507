-- Wakes the courier simulator when shipments are created: NOTIFY is delivered only on commit.
CREATE FUNCTION shipments_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('shipments', '');
    RETURN NULL;
END $$;

CREATE TRIGGER shipments_inserted
    AFTER INSERT ON shipments
    FOR EACH STATEMENT EXECUTE FUNCTION shipments_notify();
