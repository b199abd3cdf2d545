-- Changing a booking at the desk: move, resize and re-table in one step
-- (move_booking), status changes along the allowed transitions
-- (set_booking_status; the transitions and when the night's statuses may
-- be set are 12_statuses.sql's), and putting a mistaken status back
-- (revert_status).

-- Other tables, other times, another party size, in one step on the same
-- night, with the same rules as booking.
CREATE OR REPLACE FUNCTION private.fd_move_try(p_booking_id uuid, p_table_ids uuid[],
                                               p_starts_at timestamptz, p_ends_at timestamptz,
                                               p_party_size integer,
                                               OUT r_ok boolean, OUT r_code text,
                                               OUT r_message text, OUT r_venue_id uuid)
    LANGUAGE plpgsql
AS $$
DECLARE
    b          public.bookings%ROWTYPE;
    old_tables uuid[];
    tables     uuid[];
    starts     timestamptz;
    ends       timestamptz;
    party      integer;
    v_period   tstzrange;
    refusal    private.fd_refusal;
    err_state  text;
    err_text   text;
    err_detail text;
BEGIN
    r_ok := false;
    -- The booking core's mark (50_booking_core.sql) names only the row it
    -- is writing; one a client set by hand to this booking's id must not
    -- spare the table rows written below their checks, audit or feed.
    PERFORM set_config('frontdesk.rules_checked', '', true);
    -- One block for the locks and the writes: a lock wait that runs out of
    -- lock_timeout is a refusal (TABLE_BEING_BOOKED), like a clash.
    BEGIN
        FOR i IN 1..2 LOOP  -- 1: check without locks; 2: again under the locks, for real
            IF i = 1 THEN
                SELECT * INTO b FROM public.bookings WHERE id = p_booking_id;
            ELSE
                -- Old and new tables, so that nothing changes under us; in key
                -- order before the row lock, as every booking path takes them.
                IF NOT private.fd_lock_tables(old_tables || tables, b.night) THEN
                    r_code := 'TABLE_BEING_BOOKED';
                    r_message := format(
                        '%s is being booked at another desk; try again in a moment.',
                        private.fd_name_list(ARRAY(SELECT t.name FROM public.venue_tables t
                                                    WHERE t.id = ANY (old_tables || tables)
                                                    ORDER BY t.grid_order, t.name), 'or'));
                    RETURN;
                END IF;
                SELECT * INTO b FROM public.bookings WHERE id = p_booking_id FOR UPDATE;
            END IF;
            IF NOT FOUND THEN
                r_code := 'UNKNOWN_BOOKING'; r_message := 'There is no such booking.';
                RETURN;
            END IF;
            r_venue_id := b.venue_id;
            IF NOT private.fd_status_is_open(b.status) THEN
                r_code := 'INVALID_TRANSITION';
                r_message := format('Booking %s is %s; it cannot be moved.', b.reference,
                                    private.fd_status_words(b.status));
                RETURN;
            END IF;
            old_tables := ARRAY(SELECT bt.table_id FROM public.booking_tables bt
                                 WHERE bt.booking_id = b.id ORDER BY 1);
            tables := CASE WHEN p_table_ids IS NULL THEN old_tables
                           ELSE ARRAY(SELECT DISTINCT t FROM unnest(p_table_ids) AS t
                                       ORDER BY t) END;
            starts := coalesce(p_starts_at, b.starts_at);
            ends := coalesce(p_ends_at, b.ends_at);
            party := coalesce(p_party_size, b.party_size);
            refusal := coalesce(private.fd_booking_refusal(b.venue_id, b.night, starts, ends,
                                                           party),
                                private.fd_tables_refusal(b.venue_id, tables, party),
                                private.fd_age_refusal(b.venue_id, b.night,
                                                       (SELECT c.date_of_birth
                                                          FROM public.customers c
                                                         WHERE c.id = b.customer_id)));
            IF refusal.code IS NULL THEN
                v_period := tstzrange(starts, ends, '[)');
                refusal := private.fd_availability_refusal(b.venue_id, tables, v_period, b.id);
            END IF;
            IF refusal.code IS NOT NULL THEN
                r_code := refusal.code; r_message := refusal.message;
                RETURN;
            END IF;
        END LOOP;

        -- Leave the old tables first: keeping them through the time change
        -- could collide with someone else's booking we are not staying for.
        DELETE FROM public.booking_tables bt
         WHERE bt.booking_id = b.id AND bt.table_id <> ALL (tables);
        UPDATE public.bookings
           SET starts_at = starts, ends_at = ends, party_size = party, updated_at = now(),
               -- a new table set commits to its minimum spend; the deposit
               -- stays what the guest was asked for
               total_min_spend = CASE WHEN tables = old_tables THEN total_min_spend
                                      ELSE (private.fd_tables_price(b.venue_id, b.night,
                                                                    tables)).min_spend END
         WHERE id = b.id;
        INSERT INTO public.booking_tables (booking_id, table_id)
        SELECT b.id, t FROM unnest(tables) AS t WHERE t <> ALL (old_tables);
        DELETE FROM public.holds h
         WHERE h.venue_id = b.venue_id AND h.night = b.night AND h.table_id = ANY (tables)
           AND h.terminal = private.fd_current_terminal();
    EXCEPTION WHEN exclusion_violation OR check_violation OR lock_not_available THEN
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT,
                                err_detail = PG_EXCEPTION_DETAIL;
        refusal := private.fd_write_refusal(err_state, err_text, err_detail, b.venue_id, tables,
                                            v_period, b.id);
        IF refusal.code IS NULL THEN
            RAISE;
        END IF;
        r_code := refusal.code; r_message := refusal.message;
        RETURN;
    END;
    r_ok := true;
END
$$;

-- Move, resize and re-table in one step, on the booking's night.  NULL
-- arguments keep what the booking has.  Cancelled, no-show and completed
-- bookings stay where they are (INVALID_TRANSITION).
CREATE OR REPLACE FUNCTION public.move_booking(booking_id uuid, table_ids uuid[],
                                               starts_at timestamptz, ends_at timestamptz,
                                               party_size integer DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    started timestamptz := clock_timestamp();
    m       record;
    gate    private.fd_refusal := private.fd_require_session(
                (SELECT b.venue_id FROM bookings b WHERE b.id = $1), false);
BEGIN
    IF gate.code IS NOT NULL THEN  -- nothing written, not even the attempt
        RETURN QUERY SELECT false, gate.code, gate.message;
        RETURN;
    END IF;
    m := private.fd_move_try($1, $2, $3, $4, $5);
    PERFORM private.fd_record_attempt(m.r_venue_id, 'move', m.r_ok, m.r_code, started);
    RETURN QUERY SELECT m.r_ok, m.r_code, m.r_message;
END
$$;

-- A booking locked for a change of status: its tables on its night first,
-- in key order (the order every booking path takes them in; a desk on the
-- phone about one of them does not block it), then its row.  The row as
-- locked, or all NULL when it was deleted meanwhile.  A wait past the
-- caller's lock_timeout raises lock_not_available for the caller to say.
CREATE OR REPLACE FUNCTION private.fd_lock_booking(p_booking_id uuid, p_night date)
    RETURNS public.bookings
    LANGUAGE plpgsql
AS $$
DECLARE
    tids uuid[] := ARRAY(SELECT bt.table_id FROM public.booking_tables bt
                          WHERE bt.booking_id = p_booking_id ORDER BY bt.table_id);
    b    public.bookings;
BEGIN
    IF NOT private.fd_lock_tables(tids, p_night)
       AND NOT private.fd_lock_tables_turn(tids, p_night) THEN
        RAISE lock_not_available;
    END IF;
    SELECT * INTO b FROM public.bookings WHERE id = p_booking_id FOR UPDATE;
    RETURN b;
END
$$;

CREATE OR REPLACE FUNCTION public.set_booking_status(booking_id uuid, status text)
    RETURNS TABLE (success boolean, error_code text, error_message text, old_status text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    p_booking ALIAS FOR $1;
    p_status  ALIAS FOR $2;
    b         bookings%ROWTYPE;
    gate      private.fd_refusal;
    refusal   private.fd_refusal;
BEGIN
    SELECT * INTO b FROM bookings WHERE id = p_booking;
    gate := private.fd_require_session(b.venue_id, false);
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, NULL::text;
        RETURN;
    END IF;
    IF b.id IS NULL THEN
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::text;
        RETURN;
    END IF;

    -- Another transaction holding its tables (or the row) longer than 2 s
    -- is frozen: say so rather than wait for it.
    BEGIN
        b := private.fd_lock_booking(p_booking, b.night);
    EXCEPTION WHEN lock_not_available THEN
        RETURN QUERY SELECT false, 'TABLE_BEING_BOOKED',
            format('Booking %s is being changed at another desk; try again in a moment.',
                   b.reference),
            b.status;
        RETURN;
    END;
    IF b.id IS NULL THEN  -- deleted meanwhile
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::text;
        RETURN;
    END IF;

    IF p_status IS NULL
       OR NOT EXISTS (SELECT 1 FROM private.fd_statuses() s WHERE s.status = p_status) THEN
        RETURN QUERY SELECT false, 'INVALID_TRANSITION',
            format('There is no status "%s".', p_status), b.status;
        RETURN;
    END IF;
    IF b.status = p_status THEN
        RETURN QUERY SELECT false, 'INVALID_TRANSITION',
            format('Booking %s is already %s.', b.reference, private.fd_status_words(b.status)),
            b.status;
        RETURN;
    END IF;
    IF NOT private.fd_status_may_become(b.status, p_status) THEN
        RETURN QUERY SELECT false, 'INVALID_TRANSITION',
            format('Booking %s is %s; it can''t be marked %s.', b.reference,
                   private.fd_status_words(b.status), private.fd_status_words(p_status)),
            b.status;
        RETURN;
    END IF;
    -- Arrived, seated, completed, no-show: only while the night is on.
    refusal := private.fd_status_timing_refusal(b.venue_id, b.night, b.reference, p_status);
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, b.status;
        RETURN;
    END IF;

    -- Every allowed transition keeps or frees the tables (none re-activates),
    -- so no overlap can arise; booking_tables.is_active follows by trigger.
    UPDATE bookings SET status = p_status, updated_at = now() WHERE id = p_booking;
    RETURN QUERY SELECT true, NULL::text, NULL::text, b.status;
END
$$;


-- How long the person who set a status may put it back themselves; after
-- that (and for anyone else's) only a manager may.
CREATE OR REPLACE FUNCTION private.fd_status_revert_minutes() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN 10;

-- The booking's last status change, from the audit (70_audit.sql): what it
-- was before, what it became, who changed it and when.  No row when its
-- status has never changed since it was made.
CREATE OR REPLACE FUNCTION private.fd_last_status_change(p_booking_id uuid)
    RETURNS TABLE (old_status text, new_status text, staff_id uuid, staff_name text,
                   changed_at timestamptz)
    LANGUAGE sql STABLE
AS $$
    SELECT a.old_values ->> 'status', a.new_values ->> 'status', a.staff_id, a.staff_name,
           a.changed_at
      FROM public.audit_logs a
     WHERE a.record_id = p_booking_id AND a.table_name = 'bookings' AND a.operation = 'UPDATE'
       AND a.old_values -> 'status' IS DISTINCT FROM a.new_values -> 'status'
     ORDER BY a.changed_at DESC, a.id DESC
     LIMIT 1
$$;

-- Put a mistaken status back (a no-show that came after all, a table
-- completed too soon, a cancellation of the wrong booking): the booking
-- returns to the status it had before its last change.  A correction, not
-- a transition: only the last change, only when it was a transition (a
-- correction is not corrected again; set the status anew), by the person
-- who made it within fd_status_revert_minutes() or by a manager (or the
-- owner) at any time.  The minutes are the audit's (changed_at is the
-- transaction's time, now(), so both ends are read on the same clock).
-- Audited like any change: who, when, the status before and after.
-- Refusals: UNKNOWN_BOOKING, NOTHING_TO_REVERT, NOT_ALLOWED (someone
-- else's change, or too late for a host), TABLE_UNAVAILABLE (a cancelled
-- or no-show booking's table taken since), TABLE_BEING_BOOKED, and the
-- session's NOT_SIGNED_IN.  status: the status it has afterwards.
CREATE OR REPLACE FUNCTION public.revert_status(booking_id uuid)
    RETURNS TABLE (success boolean, error_code text, error_message text, status text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    p_booking  ALIAS FOR $1;
    b          bookings%ROWTYPE;
    tids       uuid[];
    gate       private.fd_refusal;
    refusal    private.fd_refusal;
    prev       record;
    me         record;
    manager    boolean;
    minutes    integer := private.fd_status_revert_minutes();
    v_period   tstzrange;
    err_state  text;
    err_text   text;
    err_detail text;
BEGIN
    SELECT * INTO b FROM bookings WHERE id = p_booking;
    gate := private.fd_require_session(b.venue_id, false);
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, NULL::text;
        RETURN;
    END IF;
    IF b.id IS NULL THEN
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::text;
        RETURN;
    END IF;
    tids := ARRAY(SELECT bt.table_id FROM booking_tables bt
                   WHERE bt.booking_id = p_booking ORDER BY bt.table_id);
    BEGIN
        b := private.fd_lock_booking(p_booking, b.night);
    EXCEPTION WHEN lock_not_available THEN
        RETURN QUERY SELECT false, 'TABLE_BEING_BOOKED',
            format('Booking %s is being changed at another desk; try again in a moment.',
                   b.reference),
            b.status;
        RETURN;
    END;
    IF b.id IS NULL THEN  -- deleted meanwhile
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::text;
        RETURN;
    END IF;

    SELECT * INTO prev FROM private.fd_last_status_change(b.id);
    IF prev.new_status IS NULL OR prev.new_status IS DISTINCT FROM b.status THEN
        RETURN QUERY SELECT false, 'NOTHING_TO_REVERT',
            format('Booking %s has had no status change to put back.', b.reference), b.status;
        RETURN;
    END IF;
    IF NOT private.fd_status_may_become(prev.old_status, prev.new_status) THEN
        RETURN QUERY SELECT false, 'NOTHING_TO_REVERT',
            format('Booking %s was already put back to %s.', b.reference,
                   private.fd_status_words(b.status)),
            b.status;
        RETURN;
    END IF;

    SELECT * INTO me FROM private.fd_session() LIMIT 1;
    manager := me.staff_id IS NULL  -- the owner without a session (the gate let it in)
               OR me.staff_role IN ('manager', 'admin');
    IF NOT manager AND prev.staff_id IS DISTINCT FROM me.staff_id THEN
        RETURN QUERY SELECT false, 'NOT_ALLOWED',
            format('%s marked booking %s %s; only they (within %s minutes) or a manager can '
                   'put it back.', coalesce(prev.staff_name, 'Someone else'), b.reference,
                   private.fd_status_words(b.status), minutes),
            b.status;
        RETURN;
    END IF;
    IF NOT manager AND now() - prev.changed_at > make_interval(mins => minutes) THEN
        RETURN QUERY SELECT false, 'NOT_ALLOWED',
            format('You marked booking %s %s more than %s minutes ago; only a manager can put '
                   'it back now.', b.reference, private.fd_status_words(b.status), minutes),
            b.status;
        RETURN;
    END IF;

    -- Back to a status that holds the tables: they must still be free.
    v_period := tstzrange(b.starts_at, b.ends_at, '[)');
    IF private.fd_status_holds_table(prev.old_status)
       AND NOT private.fd_status_holds_table(b.status) THEN
        refusal := private.fd_availability_refusal(b.venue_id, tids, v_period, b.id);
        IF refusal.code IS NOT NULL THEN
            RETURN QUERY SELECT false, refusal.code, refusal.message, b.status;
            RETURN;
        END IF;
    END IF;
    BEGIN
        UPDATE bookings SET status = prev.old_status, updated_at = now() WHERE id = b.id;
    EXCEPTION WHEN exclusion_violation OR check_violation THEN
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT,
                                err_detail = PG_EXCEPTION_DETAIL;
        refusal := private.fd_write_refusal(err_state, err_text, err_detail, b.venue_id, tids,
                                            v_period, b.id);
        IF refusal.code IS NULL THEN
            RAISE;
        END IF;
        RETURN QUERY SELECT false, refusal.code, refusal.message, b.status;
        RETURN;
    END;
    RETURN QUERY SELECT true, NULL::text, NULL::text, prev.old_status;
END
$$;
