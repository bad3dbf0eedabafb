-- Cross-node wake-ups (issue 15): a transaction that appends events, queues jobs or
-- queues (or re-queues) webhook deliveries signals on its channel. PostgreSQL delivers
-- a NOTIFY only when its transaction commits, and folds identical ones of a
-- transaction into one, so the listeners of every node wake once per commit and read
-- what committed. The payloads are small: nothing but the job kind. Version 0007
-- belongs to another change.

CREATE FUNCTION confab_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('confab_events', '');
    RETURN NULL;
END $$;

CREATE TRIGGER events_wake AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION confab_notify_events();

-- One notification per kind, so a node wakes only the worker that has work.
CREATE FUNCTION confab_notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('confab_jobs', NEW.kind);
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_wake AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION confab_notify_jobs();

-- New deliveries, and deliveries sent again (retry, replay, auto-recovery all move
-- `schedule_from`); recording an attempt does not, so the dispatcher's own cycles
-- wake nobody.
CREATE FUNCTION confab_notify_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('confab_webhooks', '');
    RETURN NULL;
END $$;

CREATE TRIGGER webhook_deliveries_wake AFTER INSERT OR UPDATE OF schedule_from ON webhook_deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION confab_notify_webhooks();
