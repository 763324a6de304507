-- The id of the event at last_offset. A reader resumes by reading that event again and comparing ids, so a stream that
-- started over (the broker lost its data, or the stream was deleted and declared again) is noticed, instead of its
-- first events being taken for ones applied before. Null for an offset stored before this column: not compared.
ALTER TABLE stream_offsets ADD COLUMN last_message_id uuid;
