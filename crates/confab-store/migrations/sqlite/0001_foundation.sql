-- Foundation: workspaces, team, credentials, contacts, the event log, idempotency.
-- Timestamps are epoch milliseconds; flags are 0/1; JSON is TEXT.

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    plan TEXT NOT NULL DEFAULT 'self_hosted',
    identity_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    department_ids TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE UNIQUE INDEX members_email ON members (workspace_id, email) WHERE deleted_at IS NULL;
CREATE INDEX members_list ON members (workspace_id, created_at, id);

CREATE TABLE member_tokens (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id TEXT NOT NULL REFERENCES members(id),
    token_hash TEXT NOT NULL UNIQUE,
    last4 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    member_id TEXT REFERENCES members(id),
    kind TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    last4 TEXT NOT NULL,
    label TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]',
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_list ON api_keys (workspace_id, livemode, created_at, id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    name TEXT,
    email TEXT,
    email_lower TEXT,
    phone TEXT,
    external_id TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    attributes TEXT NOT NULL DEFAULT '{}',
    blocked BIGINT NOT NULL DEFAULT 0,
    agent_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_email ON contacts (workspace_id, livemode, email_lower);
CREATE UNIQUE INDEX contacts_external_id ON contacts (workspace_id, livemode, external_id);
CREATE INDEX contacts_list ON contacts (workspace_id, livemode, created_at, id);

CREATE TABLE contact_tags (
    workspace_id TEXT NOT NULL,
    livemode BIGINT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (contact_id, tag)
);
CREATE INDEX contact_tags_tag ON contact_tags (workspace_id, livemode, tag);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    type TEXT NOT NULL,
    contact_id TEXT,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_list ON events (workspace_id, livemode, created_at, id);
CREATE INDEX events_contact ON events (contact_id);

CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL,
    livemode BIGINT NOT NULL,
    credential_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status_code BIGINT,
    response_body TEXT,
    locked_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, livemode, credential_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
