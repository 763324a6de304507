-- Orders a support agent looks at first: big ones, and those shipping to the countries we watch.
CREATE TABLE follow_ups (
    order_id    uuid          PRIMARY KEY,
    customer_id text          NOT NULL,
    reason      text          NOT NULL,
    total       numeric(14,2) NOT NULL,
    currency    char(3)       NOT NULL,
    country     char(2)       NOT NULL,
    opened_at   timestamptz   NOT NULL
);

CREATE INDEX follow_ups_by_opened_at ON follow_ups (opened_at DESC);
