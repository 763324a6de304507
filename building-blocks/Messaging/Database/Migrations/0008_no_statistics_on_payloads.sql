-- No query filters, joins or sorts on a JSON payload, so the planner needs no statistics on one. Computing them was
-- most of what ANALYZE cost on these tables, and autovacuum analyzes tables this busy every minute or so, in a burst
-- of CPU that delays the messages in flight. Each service does the same for its own payload columns.
ALTER TABLE outbox_messages ALTER COLUMN body SET STATISTICS 0;
ALTER TABLE saga_journal ALTER COLUMN sent SET STATISTICS 0;
ALTER TABLE idempotency_keys ALTER COLUMN response SET STATISTICS 0;
