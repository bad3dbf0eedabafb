-- The workspace's working hours: when people answer, in its own timezone. NULL hours:
-- none set (hand-off messages promise no time).
ALTER TABLE workspaces ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE workspaces ADD COLUMN working_hours TEXT;
