-- Previews (POST /v1/plans with preview: true): kept for a while so that the plan_id and
-- route ids they answer with resolve; never published, never seen by re-planning.
CREATE TABLE plan_previews (
    tenant_id     text NOT NULL,
    id            text NOT NULL,
    summary       jsonb NOT NULL,
    routes        jsonb NOT NULL,
    route_ids     text[] NOT NULL,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX plan_previews_routes ON plan_previews USING gin (route_ids);
CREATE INDEX plan_previews_expiry ON plan_previews (expires_at);
