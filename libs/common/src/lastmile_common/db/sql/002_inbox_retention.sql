-- Inbox rows are only needed while their event can still be redelivered (the topic's
-- retention): a BRIN index on the append-only processed_at makes the periodic prune cheap.
CREATE INDEX inbox_processed_at ON inbox USING brin (processed_at);
