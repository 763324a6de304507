-- JSON payloads carry no planner statistics: see the messaging building block's 0008_no_statistics_on_payloads.sql.
ALTER TABLE shipments ALTER COLUMN destination SET STATISTICS 0;
