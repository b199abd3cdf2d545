-- Guests' rights (UK GDPR): a guest's data for them (articles 15 and 20),
-- and erasing a guest (article 17).  A manager does both, at the desk
-- (export_guest, erase_guest) or from the command line as the owner
-- (`frontdesk guest export|erase`, which calls the private helpers).
--
-- Where a guest's personal data lives (read off sql/migrations and
-- sql/engine): the customer's row (name, phone, email, date of birth,
-- notes); their tags (customer_tags: VIP, banned... 64_guests.sql); their
-- bookings' free text (special requests, occasion); and the audit's copies
-- of those rows (audit_logs.old_values / new_values), a ban's override
-- (its reason) among them.  Their history (visits, no-shows, spend) is
-- computed from their bookings, not kept.  Nothing else keeps any: the
-- change feed, booking attempts, holds, phone locks and sessions hold ids,
-- tables, times and terminals only.  Two more places hold words about
-- them: the door's waitlist (a name, a phone and notes typed at the door,
-- not tied to a customer: the guest's entries are those with their phone,
-- or seated as a booking of theirs) and the notes typed with spend at the
-- desk (booking_spend.note, 62_money.sql); the export holds both (with the
-- spend's amounts), erasing clears both, and their audit copies.
--
-- Erasing keeps what the venue must keep and what says nothing about the
-- person: the customer's id (their bookings still point at it), their
-- bookings' reference, night, times, party, status, source, tables, deposit,
-- minimum spend and payment reference (the venue's accounts), and the audit's
-- record of who changed what and when.

-- What an erased guest is called.
CREATE OR REPLACE FUNCTION private.fd_erased_name() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'Erased guest';

-- The personal fields of a customer's row, and of a booking's.
CREATE OR REPLACE FUNCTION private.fd_customer_personal_fields() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['name', 'phone', 'email', 'date_of_birth', 'notes', 'reason', 'tags'];

-- A guest's tag row's: which tag (the venue's list says what it is).
CREATE OR REPLACE FUNCTION private.fd_tag_personal_fields() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['tag_id'];

CREATE OR REPLACE FUNCTION private.fd_booking_personal_fields() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['special_requests', 'occasion'];

-- A row's JSON copy (an audit entry's old or new values) with the personal
-- fields it has cleared: null, and the name 'Erased guest'.  Anything that
-- is not an object comes back as it is.
CREATE OR REPLACE FUNCTION private.fd_scrubbed(p_values jsonb, p_fields text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(p_values) = 'object'
                THEN p_values || coalesce(
                         jsonb_object_agg(f, CASE WHEN f = 'name'
                                                  THEN to_jsonb(private.fd_erased_name())
                                                  ELSE 'null'::jsonb END),
                         '{}'::jsonb)
                ELSE p_values END
      FROM unnest(p_fields) AS f
     WHERE p_values ? f
$$;

-- Is this copy of a booking's row (audit values) one of this guest's?  A
-- booking moved to another guest keeps the versions that were theirs.
CREATE OR REPLACE FUNCTION private.fd_is_guests(p_values jsonb, p_customer_id uuid)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(p_values ->> 'customer_id' = p_customer_id::text, false);

-- The guest's bookings: those that are theirs now, and any the audit shows
-- were theirs once (deleted, or moved to another guest).  The audit part
-- reads the venue's booking entries: an erasure is rare.
CREATE OR REPLACE FUNCTION private.fd_guest_booking_ids(p_venue_id uuid, p_customer_id uuid)
    RETURNS SETOF uuid
    LANGUAGE sql STABLE
AS $$
    SELECT b.id FROM public.bookings b
     WHERE b.venue_id = p_venue_id AND b.customer_id = p_customer_id
    UNION
    SELECT a.record_id FROM public.audit_logs a
     WHERE a.venue_id = p_venue_id AND a.table_name = 'bookings'
       AND (private.fd_is_guests(a.old_values, p_customer_id)
            OR private.fd_is_guests(a.new_values, p_customer_id))
$$;

-- The audit entries about the guest: their customer row's (the erasure's
-- own entry and a ban's overrides included), their tags', their bookings'
-- versions that were theirs, and those bookings' tables.
CREATE OR REPLACE FUNCTION private.fd_guest_audit_ids(p_venue_id uuid, p_customer_id uuid)
    RETURNS SETOF bigint
    LANGUAGE sql STABLE
AS $$
    SELECT a.id FROM public.audit_logs a
     WHERE a.record_id = p_customer_id AND a.venue_id = p_venue_id
       AND a.table_name IN ('customers', 'customer_tags')
    UNION ALL
    SELECT a.id FROM public.audit_logs a
     WHERE a.record_id IN (SELECT private.fd_guest_booking_ids(p_venue_id, p_customer_id))
       AND a.venue_id = p_venue_id
       AND (a.table_name = 'booking_tables'
            OR (a.table_name = 'bookings'
                AND (private.fd_is_guests(a.old_values, p_customer_id)
                     OR private.fd_is_guests(a.new_values, p_customer_id))))
$$;

-- ---------------------------------------------------------------------------
-- Export: everything held about one guest, as one JSON object, or NULL when
-- the venue has no such customer.
--   {generated_at, venue: {id, name, time_zone, currency},
--    profile: {id, name, phone, email, date_of_birth, notes, created_at,
--              updated_at, erased_at},
--    tags: [{id, name, kind, is_active, added_at}],
--    history: {visits, no_shows, cancellations, bookings, last_visit, spend},
--    bookings: [{id, reference, night, starts_at, ends_at, party_size,
--                status, source, tables, table_ids, deposit, min_spend,
--                payment_ref, special_requests, occasion, created_at,
--                updated_at}],
--    waitlist: [{id, night, name, phone, party_size, quoted_minutes, notes,
--                state, added_at, ended_at, booking_id}],
--    spend: [{id, booking_id, amount, note, source, spent_at, created_at}],
--    audit: [{id, changed_at, table_name, operation, record_id, staff_name,
--             terminal, old_values, new_values}]}
-- The waitlist entries are the ones erasure clears: the guest's phone typed
-- at the door, or an entry seated as a booking of theirs.  Instants in the
-- venue's offset (the TimeZone is the venue's only inside the call), money
-- as strings, bookings by start, entries and spend as added, audit oldest
-- first.
CREATE OR REPLACE FUNCTION private.fd_guest_export(p_venue_id uuid, p_customer_id uuid)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM set_config('TimeZone', v.time_zone, true)
       FROM public.venues v WHERE v.id = p_venue_id;
    RETURN (
    SELECT jsonb_build_object(
        'generated_at', private.fd_now(),
        'venue', jsonb_build_object('id', v.id, 'name', v.name, 'time_zone', v.time_zone,
                                    'currency', v.currency),
        'profile', jsonb_build_object(
            'id', c.id, 'name', c.name, 'phone', c.phone, 'email', c.email,
            'date_of_birth', c.date_of_birth, 'notes', c.notes, 'created_at', c.created_at,
            'updated_at', c.updated_at, 'erased_at', c.erased_at),
        'tags', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', g.id, 'name', g.name, 'kind', g.kind,
                                                'is_active', g.is_active,
                                                'added_at', ct.added_at)
                             ORDER BY g.sort_order, lower(g.name))
              FROM public.customer_tags ct
              JOIN public.guest_tags g ON g.venue_id = ct.venue_id AND g.id = ct.tag_id
             WHERE ct.venue_id = c.venue_id AND ct.customer_id = c.id), '[]'::jsonb),
        'history', private.fd_guest_history(c.venue_id, c.id),
        'bookings', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', b.id, 'reference', b.reference, 'night', b.night,
                       'starts_at', b.starts_at, 'ends_at', b.ends_at,
                       'party_size', b.party_size, 'status', b.status, 'source', b.source,
                       'tables', coalesce(t.names, '{}'), 'table_ids', coalesce(t.ids, '{}'),
                       'deposit', b.total_deposit::text, 'min_spend', b.total_min_spend::text,
                       'payment_ref', b.stripe_payment_intent_id,
                       'special_requests', b.special_requests, 'occasion', b.occasion,
                       'created_at', b.created_at, 'updated_at', b.updated_at)
                       ORDER BY b.starts_at, b.reference)
              FROM public.bookings b
              LEFT JOIN LATERAL (
                  SELECT array_agg(vt.name ORDER BY vt.grid_order, vt.name) AS names,
                         array_agg(vt.id ORDER BY vt.grid_order, vt.name) AS ids
                    FROM public.booking_tables bt
                    JOIN public.venue_tables vt ON vt.id = bt.table_id
                   WHERE bt.booking_id = b.id) AS t ON true
             WHERE b.venue_id = c.venue_id AND b.customer_id = c.id), '[]'::jsonb),
        'waitlist', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', w.id, 'night', w.night, 'name', w.name, 'phone', w.phone,
                       'party_size', w.party_size, 'quoted_minutes', w.quoted_minutes,
                       'notes', w.notes, 'state', w.state, 'added_at', w.added_at,
                       'ended_at', w.ended_at, 'booking_id', w.booking_id)
                       ORDER BY w.added_at, w.id)
              FROM public.waitlist w
             WHERE w.venue_id = c.venue_id
               AND (w.phone = c.phone
                    OR w.booking_id IN (SELECT b.id FROM public.bookings b
                                         WHERE b.venue_id = c.venue_id
                                           AND b.customer_id = c.id))), '[]'::jsonb),
        'spend', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', sp.id, 'booking_id', sp.booking_id, 'amount', sp.amount::text,
                       'note', sp.note, 'source', sp.source, 'spent_at', sp.spent_at,
                       'created_at', sp.created_at)
                       ORDER BY sp.created_at, sp.id)
              FROM public.booking_spend sp
              JOIN public.bookings b ON b.venue_id = sp.venue_id AND b.id = sp.booking_id
             WHERE b.venue_id = c.venue_id AND b.customer_id = c.id), '[]'::jsonb),
        'audit', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', a.id, 'changed_at', a.changed_at, 'table_name', a.table_name,
                       'operation', a.operation, 'record_id', a.record_id,
                       'staff_name', a.staff_name, 'terminal', a.terminal,
                       'old_values', a.old_values, 'new_values', a.new_values)
                       ORDER BY a.changed_at, a.id)
              FROM public.audit_logs a
             WHERE a.id IN (SELECT private.fd_guest_audit_ids(c.venue_id, c.id))), '[]'::jsonb))
      FROM public.customers c
      JOIN public.venues v ON v.id = c.venue_id
     WHERE c.venue_id = p_venue_id AND c.id = p_customer_id);
