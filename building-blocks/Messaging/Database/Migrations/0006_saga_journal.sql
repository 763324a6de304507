-- Every message a saga instance took, in the transaction that applied it: the state it left and entered (the
-- same when the message changed nothing) and the messages it sent. The saga view draws an instance's path from it.
CREATE TABLE saga_journal (
    saga           text        NOT NULL, -- the saga's table (order_sagas)
    correlation_id uuid        NOT NULL,
    version        int         NOT NULL, -- the instance's version after the message: 1, 2, ...
    message_type   text        NOT NULL, -- the URN of the message it took
    message_id     uuid        NULL,
    from_state     text        NOT NULL, -- Initial for a new instance
    to_state       text        NOT NULL,
    sent           jsonb       NOT NULL, -- [{"id", "messageType", "notBefore"}] written to the outbox meanwhile
    at             timestamptz NOT NULL, -- clock_timestamp() once the instance is locked, not the transaction's start
    PRIMARY KEY (saga, correlation_id, version)
);
