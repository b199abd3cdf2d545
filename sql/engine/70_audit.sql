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
    IF TG_TABLE_NAME = 'bookings' AND TG_OP = 'INSERT' THEN
        -- The booking core's own new booking (50_booking_core.sql): its
        -- tables, which write no audit rows of their own, are on this one.
        n := n || jsonb_strip_nulls(jsonb_build_object(
            'table_ids', to_jsonb(private.fd_marked_tables(NEW.id))));
    ELSIF TG_TABLE_NAME = 'staff' THEN
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
    -- a venue's own row is its venue's (the setup's audit, 76_setup_trail.sql)
    VALUES (coalesce(r ->> 'venue_id', CASE WHEN TG_TABLE_NAME = 'venues' THEN r ->> 'id' END)::uuid,
            TG_TABLE_NAME, TG_OP, (r ->> TG_ARGV[0])::uuid,
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

-- The tables of a booking the core makes are named on the booking's own
-- row (above): its table rows write none.  The mark is the core's, for the
-- row it is writing (50_booking_core.sql); move_booking clears one set by
-- hand, so every later change of a booking's tables has rows of its own.
CREATE OR REPLACE TRIGGER booking_tables_audit
    AFTER INSERT ON public.booking_tables
    FOR EACH ROW
    WHEN (NEW.booking_id::text IS DISTINCT FROM current_setting('frontdesk.rules_checked', true))
    EXECUTE FUNCTION private.fd_audit('booking_id');
CREATE OR REPLACE TRIGGER booking_tables_audit_delete
    AFTER DELETE ON public.booking_tables
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

-- A booking's keys that are not "other details": those with a kind of
-- their own (the deposit's status and reference are 'deposit'), its copies
-- (period) and bookkeeping (updated_at, and deposit_changed_at, which
-- set_deposit_status and the deposit policy stamp with every deposit change).
CREATE OR REPLACE FUNCTION private.fd_audit_quiet_keys() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['status', 'starts_at', 'ends_at', 'period', 'night', 'party_size',
                 'updated_at', 'booked_in_ms', 'deposit_status', 'deposit_reference',
                 'deposit_changed_at'];

-- What one audit row is about, in a manager's kinds: a booking made
-- ('booked'), its status changed ('status'), moved, resized or re-tabled
-- ('moved': night, times, party or its tables), its deposit's status or
-- reference changed ('deposit'), other details of it changed ('edited':
-- requests, occasion, money, payment, guest, source), spend recorded
-- against it ('spend', booking_spend), deleted ('deleted'); a guest's
-- details ('guest'), their tags ('tagged', customer_tags), a manager's
-- override of their ban ('ban_override'); the venue's list of tags
-- ('tag_list', guest_tags); the door's waitlist ('waitlist'); a table held
-- while a booking is taken ('hold'); staff ('staff').  A booking's table
-- rows are 'moved' unless the booking was made or deleted with them.
CREATE OR REPLACE FUNCTION private.fd_audit_kinds(p_table text, p_op text, p_old jsonb,
                                                  p_new jsonb)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE p_table
        WHEN 'bookings' THEN CASE p_op
            WHEN 'INSERT' THEN ARRAY['booked']
            WHEN 'DELETE' THEN ARRAY['deleted']
            ELSE array_remove(ARRAY[
                CASE WHEN p_old -> 'status' IS DISTINCT FROM p_new -> 'status' THEN 'status' END,
                CASE WHEN p_old -> 'starts_at' IS DISTINCT FROM p_new -> 'starts_at'
                       OR p_old -> 'ends_at' IS DISTINCT FROM p_new -> 'ends_at'
                       OR p_old -> 'night' IS DISTINCT FROM p_new -> 'night'
                       OR p_old -> 'party_size' IS DISTINCT FROM p_new -> 'party_size'
                     THEN 'moved' END,
                CASE WHEN p_old -> 'deposit_status' IS DISTINCT FROM p_new -> 'deposit_status'
                       OR p_old -> 'deposit_reference' IS DISTINCT FROM p_new -> 'deposit_reference'
                     THEN 'deposit' END,
                CASE WHEN (p_old - private.fd_audit_quiet_keys())
                          IS DISTINCT FROM (p_new - private.fd_audit_quiet_keys())
                     THEN 'edited' END], NULL)
            END
        WHEN 'booking_tables' THEN ARRAY['moved']
        WHEN 'booking_spend' THEN ARRAY['spend']
        WHEN 'customers' THEN CASE p_op WHEN 'BAN_OVERRIDE' THEN ARRAY['ban_override']
                                        ELSE ARRAY['guest'] END
        WHEN 'customer_tags' THEN ARRAY['tagged']
        WHEN 'guest_tags' THEN ARRAY['tag_list']
        WHEN 'waitlist' THEN ARRAY['waitlist']
        WHEN 'holds' THEN ARRAY['hold']
        WHEN 'staff' THEN ARRAY['staff']
        ELSE ARRAY[p_table]
    END
$$;


-- The audit log as a manager reads it: one row per change, newest first, a
-- page at a time.  A change is everything one transaction did to one record
-- (a booking with its tables and spend, a guest with their tags, a hold, a
-- member of staff, a tag of the venue's list, a waitlist entry): a move
-- to another table is its booking's update and its table rows together, so
-- it reads "table Booth 3 → Booth 14".  Subjects: booking, guest, hold,
-- staff, tags (the venue's list), waitlist; a setup table's name else.  Filters: the time window, who
-- (staff name as the audit has it), the terminal, a booking (its id, or the
-- start of its reference), kinds (any of private.fd_audit_kinds').  Pages
-- by keyset: pass the last row's (changed_at, record_id) as before_at,
-- after_record for the next page, so a page costs the same however deep.
-- Reads the (venue_id, changed_at) index backwards, or, for a booking, the
-- record_id index.  Each row carries the reference, night and current guest
-- name of its booking (or the guest's name; for a waitlist entry its party's
-- name, night and the reference of the booking it was seated as; for a ban
-- override the booking made with it), and the names of the tables, guests
-- and tags its entries mention and the references of the bookings a
-- waitlist entry mentions (names: id -> name, read once per row, not per
-- entry), so that the app can say what changed in words.  A manager of the venue (or the owner), else
-- raises 42501 with NOT_SIGNED_IN / NOT_ALLOWED in DETAIL.
CREATE OR REPLACE FUNCTION public.audit_changes(venue_id uuid, from_at timestamptz,
                                                to_at timestamptz,
                                                by_staff text DEFAULT NULL,
                                                at_terminal text DEFAULT NULL,
                                                booking_id uuid DEFAULT NULL,
                                                reference_prefix text DEFAULT NULL,
                                                of_kinds text[] DEFAULT NULL,
                                                before_at timestamptz DEFAULT NULL,
                                                after_record uuid DEFAULT NULL,
                                                lim integer DEFAULT 100)
    RETURNS TABLE (changed_at timestamptz, record_id uuid, subject text, kinds text[],
                   staff_name text, terminal text, reference text, night date,
                   guest_name text, entries jsonb, names jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    -- A plan for the filters given: the generic one cannot tell which are
    -- unused, and groups the whole window before the limit (2 s for a
    -- year, against 30 ms).
    SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    p_venue    ALIAS FOR $1;
    p_from     ALIAS FOR $2;
    p_to       ALIAS FOR $3;
    p_staff    ALIAS FOR $4;
    p_terminal ALIAS FOR $5;
    p_booking  ALIAS FOR $6;
    p_ref      text := nullif(upper(btrim($7)), '');
    p_kinds    ALIAS FOR $8;
    p_before   ALIAS FOR $9;
    p_after    uuid := coalesce($10, '00000000-0000-0000-0000-000000000000');
    p_lim      integer := least(greatest(coalesce($11, 100), 0), 1000);
    records    uuid[];
    nil        CONSTANT uuid := '00000000-0000-0000-0000-000000000000';
BEGIN
    PERFORM private.fd_check_reader(p_venue, true);  -- a manager of the venue, or raises
    IF p_booking IS NOT NULL OR p_ref IS NOT NULL THEN
        SELECT coalesce(array_agg(b.id), '{}') INTO records
          FROM (SELECT b.id FROM bookings b
                 WHERE b.venue_id = p_venue
                   AND (b.id = p_booking
                        OR (p_ref IS NOT NULL AND b.reference LIKE
                            replace(replace(replace(p_ref, '\', '\\'), '%', '\%'), '_', '\_')
                            || '%'))
                 LIMIT 200) b;
    END IF;
    RETURN QUERY
    WITH grouped AS (
        SELECT a.changed_at,
               coalesce(a.record_id, nil) AS record_id,
               CASE WHEN bool_or(a.table_name IN ('bookings', 'booking_tables', 'booking_spend'))
                    THEN 'booking'
                    WHEN bool_or(a.table_name IN ('customers', 'customer_tags')) THEN 'guest'
                    WHEN bool_or(a.table_name = 'holds') THEN 'hold'
                    WHEN bool_or(a.table_name = 'staff') THEN 'staff'
                    WHEN bool_or(a.table_name = 'waitlist') THEN 'waitlist'
                    WHEN bool_or(a.table_name = 'guest_tags') THEN 'tags'
                    ELSE min(a.table_name) END AS subject,
               -- a booking made or deleted with its tables is not also
               -- "moved", nor "spend" for the spend deleted with it
               CASE WHEN bool_or(a.table_name = 'bookings' AND a.operation IN ('INSERT', 'DELETE'))
                    THEN array_agg(DISTINCT k.kind)
                             FILTER (WHERE a.table_name <> 'booking_tables'
                                       AND NOT (a.table_name = 'booking_spend'
                                                AND a.operation = 'DELETE'))
                    ELSE array_agg(DISTINCT k.kind) END AS kinds,
               (array_agg(a.staff_name ORDER BY a.id))[1] AS staff_name,
               (array_agg(a.terminal ORDER BY a.id))[1] AS terminal,
               jsonb_agg(jsonb_build_object('table', a.table_name, 'op', a.operation,
                                           'old', a.old_values, 'new', a.new_values)
                         ORDER BY a.id) AS entries
          FROM audit_logs a
          LEFT JOIN LATERAL unnest(private.fd_audit_kinds(a.table_name, a.operation,
                                                          a.old_values, a.new_values))
                    AS k (kind) ON true
         WHERE a.venue_id = p_venue
           AND a.changed_at >= coalesce(p_from, '-infinity')
           AND a.changed_at < coalesce(p_to, 'infinity')
           AND (p_before IS NULL OR a.changed_at < p_before
                OR (a.changed_at = p_before AND coalesce(a.record_id, nil) > p_after))
           AND (records IS NULL OR a.record_id = ANY (records))
           AND (p_staff IS NULL OR a.staff_name = p_staff)
           AND (p_terminal IS NULL OR a.terminal = p_terminal)
         GROUP BY a.changed_at, coalesce(a.record_id, nil)
        HAVING p_kinds IS NULL
            OR (CASE WHEN bool_or(a.table_name = 'bookings' AND a.operation IN ('INSERT', 'DELETE'))
                     THEN array_agg(DISTINCT k.kind)
                              FILTER (WHERE a.table_name <> 'booking_tables'
                                        AND NOT (a.table_name = 'booking_spend'
                                                 AND a.operation = 'DELETE'))
                     ELSE array_agg(DISTINCT k.kind) END) && p_kinds
         ORDER BY a.changed_at DESC, coalesce(a.record_id, nil)
         LIMIT p_lim
    )
    SELECT g.changed_at, g.record_id, g.subject, g.kinds, g.staff_name, g.terminal,
           CASE g.subject
                WHEN 'booking' THEN coalesce(b.reference, g.entries -> -1 -> 'new' ->> 'reference',
                                             g.entries -> -1 -> 'old' ->> 'reference')
                WHEN 'waitlist' THEN wb.reference
                WHEN 'guest' THEN ob.reference END,
           CASE g.subject
                WHEN 'booking' THEN b.night
                WHEN 'guest' THEN ob.night
                WHEN 'hold' THEN coalesce(g.entries -> -1 -> 'new' ->> 'night',
                                          g.entries -> -1 -> 'old' ->> 'night')::date
                WHEN 'waitlist' THEN coalesce(g.entries -> -1 -> 'new' ->> 'night',
                                              g.entries -> -1 -> 'old' ->> 'night')::date END,
           CASE g.subject
                WHEN 'booking' THEN bc.name
                WHEN 'guest' THEN gc.name
                WHEN 'waitlist' THEN coalesce(g.entries -> -1 -> 'new' ->> 'name',
                                              g.entries -> -1 -> 'old' ->> 'name') END,
           g.entries,
           coalesce((SELECT jsonb_object_agg(x.id, x.name)
                       FROM (SELECT t.id::text AS id, t.name
                               FROM venue_tables t
                              WHERE t.venue_id = p_venue
                                AND t.id::text IN (SELECT jsonb_path_query(g.entries,
                                                              'lax $[*].*.table_id') #>> '{}'
                                                   UNION ALL  -- a new booking's, on its row
                                                   SELECT jsonb_path_query(g.entries,
                                                              'lax $[*].new.table_ids[*]')
                                                          #>> '{}')
                             UNION ALL
                             SELECT c.id::text, c.name
                               FROM customers c
                              WHERE c.venue_id = p_venue
                                AND c.id::text IN (SELECT jsonb_path_query(g.entries,
                                                              'lax $[*].*.customer_id') #>> '{}')
                             UNION ALL
                             SELECT t.id::text, t.name
                               FROM guest_tags t
                              WHERE t.venue_id = p_venue
                                AND t.id::text IN (SELECT jsonb_path_query(g.entries,
                                                              'lax $[*].*.tag_id') #>> '{}')
                             UNION ALL
                             SELECT wr.id::text, wr.reference
                               FROM bookings wr
                              WHERE g.subject = 'waitlist' AND wr.venue_id = p_venue
                                AND wr.id::text IN (SELECT jsonb_path_query(g.entries,
                                                              'lax $[*].*.booking_id') #>> '{}'))
                            AS x), '{}')
      FROM grouped g
      LEFT JOIN bookings b ON g.subject = 'booking' AND b.venue_id = p_venue AND b.id = g.record_id
      LEFT JOIN customers bc ON bc.venue_id = p_venue AND bc.id = b.customer_id
      LEFT JOIN customers gc ON g.subject = 'guest' AND gc.venue_id = p_venue
                            AND gc.id = g.record_id
      -- the booking a waitlist entry was seated as
      LEFT JOIN bookings wb ON g.subject = 'waitlist' AND wb.venue_id = p_venue
                           AND wb.id = (g.entries -> -1 -> 'new' ->> 'booking_id')::uuid
      -- the booking a ban's override was for: the guest's, made in the
      -- same transaction (its audit row, so a booking deleted since still says)
      LEFT JOIN LATERAL (
          SELECT oa.new_values ->> 'reference' AS reference,
                 (oa.new_values ->> 'night')::date AS night
            FROM audit_logs oa
           WHERE g.subject = 'guest' AND 'ban_override' = ANY (g.kinds)
             AND oa.venue_id = p_venue AND oa.changed_at = g.changed_at
             AND oa.table_name = 'bookings' AND oa.operation = 'INSERT'
             AND oa.new_values ->> 'customer_id' = g.record_id::text
           ORDER BY oa.id
           LIMIT 1) ob ON true
     ORDER BY g.changed_at DESC, g.record_id;
END
$$;
