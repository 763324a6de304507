-- GET /api/orders lists newest first, by (placed_at, order_id) from the page's cursor on: one index for all orders and
-- one per customer, each in exactly that order, so that a page reads its rows and no more whatever the filters.
DROP INDEX orders_by_customer;
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC, order_id DESC);
CREATE INDEX orders_newest_first ON orders (placed_at DESC, order_id DESC);
