-- Money on the night: spend recorded against a booking's minimum (by hand
-- at the desk, record_spend, or from the till's export, pos_match and
-- import_pos_spend), and the deposit's status (set_deposit_status, and the
-- venue's policy applied on a no-show or a cancellation, whoever writes it).
--
-- Spend is one row per amount in booking_spend (0010): the total is their
-- sum, a correction is a negative row (a manager's) and nothing is
-- overwritten.  Every row is audited and goes out on the change feed with
-- its booking (73_money_trail.sql), so every desk's grid repaints.  Money
-- stays numeric; an amount is refused (never raised on) when it is NULL,
-- NaN, infinite, zero, has more than two decimals or is absurd for one entry.

-- The largest amount one entry may be, either way.
CREATE OR REPLACE FUNCTION private.fd_spend_limit() RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 100000;

-- Why an amount cannot be recorded, or NULL.
CREATE OR REPLACE FUNCTION private.fd_spend_refusal(p_amount numeric) RETURNS private.fd_refusal
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF p_amount IS NULL OR p_amount = 'NaN'::numeric
       OR p_amount IN ('Infinity'::numeric, '-Infinity'::numeric) THEN
        RETURN private.fd_refuse('SPEND_INVALID', 'Type an amount, such as 45.50.');
    ELSIF p_amount = 0 THEN
        RETURN private.fd_refuse('SPEND_ZERO', 'An amount of zero adds nothing: type the amount spent.');
    ELSIF abs(p_amount) > private.fd_spend_limit() THEN
        RETURN private.fd_refuse('SPEND_TOO_LARGE',
            format('One entry is at most %s: check the amount, or record it in parts.',
                   to_char(private.fd_spend_limit(), 'FM999,999,999')));
    ELSIF scale(p_amount) > 2 AND p_amount <> round(p_amount, 2) THEN
        RETURN private.fd_refuse('SPEND_INVALID', 'An amount has at most two decimals (pence).');
    END IF;
    RETURN NULL;
END
$$;

-- What a booking has spent so far (0 when nothing is recorded).
CREATE OR REPLACE FUNCTION private.fd_spend_total(p_booking_id uuid) RETURNS numeric
    LANGUAGE sql STABLE
    RETURN (SELECT coalesce(sum(s.amount), 0)::numeric(12, 2)
              FROM public.booking_spend s WHERE s.booking_id = p_booking_id);

-- Why spend cannot be recorded against this booking (its status), or NULL.
CREATE OR REPLACE FUNCTION private.fd_spend_booking_refusal(b public.bookings)
    RETURNS private.fd_refusal
    LANGUAGE sql STABLE
    RETURN CASE WHEN NOT private.fd_status_holds_table(b.status)
                THEN private.fd_refuse('BOOKING_NOT_ACTIVE',
                         format('Booking %s is %s: no spend can be recorded against it.',
                                b.reference, private.fd_status_words(b.status))) END;

-- Spend against a booking: a host records what was spent (positive); a
-- manager may also correct it (negative), never below nothing in all.
-- Refusals, with nothing written: NOT_SIGNED_IN, NOT_ALLOWED (a correction
-- by a host), UNKNOWN_BOOKING, BOOKING_NOT_ACTIVE (cancelled or no-show),
-- SPEND_INVALID (no amount, NaN, infinite, more than two decimals),
-- SPEND_ZERO, SPEND_TOO_LARGE (over 100,000 in one entry),
-- SPEND_BELOW_ZERO (a correction larger than the total), INVALID_INPUT (a
-- note over 500 characters), BUSY (the booking is being changed elsewhere
-- for over 2 s).  spend_total: the booking's total afterwards (before, on
-- a refusal past the checks of who and which booking).
CREATE OR REPLACE FUNCTION public.record_spend(booking_id uuid, amount numeric,
                                               note text DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text, spend_total numeric)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    p_booking ALIAS FOR $1;
    p_amount  ALIAS FOR $2;
    p_note    text := nullif(btrim($3), '');
    b         bookings%ROWTYPE;
    gate      private.fd_refusal;
    refusal   private.fd_refusal;
    total     numeric;
