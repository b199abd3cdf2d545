-- frontdesk 0002: the booking engine.  The seed's contract (locks,
-- availability, create_booking_atomic, table combinations, the validation
-- trigger) and the desk's booking functions (desk_book, move_booking,
-- walk_in, desk_suggestions, current_night), all over one booking core.
--
-- Shape: each rule is a small function returning a refusal (code, message)
-- or NULL.  The trigger raises what they return; the functions return it.
-- So a rule lives once, and psql, the website and the desk meet the same
-- words.  Functions never raise for a refusal and write nothing on refusal
-- except one row in booking_attempts.

-- ---------------------------------------------------------------------------
-- Every booking call, success or refusal, with its reason and duration:
-- the monitoring figures (conflicts prevented, lock failure rate, function
-- time) come from here.  No foreign key: an unknown venue is an attempt too.
-- source: the booking's source ('desk', 'phone', 'web', 'walk_in'), or
-- 'move' for move_booking.

CREATE TABLE booking_attempts (
    id           bigserial PRIMARY KEY,
    venue_id     uuid,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    success      boolean NOT NULL,
    error_code   text,
    duration_ms  double precision,
    source       text
);
CREATE INDEX booking_attempts_venue_at ON booking_attempts (venue_id, attempted_at);

-- A refusal: a stable code and a message a host can read aloud.
CREATE TYPE fd_refusal AS (code text, message text);

CREATE FUNCTION fd_refuse(p_code text, p_message text) RETURNS fd_refusal
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ROW(p_code, p_message)::fd_refusal;

CREATE FUNCTION fd_record_attempt(p_venue_id uuid, p_source text, p_success boolean,
                                  p_code text, p_started timestamptz) RETURNS void
    LANGUAGE sql
AS $$
    INSERT INTO booking_attempts (venue_id, success, error_code, duration_ms, source)
    VALUES (p_venue_id, p_success, p_code,
            extract(epoch FROM clock_timestamp() - p_started) * 1000, p_source)
$$;

-- ---------------------------------------------------------------------------
-- Words for messages.

-- 'Booth 3', 'Booth 3 and Booth 4', 'Booth 1, Booth 2 and Booth 3'.
CREATE FUNCTION fd_name_list(p_names text[], p_word text DEFAULT 'and') RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN cardinality(p_names) > 1
                THEN array_to_string(p_names[1:cardinality(p_names) - 1], ', ')
                     || ' ' || p_word || ' ' || p_names[cardinality(p_names)]
                ELSE p_names[1] END;

-- A period in the venue's wall-clock time: '22:00–00:30'.
CREATE FUNCTION fd_local_times(p_venue_id uuid, p_period tstzrange) RETURNS text
    LANGUAGE sql STABLE
    RETURN (SELECT to_char(lower(p_period) AT TIME ZONE v.time_zone, 'HH24:MI') || '–'
                   || to_char(upper(p_period) AT TIME ZONE v.time_zone, 'HH24:MI')
              FROM venues v WHERE v.id = p_venue_id);

-- 'Fri 4 Dec 2026'.
CREATE FUNCTION fd_night_label(p_night date) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_char(p_night, 'Dy FMDD Mon YYYY');

-- ---------------------------------------------------------------------------
-- The night in progress.

