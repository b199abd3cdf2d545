-- Guests' profiles: the venue's list of tags (a manager's), the tags on a
-- guest (the desk's; a banned tag only a manager's), the guest's notes, and
-- their history, computed from their bookings whenever it is read: visits
-- (arrived, seated, completed), no-shows, cancellations, last visit,
-- lifetime spend (booking_spend, 62_money.sql) and upcoming bookings.
--
-- A guest with a tag of kind 'banned' is refused by every booking path
-- (GUEST_BANNED, fd_guest_refusal, called from the booking core in
-- 50_booking_core.sql), unless a manager overrides it for that guest in the
-- booking's own transaction (override_guest_ban: audited, with a reason).
-- The website is told only that it cannot take the booking online.
--
-- Tables (0010): guest_tags (venue, name, kind vip/note/warning/banned,
-- sort_order, is_active) and customer_tags (customer, tag, who added it).

-- ---------------------------------------------------------------------------
-- The default list, for every new venue (the migration gave existing venues
-- theirs).

CREATE OR REPLACE FUNCTION private.fd_seed_guest_tags() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO public.guest_tags (venue_id, name, kind, sort_order)
    SELECT NEW.id, t.name, t.kind, t.ord
      FROM (VALUES ('VIP', 'vip', 1), ('Regular', 'note', 2), ('Allergy', 'warning', 3),
                   ('Banned', 'banned', 4)) AS t (name, kind, ord)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER venues_guest_tags
    AFTER INSERT ON public.venues
    FOR EACH ROW EXECUTE FUNCTION private.fd_seed_guest_tags();

-- ---------------------------------------------------------------------------
-- History.

-- A guest's figures, from their bookings: what the profile and the data
-- export show.  Spend is the sum of every spend row of every booking of
-- theirs (corrections are negative rows).
CREATE OR REPLACE FUNCTION private.fd_guest_history(p_venue_id uuid, p_customer_id uuid)
    RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'visits', count(*) FILTER (WHERE b.status IN ('arrived', 'seated', 'completed')),
        'no_shows', count(*) FILTER (WHERE b.status = 'no_show'),
        'cancellations', count(*) FILTER (WHERE b.status = 'cancelled'),
        'bookings', count(*),
        'last_visit', max(b.night) FILTER (WHERE b.status IN ('arrived', 'seated', 'completed')),
        'spend', (SELECT coalesce(sum(s.amount), 0)
                    FROM public.booking_spend s
                    JOIN public.bookings sb ON sb.venue_id = s.venue_id AND sb.id = s.booking_id
                   WHERE sb.venue_id = p_venue_id AND sb.customer_id = p_customer_id)::text)
      FROM public.bookings b
     WHERE b.venue_id = p_venue_id AND b.customer_id = p_customer_id
$$;

-- The guest's tags, in the list's order: [{id, name, kind, is_active}].
CREATE OR REPLACE FUNCTION private.fd_guest_tag_list(p_venue_id uuid, p_customer_id uuid)
    RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', g.id, 'name', g.name, 'kind', g.kind,
                                                 'is_active', g.is_active)
                              ORDER BY g.sort_order, lower(g.name)), '[]'::jsonb)
      FROM public.customer_tags ct
      JOIN public.guest_tags g ON g.venue_id = ct.venue_id AND g.id = ct.tag_id
     WHERE ct.venue_id = p_venue_id AND ct.customer_id = p_customer_id
$$;

