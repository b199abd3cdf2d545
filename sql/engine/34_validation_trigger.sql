-- The rules for every writer (the functions, the website, a manager's psql,
-- a client's bug): triggers on bookings and booking_tables raise the rules'
-- refusals (30_rules.sql) as check_violation with the code in DETAIL, and
-- keep booking_tables' copies of its booking's period and status in step,
-- so that the exclusion constraint booking_tables_no_overlap sees them.
-- Trigger functions name their tables and helpers schema-qualified: they run
-- with the writer's search_path.

-- The seed's trigger.  Only changes to what a rule looks at are checked, so
-- a booking of a past night can still be marked completed or no-show after
-- close.  Status transitions are set_booking_status's business.
-- First, a booking whose venue, times, party or status is written takes
-- its turn with a save of the venue's setup (58_setup.sql): the key shared.
-- One trigger for both, so a booking costs one trigger call here.
CREATE OR REPLACE FUNCTION public.validate_booking_constraints() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    refusal private.fd_refusal;
BEGIN
    IF TG_OP = 'INSERT' AND NEW.id::text = current_setting('frontdesk.rules_checked', true) THEN
        -- fd_book_try's own new row (50_booking_core.sql): it took the
        -- setup turn and checked these rules, and the age, for exactly these
        -- values just before.  The id is drawn inside that call, so no other
        -- write matches it: the setting only ever spares a check already made.
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT'
       OR (NEW.venue_id, NEW.night, NEW.starts_at, NEW.ends_at, NEW.party_size, NEW.status)
          IS DISTINCT FROM (OLD.venue_id, OLD.night, OLD.starts_at, OLD.ends_at, OLD.party_size,
                            OLD.status) THEN
        PERFORM pg_advisory_xact_lock_shared(4, private.fd_setup_key(NEW.venue_id));
    END IF;
    IF TG_OP = 'INSERT' THEN
        refusal := private.fd_booking_refusal(NEW.venue_id, NEW.night, NEW.starts_at,
                                              NEW.ends_at, NEW.party_size);
    ELSIF (NEW.venue_id, NEW.night, NEW.starts_at, NEW.ends_at, NEW.party_size)
          IS DISTINCT FROM (OLD.venue_id, OLD.night, OLD.starts_at, OLD.ends_at, OLD.party_size) THEN
        refusal := private.fd_booking_refusal(NEW.venue_id, NEW.night, NEW.starts_at,
                                              NEW.ends_at, NEW.party_size);
    ELSIF NEW.customer_id IS NOT DISTINCT FROM OLD.customer_id THEN
        RETURN NEW;  -- status, notes...: nothing a rule looks at
    END IF;
    IF refusal.code IS NULL THEN
        refusal := private.fd_age_refusal(NEW.venue_id, NEW.night,
                                          (SELECT c.date_of_birth FROM public.customers c
                                            WHERE c.id = NEW.customer_id));
    END IF;
    IF refusal.code IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = refusal.message,
                              DETAIL = refusal.code;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER trigger_validate_booking_constraints
    BEFORE INSERT OR UPDATE ON public.bookings
    FOR EACH ROW EXECUTE FUNCTION public.validate_booking_constraints();

-- ---------------------------------------------------------------------------
-- booking_tables follows its booking, whoever writes.

-- One BEFORE trigger for booking_tables (a booking costs one call per
-- table here), in this order:
-- 1. Copy the booking's venue, night, period and status.  The booking's
--    row is read FOR SHARE: a transaction changing its period or status
--    holds it FOR NO KEY UPDATE, so this waits for that one to end and
--    then copies what it committed (READ COMMITTED re-reads the newest
--    version).  A plain read would copy the old period while the change is
--    in flight, and the exclusion constraint would then guard the wrong
--    instants (a real double booking, found with two psql sessions).  The
--    other order is safe too: a period change waits for this row's lock,
--    and its sync trigger's UPDATE then sees this row.
-- 2. A table joining a booking takes its turn with a save of the venue's
--    setup (58_setup.sql), and must be the venue's and in service.  The
--    foreign key refuses another venue's table too, but not in words a
--    host can read.  A re-sync (the booking's times or status followed by
--    fd_bookings_sync_tables) keeps its table: nothing to check.
CREATE OR REPLACE FUNCTION private.fd_booking_tables_before() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- one read: the booking's row, and whether its status holds a table
    -- (private.fd_statuses, as fd_status_holds_table reads it)
    SELECT b.venue_id, b.night, b.period,
           b.status IN (SELECT s.status FROM private.fd_statuses() s WHERE s.holds_table)
      INTO NEW.venue_id, NEW.night, NEW.period, NEW.is_active
      FROM public.bookings b WHERE b.id = NEW.booking_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'booking % does not exist', NEW.booking_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.table_id = OLD.table_id THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT'
       AND NEW.booking_id::text = current_setting('frontdesk.rules_checked', true) THEN
        RETURN NEW;  -- fd_book_try's own tables: checked under the setup turn (as above)
    END IF;
    PERFORM pg_advisory_xact_lock_shared(4, private.fd_setup_key(NEW.venue_id));
    IF NOT EXISTS (SELECT 1 FROM public.venue_tables t
                    WHERE t.venue_id = NEW.venue_id AND t.id = NEW.table_id AND t.is_active) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', DETAIL = 'UNKNOWN_TABLE',
            MESSAGE = 'That table is not one of this venue''s tables in service.';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER booking_tables_before
    BEFORE INSERT OR UPDATE ON public.booking_tables
    FOR EACH ROW EXECUTE FUNCTION private.fd_booking_tables_before();

CREATE OR REPLACE FUNCTION private.fd_bookings_sync_tables() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE public.booking_tables
       SET night = NEW.night,
           period = NEW.period,
           is_active = private.fd_status_holds_table(NEW.status)
     WHERE booking_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER bookings_sync_tables
    AFTER UPDATE OF night, starts_at, ends_at, status ON public.bookings
    FOR EACH ROW
    WHEN (OLD.night IS DISTINCT FROM NEW.night
          OR OLD.starts_at IS DISTINCT FROM NEW.starts_at
          OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
          OR private.fd_status_holds_table(OLD.status)
             IS DISTINCT FROM private.fd_status_holds_table(NEW.status))
    EXECUTE FUNCTION private.fd_bookings_sync_tables();

-- ---------------------------------------------------------------------------
-- The party must fit the booking's tables.  Checked at commit (deferred),
-- because a booking row is written before its tables; a booking with no
-- tables yet is left alone.

CREATE OR REPLACE FUNCTION private.fd_check_booking_capacity(p_booking_id uuid) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    party integer;
    seats integer;
    names text[];
BEGIN
    -- Index lookups only, no grouping; the names only for the message (this
    -- runs at every booking's commit).
    SELECT b.party_size, (SELECT sum(t.capacity)
                            FROM public.booking_tables bt
                            JOIN public.venue_tables t ON t.id = bt.table_id
                           WHERE bt.booking_id = b.id)
      INTO party, seats
      FROM public.bookings b
     WHERE b.id = p_booking_id;
    IF party > seats THEN
        names := ARRAY(SELECT t.name FROM public.booking_tables bt
                         JOIN public.venue_tables t ON t.id = bt.table_id
                        WHERE bt.booking_id = p_booking_id ORDER BY t.grid_order, t.name);
        RAISE EXCEPTION USING ERRCODE = 'check_violation', DETAIL = 'OVER_CAPACITY',
            MESSAGE = format('Party of %s is more than %s seat%s (%s).', party,
                             private.fd_name_list(names),
                             CASE WHEN cardinality(names) = 1 THEN 's' ELSE '' END, seats);
    END IF;
END
$$;

-- Deferred triggers fire at COMMIT, after the API function that queued them
-- has returned: on PostgreSQL before 17 they then run as the session's role
-- (an application login, which may not use schema private), so these two
-- run with their owner's rights.
CREATE OR REPLACE FUNCTION private.fd_booking_tables_capacity() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM private.fd_check_booking_capacity(NEW.booking_id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION private.fd_bookings_capacity() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM private.fd_check_booking_capacity(NEW.id);
    RETURN NULL;
END
$$;

-- Constraint triggers have no OR REPLACE; the engine is dropped before it
-- is applied, so CREATE is enough.
-- Not queued for fd_book_try's own new tables: it checked that the party
-- fits them under the setup turn (fd_tables_refusal), and the WHEN is read
-- as the row is written, while its mark is set (the trigger fires later).
CREATE CONSTRAINT TRIGGER booking_tables_capacity
    AFTER INSERT ON public.booking_tables
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.booking_id::text IS DISTINCT FROM current_setting('frontdesk.rules_checked', true))
    EXECUTE FUNCTION private.fd_booking_tables_capacity();

CREATE CONSTRAINT TRIGGER booking_tables_capacity_change
    AFTER UPDATE OF table_id ON public.booking_tables
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION private.fd_booking_tables_capacity();

CREATE CONSTRAINT TRIGGER bookings_capacity
    AFTER UPDATE OF party_size ON public.bookings
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.party_size > OLD.party_size)
    EXECUTE FUNCTION private.fd_bookings_capacity();
