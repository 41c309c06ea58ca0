-- API keys revoked by the orders service (which issues them), as every service learns of
-- them from `api_key.revoked` on tenants.v1: verification refuses a key found here.
CREATE TABLE revoked_api_keys (
    key_hash    text PRIMARY KEY,
    tenant_id   text NOT NULL,
    revoked_at  timestamptz NOT NULL
);