BEGIN
    SELECT * INTO b FROM bookings x WHERE x.id = p_booking;
    gate := private.fd_require_session(b.venue_id, false);
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, NULL::numeric;
        RETURN;
    END IF;
    IF b.id IS NULL THEN
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::numeric;
        RETURN;
    END IF;
    refusal := private.fd_spend_refusal(p_amount);
    IF refusal.code IS NULL AND p_amount < 0 THEN
        refusal := private.fd_require_session(b.venue_id, true);
        IF refusal.code IS NOT NULL THEN
            refusal := private.fd_refuse(refusal.code,
                'Only a manager may correct spend (a negative amount); ' || refusal.message);
        END IF;
    END IF;
    IF refusal.code IS NULL AND char_length(p_note) > 500 THEN
        refusal := private.fd_refuse('INVALID_INPUT', 'A note is at most 500 characters.');
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, private.fd_spend_total(b.id);
        RETURN;
    END IF;

    BEGIN
        -- One writer of a booking's spend at a time: a correction checks
        -- the total it will leave against rows nobody else is adding.
        SELECT * INTO b FROM bookings x WHERE x.id = p_booking FOR UPDATE;
    EXCEPTION WHEN lock_not_available THEN
        RETURN QUERY SELECT false, 'BUSY',
            format('Booking %s is being changed at another desk; try again in a moment.',
                   b.reference),
            private.fd_spend_total(b.id);
        RETURN;
    END;
    IF b.id IS NULL THEN  -- deleted meanwhile
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::numeric;
        RETURN;
    END IF;
    total := private.fd_spend_total(b.id);
    refusal := private.fd_spend_booking_refusal(b);
    IF refusal.code IS NULL AND total + p_amount < 0 THEN
        refusal := private.fd_refuse('SPEND_BELOW_ZERO',
            format('Booking %s has %s recorded: a correction can take off at most that.',
                   b.reference, to_char(total, 'FM999,999,990.00')));
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, total;
        RETURN;
    END IF;
    INSERT INTO booking_spend (venue_id, booking_id, amount, note, source, staff_id, terminal)
    VALUES (b.venue_id, b.id, round(p_amount, 2), p_note, 'desk',
            private.fd_current_staff_id(), private.fd_current_terminal());
    RETURN QUERY SELECT true, NULL::text, NULL::text, (total + round(p_amount, 2))::numeric(12, 2);
END
$$;

-- ---------------------------------------------------------------------------
-- Deposits.  A booking's deposit is none (its tables ask none), due, paid
-- (with its reference), refunded or forfeited.  A host may mark a due
-- deposit paid; everything else (refund, forfeit, undoing a payment or a
-- refund) is a manager's.

