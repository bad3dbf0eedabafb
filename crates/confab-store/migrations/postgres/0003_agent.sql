-- The AI agent: knowledge base, agents, per-reply usage, and the hand-off counters.

CREATE TABLE knowledge_entries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    questions TEXT NOT NULL DEFAULT '[]',
    intent TEXT,
    lang TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    enabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX knowledge_entries_list ON knowledge_entries (workspace_id, livemode, created_at, id);

-- Bumped in the same transaction as every knowledge change, so each node's in-memory
-- index knows with one indexed read whether it is stale.
CREATE TABLE knowledge_revisions (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, livemode)
);

CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    name TEXT NOT NULL,
    persona TEXT NOT NULL,
    instructions TEXT NOT NULL,
    greeting TEXT,
    provider TEXT NOT NULL,
    knowledge_tags TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    handoff TEXT NOT NULL,
    channels TEXT NOT NULL DEFAULT '[]',
    is_default BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agents_list ON agents (workspace_id, livemode, created_at, id);

-- One row per AI reply: who answered, how sure it was, and the tokens it cost.
CREATE TABLE ai_replies (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    conversation_id TEXT NOT NULL,
    message_id TEXT,
    reply_to TEXT NOT NULL,
    agent_id TEXT,
    provider TEXT NOT NULL,
    model TEXT,
    confidence DOUBLE PRECISION,
    sources TEXT NOT NULL DEFAULT '[]',
    handoff_reason TEXT,
    input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ai_replies_period ON ai_replies (workspace_id, livemode, created_at);
CREATE UNIQUE INDEX ai_replies_one ON ai_replies (reply_to);

ALTER TABLE conversations ADD COLUMN negative_streak BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN low_confidence_streak BIGINT NOT NULL DEFAULT 0;

ALTER TABLE knowledge_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_entries
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON knowledge_entries TO %I USING (true) WITH CHECK (true)', current_user); END $$;
ALTER TABLE knowledge_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_revisions
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON knowledge_revisions TO %I USING (true) WITH CHECK (true)', current_user); END $$;
ALTER TABLE agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE agents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agents
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON agents TO %I USING (true) WITH CHECK (true)', current_user); END $$;
ALTER TABLE ai_replies ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_replies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ai_replies
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON ai_replies TO %I USING (true) WITH CHECK (true)', current_user); END $$;
