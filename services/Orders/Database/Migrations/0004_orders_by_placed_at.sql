-- GET /api/orders lists newest first, by (placed_at, order_id) from the page's cursor on: an index in exactly that
-- order for all orders and one per customer, so that a page reads only its own rows. Filtered by status as well, a
-- page reads newest first until it has its rows: the status changes some six times per order, and an index on it
-- would make every one of those updates write every index of the table. Built before the old one goes, so that the
-- table is locked against writes while they build but not against reads.
CREATE INDEX orders_by_placed_at ON orders (placed_at DESC, order_id DESC);
CREATE INDEX orders_by_customer_placed_at ON orders (customer_id, placed_at DESC, order_id DESC);
DROP INDEX orders_by_customer;
