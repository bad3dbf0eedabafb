-- Conversations, messages, files, and the durable job queue.

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    handled_by TEXT NOT NULL,
    contact_id TEXT,
    agent_id TEXT,
    assignee_id TEXT,
    lang TEXT,
    sentiment TEXT,
    intent TEXT,
    visitor TEXT,
    human_requested_at BIGINT,
    human_took_over_at BIGINT,
    resolved_at BIGINT,
    resolution TEXT,
    message_count BIGINT NOT NULL DEFAULT 0,
    last_activity_at BIGINT NOT NULL,
    first_response_at BIGINT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX conversations_list ON conversations (workspace_id, livemode, created_at, id);
CREATE INDEX conversations_contact ON conversations (workspace_id, livemode, contact_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    author_type TEXT NOT NULL,
    author_id TEXT,
    author_name TEXT,
    attachments TEXT NOT NULL DEFAULT '[]',
    intent TEXT,
    lang TEXT,
    sentiment TEXT,
    sentiment_score DOUBLE PRECISION,
    reply_to TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_list ON messages (workspace_id, livemode, conversation_id, created_at, id);
CREATE INDEX messages_period ON messages (workspace_id, livemode, created_at);
-- At most one AI reply per customer message, even across a crash and a retry.
CREATE UNIQUE INDEX messages_one_reply ON messages (reply_to);

CREATE TABLE files (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    conversation_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_list ON files (workspace_id, livemode, created_at, id);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at BIGINT NOT NULL,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

ALTER TABLE events ADD COLUMN conversation_id TEXT;
CREATE INDEX events_seq ON events (workspace_id, livemode, seq);

ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON conversations
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON conversations TO %I USING (true) WITH CHECK (true)', current_user); END $$;
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messages
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON messages TO %I USING (true) WITH CHECK (true)', current_user); END $$;
ALTER TABLE files ENABLE ROW LEVEL SECURITY;
ALTER TABLE files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON files
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON files TO %I USING (true) WITH CHECK (true)', current_user); END $$;
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON jobs TO %I USING (true) WITH CHECK (true)', current_user); END $$;
