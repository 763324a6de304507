-- JSON payloads carry no planner statistics: see the messaging building block's 0008_no_statistics_on_payloads.sql.
ALTER TABLE timeline_entries ALTER COLUMN data SET STATISTICS 0;