END
$$;

-- ---------------------------------------------------------------------------
-- Erase: the guest's personal data, everywhere the database keeps it, in
-- one transaction; NULL when done (or nothing was left to do), else a
-- refusal: UNKNOWN_CUSTOMER, BUSY (the guest or a booking of theirs locked
-- by another transaction for over 2 s; nothing changed).
--
-- The customer row becomes 'Erased guest' with no phone, email, date of
-- birth or notes, and erased_at (the first erasure's time, kept); their
-- tags are removed; their bookings lose their special requests and
-- occasion; every audit copy of those fields (and of which tags they had,
-- and a ban override's reason) is cleared.  Then one audit entry says so: table customers,
-- operation ERASE, the customer's id, who and when (the audit trigger's own
-- row for the customer's update, rewritten: old values none, new values
-- only counts), so nothing personal is copied back.  The audit rows the
-- triggers wrote for the bookings' update and the tags' removal are
-- dropped: the one entry says how many bookings were cleared and how many
-- tags removed.
--
-- The customer's row is locked FOR UPDATE first, so no booking for them is
-- written meanwhile (a new booking's key check waits), then their bookings;
-- after that no other transaction can write an audit row about them, so the
-- rows after the highest audit id read then are this call's.
--
-- Erasing again changes nothing and audits nothing, unless something
-- personal was written since (a booking's request, details typed again):
-- that is cleared and audited as a new erasure.
CREATE OR REPLACE FUNCTION private.fd_guest_erase(p_venue_id uuid, p_customer_id uuid)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql
    SET lock_timeout = '2s'
AS $$
DECLARE
    guest     public.customers%ROWTYPE;
    bookings  uuid[];
    about     bigint[];  -- the audit entries about the guest, before this call
    last_id   bigint;
    cleared   integer;  -- bookings whose free text was cleared
    untagged  integer;  -- tags removed
    scrubbed  integer;  -- earlier audit entries cleared
    touched   integer;
    kept      integer;
    entries   uuid[];   -- the guest's waitlist entries
    current_  uuid[];   -- the bookings that are theirs now
    wl_clear  integer;  -- waitlist entries cleared
    sp_clear  integer;  -- spend notes cleared
    c_fields  text[] := private.fd_customer_personal_fields();
    b_fields  text[] := private.fd_booking_personal_fields();
BEGIN
    SELECT * INTO guest FROM public.customers c
     WHERE c.venue_id = p_venue_id AND c.id = p_customer_id
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.fd_refuse('UNKNOWN_CUSTOMER', 'There is no such customer.');
    END IF;
    bookings := ARRAY(SELECT private.fd_guest_booking_ids(p_venue_id, p_customer_id));
    PERFORM 1 FROM public.bookings b WHERE b.id = ANY (bookings) ORDER BY b.id FOR UPDATE;
    current_ := ARRAY(SELECT b.id FROM public.bookings b
                       WHERE b.venue_id = p_venue_id AND b.customer_id = p_customer_id);
    entries := ARRAY(SELECT w.id FROM public.waitlist w
                      WHERE w.venue_id = p_venue_id
                        AND (w.phone = guest.phone OR w.booking_id = ANY (current_))
                      ORDER BY w.id FOR UPDATE);
    last_id := (SELECT coalesce(max(a.id), 0) FROM public.audit_logs a);
    about := ARRAY(SELECT private.fd_guest_audit_ids(p_venue_id, p_customer_id));

    UPDATE public.bookings b
       SET special_requests = NULL, occasion = NULL, updated_at = now()
     WHERE b.venue_id = p_venue_id AND b.customer_id = p_customer_id
       AND (b.special_requests IS NOT NULL OR b.occasion IS NOT NULL);
    GET DIAGNOSTICS cleared = ROW_COUNT;
    DELETE FROM public.customer_tags ct
     WHERE ct.venue_id = p_venue_id AND ct.customer_id = p_customer_id;
    GET DIAGNOSTICS untagged = ROW_COUNT;
    UPDATE public.waitlist w
       SET name = private.fd_erased_name(), phone = NULL, notes = NULL
     WHERE w.id = ANY (entries)
       AND (w.name, w.phone, w.notes) IS DISTINCT FROM (private.fd_erased_name(), NULL, NULL);
    GET DIAGNOSTICS wl_clear = ROW_COUNT;
    UPDATE public.booking_spend sp SET note = NULL
     WHERE sp.venue_id = p_venue_id AND sp.booking_id = ANY (current_) AND sp.source = 'desk'
       AND sp.note IS NOT NULL;
    GET DIAGNOSTICS sp_clear = ROW_COUNT;
    UPDATE public.audit_logs a
       SET old_values = private.fd_scrubbed(a.old_values, ARRAY['name', 'phone', 'notes']),
           new_values = private.fd_scrubbed(a.new_values, ARRAY['name', 'phone', 'notes'])
     WHERE a.id <= last_id AND a.venue_id = p_venue_id AND a.table_name = 'waitlist'
       AND a.record_id = ANY (entries)
       AND (private.fd_scrubbed(a.old_values, ARRAY['name', 'phone', 'notes'])
                IS DISTINCT FROM a.old_values
            OR private.fd_scrubbed(a.new_values, ARRAY['name', 'phone', 'notes'])
                IS DISTINCT FROM a.new_values);
    GET DIAGNOSTICS touched = ROW_COUNT;
    scrubbed := touched;
    UPDATE public.audit_logs a
       SET old_values = private.fd_scrubbed(a.old_values, ARRAY['note']),
           new_values = private.fd_scrubbed(a.new_values, ARRAY['note'])
     WHERE a.id <= last_id AND a.venue_id = p_venue_id AND a.table_name = 'booking_spend'
       AND a.record_id = ANY (current_)
       AND coalesce(a.new_values, a.old_values) ->> 'source' = 'desk'
       AND coalesce(a.new_values, a.old_values) ->> 'note' IS NOT NULL;
    GET DIAGNOSTICS touched = ROW_COUNT;
    scrubbed := scrubbed + touched;

    UPDATE public.audit_logs a
       SET old_values = private.fd_scrubbed(a.old_values, c_fields),
           new_values = private.fd_scrubbed(a.new_values, c_fields)
     WHERE a.id = ANY (about) AND a.table_name = 'customers'
       AND (private.fd_scrubbed(a.old_values, c_fields) IS DISTINCT FROM a.old_values
            OR private.fd_scrubbed(a.new_values, c_fields) IS DISTINCT FROM a.new_values);
    GET DIAGNOSTICS touched = ROW_COUNT;
    scrubbed := scrubbed + touched;
    UPDATE public.audit_logs a
       SET old_values = private.fd_scrubbed(a.old_values, private.fd_tag_personal_fields()),
           new_values = private.fd_scrubbed(a.new_values, private.fd_tag_personal_fields())
     WHERE a.id = ANY (about) AND a.table_name = 'customer_tags'
       AND (private.fd_scrubbed(a.old_values, private.fd_tag_personal_fields())
                IS DISTINCT FROM a.old_values
            OR private.fd_scrubbed(a.new_values, private.fd_tag_personal_fields())
                IS DISTINCT FROM a.new_values);
    GET DIAGNOSTICS touched = ROW_COUNT;
    scrubbed := scrubbed + touched;
    UPDATE public.audit_logs a
       SET old_values = CASE WHEN private.fd_is_guests(a.old_values, p_customer_id)
                             THEN private.fd_scrubbed(a.old_values, b_fields)
                             ELSE a.old_values END,
           new_values = CASE WHEN private.fd_is_guests(a.new_values, p_customer_id)
                             THEN private.fd_scrubbed(a.new_values, b_fields)
                             ELSE a.new_values END
     WHERE a.id = ANY (about) AND a.table_name = 'bookings'
       AND ((private.fd_is_guests(a.old_values, p_customer_id)
             AND private.fd_scrubbed(a.old_values, b_fields) IS DISTINCT FROM a.old_values)
            OR (private.fd_is_guests(a.new_values, p_customer_id)
                AND private.fd_scrubbed(a.new_values, b_fields) IS DISTINCT FROM a.new_values));
    GET DIAGNOSTICS touched = ROW_COUNT;
    scrubbed := scrubbed + touched;

    -- The customer last, and only when there is something to say: its
    -- update always changes the row (updated_at to the clock's time), so
    -- the audit trigger writes exactly one row for it, with who and when.
    UPDATE public.customers c
       SET name = private.fd_erased_name(), phone = NULL, email = NULL, date_of_birth = NULL,
           notes = NULL, erased_at = coalesce(c.erased_at, private.fd_now()),
           updated_at = clock_timestamp()
     WHERE c.venue_id = p_venue_id AND c.id = p_customer_id
       AND (c.erased_at IS NULL OR cleared > 0 OR scrubbed > 0 OR untagged > 0
            OR wl_clear > 0 OR sp_clear > 0
            OR (c.name, c.phone, c.email, c.date_of_birth, c.notes)
               IS DISTINCT FROM (private.fd_erased_name(), NULL, NULL, NULL, NULL));
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN
        RETURN NULL;  -- erased already, and nothing personal since
    END IF;

    DELETE FROM public.audit_logs a
     WHERE a.id > last_id AND a.table_name = 'bookings' AND a.record_id = ANY (bookings);
    DELETE FROM public.audit_logs a  -- the tags' removal: counted in the one entry
     WHERE a.id > last_id AND a.table_name = 'customer_tags' AND a.record_id = p_customer_id;
    DELETE FROM public.audit_logs a  -- the waitlist's and spend's: they copy what went
     WHERE a.id > last_id
       AND ((a.table_name = 'waitlist' AND a.record_id = ANY (entries))
            OR (a.table_name = 'booking_spend' AND a.record_id = ANY (current_)));
    kept := (SELECT count(*) FROM public.bookings b
              WHERE b.venue_id = p_venue_id AND b.customer_id = p_customer_id);
    UPDATE public.audit_logs a
       SET operation = 'ERASE',
           old_values = NULL,
           new_values = jsonb_build_object(
               'id', p_customer_id,
               'erased_at', (SELECT c.erased_at FROM public.customers c
                              WHERE c.id = p_customer_id),
               'bookings_kept', kept,
               'bookings_cleared', cleared,
               'tags_removed', untagged,
               'audit_entries_cleared', scrubbed)
     WHERE a.id > last_id AND a.table_name = 'customers' AND a.record_id = p_customer_id;
    RETURN NULL;
EXCEPTION WHEN lock_not_available THEN
    RETURN private.fd_refuse('BUSY',
                             'This guest or a booking of theirs is being changed at another '
                             'desk; try again in a moment.');
END
$$;

-- ---------------------------------------------------------------------------
-- The API: a manager's session of that venue first (the owner needs none).

CREATE OR REPLACE FUNCTION public.export_guest(venue_id uuid, customer_id uuid)
    RETURNS TABLE (success boolean, error_code text, error_message text, data jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    refusal  private.fd_refusal := private.fd_require_session($1, true);
    exported jsonb;
BEGIN
    IF refusal.code IS NULL THEN
        exported := private.fd_guest_export($1, $2);
        IF exported IS NULL THEN
            refusal := private.fd_refuse('UNKNOWN_CUSTOMER', 'There is no such customer.');
        END IF;
    END IF;
    RETURN QUERY SELECT refusal.code IS NULL, refusal.code, refusal.message, exported;
END
$$;

CREATE OR REPLACE FUNCTION public.erase_guest(venue_id uuid, customer_id uuid)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session($1, true);
BEGIN
    IF refusal.code IS NULL THEN
        refusal := private.fd_guest_erase($1, $2);
    END IF;
    RETURN QUERY SELECT refusal.code IS NULL, refusal.code, refusal.message;
END
$$;
