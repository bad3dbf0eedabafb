-- Cross-node wake-ups are PostgreSQL triggers (see the PostgreSQL migration 0008).
-- SQLite has one process, which wakes its own readers on commit: nothing to create.
-- The version exists on both backends so they stay numbered alike. Version 0007
-- belongs to another change.
SELECT 1;
