-- A reservation lives on: Reserved → Picked (the units left the shelves) → Released (given back), or Failed.
ALTER TABLE reservations ADD COLUMN updated_at timestamptz NULL;

-- A pick a person (or the simulator) does; its token is the saga's task token (Step Functions' waitForTaskToken).
CREATE TABLE pick_tasks (
    task_token   uuid        PRIMARY KEY,
    order_id     uuid        NOT NULL UNIQUE,
    lines        jsonb       NOT NULL,
    status       text        NOT NULL, -- Pending | Completed | Cancelled
    created_at   timestamptz NOT NULL,
    completed_at timestamptz NULL
);

CREATE INDEX pick_tasks_pending ON pick_tasks (created_at) WHERE status = 'Pending';

-- A return put back on the shelves, once.
CREATE TABLE restocks (
    return_id  uuid        PRIMARY KEY,
    order_id   uuid        NOT NULL,
    lines      jsonb       NOT NULL,
    created_at timestamptz NOT NULL
);
