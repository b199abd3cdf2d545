-- Writing a booking: the booking core behind create_booking_atomic (the
-- seed's contract: the website and phone), desk_book and walk_in.  Checks
-- every rule up front (cheap, no locks), then takes the tables' locks for
-- the night in key order, checks availability again under them, and writes
-- the guest and the booking in the caller's transaction.  Refusals come back
-- as (false, code, message) and write nothing but the attempt counter, and
-- that only once the tables' locks are released (a refusal found under
-- them ends the subtransaction that took them).

-- A refused booking call (and every move_booking call), with its reason and
-- duration.  A booking made writes no attempt row: its call's duration is
-- on the booking (booked_in_ms); the monitoring figures read both
-- (private.fd_booking_calls, 74_monitoring.sql).
CREATE OR REPLACE FUNCTION private.fd_record_attempt(p_venue_id uuid, p_source text,
                                                     p_success boolean, p_code text,
                                                     p_started timestamptz) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    -- A call that has written nothing else in its transaction (a refusal
    -- found before any write: most of a release burst's answers) does not
    -- wait at commit for this row to reach the disk.  Only this counter
    -- could be lost in a crash, never a booking: a transaction that wrote
    -- anything before (a booking made earlier in it, a write the refusal
    -- undid) has its id already and commits as always.
    IF pg_current_xact_id_if_assigned() IS NULL THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    -- stamped when answered, not at its transaction's start: the figures
    -- and the order of calls read it beside the bookings made (a booking
    -- committed by another desk while this transaction was open comes before)
    INSERT INTO public.booking_attempts (venue_id, attempted_at, success, error_code,
                                         duration_ms, source)
    VALUES (p_venue_id, clock_timestamp(), p_success, p_code,
            extract(epoch FROM clock_timestamp() - p_started) * 1000, p_source);
END
$$;

-- 'BR-261204-K7QX2M': the venue's prefix, the night, then six characters
-- nobody misreads.
CREATE OR REPLACE FUNCTION private.fd_new_reference(p_prefix text, p_night date) RETURNS text
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    letters CONSTANT text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    code    text := '';
BEGIN
    FOR i IN 1 .. 6 LOOP  -- plain expressions, no query
        code := code || substr(letters, 1 + floor(random() * 32)::integer, 1);
    END LOOP;
    RETURN p_prefix || '-' || to_char(p_night, 'YYMMDD') || '-' || code;
END
$$;

-- The refusal for an error raised while taking the tables' turn or
-- writing, or NULL to re-raise it.  An exclusion violation means someone
-- booked the table in a way our lock did not see (plain SQL, REPEATABLE
-- READ); a check violation is one of the triggers' rules, its code in
-- DETAIL; lock_not_available is a lock wait that ran out of lock_timeout
-- (a transaction holding the table's turn or row that does not finish).
CREATE OR REPLACE FUNCTION private.fd_write_refusal(p_sqlstate text, p_message text,
                                                    p_detail text, p_venue_id uuid,
                                                    p_table_ids uuid[], p_period tstzrange,
                                                    p_exclude_booking_id uuid)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF p_sqlstate = '55P03' THEN
        RETURN private.fd_refuse('TABLE_BEING_BOOKED',
            format('%s is being booked at another desk; try again in a moment.',
                   private.fd_name_list(ARRAY(SELECT t.name FROM public.venue_tables t
                                               WHERE t.id = ANY (p_table_ids)
                                               ORDER BY t.grid_order, t.name), 'or')));
    END IF;
    IF p_sqlstate = '23P01' THEN
        RETURN coalesce(
            private.fd_availability_refusal(p_venue_id, p_table_ids, p_period,
                                            p_exclude_booking_id),
            private.fd_refuse('TABLE_UNAVAILABLE',  -- a snapshot too old to see who
                format('%s was booked by someone else at the same moment.',
                       private.fd_name_list(ARRAY(SELECT t.name FROM public.venue_tables t
                                                   WHERE t.id = ANY (p_table_ids)
                                                   ORDER BY t.grid_order, t.name), 'or'))));
    END IF;
    IF p_sqlstate = '23514'
       AND p_detail IN ('PAST_DATE', 'TOO_FAR_AHEAD', 'PARTY_SIZE', 'OVER_CAPACITY', 'UNDER_AGE',
                        'INVALID_TIME', 'UNKNOWN_TABLE', 'UNKNOWN_VENUE', 'VENUE_CLOSED',
                        'OUTSIDE_HOURS') THEN
        RETURN private.fd_refuse(p_detail, p_message);
    END IF;
    RETURN NULL;
END
$$;

-- The tables of the booking the core is writing, while it writes it (its
-- mark, set in fd_book_try below), else NULL: the audit and the feed name
-- them on the booking's own row (70_audit.sql, 72_change_feed.sql).
CREATE OR REPLACE FUNCTION private.fd_marked_tables(p_booking_id uuid) RETURNS uuid[]
    LANGUAGE sql STABLE
    RETURN CASE WHEN p_booking_id::text = current_setting('frontdesk.rules_checked', true)
                THEN coalesce(nullif(current_setting('frontdesk.rules_checked_tables', true),
                                     '')::uuid[], '{}') END;

-- The booking core.  Does not count the attempt: fd_book does.  The input
-- first (28_input.sql), then p_refusal, a refusal the caller found turning
-- local times into instants (create_booking_atomic's clock-change gap),
-- then the rules.  Returns the instants it booked.
CREATE OR REPLACE FUNCTION private.fd_book_try(p_venue_id uuid, p_customer_id uuid, p_email text,
                                               p_phone text, p_name text, p_date_of_birth date,
                                               p_table_ids uuid[], p_night date,
                                               p_starts_at timestamptz, p_ends_at timestamptz,
                                               p_party_size integer, p_special_requests text,
                                               p_occasion text, p_payment_ref text,
                                               p_source text, p_status text,
                                               p_refusal private.fd_refusal,
                                               OUT r_ok boolean, OUT r_code text,
                                               OUT r_message text, OUT r_booking_id uuid,
                                               OUT r_reference text, OUT r_deposit numeric,
                                               OUT r_starts_at timestamptz,
                                               OUT r_ends_at timestamptz)
    LANGUAGE plpgsql
AS $$
DECLARE
    tables     uuid[];
    v_terminal text := private.fd_current_terminal();
    refusal    private.fd_refusal;
    cust       record;
    saved      record;
    price      record;
    prefix     text;
    v_period   tstzrange;
    names      text[];
    turn       text;
    new_id     uuid := gen_random_uuid();
    started    timestamptz := clock_timestamp();
    err_state  text;
    err_text   text;
    err_detail text;
BEGIN
    r_ok := false;
    refusal := coalesce(private.fd_input_refusal(p_name, p_email, p_phone, p_date_of_birth,
                                                 p_special_requests, p_occasion, p_payment_ref,
                                                 p_source),
                        p_refusal);
    IF refusal.code IS NULL THEN
        -- Our turn with a save of the venue's setup (58_setup.sql) before
        -- the rules are read, held to commit: the rules checked here are
        -- the ones the booking commits under.  So the validation trigger
        -- does not check this row's rules again (it knows the row by its
        -- id: below).  Taken at once unless a save holds it; a save frozen
        -- before its COMMIT is waited for at most lock_timeout (2 s) and
        -- answered TABLE_BEING_BOOKED, as the tables' turns are (only then
        -- is the wait in a subtransaction of its own, to catch the timeout).
        IF NOT pg_try_advisory_xact_lock_shared(4, private.fd_setup_key(p_venue_id)) THEN
            BEGIN
                PERFORM pg_advisory_xact_lock_shared(4, private.fd_setup_key(p_venue_id));
            EXCEPTION WHEN lock_not_available THEN
                refusal := private.fd_write_refusal('55P03', NULL, NULL, p_venue_id,
                                                    p_table_ids, NULL, NULL);
            END;
        END IF;
    END IF;
    IF refusal.code IS NULL THEN
        refusal := private.fd_booking_refusal(p_venue_id, p_night, p_starts_at, p_ends_at,
                                              p_party_size, true);
    END IF;
    IF refusal.code IS NULL THEN
        IF cardinality(p_table_ids) = 1 AND array_ndims(p_table_ids) = 1 THEN
            tables := p_table_ids;  -- most bookings: nothing to sort (and no query)
        ELSE
            tables := ARRAY(SELECT DISTINCT t FROM unnest(p_table_ids) AS t ORDER BY t);
        END IF;
        refusal := private.fd_tables_refusal(p_venue_id, tables, p_party_size);
    END IF;
    IF refusal.code IS NULL THEN
        cust := private.fd_find_customer(p_venue_id, p_customer_id, private.fd_tidy_name(p_name),
                                         p_phone, p_email, p_date_of_birth, p_source = 'walk_in');
        -- A guest new to the venue (no customer has the email or the phone)
        -- has no tags: no ban to look for.
        refusal := coalesce(CASE WHEN cust.customer_id IS NOT NULL OR cust.refusal IS NOT NULL
                                 THEN private.fd_guest_refusal(p_venue_id, cust.customer_id,
                                                               cust.email, cust.phone,
                                                               p_source)  -- 64_guests.sql
                            END,
                            cust.refusal,
                            private.fd_age_refusal(p_venue_id, p_night, cust.date_of_birth));
    END IF;
    IF refusal.code IS NULL THEN  -- a table visibly taken needs no turn in the queue to say so
        v_period := tstzrange(p_starts_at, p_ends_at, '[)');
        refusal := private.fd_availability_refusal(p_venue_id, tables, v_period, NULL);
    END IF;
    IF refusal.code IS NOT NULL THEN
        r_code := refusal.code; r_message := refusal.message;
        RETURN;
    END IF;

    BEGIN
        -- Take turns with other bookings of these tables tonight.  A desk on
        -- the phone about one of them answers at once, without waiting.
        -- A refusal from here on is raised (FDR01), so that this block's
        -- subtransaction ends and its locks go with it: the attempt row is
        -- written and flushed with no table's turn held.
        turn := private.fd_take_turns(tables, p_night);
        IF turn = 'phone' THEN
            SELECT array_agg(t.name ORDER BY t.grid_order, t.name) INTO names
              FROM public.venue_tables t WHERE t.id = ANY (tables);
            RAISE EXCEPTION USING ERRCODE = 'FDR01', DETAIL = 'TABLE_BEING_BOOKED',
                MESSAGE = format('%s is being booked at another desk; try again in a moment.',
                                 private.fd_name_list(names, 'or'));
        END IF;
        -- Again, in a statement of its own, so that it reads what committed
        -- while we waited.  A turn taken at once needs only the holds looked
        -- at again: no booking of these tables committed while we queued.
        -- A booking or a block (block_table) that committed in the instant
        -- before our turn meets an exclusion constraint below (booking_tables,
        -- table_claims), answered TABLE_UNAVAILABLE all the same; a hold has
        -- no constraint, so it is looked for.  Most bookings wait for
        -- nobody, so most skip the second full look.
        IF turn = 'waited'
           OR EXISTS (SELECT 1 FROM public.holds h
                       WHERE h.venue_id = p_venue_id AND h.table_id = ANY (tables)
                         AND h.period && v_period AND h.expires_at > private.fd_now()
                         AND h.terminal IS DISTINCT FROM v_terminal) THEN
            refusal := private.fd_availability_refusal(p_venue_id, tables, v_period, NULL);
        END IF;
        IF refusal.code IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'FDR01', DETAIL = refusal.code,
                                  MESSAGE = refusal.message;
        END IF;

        price := private.fd_tables_price(p_venue_id, p_night, tables);
        SELECT v.reference_prefix INTO prefix FROM public.venues v WHERE v.id = p_venue_id;
        saved := private.fd_save_customer(p_venue_id, cust.customer_id, cust.name, cust.phone,
                                          cust.email, cust.date_of_birth);
        -- The mark for the triggers (34_validation_trigger.sql): this
        -- booking's rules, age, tables and capacity were checked above
        -- under the setup turn, so its two inserts below are not checked
        -- again.  new_id was drawn in this call: no other row matches it.
        -- Its tables go with the mark, so that the booking's one audit row
        -- and one feed row name them (70_audit.sql, 72_change_feed.sql)
        -- and its table rows write neither.
        PERFORM set_config('frontdesk.rules_checked', new_id::text, true),
                set_config('frontdesk.rules_checked_tables', tables::text, true);
        LOOP  -- a reference already taken (1 in 10^9 a night) just draws again
            r_reference := private.fd_new_reference(prefix, p_night);
            INSERT INTO public.bookings (id, venue_id, reference, customer_id, night, starts_at,
                                         ends_at, party_size, status, source, total_deposit,
                                         total_min_spend, special_requests, occasion,
                                         stripe_payment_intent_id, created_by, terminal,
                                         deposit_status, deposit_reference, booked_in_ms)
            VALUES (new_id, p_venue_id, r_reference, saved.customer_id, p_night,
                    p_starts_at, p_ends_at, p_party_size, p_status, p_source,
                    price.deposit, price.min_spend, p_special_requests, p_occasion, p_payment_ref,
                    private.fd_current_staff_id(), v_terminal,
                    -- the deposit's status (62_money.sql): paid with its payment
                    CASE WHEN nullif(btrim(p_payment_ref), '') IS NOT NULL THEN 'paid'
                         WHEN price.deposit = 0 THEN 'none' ELSE 'due' END,
                    nullif(btrim(p_payment_ref), ''),
                    -- the call's duration so far, for the monitoring figures
                    extract(epoch FROM clock_timestamp() - started) * 1000)
            ON CONFLICT (reference) DO NOTHING;
            EXIT WHEN FOUND;
        END LOOP;
        INSERT INTO public.booking_tables (booking_id, table_id)
        SELECT new_id, t FROM unnest(tables) AS t;
        -- the mark spares nothing more: a later write in this transaction
        -- (this booking's tables changed) is checked, audited and fed in full
        PERFORM set_config('frontdesk.rules_checked', '', true),
                set_config('frontdesk.rules_checked_tables', '', true);
        -- The desk's own holds on these tables have served their purpose
        -- (a caller with no terminal has none).
        IF v_terminal IS NOT NULL THEN
            DELETE FROM public.holds h
             WHERE h.venue_id = p_venue_id AND h.night = p_night
               AND h.table_id = ANY (tables) AND h.terminal = v_terminal;
        END IF;
    EXCEPTION WHEN exclusion_violation OR check_violation OR lock_not_available
                   OR SQLSTATE 'FDR01' THEN
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT,
                                err_detail = PG_EXCEPTION_DETAIL;
        refusal := CASE WHEN err_state = 'FDR01' THEN private.fd_refuse(err_detail, err_text)
                        ELSE private.fd_write_refusal(err_state, err_text, err_detail,
                                                      p_venue_id, tables, v_period, NULL) END;
        IF refusal.code IS NULL THEN
            RAISE;
        END IF;
        r_code := refusal.code; r_message := refusal.message; r_reference := NULL;
        RETURN;
    END;
    r_ok := true;
    r_booking_id := new_id;
    r_deposit := price.deposit;
    r_starts_at := p_starts_at;
    r_ends_at := p_ends_at;
END
$$;

-- The core with a refusal counted as an attempt (a booking made counts
-- itself: bookings.booked_in_ms).  A source that is not one of the four is
-- the input's refusal (INVALID_INPUT), counted without a source.
CREATE OR REPLACE FUNCTION private.fd_book(p_venue_id uuid, p_customer_id uuid, p_email text,
                                           p_phone text, p_name text, p_date_of_birth date,
                                           p_table_ids uuid[], p_night date,
                                           p_starts_at timestamptz, p_ends_at timestamptz,
                                           p_party_size integer, p_special_requests text,
                                           p_occasion text, p_payment_ref text,
                                           p_source text, p_status text,
                                           p_refusal private.fd_refusal DEFAULT NULL,
                                           OUT r_ok boolean, OUT r_code text, OUT r_message text,
                                           OUT r_booking_id uuid, OUT r_reference text,
                                           OUT r_deposit numeric, OUT r_starts_at timestamptz,
                                           OUT r_ends_at timestamptz)
    LANGUAGE plpgsql
AS $$
DECLARE
    started timestamptz := clock_timestamp();
    gate    private.fd_refusal;
    channel text;
    res     record;
BEGIN
    p_source := coalesce(p_source, 'desk');
    -- Who may book, first: nothing is written, not even the attempt, for a
    -- caller who may not.  The website books as itself; everyone else needs
    -- a desk session of the venue.
    channel := private.fd_channel();
    gate := CASE WHEN p_source = 'web' AND channel = 'desk'
                 THEN private.fd_refuse('NOT_ALLOWED', 'Only the website books as the website.')
                 WHEN p_source = 'web' AND channel = 'web' THEN NULL
                 ELSE private.fd_require_session(p_venue_id, false) END;
    IF gate.code IS NOT NULL THEN
        r_ok := false; r_code := gate.code; r_message := gate.message;
        RETURN;
    END IF;
    -- an assignment, not a SELECT: a plain expression, no query to start
    res := private.fd_book_try(p_venue_id, p_customer_id, p_email, p_phone, p_name,
                               p_date_of_birth, p_table_ids, p_night, p_starts_at, p_ends_at,
                               p_party_size, p_special_requests, p_occasion, p_payment_ref,
                               p_source, p_status, p_refusal);
    r_ok := res.r_ok; r_code := res.r_code; r_message := res.r_message;
    r_booking_id := res.r_booking_id; r_reference := res.r_reference;
    r_deposit := res.r_deposit; r_starts_at := res.r_starts_at; r_ends_at := res.r_ends_at;
    IF NOT r_ok THEN
        PERFORM private.fd_record_attempt(
            p_venue_id,
            CASE WHEN p_source IN ('desk', 'phone', 'web', 'walk_in') THEN p_source END,
            false, r_code, started);
    END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- The public booking functions.  Thin: they turn their arguments into the
-- core's and its answer into their columns.

-- The seed's contract: the website's and the phone's booking, in local
-- times under the night rule ('23:00'–'02:00' on a Friday ends on
-- Saturday).  The source is the caller's channel: 'web' from the website's
-- login (no session needed), 'phone' from a desk's (signed in); the owner
-- is 'phone' when it names a terminal, else 'web'.  A local time that does
-- not exist that night (the spring-forward gap) is refused, never moved
-- (fd_night_instants); the
-- instants booked come back as starts_at and ends_at, after the seed's
-- columns and error_code.
CREATE OR REPLACE FUNCTION public.create_booking_atomic(venue_id uuid, customer_email text,
                                                        customer_phone text, customer_name text,
                                                        table_ids uuid[], booking_date date,
                                                        start_time time, end_time time,
                                                        party_size integer,
                                                        customer_id uuid DEFAULT NULL,
                                                        special_requests text DEFAULT NULL,
                                                        occasion text DEFAULT NULL,
                                                        stripe_payment_intent_id text DEFAULT NULL)
    RETURNS TABLE (booking_id uuid, booking_reference text, total_deposit numeric,
                   success boolean, error_message text, error_code text,
                   starts_at timestamptz, ends_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
-- PL/pgSQL, not SQL: its query keeps its plan for the session (a SQL
-- function's is made again on every call before PostgreSQL 18: about 0.9 ms
-- a booking on 15).  Arguments by position: their names are columns too.
-- The core is called in an assignment, a plain expression, not as a row
-- source of a query (no function scan, no result set to fill).
DECLARE
    channel text := private.fd_channel();
    x       record;
    b       record;
BEGIN
    SELECT i.starts_at, i.ends_at, i.refusal INTO x
      FROM private.fd_night_instants($1, $6, $7, $8) AS i;
    b := private.fd_book($1, $10, $2, $3, $4, NULL, $5, $6, x.starts_at, x.ends_at, $9, $11,
                         $12, $13,
                         CASE channel WHEN 'web' THEN 'web' WHEN 'desk' THEN 'phone'
                              ELSE CASE WHEN private.fd_current_terminal() IS NULL THEN 'web'
                                        ELSE 'phone' END END,
                         'confirmed', x.refusal);
    booking_id := b.r_booking_id; booking_reference := b.r_reference;
    total_deposit := b.r_deposit; success := b.r_ok; error_message := b.r_message;
    error_code := b.r_code; starts_at := b.r_starts_at; ends_at := b.r_ends_at;
    RETURN NEXT;
END
$$;

-- The desk's booking, in instants (exact on clock-change nights): for the
-- customer the desk chose (customer_id), or for the guest it typed (name,
-- phone, email, date of birth), matched or created in the same transaction
-- as the booking by the same matcher as the website's.  A source other
-- than desk, phone, web or walk_in is refused (INVALID_INPUT).
CREATE OR REPLACE FUNCTION public.desk_book(venue_id uuid, customer_id uuid, table_ids uuid[],
                                            night date, starts_at timestamptz,
                                            ends_at timestamptz, party_size integer,
                                            special_requests text DEFAULT NULL,
                                            occasion text DEFAULT NULL,
                                            payment_ref text DEFAULT NULL,
                                            source text DEFAULT 'desk',
                                            customer_name text DEFAULT NULL,
                                            customer_phone text DEFAULT NULL,
                                            customer_email text DEFAULT NULL,
                                            customer_date_of_birth date DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text,
                   booking_id uuid, booking_reference text, total_deposit numeric,
                   starts_at timestamptz, ends_at timestamptz)
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
    SELECT b.r_ok, b.r_code, b.r_message, b.r_booking_id, b.r_reference, b.r_deposit,
           b.r_starts_at, b.r_ends_at
      FROM private.fd_book(desk_book.venue_id, desk_book.customer_id, customer_email,
                           customer_phone, customer_name, customer_date_of_birth,
                           desk_book.table_ids, desk_book.night, desk_book.starts_at,
                           desk_book.ends_at, desk_book.party_size, desk_book.special_requests,
                           desk_book.occasion, desk_book.payment_ref, desk_book.source,
                           'confirmed') AS b
$$;

-- A party at the door: seated now (to the minute) on the night in
-- progress, for the given minutes or the venue's usual length, cut at
-- closing time.  'Walk-in' parties (and a blank name) share the venue's
-- Walk-in customer; a named party gets a customer of its own, without
-- contact details.
CREATE OR REPLACE FUNCTION public.walk_in(venue_id uuid, table_ids uuid[], party_size integer,
                                          customer_name text DEFAULT 'Walk-in',
                                          minutes integer DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text,
                   booking_id uuid, booking_reference text, total_deposit numeric,
                   starts_at timestamptz, ends_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
-- PL/pgSQL to keep its plan (as create_booking_atomic); arguments by position
DECLARE
    n record;
    b record;
BEGIN
    SELECT w.night, w.starts_at,
           least(w.starts_at + make_interval(mins => coalesce($5, v.default_booking_minutes)),
                 upper(private.fd_night_span(v.id, w.night))) AS ends_at
      INTO n
      FROM (SELECT private.fd_current_night($1) AS night,
                   date_trunc('minute', private.fd_now()) AS starts_at) AS w
      LEFT JOIN public.venues v ON v.id = $1;
    b := private.fd_book($1, NULL, NULL, NULL, coalesce(private.fd_tidy_name($4), 'Walk-in'),
                         NULL, $2, n.night, n.starts_at, n.ends_at, $3, NULL, NULL, NULL,
                         'walk_in', 'seated');
    success := b.r_ok; error_code := b.r_code; error_message := b.r_message;
    booking_id := b.r_booking_id; booking_reference := b.r_reference;
    total_deposit := b.r_deposit; starts_at := b.r_starts_at; ends_at := b.r_ends_at;
    RETURN NEXT;
END
$$;
