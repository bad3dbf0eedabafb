-- The task gateway (issue 9): API keys gain a response URL and a budget; a key's
-- response URL is a webhook endpoint it owns (never listed, never subscribed to
-- events: it receives only its key's task results); tasks with their turns; spending
-- per key and budget period; and a ledger of every charge. Version 0005 belongs to
-- another change.

ALTER TABLE api_keys ADD COLUMN response_url TEXT;
ALTER TABLE api_keys ADD COLUMN budget_cents BIGINT;
ALTER TABLE api_keys ADD COLUMN budget_period TEXT NOT NULL DEFAULT 'monthly';

ALTER TABLE webhook_endpoints ADD COLUMN api_key_id TEXT;
CREATE UNIQUE INDEX webhook_endpoints_key ON webhook_endpoints (api_key_id) WHERE api_key_id IS NOT NULL;

-- One row per key and budget period: the counter a charge moves with a conditional
-- UPDATE, so concurrent charges serialize on it.
CREATE TABLE key_usage (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    key_id TEXT NOT NULL REFERENCES api_keys(id),
    period TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    spent_microcents BIGINT NOT NULL DEFAULT 0,
    requests BIGINT NOT NULL DEFAULT 0,
    tasks BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, period, period_start)
);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    key_id TEXT NOT NULL REFERENCES api_keys(id),
    member_id TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    context TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    response TEXT,
    error_code TEXT,
    error_message TEXT,
    cost_microcents BIGINT NOT NULL DEFAULT 0,
    result_event_id TEXT,
    delivery_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT,
    resolved_at BIGINT,
    expires_at BIGINT NOT NULL
);
CREATE INDEX tasks_expiry ON tasks (expires_at);

CREATE TABLE task_turns (
    task_id TEXT NOT NULL REFERENCES tasks(id),
    n BIGINT NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    role TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, n)
);

-- Every charge, with the usage row it moved (so a model call's estimate can be
-- settled against the same period).
CREATE TABLE task_charges (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    key_id TEXT NOT NULL REFERENCES api_keys(id),
    task_id TEXT,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_microcents BIGINT NOT NULL,
    input_tokens BIGINT,
    output_tokens BIGINT,
    period TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX task_charges_task ON task_charges (task_id);
CREATE INDEX task_charges_age ON task_charges (created_at);

ALTER TABLE key_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE key_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON key_usage
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON key_usage TO %I USING (true) WITH CHECK (true)', current_user); END $$;

ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tasks
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON tasks TO %I USING (true) WITH CHECK (true)', current_user); END $$;

ALTER TABLE task_turns ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_turns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON task_turns
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON task_turns TO %I USING (true) WITH CHECK (true)', current_user); END $$;

ALTER TABLE task_charges ENABLE ROW LEVEL SECURITY;
ALTER TABLE task_charges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON task_charges
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON task_charges TO %I USING (true) WITH CHECK (true)', current_user); END $$;
