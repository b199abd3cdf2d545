-- Audit: who changed what, whoever writes.  Row triggers record the old and
-- new row as JSON with the staff member and terminal: those of the valid
-- session the transaction carries (frontdesk.session, 16_staff.sql); names
-- and ids a desk's client sets are ignored.  Without a session: 'Website'
-- and its login for the website; for the owner (the command line), the
-- names it sets; for anyone else, no name.
-- record_id is the row's id (the booking's id for booking_tables, so a
-- booking's trail includes its tables).  Updates that change nothing, and
-- booking_tables' re-syncs (the booking's own row says those), are skipped.
-- Staff rows never carry the PIN's hash: a new PIN shows as "pin_changed".

CREATE OR REPLACE FUNCTION private.fd_audit() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    o jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    n jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    r jsonb := coalesce(n, o);
    who_id   uuid;
    who_name text;
    who_term text;
BEGIN
    IF TG_TABLE_NAME = 'staff' THEN
        IF TG_OP = 'UPDATE' AND o ->> 'pin_hash' IS DISTINCT FROM n ->> 'pin_hash' THEN
            n := n || jsonb_build_object('pin_changed', true);
        END IF;
        o := o - 'pin_hash';
        n := n - 'pin_hash';
    END IF;
    IF private.fd_setting('frontdesk.session') IS NOT NULL THEN
        SELECT s.staff_id, s.staff_name, s.terminal INTO who_id, who_name, who_term
          FROM private.fd_session() AS s;
    END IF;
    IF who_id IS NULL THEN
        CASE private.fd_channel()
            WHEN 'web' THEN
                who_name := 'Website';
                who_term := 'web:' || session_user;
            WHEN 'owner' THEN  -- the command line: it owns the tables, its word stands
                who_id := private.fd_current_staff_id();
                who_name := private.fd_setting('frontdesk.staff_name');
                who_term := private.fd_setting('frontdesk.terminal');
            ELSE  -- nobody proved (a wrong PIN): the desk it came from, no name
                who_term := left(private.fd_setting('frontdesk.terminal'), 100);
        END CASE;
    END IF;
    INSERT INTO public.audit_logs (venue_id, table_name, operation, record_id,
                                   old_values, new_values, staff_id, staff_name, terminal)
    VALUES ((r ->> 'venue_id')::uuid, TG_TABLE_NAME, TG_OP, (r ->> TG_ARGV[0])::uuid,
            o, n, who_id, who_name, who_term);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER bookings_audit
    AFTER INSERT OR DELETE ON public.bookings
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER bookings_audit_update
    AFTER UPDATE ON public.bookings
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE TRIGGER customers_audit
    AFTER INSERT OR DELETE ON public.customers
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER customers_audit_update
    AFTER UPDATE ON public.customers
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE TRIGGER holds_audit
    AFTER INSERT OR UPDATE OR DELETE ON public.holds
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE TRIGGER staff_audit
    AFTER INSERT OR DELETE ON public.staff
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('id');
CREATE OR REPLACE TRIGGER staff_audit_update
    AFTER UPDATE ON public.staff
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_audit('id');

CREATE OR REPLACE TRIGGER booking_tables_audit
    AFTER INSERT OR DELETE ON public.booking_tables
    FOR EACH ROW EXECUTE FUNCTION private.fd_audit('booking_id');
CREATE OR REPLACE TRIGGER booking_tables_audit_update
    AFTER UPDATE ON public.booking_tables
    FOR EACH ROW
    WHEN (OLD.table_id IS DISTINCT FROM NEW.table_id
          OR OLD.booking_id IS DISTINCT FROM NEW.booking_id
          OR OLD.venue_id IS DISTINCT FROM NEW.venue_id)
    EXECUTE FUNCTION private.fd_audit('booking_id');

-- The audit log for the manager's screen: newest first, filtered.  Reads the
-- (venue_id, changed_at) index within the time window; booking_id matches
-- the booking's own rows and its tables' (audit_logs_record).
CREATE OR REPLACE FUNCTION public.audit_entries(venue_id uuid, from_at timestamptz,
                                                to_at timestamptz, table_name text DEFAULT NULL,
                                                staff_name text DEFAULT NULL,
                                                booking_id uuid DEFAULT NULL,
                                                lim integer DEFAULT 500)
    RETURNS TABLE (id bigint, changed_at timestamptz, table_name text, operation text,
                   record_id uuid, staff_id uuid, staff_name text, terminal text,
                   old_values jsonb, new_values jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT a.id, a.changed_at, a.table_name, a.operation, a.record_id, a.staff_id,
           a.staff_name, a.terminal, a.old_values, a.new_values
      FROM audit_logs a
     WHERE a.venue_id = $1
       AND private.fd_check_reader($1, true)  -- a manager of the venue, or raises
       AND a.changed_at >= coalesce($2, '-infinity') AND a.changed_at < coalesce($3, 'infinity')
       AND ($4 IS NULL OR a.table_name = $4)
       AND ($5 IS NULL OR a.staff_name = $5)
       AND ($6 IS NULL OR a.record_id = $6)
     ORDER BY a.changed_at DESC, a.id DESC
     LIMIT greatest(coalesce($7, 500), 0)
$$;