-- A guest's profile, or NULL when the venue has no such customer:
--   {id, name, phone, email, notes, erased, tags: [...],
--    history: {visits, no_shows, cancellations, bookings, last_visit, spend},
--    upcoming: [{id, reference, night, starts_at, ends_at, party_size,
--                status, tables}]}
-- Upcoming: pending or confirmed bookings not yet over, soonest first.
CREATE OR REPLACE FUNCTION public.guest_profile(venue_id uuid, customer_id uuid)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    -- Who asks, first, whatever the id: a caller who may not read gets the
    -- same error for an id that is a customer's and one that is not (a
    -- statement of its own, not a condition the planner may order after the
    -- look-up).  PL/pgSQL: its plan is kept (a SQL function with a SET
    -- clause is planned on every call before PostgreSQL 18).
    PERFORM private.fd_check_reader($1, false);  -- a signed-in desk of the venue, or raises
    RETURN (
    SELECT jsonb_build_object(
        'id', c.id, 'name', c.name, 'phone', c.phone, 'email', c.email, 'notes', c.notes,
        'erased', c.erased_at IS NOT NULL,
        'tags', private.fd_guest_tag_list(c.venue_id, c.id),
        'history', private.fd_guest_history(c.venue_id, c.id),
        'upcoming', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', b.id, 'reference', b.reference, 'night', b.night,
                       'starts_at', b.starts_at, 'ends_at', b.ends_at,
                       'party_size', b.party_size, 'status', b.status,
                       'tables', ARRAY(SELECT t.name FROM booking_tables bt
                                         JOIN venue_tables t ON t.id = bt.table_id
                                        WHERE bt.booking_id = b.id
                                        ORDER BY t.grid_order, t.name))
                       ORDER BY b.starts_at, b.reference)
              FROM bookings b
             WHERE b.venue_id = c.venue_id AND b.customer_id = c.id
               AND b.status IN ('pending', 'confirmed') AND b.ends_at > private.fd_now()),
            '[]'::jsonb))
      FROM customers c
     WHERE c.venue_id = $1 AND c.id = $2);
END
$$;

-- ---------------------------------------------------------------------------
-- The venue's list of tags.

-- Every tag, retired ones too, in order, with how many guests have it.
CREATE OR REPLACE FUNCTION public.guest_tag_list(venue_id uuid)
    RETURNS TABLE (id uuid, name text, kind text, sort_order integer, is_active boolean,
                   guests integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT g.id, g.name, g.kind, g.sort_order, g.is_active,
           (SELECT count(*) FROM customer_tags ct WHERE ct.tag_id = g.id)::integer
      FROM guest_tags g
     WHERE g.venue_id = $1
       AND private.fd_check_reader($1, false)  -- a signed-in desk of the venue, or raises
     ORDER BY g.sort_order, lower(g.name), g.id
$$;

-- Why this list of tags cannot be saved, or NULL.  p_tags: a JSON array of
-- {id (absent for a new tag), name, kind, is_active}; its order is the
-- list's order.
CREATE OR REPLACE FUNCTION private.fd_guest_tags_refusal(p_venue_id uuid, p_tags jsonb)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    t     jsonb;
    named text;
BEGIN
    IF jsonb_typeof(p_tags) IS DISTINCT FROM 'array' THEN
        RETURN private.fd_refuse('INVALID_INPUT', 'The list of tags is not a list.');
    END IF;
    FOR t IN SELECT x FROM jsonb_array_elements(p_tags) AS x LOOP
        named := btrim(t ->> 'name');
        IF jsonb_typeof(t) IS DISTINCT FROM 'object' OR named IS NULL OR named = ''
           OR jsonb_typeof(t -> 'name') <> 'string' THEN
            RETURN private.fd_refuse('INVALID_INPUT', 'Every tag needs a name.');
        ELSIF jsonb_typeof(t -> 'is_active') NOT IN ('boolean', 'null') THEN
            -- the save reads it as a boolean: anything else would raise
            RETURN private.fd_refuse('INVALID_INPUT',
                                     format('%s: "In use" is true or false.', left(named, 30)));
        ELSIF length(named) > 30 THEN
            RETURN private.fd_refuse('INVALID_INPUT',
                                     format('"%s" is too long for a tag (30 characters at most).',
                                            named));
        ELSIF coalesce(t ->> 'kind', 'note') NOT IN ('vip', 'note', 'warning', 'banned') THEN
            RETURN private.fd_refuse('INVALID_INPUT',
                                     format('%s: a tag is VIP, a note, a warning or banned.',
                                            named));
        ELSIF t ? 'id' AND NOT EXISTS (SELECT 1 FROM public.guest_tags g
                                        WHERE g.venue_id = p_venue_id
                                          AND g.id::text = t ->> 'id') THEN
            RETURN private.fd_refuse('UNKNOWN_TAG',
                                     format('%s is not one of this venue''s tags (it was removed '
                                            'at another desk?).', named));
        END IF;
    END LOOP;
    SELECT min(n) INTO named
      FROM (SELECT btrim(x ->> 'name') AS n FROM jsonb_array_elements(p_tags) AS x) s
     GROUP BY lower(n) HAVING count(*) > 1 LIMIT 1;
    IF named IS NOT NULL THEN
        RETURN private.fd_refuse('DUPLICATE_TAG', format('There are two tags called %s.', named));
    END IF;
    SELECT g.name INTO named
      FROM public.guest_tags g
     WHERE g.venue_id = p_venue_id
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(p_tags) AS x WHERE x ->> 'id' = g.id::text)
       AND EXISTS (SELECT 1 FROM public.customer_tags ct WHERE ct.tag_id = g.id)
     ORDER BY g.sort_order LIMIT 1;
    IF named IS NOT NULL THEN
        RETURN private.fd_refuse('TAG_IN_USE',
                                 format('%s is on guests'' profiles: retire it instead (untick '
                                        '"In use"), and it stays on them but is offered no more.',
                                        named));
    END IF;
    RETURN NULL;
