-- JSON payloads carry no planner statistics: see the messaging building block's 0008_no_statistics_on_payloads.sql.
ALTER TABLE orders ALTER COLUMN lines SET STATISTICS 0, ALTER COLUMN shipping_address SET STATISTICS 0;
ALTER TABLE order_sagas ALTER COLUMN data SET STATISTICS 0;