CREATE OR REPLACE FUNCTION private.fd_deposit_words(p_status text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE p_status WHEN 'none' THEN 'no deposit' WHEN 'due' THEN 'due'
                         WHEN 'paid' THEN 'paid' WHEN 'refunded' THEN 'refunded'
                         WHEN 'forfeited' THEN 'forfeited' ELSE p_status END;

-- Refusals, with nothing written: NOT_SIGNED_IN, NOT_ALLOWED (a host
-- doing a manager's change), UNKNOWN_BOOKING, DEPOSIT_INVALID (no such
-- status; 'none' is the tables', not a desk's), NO_DEPOSIT (the booking
-- asks none), DEPOSIT_UNCHANGED, DEPOSIT_NOT_PAID (refund or forfeit of a
-- deposit never paid), DEPOSIT_REFERENCE (paid without a payment
-- reference, or one over 200 characters), BUSY.  deposit_status: the
-- status afterwards (as it was, on a refusal).
CREATE OR REPLACE FUNCTION public.set_deposit_status(booking_id uuid, status text,
                                                     reference text DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text, deposit_status text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    p_booking ALIAS FOR $1;
    p_status  ALIAS FOR $2;
    p_ref     text := nullif(btrim($3), '');
    b         bookings%ROWTYPE;
    gate      private.fd_refusal;
    refusal   private.fd_refusal;
    new_ref   text;
BEGIN
    SELECT * INTO b FROM bookings x WHERE x.id = p_booking;
    gate := private.fd_require_session(b.venue_id, false);
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, NULL::text;
        RETURN;
    END IF;
    IF b.id IS NULL THEN
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::text;
        RETURN;
    END IF;
    BEGIN
        SELECT * INTO b FROM bookings x WHERE x.id = p_booking FOR UPDATE;
    EXCEPTION WHEN lock_not_available THEN
        RETURN QUERY SELECT false, 'BUSY',
            format('Booking %s is being changed at another desk; try again in a moment.',
                   b.reference), b.deposit_status;
        RETURN;
    END;
    IF b.id IS NULL THEN
        RETURN QUERY SELECT false, 'UNKNOWN_BOOKING', 'There is no such booking.', NULL::text;
        RETURN;
    END IF;
    new_ref := CASE WHEN p_status = 'due' THEN NULL ELSE coalesce(p_ref, b.deposit_reference) END;
    refusal := CASE
        WHEN p_status IS NULL OR p_status NOT IN ('due', 'paid', 'refunded', 'forfeited') THEN
            private.fd_refuse('DEPOSIT_INVALID',
                format('A deposit is due, paid, refunded or forfeited, not "%s".',
                       left(coalesce(p_status, ''), 30)))
        WHEN b.deposit_status = 'none' OR b.total_deposit = 0 THEN
            private.fd_refuse('NO_DEPOSIT', format('Booking %s has no deposit.', b.reference))
        WHEN b.deposit_status = p_status AND new_ref IS NOT DISTINCT FROM b.deposit_reference THEN
            private.fd_refuse('DEPOSIT_UNCHANGED',
                format('Booking %s''s deposit is already %s.', b.reference,
                       private.fd_deposit_words(p_status)))
        WHEN p_status IN ('refunded', 'forfeited') AND b.deposit_status NOT IN ('paid', 'refunded',
                                                                                'forfeited') THEN
            private.fd_refuse('DEPOSIT_NOT_PAID',
                format('Booking %s''s deposit was never paid: it cannot be %s.', b.reference,
                       private.fd_deposit_words(p_status)))
        WHEN p_status = 'paid' AND new_ref IS NULL THEN
            private.fd_refuse('DEPOSIT_REFERENCE',
                'Type the payment''s reference (the card receipt or payment id).')
        WHEN char_length(new_ref) > 200 THEN
            private.fd_refuse('DEPOSIT_REFERENCE', 'A payment reference is at most 200 characters.')
        END;
    -- A host takes a payment; anything else is a manager's.
    IF refusal.code IS NULL AND NOT (b.deposit_status = 'due' AND p_status = 'paid') THEN
        refusal := private.fd_require_session(b.venue_id, true);
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, b.deposit_status;
        RETURN;
    END IF;
    UPDATE bookings x
       SET deposit_status = p_status, deposit_reference = new_ref, deposit_changed_at = now(),
           updated_at = now()
     WHERE x.id = b.id;
    RETURN QUERY SELECT true, NULL::text, NULL::text, p_status;
END
$$;

-- The venue's policy, applied by the engine whoever changes the status
-- (the desk, a revert, a manager's psql): a paid deposit of a booking that
-- becomes a no-show follows no_show_deposit; of one cancelled at least
-- free_cancel_hours before its start (by the engine's clock) is refunded,
-- later follows late_cancel_deposit ('manual' leaves it paid for a manager
-- to decide).  A cancellation or no-show put back (revert_status) puts back
-- the deposit the policy changed with it: the one whose change is the same
-- transaction's as the booking's last status change.  Only on a change of
-- status (BEFORE UPDATE OF status, with its WHEN): inserts pay nothing.
CREATE OR REPLACE FUNCTION private.fd_deposit_policy() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    v    public.venues%ROWTYPE;
    rule text;
BEGIN
    IF NEW.status IN ('cancelled', 'no_show') AND OLD.deposit_status = 'paid'
       AND NEW.deposit_status = 'paid' THEN
        SELECT * INTO v FROM public.venues x WHERE x.id = NEW.venue_id;
        rule := CASE WHEN NEW.status = 'no_show' THEN v.no_show_deposit
                     WHEN private.fd_now() <= NEW.starts_at
                                              - make_interval(hours => v.free_cancel_hours)
                     THEN 'refund'
                     ELSE v.late_cancel_deposit END;
        IF rule IN ('refund', 'forfeit') THEN
            NEW.deposit_status := CASE rule WHEN 'refund' THEN 'refunded' ELSE 'forfeited' END;
            NEW.deposit_changed_at := now();
        END IF;
    ELSIF OLD.status IN ('cancelled', 'no_show') AND NEW.status NOT IN ('cancelled', 'no_show')
          AND OLD.deposit_status IN ('refunded', 'forfeited')
          AND NEW.deposit_status = OLD.deposit_status
          AND OLD.deposit_changed_at = (SELECT c.changed_at
                                          FROM private.fd_last_status_change(OLD.id) c) THEN
        NEW.deposit_status := 'paid';
        NEW.deposit_changed_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER bookings_deposit_policy
    BEFORE UPDATE OF status ON public.bookings
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          AND ((NEW.status IN ('cancelled', 'no_show') AND OLD.deposit_status = 'paid')
               OR (OLD.status IN ('cancelled', 'no_show')
                   AND OLD.deposit_status IN ('refunded', 'forfeited'))))
    EXECUTE FUNCTION private.fd_deposit_policy();

-- ---------------------------------------------------------------------------
-- The till's export (frontdesk/pos_import.py reads the file).  Rows arrive
-- as a JSON array of objects: line (its line in the file), reference or
-- table, time ("23:15", on the night under the night rule) or at (an
-- instant), amount (a string of digits) and key (the row's identity in the
-- file, so that one file imported twice adds nothing).  Each row is matched
-- to a booking of the night: by its reference, else by the table and a time
-- inside a booking's period on it (cancelled and no-show bookings hold no
-- table).  Never raises for what a row holds.

-- Text as an amount, or NULL when it is not one.
CREATE OR REPLACE FUNCTION private.fd_try_amount(p_text text) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN btrim(p_text) ~ '^-?[0-9]{1,12}(\.[0-9]{1,12})?$' THEN btrim(p_text)::numeric END;

-- A row's instant: its own (at), or its time on the night; NULL when
-- neither reads.
CREATE OR REPLACE FUNCTION private.fd_pos_instant(p_venue_id uuid, p_night date, p_at text,
                                                  p_time text)
    RETURNS timestamptz
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v timestamptz;
BEGIN
    IF p_at IS NOT NULL AND char_length(p_at) <= 40 THEN
        v := p_at::timestamptz;
    ELSIF btrim(p_time) ~ '^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$' THEN
        v := private.fd_night_instant(p_venue_id, p_night, btrim(p_time)::time);
    END IF;
    -- 'infinity' or a year past 9999 is no till's time, and no client can
    -- read it back (Python's datetime stops at 9999).
    IF NOT isfinite(v) OR v < '1900-01-01 00:00+00' OR v >= '9999-01-01 00:00+00' THEN
        RETURN NULL;
    END IF;
    RETURN v;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;

-- The key a till's row is kept under: the file's key (its reference or
-- table, time, amount and which of several identical rows it is), bound to
-- what the engine matched it to (the booking, the amount and the instant).
-- The file's key alone is the client's word: a made-up row (a penny on
-- another booking) imported under the key a real row will have would
-- otherwise make that row "already imported" and hide its spend.
CREATE OR REPLACE FUNCTION private.fd_pos_stored_key(p_key text, p_booking_id uuid,
                                                     p_amount numeric, p_at timestamptz)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p_key || '#' || md5(concat_ws('|', p_booking_id, round(p_amount, 2),
                                         extract(epoch FROM p_at)));

-- Each row's match, or why it has none (reason_code, reason), and whether
-- it was imported already (its key is known).  A desk's session of the
-- venue is asked first (raises 42501 through fd_check_reader: it names
-- guests).  At most 5,000 rows.
CREATE OR REPLACE FUNCTION public.pos_match(venue_id uuid, night date, rows json)
    RETURNS TABLE (line integer, booking_id uuid, reference text, customer_name text,
                   table_names text, amount numeric, spent_at timestamptz, pos_key text,
                   reason_code text, reason text, already boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    p_night ALIAS FOR $2;
    p_rows  ALIAS FOR $3;
BEGIN
    PERFORM private.fd_check_reader(p_venue, false);
    IF p_rows IS NULL OR json_typeof(p_rows) <> 'array' OR json_array_length(p_rows) > 5000 THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH raw AS (
        SELECT o.n::integer AS n, o.r
          FROM json_array_elements(p_rows) WITH ORDINALITY AS o (r, n)
    ), given AS (
        SELECT coalesce(CASE WHEN r ->> 'line' ~ '^[0-9]{1,9}$' THEN (r ->> 'line')::integer END,
                        n) AS line,
               nullif(upper(btrim(left(r ->> 'reference', 100))), '') AS ref,
               nullif(btrim(left(r ->> 'table', 100)), '') AS tbl,
               private.fd_try_amount(left(r ->> 'amount', 40)) AS amt,
               private.fd_pos_instant(p_venue, p_night, r ->> 'at', left(r ->> 'time', 20)) AS at_,
               nullif(left(r ->> 'key', 300), '') AS key_
          FROM raw
         WHERE json_typeof(r) = 'object'
    ), matched AS (
        SELECT g.*,
               (SELECT t.id FROM venue_tables t
                 WHERE t.venue_id = p_venue AND lower(t.name) = lower(g.tbl) LIMIT 1) AS table_id,
               coalesce(
                   (SELECT b.id FROM bookings b
                     WHERE g.ref IS NOT NULL AND b.venue_id = p_venue AND b.reference = g.ref
                       AND b.night = p_night),
                   (SELECT bt.booking_id FROM booking_tables bt JOIN venue_tables t ON t.id = bt.table_id
                     WHERE g.ref IS NULL AND g.at_ IS NOT NULL AND bt.venue_id = p_venue
                       AND bt.night = p_night AND bt.is_active AND lower(t.name) = lower(g.tbl)
                       AND bt.period @> g.at_
                     LIMIT 1)) AS bid
          FROM given g
    )
    SELECT m.line, b.id, b.reference, c.name,
           (SELECT string_agg(t.name, ' + ' ORDER BY t.grid_order, t.name)
              FROM booking_tables bt JOIN venue_tables t ON t.id = bt.table_id
             WHERE bt.booking_id = b.id),
           m.amt, m.at_, m.key_, x.code, x.message,
           m.key_ IS NOT NULL AND b.id IS NOT NULL
           AND EXISTS (SELECT 1 FROM booking_spend s
                        WHERE s.venue_id = p_venue
                          AND (s.pos_key = private.fd_pos_stored_key(m.key_, b.id, m.amt, m.at_)
                               -- kept under the file's key alone (before the binding)
                               OR (s.pos_key = m.key_ AND s.booking_id = b.id
                                   AND s.amount = m.amt)))
      FROM matched m
      LEFT JOIN bookings b ON b.id = m.bid
      LEFT JOIN customers c ON c.venue_id = b.venue_id AND c.id = b.customer_id
     CROSS JOIN LATERAL (
        SELECT (r).code, (r).message
          FROM (SELECT CASE
              WHEN m.amt IS NULL THEN
                  private.fd_refuse('SPEND_INVALID', 'The amount is not a number.')
              WHEN m.amt < 0 THEN
                  private.fd_refuse('SPEND_NEGATIVE',
                      'A refund on the till: a manager corrects the booking''s spend by hand.')
              WHEN private.fd_spend_refusal(m.amt) IS NOT NULL THEN private.fd_spend_refusal(m.amt)
              WHEN m.ref IS NULL AND m.tbl IS NULL THEN
                  private.fd_refuse('NO_REFERENCE', 'The row has no booking reference or table.')
              WHEN m.ref IS NOT NULL AND b.id IS NULL THEN
                  CASE WHEN EXISTS (SELECT 1 FROM bookings o
                                     WHERE o.venue_id = p_venue AND o.reference = m.ref)
                       THEN private.fd_refuse('OTHER_NIGHT',
                                format('Booking %s is on another night.', m.ref))
                       ELSE private.fd_refuse('UNKNOWN_REFERENCE',
                                format('There is no booking %s.', m.ref)) END
              WHEN m.ref IS NULL AND m.table_id IS NULL THEN
                  private.fd_refuse('UNKNOWN_TABLE', format('There is no table called %s.', m.tbl))
              WHEN m.ref IS NULL AND m.at_ IS NULL THEN
                  private.fd_refuse('NO_TIME', 'The row''s time does not read as a time.')
              WHEN b.id IS NULL THEN
                  private.fd_refuse('NO_BOOKING_THEN',
                      format('No booking was on %s at %s.', m.tbl,
                             to_char(m.at_ AT TIME ZONE (SELECT v.time_zone FROM venues v
                                                          WHERE v.id = p_venue), 'HH24:MI')))
              WHEN NOT private.fd_status_holds_table(b.status) THEN
                  private.fd_refuse('BOOKING_NOT_ACTIVE',
                      format('Booking %s is %s.', b.reference, private.fd_status_words(b.status)))
              WHEN m.key_ IS NULL THEN
                  private.fd_refuse('NO_KEY', 'The row has no key: import it from its file.')
              END AS r) AS y) AS x (code, message)
     ORDER BY m.line;
END
$$;

-- Imports the matched rows of a till's export as spend (source 'pos', the
-- till's time, its key bound to its match, fd_pos_stored_key): a row
-- already imported (its key known for that booking and amount) adds
-- nothing.  A desk's session (a host may).  imported: rows added now;
-- already: matched rows imported before; unmatched: rows without a match.
CREATE OR REPLACE FUNCTION public.import_pos_spend(venue_id uuid, night date, rows json)
    RETURNS TABLE (success boolean, error_code text, error_message text, imported integer,
                   already integer, unmatched integer)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    p_night ALIAS FOR $2;
    p_rows  ALIAS FOR $3;
    gate    private.fd_refusal := private.fd_require_session($1, false);
    n_new   integer;
    n_old   integer;
    n_bad   integer;
BEGIN
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, 0, 0, 0;
        RETURN;
    END IF;
    IF p_rows IS NULL OR json_typeof(p_rows) <> 'array' THEN
        RETURN QUERY SELECT false, 'POS_INVALID', 'The till''s rows did not arrive as a list.', 0,
            0, 0;
        RETURN;
    END IF;
    IF json_array_length(p_rows) > 5000 THEN
        RETURN QUERY SELECT false, 'POS_TOO_MANY',
            'A till export is at most 5,000 rows: split the file.', 0, 0, 0;
        RETURN;
    END IF;
    WITH m AS (SELECT * FROM pos_match(p_venue, p_night, p_rows)),
    ins AS (
        INSERT INTO booking_spend (venue_id, booking_id, amount, note, source, pos_key, spent_at,
                                   staff_id, terminal)
        SELECT p_venue, m.booking_id, m.amount, 'Till', 'pos',
               private.fd_pos_stored_key(m.pos_key, m.booking_id, m.amount, m.spent_at),
               m.spent_at,
               private.fd_current_staff_id(), private.fd_current_terminal()
          FROM m
         WHERE m.reason_code IS NULL AND NOT m.already
        ON CONFLICT ON CONSTRAINT booking_spend_pos_once DO NOTHING
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM ins)::integer,
           (SELECT count(*) FROM m WHERE m.reason_code IS NULL AND m.already)::integer,
           (SELECT count(*) FROM m WHERE m.reason_code IS NOT NULL)::integer
      INTO n_new, n_old, n_bad;
    RETURN QUERY SELECT true, NULL::text, NULL::text, n_new, n_old, n_bad;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY', 'Spend is being imported at another desk; try again.', 0,
        0, 0;
END
$$;

-- A payment reference written onto a booking whose deposit is due (the
-- booking's details changed at the desk, update_booking_details) pays it,
-- with that reference: the run sheet never says "due" beside a payment.
CREATE OR REPLACE FUNCTION private.fd_deposit_payment() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.deposit_status := 'paid';
    NEW.deposit_reference := btrim(NEW.stripe_payment_intent_id);
    NEW.deposit_changed_at := now();
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER bookings_deposit_payment
    BEFORE UPDATE OF stripe_payment_intent_id ON public.bookings
    FOR EACH ROW
    WHEN (OLD.stripe_payment_intent_id IS DISTINCT FROM NEW.stripe_payment_intent_id
          AND OLD.deposit_status = 'due' AND NEW.deposit_status = 'due'
          AND NEW.total_deposit > 0
          AND nullif(btrim(NEW.stripe_payment_intent_id), '') IS NOT NULL)
    EXECUTE FUNCTION private.fd_deposit_payment();
