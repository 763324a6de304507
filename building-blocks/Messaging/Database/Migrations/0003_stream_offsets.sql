-- Where each event-stream reader of the service is: the offset of the last event it processed, written in
-- the same transaction as what it did with that event, so a restart resumes exactly after it.
CREATE TABLE stream_offsets (
    reader      text        PRIMARY KEY,
    last_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
