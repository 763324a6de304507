-- Wakes the warehouse simulator when pick tasks are created: NOTIFY is delivered only on commit.
CREATE FUNCTION pick_tasks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pick_tasks', '');
    RETURN NULL;
END $$;

CREATE TRIGGER pick_tasks_inserted
    AFTER INSERT ON pick_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION pick_tasks_notify();
