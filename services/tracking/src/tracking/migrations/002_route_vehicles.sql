-- The vehicle of every route, as the re-keying consumer last saw it: a route.cancelled names
-- no vehicle, and goes to the partition of the vehicle its route.planned went to.
CREATE TABLE route_vehicles (
    route_id    text        PRIMARY KEY,
    tenant_id   text        NOT NULL,
    vehicle_id  text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routes_tenant_updated ON routes (tenant_id, updated_at);
