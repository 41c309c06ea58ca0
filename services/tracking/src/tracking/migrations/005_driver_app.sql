-- Proof of delivery uploads (photos, signatures): the bytes live in the proof storage under
-- storage_key (prefixed by the tenant); attached once a delivery references them.
CREATE TABLE proofs (
    proof_id     text        PRIMARY KEY,
    tenant_id    text        NOT NULL,
    route_id     text        NOT NULL,
    stop_id      text        NOT NULL,
    order_id     text        NOT NULL,
    kind         text        NOT NULL,
    content_type text        NOT NULL,
    size         int         NOT NULL,
    sha256       text        NOT NULL,
    storage_key  text        NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    attached_at  timestamptz
);
CREATE INDEX proofs_stop ON proofs (tenant_id, route_id, stop_id, kind);
CREATE INDEX proofs_expiry ON proofs (expires_at);

-- What a driver's app reports about the day besides stops: breaks and the route finished.
CREATE TABLE driver_events (
    tenant_id   text        NOT NULL,
    vehicle_id  text        NOT NULL,
    device_id   text        NOT NULL,
    kind        text        NOT NULL,  -- break_started, break_ended, route_finished
    route_id    text,
    at          timestamptz NOT NULL
);
CREATE INDEX driver_events_vehicle ON driver_events (tenant_id, vehicle_id, at);
