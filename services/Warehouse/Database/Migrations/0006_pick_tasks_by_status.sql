-- GET /api/picks?status= takes any status, and the services' connections plan each statement once for every value
-- (generic plans): a partial index on 'Pending' cannot serve "status = @Status", an index on the status can. The pick
-- simulation's pending tasks by age use it as well. Built before the old one goes, so that the table is locked
-- against writes while it builds but not against reads.
CREATE INDEX pick_tasks_by_status ON pick_tasks (status, created_at);
DROP INDEX pick_tasks_pending;
