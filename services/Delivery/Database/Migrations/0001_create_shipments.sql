-- One shipment per order: InTransit until the courier says Delivered or Failed.
CREATE TABLE shipments (
    shipment_id     uuid        PRIMARY KEY,
    order_id        uuid        NOT NULL UNIQUE,
    status          text        NOT NULL, -- InTransit | Delivered | Failed
    carrier         text        NOT NULL,
    tracking_number text        NOT NULL,
    destination     jsonb       NOT NULL,
    failure_reason  text        NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE INDEX shipments_in_transit ON shipments (created_at) WHERE status = 'InTransit';
