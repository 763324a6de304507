-- JSON payloads carry no planner statistics: see the messaging building block's 0008_no_statistics_on_payloads.sql.
ALTER TABLE reservations ALTER COLUMN lines SET STATISTICS 0, ALTER COLUMN shortfalls SET STATISTICS 0;
ALTER TABLE pick_tasks ALTER COLUMN lines SET STATISTICS 0;
ALTER TABLE restocks ALTER COLUMN lines SET STATISTICS 0;
