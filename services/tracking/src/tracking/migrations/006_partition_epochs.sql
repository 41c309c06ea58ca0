-- Fencing of the vehicle group: each gps.pings.v1 partition's owner epoch. A replica that takes
-- a partition bumps it; every batch checks, under FOR SHARE, that its epochs are still current,
-- so a replica the group dropped (stalled past the session timeout) cannot commit stale writes.
CREATE TABLE partition_epochs (
    group_id  text   NOT NULL,
    partition int    NOT NULL,
    epoch     bigint NOT NULL,
    PRIMARY KEY (group_id, partition)
);
