-- The timeline is now projected from the event stream: events other than OrderPlaced name the order,
-- not always the customer. The customer timeline finds a customer's orders through their OrderPlaced.
ALTER TABLE timeline_entries ALTER COLUMN customer_id DROP NOT NULL;
