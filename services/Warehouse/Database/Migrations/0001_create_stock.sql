-- The CHECKs are the last line against overselling: no transaction can commit reserved > on_hand.
CREATE TABLE stock (
    sku        text        PRIMARY KEY,
    on_hand    int         NOT NULL CHECK (on_hand >= 0),
    reserved   int         NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    updated_at timestamptz NOT NULL
);

-- One reservation attempt per order: what it asked for and, when it failed, what was missing.
CREATE TABLE reservations (
    order_id   uuid        PRIMARY KEY,
    status     text        NOT NULL, -- Reserved | Failed
    lines      jsonb       NOT NULL,
    shortfalls jsonb       NULL,
    created_at timestamptz NOT NULL
);