END
$$;

-- A manager saves the whole list: tags listed are added or changed (their
-- position is their order), tags left out are deleted (only when no guest
-- has them: TAG_IN_USE otherwise; retire one instead).  Refusals:
-- NOT_SIGNED_IN, NOT_ALLOWED (a host), INVALID_INPUT, UNKNOWN_TAG,
-- DUPLICATE_TAG, TAG_IN_USE, BUSY (another manager is saving it).
CREATE OR REPLACE FUNCTION public.save_guest_tags(venue_id uuid, tags jsonb)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    refusal private.fd_refusal := private.fd_require_session($1, true);
BEGIN
    IF refusal.code IS NULL THEN
        -- One save at a time per venue (namespace 6).
        PERFORM pg_advisory_xact_lock(6, hashtext(p_venue::text));
        refusal := private.fd_guest_tags_refusal(p_venue, $2);
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message;
        RETURN;
    END IF;
    DELETE FROM guest_tags g
     WHERE g.venue_id = p_venue
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements($2) AS x WHERE x ->> 'id' = g.id::text);
    -- Renames may swap names: out of the unique index's way first.
    UPDATE guest_tags g SET name = '~' || left(md5(g.id::text), 20)
      FROM jsonb_array_elements($2) AS x
     WHERE g.venue_id = p_venue AND x ->> 'id' = g.id::text
       AND g.name IS DISTINCT FROM btrim(x ->> 'name');
    UPDATE guest_tags g
       SET name = btrim(x.t ->> 'name'), kind = coalesce(x.t ->> 'kind', 'note'),
           sort_order = x.n::integer,
           is_active = coalesce((x.t ->> 'is_active')::boolean, true)
      FROM jsonb_array_elements($2) WITH ORDINALITY AS x (t, n)
     WHERE g.venue_id = p_venue AND x.t ->> 'id' = g.id::text;
    INSERT INTO guest_tags (venue_id, name, kind, sort_order, is_active)
    SELECT p_venue, btrim(x.t ->> 'name'), coalesce(x.t ->> 'kind', 'note'), x.n::integer,
           coalesce((x.t ->> 'is_active')::boolean, true)
      FROM jsonb_array_elements($2) WITH ORDINALITY AS x (t, n)
     WHERE NOT x.t ? 'id';
    RETURN QUERY SELECT true, NULL::text, NULL::text;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY', 'The tags are being saved at another desk; try again.';
END
$$;

-- ---------------------------------------------------------------------------
-- A guest's tags and notes, at the desk.

-- Set the guest's tags to exactly these.  A host may add and remove any
-- tag but a banned one (NOT_ALLOWED); a retired tag may stay on a guest
-- but not be added (UNKNOWN_TAG).  Refusals: NOT_SIGNED_IN, NOT_ALLOWED,
-- UNKNOWN_CUSTOMER, INVALID_CUSTOMER (erased), UNKNOWN_TAG, BUSY.
CREATE OR REPLACE FUNCTION public.set_guest_tags(venue_id uuid, customer_id uuid,
                                                 tag_ids uuid[])
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    p_venue    ALIAS FOR $1;
    p_customer ALIAS FOR $2;
    wanted     uuid[] := ARRAY(SELECT DISTINCT t FROM unnest($3) AS t WHERE t IS NOT NULL);
    refusal    private.fd_refusal := private.fd_require_session($1, false);
    guest      record;
    had        uuid[];
    banned     text;
