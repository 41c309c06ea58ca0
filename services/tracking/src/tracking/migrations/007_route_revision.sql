-- Optimistic concurrency on route snapshots: every write of a route raises its revision by one
-- and is refused unless the stored revision is the one its writer read. The vehicle's owner
-- (a ping batch) and a driver's change answered by another replica can then never write over
-- each other: the later of the two rolls back and runs again on the committed route.
-- Only this column holds it (never the snapshot, which a release before this one reads too);
-- rows written before start at 0.
ALTER TABLE routes ADD COLUMN revision int NOT NULL DEFAULT 0;
