-- For the tables a worker LISTENs on besides the outbox (the simulators' pick tasks and shipments): a statement
-- trigger EXECUTE FUNCTION notify_channel('channel') wakes it, and NOTIFY is delivered only on commit.
CREATE FUNCTION notify_channel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END $$;
