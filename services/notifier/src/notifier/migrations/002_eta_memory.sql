-- What the customer was told about the ETA, so that "ETA changed" compares with that, at most
-- once per interval, and stops once the visit is over.
ALTER TABLE orders
    ADD COLUMN eta_changed_at   timestamptz,  -- event time of the newest "ETA changed" enqueued
    ADD COLUMN prior_eta        timestamptz,  -- what was told before it (if it is dropped unsent)
    ADD COLUMN prior_changed_at timestamptz,
    ADD COLUMN eta_closed       text NOT NULL DEFAULT '';  -- a route id, or '*' for all routes
