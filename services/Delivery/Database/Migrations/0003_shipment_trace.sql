-- The trace of the order a shipment belongs to (W3C traceparent): the courier's callback resumes it, so the
-- order stays one trace from placement to delivery. NULL for shipments created before.
ALTER TABLE shipments ADD COLUMN trace_parent text NULL;
