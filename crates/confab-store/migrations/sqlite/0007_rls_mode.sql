-- Row-level security by mode is PostgreSQL's (see postgres/0007_rls_mode.sql); SQLite
-- scopes every query in the store API. Kept at the same version for both backends.

-- The first owner was created as `owner@localhost`, which the members API refuses as
-- an address, so the member could not be written back as read. Same fix as new
-- workspaces (`workspaces::BOOTSTRAP_OWNER_EMAIL`), unless that address is taken.
UPDATE members SET email = 'owner@confab.invalid'
WHERE email = 'owner@localhost'
  AND NOT EXISTS (
      SELECT 1 FROM members other
      WHERE other.workspace_id = members.workspace_id
        AND other.email = 'owner@confab.invalid'
        AND other.deleted_at IS NULL
  );