BEGIN
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message;
        RETURN;
    END IF;
    SELECT c.id, c.erased_at INTO guest FROM customers c
     WHERE c.venue_id = p_venue AND c.id = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 'UNKNOWN_CUSTOMER', 'There is no such customer.';
        RETURN;
    ELSIF guest.erased_at IS NOT NULL THEN
        RETURN QUERY SELECT false, 'INVALID_CUSTOMER',
            'This guest''s details were erased at their request.';
        RETURN;
    END IF;
    had := ARRAY(SELECT ct.tag_id FROM customer_tags ct WHERE ct.customer_id = p_customer);
    IF EXISTS (SELECT 1 FROM unnest(wanted) AS w
                WHERE w <> ALL (had)
                  AND NOT EXISTS (SELECT 1 FROM guest_tags g
                                   WHERE g.venue_id = p_venue AND g.id = w AND g.is_active)) THEN
        RETURN QUERY SELECT false, 'UNKNOWN_TAG',
            'One of those tags is not in the venue''s list (retired at another desk?).';
        RETURN;
    END IF;
    SELECT g.name INTO banned FROM guest_tags g
     WHERE g.venue_id = p_venue AND g.kind = 'banned'
       AND ((g.id = ANY (wanted)) <> (g.id = ANY (had)))
     LIMIT 1;
    IF banned IS NOT NULL THEN
        refusal := private.fd_require_session(p_venue, true);
        IF refusal.code IS NOT NULL THEN
            RETURN QUERY SELECT false, refusal.code,
                format('Only a manager may add or remove %s.', banned);
            RETURN;
        END IF;
    END IF;
    DELETE FROM customer_tags ct
     WHERE ct.customer_id = p_customer AND ct.tag_id <> ALL (wanted);
    INSERT INTO customer_tags (venue_id, customer_id, tag_id, added_by, added_at)
    SELECT p_venue, p_customer, w, private.fd_current_staff_id(), private.fd_now()
      FROM unnest(wanted) AS w
     WHERE w <> ALL (had);
    RETURN QUERY SELECT true, NULL::text, NULL::text;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY',
        'This guest is being changed at another desk; try again in a moment.';
END
$$;

-- Replace the guest's notes (blank clears them; 500 characters at most).
CREATE OR REPLACE FUNCTION public.set_guest_notes(venue_id uuid, customer_id uuid, notes text)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    v_notes text := nullif(btrim($3), '');
    refusal private.fd_refusal := private.fd_require_session($1, false);
BEGIN
    IF refusal.code IS NULL AND length(v_notes) > 500 THEN
        refusal := private.fd_refuse('INVALID_INPUT',
                                     'The notes are too long (500 characters at most).');
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message;
        RETURN;
    END IF;
    UPDATE customers c SET notes = v_notes, updated_at = now()
     WHERE c.venue_id = $1 AND c.id = $2 AND c.erased_at IS NULL
       AND c.notes IS DISTINCT FROM v_notes;
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM customers c
                                  WHERE c.venue_id = $1 AND c.id = $2 AND c.erased_at IS NULL)
    THEN
        RETURN QUERY SELECT false, 'UNKNOWN_CUSTOMER', 'There is no such customer.';
        RETURN;
    END IF;
    RETURN QUERY SELECT true, NULL::text, NULL::text;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY',
        'This guest is being changed at another desk; try again in a moment.';
END
$$;

-- ---------------------------------------------------------------------------
-- Banned guests.

-- The marker override_guest_ban leaves for this transaction: a keyed hash
-- of the guest, the manager and the transaction, which nobody without the
-- engine's secret can make (a host who sets frontdesk.ban_override by hand
-- gets nothing).
CREATE OR REPLACE FUNCTION private.fd_ban_marker(p_customer_id uuid, p_staff_id uuid)
    RETURNS text
    LANGUAGE sql STABLE
    RETURN encode(sha256(convert_to(
               (SELECT s.secret FROM private.engine_secret s) || '/ban override/'
               || p_customer_id::text || '/' || coalesce(p_staff_id::text, 'owner') || '/'
               || pg_current_xact_id()::text, 'UTF8')), 'hex');

-- Does this transaction carry a manager's override for this guest?  The
-- marker must be the one override_guest_ban made in this transaction, and
-- the session writing now a manager's (or the owner's).
CREATE OR REPLACE FUNCTION private.fd_ban_overridden(p_venue_id uuid, p_customer_id uuid)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    marker text := private.fd_setting('frontdesk.ban_override');
BEGIN
    IF marker IS NULL OR (private.fd_require_session(p_venue_id, true)).code IS NOT NULL THEN
        RETURN false;
    END IF;
    RETURN marker = private.fd_ban_marker(p_customer_id, private.fd_current_staff_id());
