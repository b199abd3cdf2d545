-- The venue's setup on the audit trail and the change feed, whoever
-- writes (the setup's functions in 58_setup.sql, a manager's psql).
--
-- Audit: the venue, its floors, tables, joins, opening hours, nights and
-- table blocks, old and new row, by the audit's own trigger function
-- (70_audit.sql: who from the session, updates that change nothing
-- skipped).  record_id is the row's id; for joins, the first table's; for
-- hours and nights, which have no id of their own, the venue's.
--
-- Feed: a block placed or changed is 'blocked', lifted 'unblocked', on its
-- night with its table, like holds.  The rest of the setup is told by the
-- save itself (fd_setup_apply): one 'layout' row for the venue (night NULL:
-- every night's grid) and one 'night' row for each night it changed.

CREATE OR REPLACE TRIGGER venues_audit
    AFTER INSERT OR DELETE ON public.venues
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER venues_audit_update
    AFTER UPDATE ON public.venues
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE TRIGGER floors_audit
    AFTER INSERT OR DELETE ON public.floors
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER floors_audit_update
    AFTER UPDATE ON public.floors
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE TRIGGER venue_tables_audit
    AFTER INSERT OR DELETE ON public.venue_tables
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER venue_tables_audit_update
    AFTER UPDATE ON public.venue_tables
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE TRIGGER table_joins_audit
    AFTER INSERT OR DELETE ON public.table_joins
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('table_a');

CREATE OR REPLACE TRIGGER opening_hours_audit
    AFTER INSERT OR DELETE ON public.opening_hours
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('venue_id');
CREATE OR REPLACE TRIGGER opening_hours_audit_update
    AFTER UPDATE ON public.opening_hours
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('venue_id');

CREATE OR REPLACE TRIGGER nights_audit
    AFTER INSERT OR DELETE ON public.nights
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('venue_id');
CREATE OR REPLACE TRIGGER nights_audit_update
    AFTER UPDATE ON public.nights
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('venue_id');

CREATE OR REPLACE TRIGGER table_blocks_audit
    AFTER INSERT OR DELETE ON public.table_blocks
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER table_blocks_audit_update
    AFTER UPDATE ON public.table_blocks
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE FUNCTION private.fd_outbox_table_blocks() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO public.change_outbox (venue_id, night, table_ids, kind)
        VALUES (OLD.venue_id, OLD.night, ARRAY[OLD.table_id], 'unblocked');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO public.change_outbox (venue_id, night, table_ids, kind)
        VALUES (NEW.venue_id, NEW.night, ARRAY[NEW.table_id], 'blocked');
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER table_blocks_outbox
    AFTER INSERT OR DELETE ON public.table_blocks
    FOR EACH ROW EXECUTE FUNCTION private.fd_outbox_table_blocks();
CREATE OR REPLACE TRIGGER table_blocks_outbox_update
    AFTER UPDATE ON public.table_blocks
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION private.fd_outbox_table_blocks();
