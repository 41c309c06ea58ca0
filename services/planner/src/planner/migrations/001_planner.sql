-- The planner's own data: fleet and depots, the pending set, plans, routes and re-plan triggers.

CREATE TABLE depots (
    tenant_id   text NOT NULL,
    id          text NOT NULL,
    spec        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE vehicles (
    tenant_id   text NOT NULL,
    id          text NOT NULL,
    depot_id    text NOT NULL,
    spec        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, depot_id) REFERENCES depots (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX vehicles_by_depot ON vehicles (tenant_id, depot_id);

-- Orders from orders.v1; service_date is NULL while the depot is unknown.
CREATE TABLE pending_orders (
    tenant_id     text NOT NULL,
    order_id      text NOT NULL,
    depot_id      text NOT NULL,
    service_date  date,
    status        text NOT NULL,
    version       integer NOT NULL,
    snapshot      jsonb NOT NULL,
    progress      text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, order_id)
);
CREATE INDEX pending_by_depot_date ON pending_orders (tenant_id, depot_id, service_date);

CREATE TABLE plans (
    tenant_id     text NOT NULL,
    id            text NOT NULL,
    depot_id      text NOT NULL,
    service_date  date NOT NULL,
    trigger       text NOT NULL,
    summary       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX plans_by_depot_date ON plans (tenant_id, depot_id, service_date, created_at);

-- One row per route; `event` is the latest route.planned/route.updated data, `solved` the
-- solver's own view (seconds since midnight) used as the starting point of a re-plan.
CREATE TABLE routes (
    tenant_id     text NOT NULL,
    id            text NOT NULL,
    plan_id       text NOT NULL,
    depot_id      text NOT NULL,
    service_date  date NOT NULL,
    vehicle_id    text NOT NULL,
    version       integer NOT NULL,
    status        text NOT NULL,
    event         jsonb NOT NULL,
    solved        jsonb NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX routes_by_plan ON routes (tenant_id, plan_id);
CREATE INDEX routes_by_depot_date ON routes (tenant_id, depot_id, service_date);

-- A depot and date waiting for a debounced re-plan; due once requested_at + debounce passed.
CREATE TABLE replan_requests (
    tenant_id     text NOT NULL,
    depot_id      text NOT NULL,
    service_date  date NOT NULL,
    requested_at  timestamptz NOT NULL,
    reasons       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, depot_id, service_date)
);

-- A cut-off that already ran: the unique key makes each (depot, day, cut-off) plan once.
CREATE TABLE cutoff_runs (
    tenant_id     text NOT NULL,
    depot_id      text NOT NULL,
    local_date    date NOT NULL,
    cutoff        text NOT NULL,
    ran_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, depot_id, local_date, cutoff)
);
