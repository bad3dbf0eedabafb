-- Departments (the team's routing targets; like members they span both modes), a
-- member's `away` flag (no new tickets while away), tickets and their replies (per
-- mode), and the ticket a conversation was last escalated to.
CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    description TEXT,
    last_assignee_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX departments_list ON departments (workspace_id, created_at, id);
ALTER TABLE members ADD COLUMN away BIGINT NOT NULL DEFAULT 0;

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    reference TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT,
    contact_id TEXT,
    conversation_id TEXT,
    department_id TEXT,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT,
    reply_count BIGINT NOT NULL DEFAULT 0,
    solved_at BIGINT,
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, livemode, reference)
);
CREATE INDEX tickets_list ON tickets (workspace_id, livemode, created_at, id);
CREATE INDEX tickets_by_contact ON tickets (contact_id);
CREATE INDEX tickets_by_conversation ON tickets (conversation_id);

CREATE TABLE ticket_replies (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    author_type TEXT NOT NULL,
    author_id TEXT,
    body TEXT NOT NULL,
    internal BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_replies_list ON ticket_replies (ticket_id, created_at, id);

ALTER TABLE conversations ADD COLUMN ticket_id TEXT;
