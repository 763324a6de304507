-- The trace of the order a pick task belongs to (W3C traceparent): the picker's callback resumes it, so the
-- order stays one trace from placement to delivery. NULL for tasks created before.
ALTER TABLE pick_tasks ADD COLUMN trace_parent text NULL;
