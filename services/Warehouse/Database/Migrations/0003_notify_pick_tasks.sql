-- Wakes the warehouse simulator when pick tasks are created.
CREATE TRIGGER pick_tasks_inserted
    AFTER INSERT ON pick_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION notify_channel('pick_tasks');
