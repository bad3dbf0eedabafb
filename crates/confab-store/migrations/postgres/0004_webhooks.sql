-- Webhook endpoints, their deliveries (a durable queue, written in the transaction of
-- the event they carry) and every attempt. Version 0003 belongs to another change.

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    url TEXT NOT NULL,
    description TEXT,
    events TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    auto_recover BIGINT NOT NULL,
    disabled_reason TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_expires_at BIGINT,
    failing_since BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_list ON webhook_endpoints (workspace_id, livemode, created_at, id);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    event_created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempt_count BIGINT NOT NULL DEFAULT 0,
    cycle_attempt BIGINT NOT NULL DEFAULT 0,
    schedule_from BIGINT NOT NULL,
    next_attempt_at BIGINT,
    locked_until BIGINT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One delivery per endpoint and event, however often the event is fanned out.
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (workspace_id, livemode, endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_replay ON webhook_deliveries (endpoint_id, event_created_at, event_seq);
-- Only deliveries with an attempt to make carry next_attempt_at: the dispatcher's scan.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, event_seq) WHERE next_attempt_at IS NOT NULL;

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
    n BIGINT NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    at BIGINT NOT NULL,
    status_code BIGINT,
    latency_ms BIGINT NOT NULL,
    error TEXT,
    response_body TEXT,
    PRIMARY KEY (delivery_id, n)
);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON webhook_endpoints TO %I USING (true) WITH CHECK (true)', current_user); END $$;

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON webhook_deliveries TO %I USING (true) WITH CHECK (true)', current_user); END $$;

ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_attempts
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON webhook_attempts TO %I USING (true) WITH CHECK (true)', current_user); END $$;
