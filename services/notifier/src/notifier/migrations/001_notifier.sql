-- Per-tenant settings: brand, triggers, quiet hours, limits (validated by the API model).
CREATE TABLE tenant_settings (
    tenant_id   text PRIMARY KEY,
    config      jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Tenant templates; locale '' is the tenant's default for every locale.
CREATE TABLE templates (
    tenant_id   text NOT NULL,
    kind        text NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('sms', 'email')),
    locale      text NOT NULL DEFAULT '',
    subject     text NOT NULL DEFAULT '',
    body_text   text NOT NULL,
    body_html   text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, kind, channel, locale)
);

-- The depot time zone, learnt from route events.
CREATE TABLE depots (
    tenant_id   text NOT NULL,
    depot_id    text NOT NULL,
    time_zone   text NOT NULL,
    PRIMARY KEY (tenant_id, depot_id)
);

-- Our copy of what a message about an order needs.
CREATE TABLE orders (
    tenant_id       text NOT NULL,
    order_id        text NOT NULL,
    external_id     text NOT NULL DEFAULT '',
    depot_id        text NOT NULL DEFAULT '',
    order_version   int  NOT NULL DEFAULT 0,
    name            text NOT NULL DEFAULT '',
    phone           text,
    email           text,
    channels        text[] NOT NULL DEFAULT '{sms,email}',
    locale          text NOT NULL DEFAULT 'en',
    tracking_token  text,
    route_id        text,
    planned_start   timestamptz,
    planned_end     timestamptz,
    notified_eta    timestamptz,
    eta_sequence    int NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, order_id)
);
CREATE INDEX orders_route ON orders (tenant_id, route_id);

-- Opt-outs by channel and address; tenant '*' applies to every tenant (SMS STOP).
CREATE TABLE opt_outs (
    tenant_id   text NOT NULL,
    channel     text NOT NULL,
    address     text NOT NULL,
    source      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, address, tenant_id)
);

-- One row per notification key, taken before any provider is called.
CREATE TABLE notifications (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           text NOT NULL,
    order_id            text NOT NULL,
    kind                text NOT NULL,
    scope               text NOT NULL DEFAULT '',
    version             int  NOT NULL,
    channel             text NOT NULL,
    state               text NOT NULL DEFAULT 'pending' CHECK (state IN
                        ('pending', 'sending', 'sent', 'delivered', 'failed', 'unknown',
                         'dropped', 'suppressed')),
    address             text NOT NULL,
    subject             text NOT NULL DEFAULT '',
    body_text           text NOT NULL,
    body_html           text NOT NULL DEFAULT '',
    segments            int,
    attempts            int  NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz,
    event_time          timestamptz,
    provider_message_id text,
    provider_status     text,
    reason              text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    claimed_at          timestamptz,
    sent_at             timestamptz,
    finished_at         timestamptz,
    UNIQUE (tenant_id, order_id, kind, scope, version, channel)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_sending ON notifications (claimed_at) WHERE state = 'sending';
CREATE INDEX notifications_provider_id ON notifications (provider_message_id);
CREATE INDEX notifications_order ON notifications (tenant_id, order_id);
