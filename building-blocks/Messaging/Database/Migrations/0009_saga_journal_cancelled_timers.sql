-- The timers a saga step cancelled (OutboxTransaction.UnscheduleAsync), as a JSON array of their ids: their outbox rows
-- are gone, and the journal says why, so the saga view can tell a cancelled timer from one that went out.
ALTER TABLE saga_journal ADD COLUMN cancelled jsonb NOT NULL DEFAULT '[]';
ALTER TABLE saga_journal ALTER COLUMN cancelled SET STATISTICS 0;
