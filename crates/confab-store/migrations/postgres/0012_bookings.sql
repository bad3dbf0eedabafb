-- Bookable resources (staff, rooms) with weekly hours in their own timezone, and the
-- bookings made on them. Times are epoch milliseconds (UTC); a booking's local time is
-- its resource's.
CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    working_hours TEXT NOT NULL,
    slot_minutes BIGINT NOT NULL,
    closed_dates TEXT NOT NULL DEFAULT '[]',
    min_notice_minutes BIGINT NOT NULL,
    horizon_days BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX resources_list ON resources (workspace_id, livemode, created_at, id);

CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    livemode BIGINT NOT NULL,
    resource_id TEXT NOT NULL REFERENCES resources(id),
    contact_id TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    notes TEXT,
    status TEXT NOT NULL,
    cancelled_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX bookings_list ON bookings (workspace_id, livemode, created_at, id);
CREATE INDEX bookings_by_resource ON bookings (resource_id, start_at);
CREATE INDEX bookings_by_contact ON bookings (contact_id);

ALTER TABLE resources ENABLE ROW LEVEL SECURITY;
ALTER TABLE resources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON resources
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')
        AND livemode = CAST(NULLIF(current_setting('app.livemode', true), '') AS BIGINT))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')
        AND livemode = CAST(NULLIF(current_setting('app.livemode', true), '') AS BIGINT));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON resources TO %I USING (true) WITH CHECK (true)', current_user); END $$;
ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE bookings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bookings
    USING (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')
        AND livemode = CAST(NULLIF(current_setting('app.livemode', true), '') AS BIGINT))
    WITH CHECK (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')
        AND livemode = CAST(NULLIF(current_setting('app.livemode', true), '') AS BIGINT));
DO $$ BEGIN EXECUTE format('CREATE POLICY system_access ON bookings TO %I USING (true) WITH CHECK (true)', current_user); END $$;
