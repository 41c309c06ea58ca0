-- Pings: one row per stored fix, partitioned by day so retention drops whole partitions.
CREATE TABLE pings (
    tenant_id   text             NOT NULL,
    vehicle_id  text             NOT NULL,
    driver_id   text,
    time        timestamptz      NOT NULL,
    received_at timestamptz      NOT NULL,
    lat         double precision NOT NULL,
    lon         double precision NOT NULL,
    accuracy_m  real,
    speed_mps   real,
    heading_deg real,
    battery     real,
    verdict     text             NOT NULL
) PARTITION BY RANGE (time);
CREATE INDEX pings_vehicle_time ON pings (tenant_id, vehicle_id, time);

-- Routes with their progress snapshot (the in-memory state is rebuilt from here at start).
CREATE TABLE routes (
    route_id    text        PRIMARY KEY,
    tenant_id   text        NOT NULL,
    vehicle_id  text        NOT NULL,
    version     int         NOT NULL,
    status      text        NOT NULL,
    state       jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routes_active ON routes (tenant_id, vehicle_id) WHERE status IN ('planned', 'started');

-- Last accepted position of every vehicle (upserted once per vehicle per ping batch).
CREATE TABLE vehicle_positions (
    tenant_id   text             NOT NULL,
    vehicle_id  text             NOT NULL,
    time        timestamptz      NOT NULL,
    lat         double precision NOT NULL,
    lon         double precision NOT NULL,
    speed_mps   real,
    heading_deg real,
    PRIMARY KEY (tenant_id, vehicle_id)
);

-- Customer tracking tokens: one per order, unguessable, expiring.
CREATE TABLE tracking_tokens (
    token       text        PRIMARY KEY,
    tenant_id   text        NOT NULL,
    order_id    text        NOT NULL,
    route_id    text        NOT NULL,
    stop_id     text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    UNIQUE (tenant_id, order_id)
);

-- Drivers' devices: the token is shown once, only its hash is kept.
CREATE TABLE devices (
    device_id   text        PRIMARY KEY,
    tenant_id   text        NOT NULL,
    vehicle_id  text        NOT NULL,
    label       text        NOT NULL DEFAULT '',
    token_hash  text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- ETAs told to customers (for accuracy on arrival) and the measured errors.
CREATE TABLE etas_told (
    tenant_id   text        NOT NULL,
    order_id    text        NOT NULL,
    told_at     timestamptz NOT NULL,
    eta         timestamptz NOT NULL,
    window_start timestamptz NOT NULL,
    window_end  timestamptz NOT NULL,
    stops_away  int         NOT NULL,
    sequence    int         NOT NULL,
    PRIMARY KEY (tenant_id, order_id, sequence)
);
CREATE TABLE eta_errors (
    tenant_id   text        NOT NULL,
    order_id    text        NOT NULL,
    horizon_min int         NOT NULL,
    error_s     double precision NOT NULL,
    arrived_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, order_id, horizon_min)
);