END
$$;

-- The booking gate's question (50_booking_core.sql): GUEST_BANNED when the
-- booking is for a banned guest — the customer chosen, or whoever owns the
-- email or phone given (normalised) — unless a manager overrode it for that
-- guest in this transaction; else NULL.  The website's message does not say
-- why.  Runs on every booking call: the (at most three) guests are found
-- by their unique keys first, then their tags, so the plan the session
-- keeps reads a few index entries whatever the venue's size (an OR of the
-- three on customers was, in its generic plan, a scan of all the venue's
-- customers).
CREATE OR REPLACE FUNCTION private.fd_guest_refusal(p_venue_id uuid, p_customer_id uuid,
                                                    p_email text, p_phone text, p_source text)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    guest record;
BEGIN
    FOR guest IN
        SELECT c.id, c.name, g.name AS tag
          FROM (SELECT DISTINCT k.id
                  FROM unnest(ARRAY[p_customer_id,
                                    (SELECT x.id FROM public.customers x
                                      WHERE x.venue_id = p_venue_id AND x.email = p_email),
                                    (SELECT x.id FROM public.customers x
                                      WHERE x.venue_id = p_venue_id AND x.phone = p_phone)])
                       AS k (id)
                 WHERE k.id IS NOT NULL) AS k
          JOIN public.customer_tags ct ON ct.customer_id = k.id AND ct.venue_id = p_venue_id
          JOIN public.guest_tags g ON g.venue_id = ct.venue_id AND g.id = ct.tag_id
          JOIN public.customers c ON c.id = k.id
         WHERE g.kind = 'banned'
         ORDER BY c.id
    LOOP
        IF NOT private.fd_ban_overridden(p_venue_id, guest.id) THEN
            IF p_source = 'web' THEN
                RETURN private.fd_refuse('GUEST_BANNED',
                                         'We can''t take this booking online; please call the '
                                         'venue.');
            END IF;
            RETURN private.fd_refuse('GUEST_BANNED',
                                     format('%s is tagged %s: only a manager can book them '
                                            '(Override and book).', guest.name, guest.tag));
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- A manager books a banned guest anyway: call this first, in the booking's
-- transaction, with the reason.  Writes an audit entry (customers,
-- BAN_OVERRIDE, the guest's id, the reason, who and when) and leaves the
-- marker the booking gate honours for this guest, in this transaction, for
-- this manager.  Refusals: NOT_SIGNED_IN, NOT_ALLOWED (a host),
-- UNKNOWN_CUSTOMER, INVALID_INPUT (no reason, or over 500 characters).
CREATE OR REPLACE FUNCTION public.override_guest_ban(customer_id uuid, reason text)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_reason text := nullif(btrim($2), '');
    v_venue  uuid := (SELECT c.venue_id FROM customers c WHERE c.id = $1);
    refusal  private.fd_refusal := private.fd_require_session(v_venue, true);
    who      record;
BEGIN
    IF refusal.code IS NULL AND v_venue IS NULL THEN
        refusal := private.fd_refuse('UNKNOWN_CUSTOMER', 'There is no such customer.');
    ELSIF refusal.code IS NULL AND (v_reason IS NULL OR length(v_reason) > 500) THEN
        refusal := private.fd_refuse('INVALID_INPUT',
                                     'Say why the ban is overridden (500 characters at most).');
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message;
        RETURN;
    END IF;
    SELECT s.staff_id, s.staff_name, s.terminal INTO who FROM private.fd_session() s LIMIT 1;
    INSERT INTO audit_logs (venue_id, table_name, operation, record_id, old_values, new_values,
                            staff_id, staff_name, terminal)
    VALUES (v_venue, 'customers', 'BAN_OVERRIDE', $1, NULL,
            jsonb_build_object('reason', v_reason,
                               'tags', private.fd_guest_tag_list(v_venue, $1)),
            coalesce(who.staff_id, private.fd_current_staff_id()),
            coalesce(who.staff_name, private.fd_setting('frontdesk.staff_name')),
            coalesce(who.terminal, private.fd_current_terminal()));
    PERFORM set_config('frontdesk.ban_override',
                       private.fd_ban_marker($1, private.fd_current_staff_id()), true);
    RETURN QUERY SELECT true, NULL::text, NULL::text;
END
$$;