-- The night whose opening hours contain now, else the venue-local today
-- (a night opens on its own date, and runs at most a day, so only
-- yesterday's can still be going).  NULL for an unknown venue.
CREATE FUNCTION current_night(venue_id uuid) RETURNS date
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN now() <@ fd_night_span(v.id, d.today - 1) THEN d.today - 1
                ELSE d.today END
      FROM venues v, LATERAL (SELECT (now() AT TIME ZONE v.time_zone)::date AS today) d
     WHERE v.id = current_night.venue_id
$$;

-- ---------------------------------------------------------------------------
-- The rules.  Each returns NULL when the booking may stand.

-- The booking itself: its times, its night, the party.  In the order a host
-- would want to hear them.  A night is past once it has closed, so tonight
-- stays bookable after its start (walk-ins, late tables); a night without
-- hours is past once its date is.
CREATE FUNCTION fd_booking_refusal(p_venue_id uuid, p_night date, p_starts_at timestamptz,
                                   p_ends_at timestamptz, p_party_size integer)
    RETURNS fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v     venues%ROWTYPE;
    span  tstzrange;
    today date;
    event text;
BEGIN
    SELECT * INTO v FROM venues WHERE id = p_venue_id;
    IF NOT FOUND THEN
        RETURN fd_refuse('UNKNOWN_VENUE', 'There is no such venue.');
    END IF;
    IF p_night IS NULL THEN
        RETURN fd_refuse('INVALID_TIME', 'Choose a night.');
    END IF;
    IF p_starts_at IS NULL OR p_ends_at IS NULL OR p_ends_at <= p_starts_at THEN
        RETURN fd_refuse('INVALID_TIME', 'The end time must be after the start time.');
    END IF;
    span := fd_night_span(p_venue_id, p_night);
    today := (now() AT TIME ZONE v.time_zone)::date;
    IF upper(span) <= now() OR (span IS NULL AND p_night < today) THEN
        RETURN fd_refuse('PAST_DATE', format('%s is in the past.', fd_night_label(p_night)));
    END IF;
    -- current_night is today or the day before, so only the last bookable
    -- date needs it (it reads the hours of yesterday's night).
    IF p_night > today + v.max_days_ahead
       OR (p_night = today + v.max_days_ahead
           AND p_night > current_night(p_venue_id) + v.max_days_ahead) THEN
        RETURN fd_refuse('TOO_FAR_AHEAD',
                         format('%s is too far ahead: we take bookings up to %s days ahead.',
                                fd_night_label(p_night), v.max_days_ahead));
    END IF;
    IF span IS NULL THEN
        SELECT n.event_name INTO event FROM nights n
         WHERE n.venue_id = p_venue_id AND n.night = p_night;
        RETURN fd_refuse('VENUE_CLOSED', format('%s is closed on %s%s.', v.name,
                                                fd_night_label(p_night), ' (' || event || ')'));
    END IF;
    IF NOT span @> tstzrange(p_starts_at, p_ends_at, '[)') THEN
        RETURN fd_refuse('OUTSIDE_HOURS', format('%s is open %s on %s.', v.name,
                                                 fd_local_times(p_venue_id, span),
                                                 fd_night_label(p_night)));
    END IF;
    IF p_party_size IS NULL OR p_party_size NOT BETWEEN v.min_party_size AND v.max_party_size THEN
        RETURN fd_refuse('PARTY_SIZE', format('Party size must be %s to %s.',
                                              v.min_party_size, v.max_party_size));
    END IF;
    RETURN NULL;
END
$$;

-- The guest must be old enough on the night, when we know their birthday.
CREATE FUNCTION fd_age_refusal(p_venue_id uuid, p_night date, p_date_of_birth date)
    RETURNS fd_refusal
    LANGUAGE sql STABLE
AS $$
    SELECT fd_refuse('UNDER_AGE', format('The guest must be %s or over on the night.', v.min_age))
      FROM venues v
     WHERE v.id = p_venue_id
       AND p_date_of_birth + make_interval(years => v.min_age) > p_night
$$;

-- Whether a set of tables is one group through table_joins (a single table
-- is).  Walks the joins from the first table, staying inside the set.
CREATE FUNCTION fd_tables_joinable(p_venue_id uuid, p_table_ids uuid[]) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    WITH RECURSIVE reached (id) AS (
        SELECT p_table_ids[1]
        UNION
        SELECT CASE WHEN j.table_a = r.id THEN j.table_b ELSE j.table_a END
          FROM reached r
          JOIN table_joins j ON j.venue_id = p_venue_id AND r.id IN (j.table_a, j.table_b)
         WHERE j.table_a = ANY (p_table_ids) AND j.table_b = ANY (p_table_ids)
    )
    SELECT count(*) = cardinality(p_table_ids) FROM reached
$$;

-- The chosen tables (already de-duplicated): this venue's, in service,
-- joinable as one group, seating the party.
CREATE FUNCTION fd_tables_refusal(p_venue_id uuid, p_table_ids uuid[], p_party_size integer)
    RETURNS fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    known integer;
    seats integer;
    names text[];
BEGIN
    IF coalesce(cardinality(p_table_ids), 0) = 0 THEN
        RETURN fd_refuse('UNKNOWN_TABLE', 'Choose at least one table.');
    END IF;
    SELECT count(*), sum(t.capacity), array_agg(t.name ORDER BY t.grid_order, t.name)
      INTO known, seats, names
      FROM venue_tables t
     WHERE t.venue_id = p_venue_id AND t.is_active AND t.id = ANY (p_table_ids);
    IF known < cardinality(p_table_ids) THEN  -- a NULL element never matches, so lands here
        RETURN fd_refuse('UNKNOWN_TABLE',
                         CASE WHEN cardinality(p_table_ids) = 1
                              THEN 'That table is not one of this venue''s tables in service.'
                              ELSE 'One of those tables is not one of this venue''s tables in service.' END);
    END IF;
    -- One table is always a group: no walk (most bookings are one table).
    IF cardinality(p_table_ids) > 1 AND NOT fd_tables_joinable(p_venue_id, p_table_ids) THEN
        RETURN fd_refuse('TABLES_NOT_JOINABLE', format('%s cannot be joined.', fd_name_list(names)));
    END IF;
    IF p_party_size > seats THEN
        RETURN fd_refuse('OVER_CAPACITY',
                         format('Party of %s is more than %s seat%s (%s).', p_party_size,
                                fd_name_list(names), CASE WHEN known = 1 THEN 's' ELSE '' END, seats));
    END IF;
    RETURN NULL;
END
$$;

-- Is anyone else on these tables then: an active booking (TABLE_UNAVAILABLE,
-- naming it), or another terminal's live hold (TABLE_BEING_BOOKED)?  Under
-- fd_lock_tables this is the real check; before it, only a courtesy.
-- Overlap is by instants, whatever night the other booking belongs to.
-- Planned once (force_generic_plan): with a range parameter the generic plan's
-- estimate is poor, so the plan cache would otherwise re-plan every call
-- (0.13 ms planning against 0.04 ms running, twice a booking).  The table's
-- name and order come from subqueries, not a join, so that the generic plan
-- reads only the exclusion constraint's index and never hashes venue_tables.
CREATE FUNCTION fd_availability_refusal(p_venue_id uuid, p_table_ids uuid[], p_period tstzrange,
                                        p_exclude_booking_id uuid)
    RETURNS fd_refusal
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    clash record;
BEGIN
    SELECT (SELECT t.name FROM venue_tables t WHERE t.id = bt.table_id) AS name, bt.period
      INTO clash
      FROM booking_tables bt
     WHERE bt.venue_id = p_venue_id AND bt.table_id = ANY (p_table_ids) AND bt.is_active
       AND bt.period && p_period AND bt.booking_id IS DISTINCT FROM p_exclude_booking_id
     ORDER BY (SELECT t.grid_order FROM venue_tables t WHERE t.id = bt.table_id), lower(bt.period)
     LIMIT 1;
    IF FOUND THEN
        RETURN fd_refuse('TABLE_UNAVAILABLE', format('%s is booked %s that night.', clash.name,
                                                     fd_local_times(p_venue_id, clash.period)));
    END IF;
    SELECT (SELECT t.name FROM venue_tables t WHERE t.id = h.table_id) AS name, h.terminal
      INTO clash
      FROM holds h
     WHERE h.venue_id = p_venue_id AND h.table_id = ANY (p_table_ids)
       AND h.period && p_period AND h.expires_at > now()
       AND h.terminal IS DISTINCT FROM nullif(current_setting('frontdesk.terminal', true), '')
     ORDER BY (SELECT t.grid_order FROM venue_tables t WHERE t.id = h.table_id)
     LIMIT 1;
    IF FOUND THEN
        RETURN fd_refuse('TABLE_BEING_BOOKED',
                         format('%s is being booked at %s; try again in a moment.',
                                clash.name, clash.terminal));
    END IF;
    RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------
-- The trigger: the same rules for every writer (psql, a client's bug).
-- Only changes to what a rule looks at are checked, so a booking of a past
-- night can still be marked completed or no-show after close.  Status
-- transitions are set_booking_status's business (0003), not this trigger's.

CREATE FUNCTION validate_booking_constraints() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    refusal fd_refusal;
BEGIN
    IF TG_OP = 'INSERT' THEN
        refusal := fd_booking_refusal(NEW.venue_id, NEW.night, NEW.starts_at, NEW.ends_at,
                                      NEW.party_size);
    ELSIF (NEW.venue_id, NEW.night, NEW.starts_at, NEW.ends_at, NEW.party_size)
          IS DISTINCT FROM (OLD.venue_id, OLD.night, OLD.starts_at, OLD.ends_at, OLD.party_size) THEN
        refusal := fd_booking_refusal(NEW.venue_id, NEW.night, NEW.starts_at, NEW.ends_at,
                                      NEW.party_size);
    ELSIF NEW.customer_id IS NOT DISTINCT FROM OLD.customer_id THEN
        RETURN NEW;  -- status, notes...: nothing a rule looks at
    END IF;
    IF refusal.code IS NULL THEN
        refusal := fd_age_refusal(NEW.venue_id, NEW.night,
                                  (SELECT c.date_of_birth FROM customers c
                                    WHERE c.id = NEW.customer_id));
    END IF;
    IF refusal.code IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = refusal.message,
                              DETAIL = refusal.code;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trigger_validate_booking_constraints
    BEFORE INSERT OR UPDATE ON bookings
    FOR EACH ROW EXECUTE FUNCTION validate_booking_constraints();

-- A booking's tables must be its venue's and in service.  The foreign key
-- refuses another venue's table too, but not in words a host can read.
-- Fires after booking_tables_copy_booking (names sort), which sets venue_id.
CREATE FUNCTION fd_booking_tables_validate() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.table_id = OLD.table_id THEN
        RETURN NEW;  -- the booking's times or status followed by trigger
    END IF;
    IF NOT EXISTS (SELECT 1 FROM venue_tables t
                    WHERE t.venue_id = NEW.venue_id AND t.id = NEW.table_id AND t.is_active) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', DETAIL = 'UNKNOWN_TABLE',
            MESSAGE = 'That table is not one of this venue''s tables in service.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER booking_tables_validate_table
    BEFORE INSERT OR UPDATE OF table_id ON booking_tables
    FOR EACH ROW EXECUTE FUNCTION fd_booking_tables_validate();

-- The party must fit the booking's tables.  Checked at commit (deferred),
-- because a booking row is written before its tables; a booking with no
-- tables yet is left alone.
CREATE FUNCTION fd_check_booking_capacity(p_booking_id uuid) RETURNS void
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
                            FROM booking_tables bt JOIN venue_tables t ON t.id = bt.table_id
                           WHERE bt.booking_id = b.id)
      INTO party, seats
      FROM bookings b
     WHERE b.id = p_booking_id;
    IF party > seats THEN
        names := ARRAY(SELECT t.name FROM booking_tables bt JOIN venue_tables t ON t.id = bt.table_id
                        WHERE bt.booking_id = p_booking_id ORDER BY t.grid_order, t.name);
        RAISE EXCEPTION USING ERRCODE = 'check_violation', DETAIL = 'OVER_CAPACITY',
            MESSAGE = format('Party of %s is more than %s seat%s (%s).', party, fd_name_list(names),
                             CASE WHEN cardinality(names) = 1 THEN 's' ELSE '' END, seats);
    END IF;
END
$$;

CREATE FUNCTION fd_booking_tables_capacity() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM fd_check_booking_capacity(NEW.booking_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION fd_bookings_capacity() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM fd_check_booking_capacity(NEW.id);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER booking_tables_capacity
    AFTER INSERT OR UPDATE OF table_id ON booking_tables
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION fd_booking_tables_capacity();

CREATE CONSTRAINT TRIGGER bookings_capacity
    AFTER UPDATE OF party_size ON bookings
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.party_size > OLD.party_size)
    EXECUTE FUNCTION fd_bookings_capacity();

-- ---------------------------------------------------------------------------
-- Customers.

-- A phone number as E.164, or NULL when it cannot be one.  Spaces, dashes,
-- brackets and dots go; '00' means international; a single leading '0' is a
-- UK number (the venues are in the UK).
CREATE FUNCTION fd_normalise_phone(p_phone text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN p ~ '^\+[1-9][0-9]{6,14}$' THEN p END
      FROM (SELECT CASE WHEN s LIKE '00%' THEN '+' || substr(s, 3)
                        WHEN s LIKE '0%' THEN '+44' || substr(s, 2)
                        ELSE s END AS p
              FROM (SELECT regexp_replace(p_phone, '[[:space:]().-]', '', 'g') AS s) AS stripped
           ) AS prefixed
$$;

-- An email as stored (lower case, trimmed), or NULL when it cannot be one.
CREATE FUNCTION fd_normalise_email(p_email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN lower(btrim(p_email)) ~ '^[^@[:space:]]+@[^@[:space:]]+$'
                THEN lower(btrim(p_email)) END;

-- Who a booking is for: the given customer; else the venue's customer with
-- this email, else with this phone; else a new one (customer_id NULL here,
-- created only once the booking is sure to be written).  Walk-ins may have
-- no contact details.
CREATE FUNCTION fd_match_customer(p_venue_id uuid, p_customer_id uuid, p_email text, p_phone text,
                                  p_name text, p_walk_in boolean,
                                  OUT customer_id uuid, OUT email text, OUT phone text, OUT name text,
                                  OUT date_of_birth date, OUT refusal fd_refusal)
    LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_variable
BEGIN
    name := nullif(btrim(p_name), '');
    IF p_customer_id IS NOT NULL THEN
        SELECT c.id, c.date_of_birth INTO customer_id, date_of_birth
          FROM customers c WHERE c.venue_id = p_venue_id AND c.id = p_customer_id;
        IF NOT FOUND THEN
            refusal := fd_refuse('INVALID_CUSTOMER', 'That customer is not one of this venue''s.');
        END IF;
        RETURN;
    END IF;
    email := fd_normalise_email(p_email);
    phone := fd_normalise_phone(p_phone);
    IF nullif(btrim(p_email), '') IS NOT NULL AND email IS NULL THEN
        refusal := fd_refuse('INVALID_CUSTOMER',
                             format('"%s" is not an email address.', btrim(p_email)));
    ELSIF nullif(btrim(p_phone), '') IS NOT NULL AND phone IS NULL THEN
        refusal := fd_refuse('INVALID_CUSTOMER',
                             format('"%s" is not a phone number.', btrim(p_phone)));
    ELSIF email IS NULL AND phone IS NULL AND NOT p_walk_in THEN
        refusal := fd_refuse('INVALID_CUSTOMER', 'We need a phone number or an email for the booking.');
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN;
    END IF;
    SELECT c.id, c.date_of_birth INTO customer_id, date_of_birth
      FROM customers c
     WHERE c.venue_id = p_venue_id AND (c.email = email OR c.phone = phone)
     ORDER BY c.email IS NOT DISTINCT FROM email DESC  -- the email's owner first
     LIMIT 1;
    IF customer_id IS NULL AND name IS NULL THEN
        refusal := fd_refuse('INVALID_CUSTOMER', 'We need the guest''s name.');
    END IF;
END
$$;

-- Create the customer a booking found no match for.  Another booking may
-- create the same one at the same moment: ON CONFLICT waits for it, and the
-- second look then sees it.  Contact-less walk-ins named 'Walk-in' share one
-- customer per venue (created under a lock of its own, namespace 4).
CREATE FUNCTION fd_create_customer(p_venue_id uuid, p_name text, p_email text, p_phone text)
    RETURNS uuid
    LANGUAGE plpgsql
AS $$
DECLARE
    found_id uuid;
BEGIN
    IF p_email IS NULL AND p_phone IS NULL AND p_name = 'Walk-in' THEN
        PERFORM pg_advisory_xact_lock(4, hashtext(p_venue_id::text));
        SELECT c.id INTO found_id FROM customers c
         WHERE c.venue_id = p_venue_id AND c.name = 'Walk-in' AND c.email IS NULL AND c.phone IS NULL
         ORDER BY c.created_at LIMIT 1;
        IF FOUND THEN
            RETURN found_id;
        END IF;
    END IF;
    INSERT INTO customers (venue_id, name, email, phone)
    VALUES (p_venue_id, p_name, p_email, p_phone)
    ON CONFLICT DO NOTHING
    RETURNING customers.id INTO found_id;
    IF found_id IS NULL THEN
        SELECT c.id INTO found_id FROM customers c
         WHERE c.venue_id = p_venue_id AND (c.email = p_email OR c.phone = p_phone)
         ORDER BY c.email IS NOT DISTINCT FROM p_email DESC
         LIMIT 1;
    END IF;
    RETURN found_id;
END
$$;

-- ---------------------------------------------------------------------------
-- Writing a booking.

-- 'BR-261204-K7QX2M': the night, then six characters nobody misreads.
CREATE FUNCTION fd_new_reference(p_night date) RETURNS text
    LANGUAGE sql VOLATILE
    RETURN 'BR-' || to_char(p_night, 'YYMMDD') || '-'
           || (SELECT string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
                                        1 + floor(random() * 32)::integer, 1), '')
                 FROM generate_series(1, 6));

-- What the tables cost on this night: event nights scale the tables'
-- deposits and minimum spends.
CREATE FUNCTION fd_tables_price(p_venue_id uuid, p_night date, p_table_ids uuid[],
                                OUT deposit numeric, OUT min_spend numeric)
    LANGUAGE sql STABLE
AS $$
    SELECT round(coalesce(sum(t.deposit), 0) * coalesce(max(n.deposit_factor), 1), 2),
           round(coalesce(sum(t.min_spend), 0) * coalesce(max(n.min_spend_factor), 1), 2)
      FROM venue_tables t
      LEFT JOIN nights n ON n.venue_id = p_venue_id AND n.night = p_night
     WHERE t.venue_id = p_venue_id AND t.id = ANY (p_table_ids)
$$;

-- The refusal for an error raised while writing, or NULL to re-raise it.
-- An exclusion violation means someone booked the table in a way our lock
-- did not see (plain SQL, REPEATABLE READ); a check violation is one of the
-- triggers' rules, its code in DETAIL.
CREATE FUNCTION fd_write_refusal(p_sqlstate text, p_message text, p_detail text,
                                 p_venue_id uuid, p_table_ids uuid[], p_period tstzrange,
                                 p_exclude_booking_id uuid)
    RETURNS fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF p_sqlstate = '23P01' THEN
        RETURN coalesce(
            fd_availability_refusal(p_venue_id, p_table_ids, p_period, p_exclude_booking_id),
            fd_refuse('TABLE_UNAVAILABLE',  -- a snapshot too old to see who
                      format('%s was booked by someone else at the same moment.',
                             fd_name_list(ARRAY(SELECT t.name FROM venue_tables t
                                                 WHERE t.id = ANY (p_table_ids)
                                                 ORDER BY t.grid_order, t.name), 'or'))));
    END IF;
    IF p_sqlstate = '23514'
       AND p_detail IN ('PAST_DATE', 'TOO_FAR_AHEAD', 'PARTY_SIZE', 'OVER_CAPACITY', 'UNDER_AGE',
                        'INVALID_TIME', 'UNKNOWN_TABLE', 'UNKNOWN_VENUE', 'VENUE_CLOSED',
                        'OUTSIDE_HOURS') THEN
        RETURN fd_refuse(p_detail, p_message);
    END IF;
    RETURN NULL;
END
$$;

-- The booking core behind create_booking_atomic, desk_book and walk_in.
-- Checks every rule up front (cheap, no locks), then takes the tables'
-- locks for the night in key order, checks availability again under them,
-- and writes.  Refusals come back as (false, code, message); nothing is
-- written for them.  Does not count the attempt: fd_book does.
CREATE FUNCTION fd_book_try(p_venue_id uuid, p_customer_id uuid, p_email text, p_phone text,
                            p_name text, p_table_ids uuid[], p_night date,
                            p_starts_at timestamptz, p_ends_at timestamptz, p_party_size integer,
                            p_special_requests text, p_occasion text, p_payment_ref text,
                            p_source text, p_status text,
                            OUT r_ok boolean, OUT r_code text, OUT r_message text,
                            OUT r_booking_id uuid, OUT r_reference text, OUT r_deposit numeric)
    LANGUAGE plpgsql
AS $$
DECLARE
    tables     uuid[] := ARRAY(SELECT DISTINCT t FROM unnest(p_table_ids) AS t ORDER BY t);
    v_terminal text := nullif(current_setting('frontdesk.terminal', true), '');
    v_staff    text := current_setting('frontdesk.staff_id', true);
    refusal    fd_refusal;
    cust       record;
    price      record;
    v_period   tstzrange;
    names      text[];
    new_id     uuid := gen_random_uuid();
    err_state  text;
    err_text   text;
    err_detail text;
BEGIN
    r_ok := false;
    refusal := fd_booking_refusal(p_venue_id, p_night, p_starts_at, p_ends_at, p_party_size);
    IF refusal.code IS NULL THEN
        refusal := fd_tables_refusal(p_venue_id, tables, p_party_size);
    END IF;
    IF refusal.code IS NULL THEN
        cust := fd_match_customer(p_venue_id, p_customer_id, p_email, p_phone, p_name,
                                  p_source = 'walk_in');
        refusal := coalesce(cust.refusal, fd_age_refusal(p_venue_id, p_night, cust.date_of_birth));
    END IF;
    IF refusal.code IS NULL THEN  -- a table visibly taken needs no turn in the queue to say so
        v_period := tstzrange(p_starts_at, p_ends_at, '[)');
        refusal := fd_availability_refusal(p_venue_id, tables, v_period, NULL);
    END IF;
    IF refusal.code IS NOT NULL THEN
        r_code := refusal.code; r_message := refusal.message;
        RETURN;
    END IF;

    -- Take turns with other bookings of these tables tonight.  A desk on the
    -- phone about one of them answers at once, without waiting.
    IF NOT fd_lock_tables(tables, p_night) THEN
        SELECT array_agg(t.name ORDER BY t.grid_order, t.name) INTO names
          FROM venue_tables t WHERE t.id = ANY (tables);
        r_code := 'TABLE_BEING_BOOKED';
        r_message := format('%s is being booked at another desk; try again in a moment.',
                            fd_name_list(names, 'or'));
        RETURN;
    END IF;
    -- Again, in a statement of its own, so that it reads what committed while we waited.
    refusal := fd_availability_refusal(p_venue_id, tables, v_period, NULL);
    IF refusal.code IS NOT NULL THEN
        r_code := refusal.code; r_message := refusal.message;
        RETURN;
    END IF;

    price := fd_tables_price(p_venue_id, p_night, tables);
    BEGIN
        IF cust.customer_id IS NULL THEN
            cust.customer_id := fd_create_customer(p_venue_id, cust.name, cust.email, cust.phone);
        END IF;
        LOOP  -- a reference already taken (1 in 10^9 a night) just draws again
            r_reference := fd_new_reference(p_night);
            INSERT INTO bookings (id, venue_id, reference, customer_id, night, starts_at, ends_at,
                                  party_size, status, source, total_deposit, total_min_spend,
                                  special_requests, occasion, stripe_payment_intent_id,
                                  created_by, terminal)
            VALUES (new_id, p_venue_id, r_reference, cust.customer_id, p_night,
                    p_starts_at, p_ends_at, p_party_size, p_status, p_source,
                    price.deposit, price.min_spend, p_special_requests, p_occasion, p_payment_ref,
                    CASE WHEN v_staff ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
                         THEN v_staff::uuid END,  -- a malformed staff id is no reason to refuse
                    v_terminal)
            ON CONFLICT (reference) DO NOTHING;
            EXIT WHEN FOUND;
        END LOOP;
        INSERT INTO booking_tables (booking_id, table_id) SELECT new_id, t FROM unnest(tables) AS t;
        -- The desk's own holds on these tables have served their purpose.
        DELETE FROM holds h
         WHERE h.venue_id = p_venue_id AND h.night = p_night
           AND h.table_id = ANY (tables) AND h.terminal = v_terminal;
    EXCEPTION WHEN exclusion_violation OR check_violation THEN
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT,
                                err_detail = PG_EXCEPTION_DETAIL;
        refusal := fd_write_refusal(err_state, err_text, err_detail, p_venue_id, tables,
                                    v_period, NULL);
        IF refusal.code IS NULL THEN
            RAISE;
        END IF;
        r_code := refusal.code; r_message := refusal.message; r_reference := NULL;
        RETURN;
    END;
    r_ok := true;
    r_booking_id := new_id;
    r_deposit := price.deposit;
END
$$;

-- The core with its attempt counted, whatever the outcome.
CREATE FUNCTION fd_book(p_venue_id uuid, p_customer_id uuid, p_email text, p_phone text,
                        p_name text, p_table_ids uuid[], p_night date,
                        p_starts_at timestamptz, p_ends_at timestamptz, p_party_size integer,
                        p_special_requests text, p_occasion text, p_payment_ref text,
                        p_source text, p_status text,
                        OUT r_ok boolean, OUT r_code text, OUT r_message text,
                        OUT r_booking_id uuid, OUT r_reference text, OUT r_deposit numeric)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    started timestamptz := clock_timestamp();
BEGIN
    p_source := coalesce(p_source, 'desk');
    IF p_source NOT IN ('desk', 'phone', 'web', 'walk_in') THEN
        -- a caller's bug, not a refusal a host could act on
        RAISE EXCEPTION 'unknown booking source "%"', p_source
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO r_ok, r_code, r_message, r_booking_id, r_reference, r_deposit
      FROM fd_book_try(p_venue_id, p_customer_id, p_email, p_phone, p_name, p_table_ids, p_night,
                       p_starts_at, p_ends_at, p_party_size, p_special_requests, p_occasion,
                       p_payment_ref, p_source, p_status);
    PERFORM fd_record_attempt(p_venue_id, p_source, r_ok, r_code, started);
END
$$;

-- ---------------------------------------------------------------------------
-- Moving a booking: other tables, other times, another party size, in one
-- step on the same night, with the same rules as booking.

CREATE FUNCTION fd_move_try(p_booking_id uuid, p_table_ids uuid[], p_starts_at timestamptz,
                            p_ends_at timestamptz, p_party_size integer,
                            OUT r_ok boolean, OUT r_code text, OUT r_message text,
                            OUT r_venue_id uuid)
    LANGUAGE plpgsql
AS $$
DECLARE
    b          bookings%ROWTYPE;
    old_tables uuid[];
    tables     uuid[];
    starts     timestamptz;
    ends       timestamptz;
    party      integer;
    v_period   tstzrange;
    refusal    fd_refusal;
    err_state  text;
    err_text   text;
    err_detail text;
BEGIN
    r_ok := false;
    FOR i IN 1..2 LOOP  -- 1: check without locks; 2: again under the locks, for real
        IF i = 1 THEN
            SELECT * INTO b FROM bookings WHERE id = p_booking_id;
        ELSE
            -- Old and new tables, so that nothing changes under us; in key
            -- order before the row lock, as every booking path takes them.
            IF NOT fd_lock_tables(old_tables || tables, b.night) THEN
                r_code := 'TABLE_BEING_BOOKED';
                r_message := format('%s is being booked at another desk; try again in a moment.',
                                    fd_name_list(ARRAY(SELECT t.name FROM venue_tables t
                                                        WHERE t.id = ANY (old_tables || tables)
                                                        ORDER BY t.grid_order, t.name), 'or'));
                RETURN;
            END IF;
            SELECT * INTO b FROM bookings WHERE id = p_booking_id FOR UPDATE;
        END IF;
        IF NOT FOUND THEN
            r_code := 'UNKNOWN_BOOKING'; r_message := 'There is no such booking.';
            RETURN;
        END IF;
        r_venue_id := b.venue_id;
        IF b.status NOT IN ('pending', 'confirmed', 'arrived', 'seated') THEN
            r_code := 'INVALID_TRANSITION';
            r_message := format('Booking %s is %s; it cannot be moved.', b.reference,
                                replace(b.status, '_', '-'));
            RETURN;
        END IF;
        old_tables := ARRAY(SELECT bt.table_id FROM booking_tables bt
                             WHERE bt.booking_id = b.id ORDER BY 1);
        tables := CASE WHEN p_table_ids IS NULL THEN old_tables
                       ELSE ARRAY(SELECT DISTINCT t FROM unnest(p_table_ids) AS t ORDER BY t) END;
        starts := coalesce(p_starts_at, b.starts_at);
        ends := coalesce(p_ends_at, b.ends_at);
        party := coalesce(p_party_size, b.party_size);
        refusal := coalesce(fd_booking_refusal(b.venue_id, b.night, starts, ends, party),
                            fd_tables_refusal(b.venue_id, tables, party),
                            fd_age_refusal(b.venue_id, b.night,
                                           (SELECT c.date_of_birth FROM customers c
                                             WHERE c.id = b.customer_id)));
        IF refusal.code IS NULL THEN
            v_period := tstzrange(starts, ends, '[)');
            refusal := fd_availability_refusal(b.venue_id, tables, v_period, b.id);
        END IF;
        IF refusal.code IS NOT NULL THEN
            r_code := refusal.code; r_message := refusal.message;
            RETURN;
        END IF;
    END LOOP;

    BEGIN
        -- Leave the old tables first: keeping them through the time change
        -- could collide with someone else's booking we are not staying for.
        DELETE FROM booking_tables bt
         WHERE bt.booking_id = b.id AND bt.table_id <> ALL (tables);
        UPDATE bookings
           SET starts_at = starts, ends_at = ends, party_size = party, updated_at = now(),
               -- a new table set commits to its minimum spend; the deposit
               -- stays what the guest was asked for
               total_min_spend = CASE WHEN tables = old_tables THEN total_min_spend
                                      ELSE (fd_tables_price(b.venue_id, b.night, tables)).min_spend END
         WHERE id = b.id;
        INSERT INTO booking_tables (booking_id, table_id)
        SELECT b.id, t FROM unnest(tables) AS t WHERE t <> ALL (old_tables);
        DELETE FROM holds h
         WHERE h.venue_id = b.venue_id AND h.night = b.night AND h.table_id = ANY (tables)
           AND h.terminal = nullif(current_setting('frontdesk.terminal', true), '');
    EXCEPTION WHEN exclusion_violation OR check_violation THEN
        GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT,
                                err_detail = PG_EXCEPTION_DETAIL;
        refusal := fd_write_refusal(err_state, err_text, err_detail, b.venue_id, tables,
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

-- ---------------------------------------------------------------------------
-- The public functions.  Thin: they turn their arguments into the core's
-- and its answer into their columns.  Names and argument orders are the
-- seed's (a public contract) or sql/README.md's.

-- The website's and the phone's booking, in local times under the night
-- rule ('23:00'–'02:00' on a Friday ends on Saturday).  The source is
-- 'phone' when a desk calls it (frontdesk.terminal is set) and 'web'
-- otherwise: the website is the caller that cannot say who it is.
CREATE FUNCTION create_booking_atomic(venue_id uuid, customer_email text, customer_phone text,
                                      customer_name text, table_ids uuid[], booking_date date,
                                      start_time time, end_time time, party_size integer,
                                      customer_id uuid DEFAULT NULL, special_requests text DEFAULT NULL,
                                      occasion text DEFAULT NULL,
                                      stripe_payment_intent_id text DEFAULT NULL)
    RETURNS TABLE (booking_id uuid, booking_reference text, total_deposit numeric,
                   success boolean, error_message text, error_code text)
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT b.r_booking_id, b.r_reference, b.r_deposit, b.r_ok, b.r_message, b.r_code
      FROM fd_book(create_booking_atomic.venue_id, create_booking_atomic.customer_id,
                   customer_email, customer_phone, customer_name, create_booking_atomic.table_ids,
                   booking_date,
                   fd_night_instant(create_booking_atomic.venue_id, booking_date, start_time),
                   fd_night_instant(create_booking_atomic.venue_id, booking_date, end_time),
                   create_booking_atomic.party_size, create_booking_atomic.special_requests,
                   create_booking_atomic.occasion, stripe_payment_intent_id,
                   CASE WHEN nullif(current_setting('frontdesk.terminal', true), '') IS NULL
                        THEN 'web' ELSE 'phone' END,
                   'confirmed') AS b
$$;

-- The desk's booking, in instants (exact on clock-change nights), for a
-- customer the desk has already found or created.
CREATE FUNCTION desk_book(venue_id uuid, customer_id uuid, table_ids uuid[], night date,
                          starts_at timestamptz, ends_at timestamptz, party_size integer,
                          special_requests text DEFAULT NULL, occasion text DEFAULT NULL,
                          payment_ref text DEFAULT NULL, source text DEFAULT 'desk')
    RETURNS TABLE (success boolean, error_code text, error_message text,
                   booking_id uuid, booking_reference text, total_deposit numeric)
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT b.r_ok, b.r_code, b.r_message, b.r_booking_id, b.r_reference, b.r_deposit
      FROM fd_book(desk_book.venue_id, desk_book.customer_id, NULL, NULL, NULL, desk_book.table_ids,
                   desk_book.night, desk_book.starts_at, desk_book.ends_at, desk_book.party_size,
                   desk_book.special_requests, desk_book.occasion, desk_book.payment_ref,
                   desk_book.source, 'confirmed') AS b
$$;

-- A party at the door: seated now (to the minute) on the night in
-- progress, for the given minutes or the venue's usual length, cut at
-- closing time.  'Walk-in' parties share the venue's Walk-in customer;
-- a named party gets a customer of its own, without contact details.
CREATE FUNCTION walk_in(venue_id uuid, table_ids uuid[], party_size integer,
                        customer_name text DEFAULT 'Walk-in', minutes integer DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text,
                   booking_id uuid, booking_reference text)
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT b.r_ok, b.r_code, b.r_message, b.r_booking_id, b.r_reference
      FROM (SELECT current_night(walk_in.venue_id) AS night,
                   date_trunc('minute', now()) AS starts_at) AS n
      LEFT JOIN venues v ON v.id = walk_in.venue_id
     CROSS JOIN LATERAL fd_book(
                   walk_in.venue_id, NULL, NULL, NULL,
                   coalesce(nullif(btrim(walk_in.customer_name), ''), 'Walk-in'),
                   walk_in.table_ids, n.night, n.starts_at,
                   least(n.starts_at + make_interval(mins => coalesce(walk_in.minutes, v.default_booking_minutes)),
                         upper(fd_night_span(v.id, n.night))),
                   walk_in.party_size, NULL, NULL, NULL, 'walk_in', 'seated') AS b
$$;

-- Move, resize and re-table in one step, on the booking's night.  NULL
-- arguments keep what the booking has.  Cancelled, no-show and completed
-- bookings stay where they are (INVALID_TRANSITION).
CREATE FUNCTION move_booking(booking_id uuid, table_ids uuid[], starts_at timestamptz,
                             ends_at timestamptz, party_size integer DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    started timestamptz := clock_timestamp();
    m       record;
BEGIN
    m := fd_move_try($1, $2, $3, $4, $5);
    PERFORM fd_record_attempt(m.r_venue_id, 'move', m.r_ok, m.r_code, started);
    RETURN QUERY SELECT m.r_ok, m.r_code, m.r_message;
END
$$;

-- ---------------------------------------------------------------------------
-- Locks and availability (the seed's contract).

-- Whether this session holds the phone lock on a key (an advisory lock on
-- two int4 keys shows as classid, objid, objsubid = 2 in pg_locks).
CREATE FUNCTION fd_own_phone_lock(p_key integer) RETURNS boolean
    LANGUAGE sql VOLATILE
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()
                      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                      AND l.classid = 1 AND l.objid::bigint = (p_key::bigint & 4294967295)
                      AND l.objsubid = 2 AND l.mode = 'ExclusiveLock' AND l.granted)
$$;

-- "A desk is on the phone about this table tonight": bookings of the table
-- that night by anyone else answer TABLE_BEING_BOOKED at once.  Session
-- level on purpose (the call spans several transactions), so release it
-- with release_booking_lock; it also ends with the connection.  Behind a
-- transaction-pooling PgBouncer a session lock stays on a server connection
-- the desk no longer has: use holds (hold_tables) there.
-- start_time is accepted for the contract but unused: the lock covers the
-- whole (table, night), because a lock per start time (the seed's) lets two
-- overlapping bookings with different starts pass each other.
-- Taking it twice holds it once (one release frees it).
CREATE FUNCTION acquire_booking_lock(table_id uuid, booking_date date, start_time time)
    RETURNS boolean
    LANGUAGE sql VOLATILE
AS $$
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM venue_tables t WHERE t.id = acquire_booking_lock.table_id)
                     OR booking_date IS NULL THEN false
                WHEN fd_own_phone_lock(fd_lock_key(acquire_booking_lock.table_id, booking_date)) THEN true
                ELSE pg_try_advisory_lock(1, fd_lock_key(acquire_booking_lock.table_id, booking_date)) END
$$;

-- False when this session did not hold it.
CREATE FUNCTION release_booking_lock(table_id uuid, booking_date date, start_time time)
    RETURNS boolean
    LANGUAGE sql VOLATILE
AS $$
    SELECT CASE WHEN fd_own_phone_lock(fd_lock_key(release_booking_lock.table_id, booking_date))
                THEN pg_advisory_unlock(1, fd_lock_key(release_booking_lock.table_id, booking_date))
                ELSE false END
$$;

-- Free then: no active booking (other than exclude_booking_id) and no other
-- terminal's live hold overlaps.  False for an unknown table or a time
-- that ends before it starts under the night rule.  A snapshot, not a
-- promise: booking functions check again under the lock.
CREATE FUNCTION check_table_availability(table_id uuid, booking_date date, start_time time,
                                         end_time time, exclude_booking_id uuid DEFAULT NULL)
    RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce((
        SELECT CASE WHEN x.s < x.e
                    THEN (fd_availability_refusal(t.venue_id, ARRAY[t.id], tstzrange(x.s, x.e, '[)'),
                                                  check_table_availability.exclude_booking_id)).code IS NULL
                    ELSE false END
          FROM venue_tables t,
               LATERAL (SELECT fd_night_instant(t.venue_id, booking_date, start_time) AS s,
                               fd_night_instant(t.venue_id, booking_date, end_time) AS e) AS x
         WHERE t.id = check_table_availability.table_id AND t.is_active), false)
$$;

-- ---------------------------------------------------------------------------
-- Table suggestions.  Candidates: single free tables, and groups of two or
-- three free tables connected through table_joins, seating the party with
-- no table to spare (a group one of whose tables could go is never offered:
-- the smaller group is).  Free means no active booking and no other
-- terminal's live hold for the whole time.  Best first: fewest wasted seats,
-- then lowest minimum spend, then fewest tables.  Prices are the night's
-- (event factors applied).  No rows when nothing fits or the request could
-- not be booked at all (closed, past, outside hours, party size).

CREATE FUNCTION desk_suggestions(venue_id uuid, night date, starts_at timestamptz,
                                 ends_at timestamptz, party_size integer)
    RETURNS TABLE (combination_id integer, table_ids uuid[], table_names text[],
                   total_capacity integer, total_min_spend numeric, total_deposit numeric,
                   is_optimal boolean, combination_type text, includes_premium boolean)
    LANGUAGE sql STABLE
AS $$
    WITH req AS (
        SELECT desk_suggestions.venue_id AS vid, desk_suggestions.night AS nid,
               tstzrange(desk_suggestions.starts_at, desk_suggestions.ends_at, '[)') AS period,
               desk_suggestions.party_size AS party,
               coalesce(n.min_spend_factor, 1) AS spend_factor, coalesce(n.deposit_factor, 1) AS deposit_factor
          FROM (SELECT 1) AS one
          LEFT JOIN nights n ON n.venue_id = desk_suggestions.venue_id AND n.night = desk_suggestions.night
         WHERE (fd_booking_refusal(desk_suggestions.venue_id, desk_suggestions.night,
                                   desk_suggestions.starts_at, desk_suggestions.ends_at,
                                   desk_suggestions.party_size)).code IS NULL
    ),
    free AS (
        SELECT t.* FROM req, venue_tables t
         WHERE t.venue_id = req.vid AND t.is_active
           AND (fd_availability_refusal(req.vid, ARRAY[t.id], req.period, NULL)).code IS NULL
    ),
    edges AS (  -- joins between free tables, both ways round
        SELECT j.table_a AS a, j.table_b AS b FROM req, table_joins j
         WHERE j.venue_id = req.vid AND j.table_a IN (SELECT id FROM free) AND j.table_b IN (SELECT id FROM free)
        UNION ALL
        SELECT j.table_b, j.table_a FROM req, table_joins j
         WHERE j.venue_id = req.vid AND j.table_a IN (SELECT id FROM free) AND j.table_b IN (SELECT id FROM free)
    ),
    groups AS (
        SELECT ARRAY[f.id] AS ids FROM free f
        UNION
        SELECT ARRAY[e.a, e.b] FROM edges e WHERE e.a < e.b
        UNION  -- three tables: two joins meeting at a middle table (dedups triangles)
        SELECT ARRAY(SELECT x FROM unnest(ARRAY[e1.b, e1.a, e2.b]) AS x ORDER BY x)
          FROM edges e1 JOIN edges e2 ON e2.a = e1.a AND e1.b < e2.b
    ),
    priced AS (
        SELECT array_agg(f.id ORDER BY f.grid_order, f.name) AS ids,
               array_agg(f.name ORDER BY f.grid_order, f.name) AS names,
               sum(f.capacity)::integer AS seats,
               min(f.capacity) AS smallest,
               round(sum(f.min_spend) * max(req.spend_factor), 2) AS min_spend,
               round(sum(f.deposit) * max(req.deposit_factor), 2) AS deposit,
               bool_or(f.is_premium) AS premium,
               count(*) AS n,
               min(f.grid_order) AS first_order
          FROM groups g CROSS JOIN req
          JOIN free f ON f.id = ANY (g.ids)
         GROUP BY g.ids
    ),
    ranked AS (
        SELECT p.*, row_number() OVER (ORDER BY p.seats - req.party, p.min_spend, p.n, p.first_order,
                                                p.ids::text) AS rank
          FROM priced p, req
         WHERE p.seats >= req.party AND (p.n = 1 OR p.seats - p.smallest < req.party)
    )
    SELECT rank::integer, ids, names, seats, min_spend, deposit, rank = 1,
           CASE WHEN n = 1 THEN 'single' ELSE 'combination' END, premium
      FROM ranked
     WHERE rank <= 10
     ORDER BY rank
$$;

-- The seed's suggestions, in local times under the night rule.
CREATE FUNCTION get_optimal_table_combinations(venue_id uuid, booking_date date, start_time time,
                                               end_time time, party_size integer)
    RETURNS TABLE (combination_id integer, table_ids uuid[], table_names text[],
                   total_capacity integer, total_min_spend numeric, total_deposit numeric,
                   is_optimal boolean, combination_type text, includes_premium boolean)
    LANGUAGE sql STABLE
AS $$
    SELECT s.*
      FROM desk_suggestions(get_optimal_table_combinations.venue_id, booking_date,
                            fd_night_instant(get_optimal_table_combinations.venue_id, booking_date, start_time),
                            fd_night_instant(get_optimal_table_combinations.venue_id, booking_date, end_time),
                            get_optimal_table_combinations.party_size) AS s
$$;
