-- The chat widget: its settings per workspace and mode, and the visitor token that
-- names a widget conversation (stored as a SHA-256 hash, like every credential).
-- The origins a site key accepts live on its row (api_keys.allowed_origins).

CREATE TABLE widget_settings (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    greeting TEXT,
    agent_name TEXT,
    accent_color TEXT NOT NULL,
    position TEXT NOT NULL,
    require_email BIGINT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, livemode)
);

ALTER TABLE conversations ADD COLUMN visitor_token_hash TEXT;
-- One conversation per visitor token in a workspace and mode (NULLs do not collide).
CREATE UNIQUE INDEX conversations_visitor_token ON conversations (workspace_id, livemode, visitor_token_hash);
-- A widget stream catches up on one conversation's events.
CREATE INDEX events_conversation ON events (conversation_id, seq);

ALTER TABLE widget_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE widget_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON widget_settings
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), ''));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON widget_settings TO %I USING (true) WITH CHECK (true)', current_user); END $$;
