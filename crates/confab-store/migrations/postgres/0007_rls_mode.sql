-- Row-level security checks the mode as well as the workspace: each tenant transaction
-- sets `app.livemode` ('0' or '1') with `set_config(…, true)` beside `app.workspace_id`,
-- so a query that forgets its mode sees nothing of the other mode, and an insert into
-- the other mode fails WITH CHECK. Tables whose rows span modes keep the workspace-only
-- policy: workspaces, members and member_tokens (identity, no `livemode` column) and
-- api_keys (a member lists and manages both modes' keys in one transaction; each row
-- carries the mode it grants). A TenantTx that must touch another mode's rows (a
-- member writing a key's response endpoint or reading its spending) switches its mode
-- with `TenantTx::set_livemode`, which moves this setting too.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'contacts', 'contact_tags', 'events', 'idempotency_keys',
        'conversations', 'messages', 'files', 'jobs',
        'knowledge_entries', 'knowledge_revisions', 'agents', 'ai_replies',
        'webhook_endpoints', 'webhook_deliveries', 'webhook_attempts',
        'widget_settings',
        'key_usage', 'tasks', 'task_turns', 'task_charges'
    ] LOOP
        EXECUTE format('DROP POLICY tenant_isolation ON %I', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (workspace_id = NULLIF(current_setting(''app.workspace_id'', true), '''') '
            'AND livemode = CAST(NULLIF(current_setting(''app.livemode'', true), '''') AS BIGINT)) '
            'WITH CHECK (workspace_id = NULLIF(current_setting(''app.workspace_id'', true), '''') '
            'AND livemode = CAST(NULLIF(current_setting(''app.livemode'', true), '''') AS BIGINT))',
            t
        );
    END LOOP;
END $$;


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
