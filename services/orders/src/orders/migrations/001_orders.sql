CREATE TABLE tenants (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    hash        text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE orders (
    id           text PRIMARY KEY,
    seq          bigserial UNIQUE,
    tenant_id    text NOT NULL REFERENCES tenants(id),
    external_id  text NOT NULL,
    depot_id     text NOT NULL,
    status       text NOT NULL,
    version      integer NOT NULL,
    spec         jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX orders_tenant_seq ON orders (tenant_id, seq);
CREATE INDEX orders_tenant_status ON orders (tenant_id, status, seq);

CREATE TABLE idempotency_keys (
    tenant_id     text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    order_id      text NOT NULL REFERENCES orders(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

CREATE TABLE order_timeline (
    id          bigserial PRIMARY KEY,
    order_id    text NOT NULL REFERENCES orders(id),
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    event_id    text
);
CREATE INDEX order_timeline_order ON order_timeline (order_id, at, id);

CREATE TABLE shopify_integrations (
    tenant_id       text PRIMARY KEY REFERENCES tenants(id),
    shop_domain     text NOT NULL,
    webhook_secret  text NOT NULL,
    depot_id        text NOT NULL,
    time_zone       text NOT NULL DEFAULT 'UTC',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shopify_webhooks (
    tenant_id    text NOT NULL,
    webhook_id   text NOT NULL,
    order_id     text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, webhook_id)
);
