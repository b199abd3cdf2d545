-- Venue setup without SQL: the venue, its floors, tables, joins, hours,
-- nights, policy and table blocks, read and saved as one JSON document by a
-- manager (the Setup window) or the database's owner (frontdesk venue
-- import|export, whose TOML file is the same document).  docs/venue-file.md
-- describes the document; sql/README.md ("Venue setup") the functions.
--
-- One save is one transaction: everything in the document is checked and
-- applied, then the bookings it would strand are looked for in the new
-- state (closing a night, shorter hours, a retired or smaller table, a
-- table on another floor, tables un-joined, a block over a booking); any
-- refusal undoes every write of the save (one subtransaction) and answers
-- (false, code, message) with the place in the document (error_path) or the
-- bookings in the way (stranded).  Every row written is audited by the
-- tables' triggers (70_audit.sql) and the desks hear of it on the change
-- feed (layout and night rows from here, blocks from 72_change_feed.sql).
--
-- A save and the bookings being written take turns (a venue-wide advisory
-- key, namespace 4: bookings share it, a save holds it alone), so a booking
-- in flight is either seen by the save's check or sees the saved setup.

-- ---------------------------------------------------------------------------
-- Refusing inside a save.  The save runs in a subtransaction; a refusal is
-- an exception (SQLSTATE FDS01) carrying {code, path, stranded} as JSON in
-- its DETAIL, caught by fd_save_setup, which undoes the writes and answers.

CREATE OR REPLACE FUNCTION private.fd_setup_refuse(p_code text, p_message text,
                                                   p_path text[] DEFAULT NULL,
                                                   p_stranded jsonb DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'FDS01', MESSAGE = p_message,
        DETAIL = jsonb_build_object('code', p_code, 'path', to_jsonb(p_path),
                                    'stranded', p_stranded)::text;
END
$$;

-- A mistake in the document: INVALID_SETUP at a path ({tables,3,capacity},
-- items counted from 1).
CREATE OR REPLACE FUNCTION private.fd_setup_invalid(p_path text[], p_message text)
    RETURNS void
    LANGUAGE sql
    RETURN private.fd_setup_refuse('INVALID_SETUP', p_message, p_path);

-- ---------------------------------------------------------------------------
-- Reading values.  Each takes the JSON value (NULL when the key is absent),
-- its path, and what to call it in a message ('Booth 3''s capacity'); each
-- returns the value, or refuses naming the path.

-- Keys: an object, no key but the allowed ones, the required ones there.
CREATE OR REPLACE FUNCTION private.fd_setup_keys(p_value jsonb, p_path text[], p_what text,
                                                 p_allowed text[],
                                                 p_required text[] DEFAULT '{}')
    RETURNS jsonb
    LANGUAGE plpgsql
AS $$
DECLARE
    k text;
BEGIN
    IF jsonb_typeof(p_value) IS DISTINCT FROM 'object' THEN
        PERFORM private.fd_setup_invalid(p_path, format('%s must be a table of settings.', p_what));
    END IF;
    FOR k IN SELECT x FROM jsonb_object_keys(p_value) AS x ORDER BY x LOOP
        IF k <> ALL (p_allowed) THEN
            PERFORM private.fd_setup_invalid(p_path || k,
                format('%s has no setting called "%s" (it has %s).', p_what, left(k, 50),
                       private.fd_name_list(p_allowed)));
        END IF;
    END LOOP;
    FOREACH k IN ARRAY p_required LOOP
        IF p_value -> k IS NULL OR p_value -> k = 'null' THEN
            PERFORM private.fd_setup_invalid(p_path || k, format('%s needs a %s.', p_what,
                                                                 replace(k, '_', ' ')));
        END IF;
    END LOOP;
    RETURN p_value;
END
$$;

-- Text, whitespace runs as one space, trimmed: 1 to p_max characters.
CREATE OR REPLACE FUNCTION private.fd_setup_text(p_value jsonb, p_path text[], p_what text,
                                                 p_max integer)
    RETURNS text
    LANGUAGE plpgsql
AS $$
DECLARE
    t text;
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) <> 'string' THEN
        PERFORM private.fd_setup_invalid(p_path, format('%s must be text, in quotes.', p_what));
    END IF;
    t := btrim(regexp_replace(p_value #>> '{}', '\s+', ' ', 'g'));
    IF t = '' THEN
        PERFORM private.fd_setup_invalid(p_path, format('%s cannot be empty.', p_what));
    END IF;
    IF char_length(t) > p_max THEN
        PERFORM private.fd_setup_invalid(p_path, format('%s is too long (%s characters at most).',
                                                        p_what, p_max));
    END IF;
    RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION private.fd_setup_int(p_value jsonb, p_path text[], p_what text,
                                                p_low integer, p_high integer)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) <> 'number' OR p_value::text !~ '^-?[0-9]{1,9}$'
       OR p_value::text::integer NOT BETWEEN p_low AND p_high THEN
        PERFORM private.fd_setup_invalid(p_path, format('%s must be a whole number from %s to %s.',
                                                        p_what, p_low, p_high));
    END IF;
    RETURN p_value::text::integer;
END
$$;

-- A number with at most p_scale decimals, from p_low up to p_high: a JSON
-- number or a string of digits (money and factors travel as strings).
CREATE OR REPLACE FUNCTION private.fd_setup_number(p_value jsonb, p_path text[], p_what text,
                                                   p_scale integer, p_low numeric,
                                                   p_high numeric, p_example text)
    RETURNS numeric
    LANGUAGE plpgsql
AS $$
DECLARE
    t text := p_value #>> '{}';
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) NOT IN ('number', 'string')
       OR t !~ ('^[0-9]{1,9}(\.[0-9]{1,' || p_scale || '})?$')
       OR t::numeric < p_low OR t::numeric > p_high THEN
        PERFORM private.fd_setup_invalid(p_path, format('%s must be %s.', p_what, p_example));
    END IF;
    RETURN t::numeric;
END
$$;

CREATE OR REPLACE FUNCTION private.fd_setup_money(p_value jsonb, p_path text[], p_what text)
    RETURNS numeric
    LANGUAGE sql
    RETURN private.fd_setup_number(p_value, p_path, p_what, 2, 0, 99999999.99,
                                   'an amount such as 100 or 25.50 (up to 99999999.99)');

CREATE OR REPLACE FUNCTION private.fd_setup_factor(p_value jsonb, p_path text[], p_what text)
    RETURNS numeric
    LANGUAGE sql
    RETURN private.fd_setup_number(p_value, p_path, p_what, 3, 0, 999.999,
                                   'a factor such as 1.25 (0 to 999.999, three decimals at most)');

CREATE OR REPLACE FUNCTION private.fd_setup_bool(p_value jsonb, p_path text[], p_what text)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) <> 'boolean' THEN
        PERFORM private.fd_setup_invalid(p_path, format('%s must be true or false.', p_what));
    END IF;
    RETURN p_value::text::boolean;
END
$$;

-- A wall-clock time, 'HH:MM' (or 'HH:MM:SS').
CREATE OR REPLACE FUNCTION private.fd_setup_time(p_value jsonb, p_path text[], p_what text)
    RETURNS time
    LANGUAGE plpgsql
AS $$
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) <> 'string'
       OR p_value #>> '{}' !~ '^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$' THEN
        PERFORM private.fd_setup_invalid(p_path,
            format('%s must be a time such as "21:00" (00:00 to 23:59).', p_what));
    END IF;
    RETURN (p_value #>> '{}')::time;
END
$$;

-- A date, 'YYYY-MM-DD', in the years 2000 to 9999.
CREATE OR REPLACE FUNCTION private.fd_setup_date(p_value jsonb, p_path text[], p_what text)
    RETURNS date
    LANGUAGE plpgsql
AS $$
DECLARE
    d date;
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) = 'string' AND p_value #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
        BEGIN
            d := (p_value #>> '{}')::date;
        EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
            d := NULL;
        END;
    END IF;
    IF d IS NULL OR NOT private.fd_night_in_range(d) THEN
        PERFORM private.fd_setup_invalid(p_path,
            format('%s must be a date such as 2026-12-04 (years 2000 to 9999).', p_what));
    END IF;
    RETURN d;
END
$$;

-- 'mon' … 'sun' and ISO weekdays.
CREATE OR REPLACE FUNCTION private.fd_setup_weekdays()
    RETURNS TABLE (weekday smallint, key text, words text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES (1::smallint, 'mon', 'Monday'), (2, 'tue', 'Tuesday'), (3, 'wed', 'Wednesday'),
           (4, 'thu', 'Thursday'), (5, 'fri', 'Friday'), (6, 'sat', 'Saturday'),
           (7, 'sun', 'Sunday')
$$;

-- A wall-clock time as the document writes it: '21:00' ('21:00:30' with seconds).
CREATE OR REPLACE FUNCTION private.fd_setup_hhmm(p_time time) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN extract(second FROM p_time) = 0 THEN to_char(p_time, 'HH24:MI')
                ELSE to_char(p_time, 'HH24:MI:SS') END;

-- ---------------------------------------------------------------------------
-- The document as it stands (what the Setup window opens and `frontdesk
-- venue export` writes).  Nights and blocks from the night in progress on
-- (earlier ones are history).  Floors and tables carry their ids, so a
-- window can rename them; a file leaves ids out and names things.

CREATE OR REPLACE FUNCTION private.fd_setup_json(p_venue_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'name', v.name,
        'time_zone', v.time_zone,
        'currency', v.currency,
        'phone_country', v.phone_country,
        'reference_prefix', v.reference_prefix,
        'policy', jsonb_build_object(
            'max_days_ahead', v.max_days_ahead, 'min_party_size', v.min_party_size,
            'max_party_size', v.max_party_size, 'min_age', v.min_age,
            'default_booking_minutes', v.default_booking_minutes,
            'hold_minutes', v.hold_minutes, 'idle_lock_minutes', v.idle_lock_minutes,
            -- the deposit policy (62_money.sql applies it)
            'no_show_deposit', v.no_show_deposit, 'late_cancel_deposit', v.late_cancel_deposit,
            'free_cancel_hours', v.free_cancel_hours, 'spend_flag_minutes', v.spend_flag_minutes),
        'floors', coalesce((SELECT jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name)
                                             ORDER BY f.sort_order, f.name)
                              FROM public.floors f WHERE f.venue_id = v.id), '[]'),
        'tables', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', t.id, 'name', t.name, 'floor', f.name, 'capacity', t.capacity,
                       'min_spend', t.min_spend::text, 'deposit', t.deposit::text,
                       'premium', t.is_premium, 'grid_order', t.grid_order,
                       'retired', NOT t.is_active,
                       -- each join once, on the first of its two tables in this order
                       'joins', coalesce((
                           SELECT jsonb_agg(o.name ORDER BY fo.sort_order, o.grid_order, o.name)
                             FROM public.table_joins j
                             JOIN public.venue_tables o
                               ON o.id = CASE WHEN j.table_a = t.id THEN j.table_b
                                              ELSE j.table_a END
                             JOIN public.floors fo ON fo.id = o.floor_id
                            WHERE j.venue_id = v.id AND t.id IN (j.table_a, j.table_b)
                              AND (f.sort_order, f.name, t.grid_order, t.name)
                                  < (fo.sort_order, fo.name, o.grid_order, o.name)), '[]'))
                   ORDER BY f.sort_order, f.name, t.grid_order, t.name)
              FROM public.venue_tables t JOIN public.floors f ON f.id = t.floor_id
             WHERE t.venue_id = v.id), '[]'),
        'hours', coalesce((
            SELECT jsonb_object_agg(w.key, jsonb_build_object(
                       'opens', private.fd_setup_hhmm(h.opens),
                       'closes', private.fd_setup_hhmm(h.closes)))
              FROM public.opening_hours h
              JOIN private.fd_setup_weekdays() w ON w.weekday = h.weekday
             WHERE h.venue_id = v.id), '{}'),
        'nights', coalesce((
            SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                       'date', n.night::text,
                       'closed', CASE WHEN n.is_closed THEN true END,
                       'reason', CASE WHEN n.is_closed THEN n.event_name END,
                       'event', CASE WHEN NOT n.is_closed THEN n.event_name END,
                       'opens', private.fd_setup_hhmm(n.opens),
                       'closes', private.fd_setup_hhmm(n.closes),
                       'min_spend_factor', trim_scale(n.min_spend_factor)::text,
                       'deposit_factor', trim_scale(n.deposit_factor)::text,
                       'notes', n.notes))
                   ORDER BY n.night)
              FROM public.nights n
             WHERE n.venue_id = v.id AND n.night >= c.night), '[]'),
        'blocks', coalesce((
            SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                       'id', b.id, 'table', t.name, 'night', b.night::text,
                       'from', to_char(b.starts_at AT TIME ZONE v.time_zone, 'HH24:MI'),
                       'until', to_char(b.ends_at AT TIME ZONE v.time_zone, 'HH24:MI'),
                       'reason', b.reason))
                   ORDER BY b.night, t.grid_order, t.name, b.starts_at NULLS FIRST)
              FROM public.table_blocks b JOIN public.venue_tables t ON t.id = b.table_id
             WHERE b.venue_id = v.id AND b.night >= c.night), '[]'))
      FROM public.venues v,
           LATERAL (SELECT private.fd_current_night(v.id) AS night) AS c
     WHERE v.id = p_venue_id
$$;

-- Which version of the setup a window opened (a save that names another
-- one is refused: SETUP_CHANGED).
CREATE OR REPLACE FUNCTION private.fd_setup_version(p_venue_id uuid) RETURNS text
    LANGUAGE sql STABLE
    RETURN md5(private.fd_setup_json(p_venue_id)::text);

-- ---------------------------------------------------------------------------
-- Bookings in the way.  Items are {booking_id, why, subject}: why is
-- closed, hours, retired, capacity, floor, joins or blocked; subject names
-- what changed (the night, the tables).

-- Live bookings: open (pending to seated) and not yet over.  In the state
-- the save has written so far (its own transaction sees it).  p_old_floors
-- ({table id: floor id} before the save; NULL when tables were not saved)
-- finds tables moved to another floor.
CREATE OR REPLACE FUNCTION private.fd_setup_stranded(p_venue_id uuid, p_old_floors jsonb)
    RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('booking_id', x.id, 'why', x.why,
                                                 'subject', x.subject)), '[]')
      FROM (
        SELECT b.id,
               CASE WHEN s.span IS NULL THEN 'closed'
                    WHEN NOT s.span @> b.period THEN 'hours'
                    WHEN k.retired IS NOT NULL THEN 'retired'
                    WHEN b.party_size > k.seats THEN 'capacity'
                    WHEN k.moved IS NOT NULL THEN 'floor'
                    WHEN cardinality(k.ids) > 1
                         AND NOT private.fd_tables_joinable(b.venue_id, k.ids) THEN 'joins'
               END AS why,
               CASE WHEN s.span IS NULL OR NOT s.span @> b.period
                    THEN private.fd_night_label(b.night)
                    WHEN k.retired IS NOT NULL THEN k.retired
                    WHEN b.party_size > k.seats THEN k.names
                    WHEN k.moved IS NOT NULL THEN k.moved
                    ELSE k.names END AS subject
          FROM public.bookings b
         CROSS JOIN LATERAL (SELECT private.fd_night_span(b.venue_id, b.night) AS span) AS s
         CROSS JOIN LATERAL (
               SELECT array_agg(t.id) AS ids, sum(t.capacity) AS seats,
                      private.fd_name_list(array_agg(t.name ORDER BY t.grid_order, t.name)) AS names,
                      private.fd_name_list(array_agg(t.name ORDER BY t.grid_order, t.name)
                                           FILTER (WHERE NOT t.is_active)) AS retired,
                      private.fd_name_list(array_agg(t.name ORDER BY t.grid_order, t.name)
                                           FILTER (WHERE p_old_floors IS NOT NULL
                                                     AND (p_old_floors ->> t.id::text)
                                                         IS DISTINCT FROM t.floor_id::text))
                          AS moved
                 FROM public.booking_tables bt
                 JOIN public.venue_tables t ON t.id = bt.table_id
                WHERE bt.booking_id = b.id) AS k
         WHERE b.venue_id = p_venue_id
           AND b.night >= private.fd_current_night(p_venue_id) - 1
           AND private.fd_status_is_open(b.status) AND b.ends_at > private.fd_now()
      ) AS x
     WHERE x.why IS NOT NULL
$$;

-- The bookings holding a table on a night at instants a block would take
-- (an open end: the whole night), as items.
CREATE OR REPLACE FUNCTION private.fd_block_stranded(p_venue_id uuid, p_table_id uuid,
                                                     p_night date, p_starts_at timestamptz,
                                                     p_ends_at timestamptz)
    RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('booking_id', c.owner_id, 'why', 'blocked',
                                                 'subject', t.name)), '[]')
      FROM private.table_claims c
      JOIN public.venue_tables t ON t.id = c.table_id
     WHERE c.venue_id = p_venue_id AND c.table_id = p_table_id AND c.night = p_night
       AND NOT c.is_block AND c.period && tstzrange(p_starts_at, p_ends_at, '[)')
$$;

-- The items as the bookings a manager must move or cancel, soonest first:
-- [{booking_id, reference, guest, night, starts_at, ends_at, times, tables,
-- party_size, status, why, subject}], instants in the venue's offset.
CREATE OR REPLACE FUNCTION private.fd_stranded_json(p_venue_id uuid, p_items jsonb)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM set_config('TimeZone', v.time_zone, true) FROM public.venues v WHERE v.id = p_venue_id;
    RETURN (
        SELECT jsonb_agg(jsonb_build_object(
                   'booking_id', b.id, 'reference', b.reference, 'guest', c.name,
                   'night', b.night, 'starts_at', b.starts_at, 'ends_at', b.ends_at,
                   'times', private.fd_local_times(b.venue_id, b.period),
                   'tables', coalesce(k.names, '[]'), 'party_size', b.party_size,
                   'status', b.status, 'why', i.why, 'subject', i.subject)
               ORDER BY b.starts_at, b.reference)
          FROM (SELECT DISTINCT ON (e.x ->> 'booking_id')
                       (e.x ->> 'booking_id')::uuid AS id, e.x ->> 'why' AS why,
                       e.x ->> 'subject' AS subject
                  FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e (x, n)
                 ORDER BY e.x ->> 'booking_id', e.n) AS i
          JOIN public.bookings b ON b.id = i.id
          JOIN public.customers c ON c.venue_id = b.venue_id AND c.id = b.customer_id
          LEFT JOIN LATERAL (SELECT jsonb_agg(t.name ORDER BY t.grid_order, t.name) AS names
                               FROM public.booking_tables bt
                               JOIN public.venue_tables t ON t.id = bt.table_id
                              WHERE bt.booking_id = b.id) AS k ON true);
END
$$;

-- 'Closing Fri 4 Dec 2026 would strand 2 bookings: BR-261204-K7QX2M (Oliver
-- Green, Fri 4 Dec 22:00–00:30, Booth 3), BR-… (…). Move or cancel them
-- first.'  Said for the first booking's reason; three named at most.
CREATE OR REPLACE FUNCTION private.fd_stranded_message(p_stranded jsonb) RETURNS text
    LANGUAGE sql STABLE
AS $$
    SELECT format('%s would strand %s booking%s: %s%s. Move or cancel %s first.',
                  CASE x.first ->> 'why'
                      WHEN 'closed' THEN 'Closing ' || (x.first ->> 'subject')
                      WHEN 'hours' THEN 'The new hours of ' || (x.first ->> 'subject')
                      WHEN 'retired' THEN 'Retiring ' || (x.first ->> 'subject')
                      WHEN 'capacity' THEN 'Seating fewer at ' || (x.first ->> 'subject')
                      WHEN 'floor' THEN 'Moving ' || (x.first ->> 'subject') || ' to another floor'
                      WHEN 'joins' THEN 'Un-joining ' || (x.first ->> 'subject')
                      WHEN 'blocked' THEN 'Blocking ' || (x.first ->> 'subject')
                      ELSE 'This change' END,
                  x.n, CASE WHEN x.n = 1 THEN '' ELSE 's' END,
                  (SELECT string_agg(format('%s (%s, %s %s, %s)', s ->> 'reference',
                                            s ->> 'guest',
                                            to_char((s ->> 'night')::date, 'Dy FMDD Mon'),
                                            s ->> 'times',
                                            private.fd_name_list(ARRAY(
                                                SELECT jsonb_array_elements_text(s -> 'tables')))),
                                     ', ' ORDER BY k)
                     FROM jsonb_array_elements(p_stranded) WITH ORDINALITY AS e (s, k)
                    WHERE k <= 3),
                  CASE WHEN x.n > 3 THEN format(' and %s more', x.n - 3) ELSE '' END,
                  CASE WHEN x.n = 1 THEN 'it' ELSE 'them' END)
      FROM (SELECT p_stranded -> 0 AS first, jsonb_array_length(p_stranded) AS n) AS x
$$;

-- ---------------------------------------------------------------------------
-- Saving, section by section.  Each reads its part of the document
-- (refusing with a path), writes only rows that change, and says how many.

-- The key a save holds alone and bookings share (namespace 4):
-- private.fd_setup_key (20_locks.sql).  Bookings take turns with a save of
-- their venue's setup: a booking being written holds the key shared (every
-- writer, by the validation triggers of bookings and booking_tables,
-- 34_validation_trigger.sql, before they check anything), so a save waits
-- for it and then sees it; a booking that comes during a save waits for it
-- (at most the caller's lock_timeout) and then meets the saved hours and
-- tables in the validation trigger.

-- What the policy does to a paid deposit: forfeit, refund or manual.
CREATE OR REPLACE FUNCTION private.fd_setup_deposit_rule(p_value jsonb, p_path text[],
                                                         p_what text)
    RETURNS text
    LANGUAGE plpgsql
AS $$
BEGIN
    IF p_value IS NULL OR p_value = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_value) <> 'string' OR p_value #>> '{}' NOT IN ('forfeit', 'refund', 'manual')
    THEN
        PERFORM private.fd_setup_invalid(p_path, format(
            '%s is forfeit (the venue keeps it), refund, or manual (a manager decides).', p_what));
    END IF;
    RETURN p_value #>> '{}';
END
$$;

-- The venue's own settings and policy.  A new venue (p_venue_id NULL)
-- needs a name no other venue has and a time zone.
CREATE OR REPLACE FUNCTION private.fd_setup_venue(p_venue_id uuid, p_doc jsonb,
                                                  OUT r_venue_id uuid, OUT r_changed integer)
    LANGUAGE plpgsql
AS $$
DECLARE
    pol jsonb := nullif(p_doc -> 'policy', 'null');
    v   public.venues%ROWTYPE;
    n   public.venues%ROWTYPE;
BEGIN
    r_changed := 0;
    n.name := private.fd_setup_text(p_doc -> 'name', '{name}', 'The venue''s name', 100);
    n.time_zone := private.fd_setup_text(p_doc -> 'time_zone', '{time_zone}', 'The time zone', 64);
    IF n.time_zone IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = n.time_zone) THEN
        PERFORM private.fd_setup_invalid('{time_zone}',
            format('There is no time zone called %s: use a name such as Europe/London.',
                   n.time_zone));
    END IF;
    n.currency := private.fd_setup_text(p_doc -> 'currency', '{currency}', 'The currency', 3);
    IF n.currency !~ '^[A-Z]{3}$' THEN
        PERFORM private.fd_setup_invalid('{currency}',
                                         'The currency is three capital letters, such as GBP.');
    END IF;
    n.phone_country := private.fd_setup_text(p_doc -> 'phone_country', '{phone_country}',
                                             'The phone country', 2);
    IF n.phone_country IS NOT NULL AND NOT EXISTS (SELECT 1 FROM private.fd_phone_countries() c
                                                    WHERE c.country = n.phone_country) THEN
        PERFORM private.fd_setup_invalid('{phone_country}',
            format('The phone country must be one of %s.',
                   private.fd_name_list(ARRAY(SELECT c.country FROM private.fd_phone_countries() c
                                               ORDER BY c.country), 'or')));
    END IF;
    n.reference_prefix := private.fd_setup_text(p_doc -> 'reference_prefix', '{reference_prefix}',
                                                'The reference prefix', 4);
    IF n.reference_prefix !~ '^[A-Z]{1,4}$' THEN
        PERFORM private.fd_setup_invalid('{reference_prefix}',
                                         'The reference prefix is 1 to 4 capital letters, such as BR.');
    END IF;
    IF pol IS NOT NULL THEN
        PERFORM private.fd_setup_keys(pol, '{policy}', 'The policy',
                                      ARRAY['max_days_ahead', 'min_party_size', 'max_party_size',
                                            'min_age', 'default_booking_minutes', 'hold_minutes',
                                            'idle_lock_minutes', 'no_show_deposit',
                                            'late_cancel_deposit', 'free_cancel_hours',
                                            'spend_flag_minutes']);
        n.max_days_ahead := private.fd_setup_int(pol -> 'max_days_ahead', '{policy,max_days_ahead}',
                                                 'The days ahead bookings are taken', 0, 730);
        n.min_party_size := private.fd_setup_int(pol -> 'min_party_size', '{policy,min_party_size}',
                                                 'The smallest party', 1, 100);
        n.max_party_size := private.fd_setup_int(pol -> 'max_party_size', '{policy,max_party_size}',
                                                 'The largest party', 1, 500);
        n.min_age := private.fd_setup_int(pol -> 'min_age', '{policy,min_age}', 'The minimum age',
                                          0, 99);
        n.default_booking_minutes := private.fd_setup_int(
            pol -> 'default_booking_minutes', '{policy,default_booking_minutes}',
            'The usual booking length (minutes)', 15, 1440);
        n.hold_minutes := private.fd_setup_int(pol -> 'hold_minutes', '{policy,hold_minutes}',
                                               'The hold time (minutes)', 1, 120);
        n.idle_lock_minutes := private.fd_setup_int(pol -> 'idle_lock_minutes',
                                                    '{policy,idle_lock_minutes}',
                                                    'The idle lock time (minutes)', 1, 240);
        n.no_show_deposit := private.fd_setup_deposit_rule(pol -> 'no_show_deposit',
                                                           '{policy,no_show_deposit}',
                                                           'A no-show''s deposit');
        n.late_cancel_deposit := private.fd_setup_deposit_rule(pol -> 'late_cancel_deposit',
                                                               '{policy,late_cancel_deposit}',
                                                               'A late cancellation''s deposit');
        n.free_cancel_hours := private.fd_setup_int(pol -> 'free_cancel_hours',
                                                    '{policy,free_cancel_hours}',
                                                    'The free cancellation notice (hours)', 0, 720);
        n.spend_flag_minutes := private.fd_setup_int(pol -> 'spend_flag_minutes',
                                                     '{policy,spend_flag_minutes}',
                                                     'The minimum-spend warning (minutes before '
                                                     'closing)', 0, 600);
    END IF;

    IF p_venue_id IS NULL THEN
        IF n.name IS NULL OR n.time_zone IS NULL THEN
            PERFORM private.fd_setup_invalid(CASE WHEN n.name IS NULL THEN '{name}'
                                                  ELSE '{time_zone}' END::text[],
                                             'A new venue needs a name and a time zone.');
        END IF;
        IF EXISTS (SELECT 1 FROM public.venues x WHERE x.name = n.name) THEN
            PERFORM private.fd_setup_refuse('DUPLICATE_VENUE',
                format('There is already a venue called %s.', n.name), '{name}');
        END IF;
        INSERT INTO public.venues (name, time_zone) VALUES (n.name, n.time_zone)
        RETURNING * INTO v;
        r_changed := 1;
    ELSE
        SELECT * INTO v FROM public.venues x WHERE x.id = p_venue_id;
        IF n.name IS DISTINCT FROM v.name
           AND EXISTS (SELECT 1 FROM public.venues x WHERE x.name = n.name AND x.id <> v.id) THEN
            PERFORM private.fd_setup_refuse('DUPLICATE_VENUE',
                format('There is already a venue called %s.', n.name), '{name}');
        END IF;
    END IF;
    IF coalesce(n.min_party_size, v.min_party_size) > coalesce(n.max_party_size, v.max_party_size)
    THEN
        PERFORM private.fd_setup_invalid('{policy,max_party_size}',
                                         'The largest party must be at least the smallest.');
    END IF;
    UPDATE public.venues x
       SET name = coalesce(n.name, x.name), time_zone = coalesce(n.time_zone, x.time_zone),
           currency = coalesce(n.currency, x.currency),
           phone_country = coalesce(n.phone_country, x.phone_country),
           reference_prefix = coalesce(n.reference_prefix, x.reference_prefix),
           max_days_ahead = coalesce(n.max_days_ahead, x.max_days_ahead),
           min_party_size = coalesce(n.min_party_size, x.min_party_size),
           max_party_size = coalesce(n.max_party_size, x.max_party_size),
           min_age = coalesce(n.min_age, x.min_age),
           default_booking_minutes = coalesce(n.default_booking_minutes,
                                              x.default_booking_minutes),
           hold_minutes = coalesce(n.hold_minutes, x.hold_minutes),
           idle_lock_minutes = coalesce(n.idle_lock_minutes, x.idle_lock_minutes),
           no_show_deposit = coalesce(n.no_show_deposit, x.no_show_deposit),
           late_cancel_deposit = coalesce(n.late_cancel_deposit, x.late_cancel_deposit),
           free_cancel_hours = coalesce(n.free_cancel_hours, x.free_cancel_hours),
           spend_flag_minutes = coalesce(n.spend_flag_minutes, x.spend_flag_minutes)
     WHERE x.id = v.id
       AND (x.name, x.time_zone, x.currency, x.phone_country, x.reference_prefix,
            x.max_days_ahead, x.min_party_size, x.max_party_size, x.min_age,
            x.default_booking_minutes, x.hold_minutes, x.idle_lock_minutes,
            x.no_show_deposit, x.late_cancel_deposit, x.free_cancel_hours, x.spend_flag_minutes)
           IS DISTINCT FROM
           (coalesce(n.name, x.name), coalesce(n.time_zone, x.time_zone),
            coalesce(n.currency, x.currency), coalesce(n.phone_country, x.phone_country),
            coalesce(n.reference_prefix, x.reference_prefix),
            coalesce(n.max_days_ahead, x.max_days_ahead),
            coalesce(n.min_party_size, x.min_party_size),
            coalesce(n.max_party_size, x.max_party_size), coalesce(n.min_age, x.min_age),
            coalesce(n.default_booking_minutes, x.default_booking_minutes),
            coalesce(n.hold_minutes, x.hold_minutes),
            coalesce(n.idle_lock_minutes, x.idle_lock_minutes),
            coalesce(n.no_show_deposit, x.no_show_deposit),
            coalesce(n.late_cancel_deposit, x.late_cancel_deposit),
            coalesce(n.free_cancel_hours, x.free_cancel_hours),
            coalesce(n.spend_flag_minutes, x.spend_flag_minutes));
    IF FOUND AND p_venue_id IS NOT NULL THEN
        r_changed := 1;
    END IF;
    r_venue_id := v.id;
END
$$;

-- The floors, in order (sort_order 1, 2, ...): each a name, or {id, name}
-- to rename one.  Floors left out are dropped by fd_setup_drop_floors once
-- the tables are saved.  Returns the floors kept.
CREATE OR REPLACE FUNCTION private.fd_setup_floors(p_venue_id uuid, p_floors jsonb,
                                                   OUT r_kept uuid[], OUT r_changed integer)
    LANGUAGE plpgsql
AS $$
DECLARE
    item  jsonb;
    pos   integer;
    path  text[];
    fid   uuid;
    fname text;
    ids   uuid[] := '{}';
    names text[] := '{}';
    olds  integer[];
    n     integer;
BEGIN
    r_changed := 0;
    IF jsonb_typeof(p_floors) IS DISTINCT FROM 'array' THEN
        PERFORM private.fd_setup_invalid('{floors}',
            'The floors are a list of names, in order: ["Downstairs", "Upstairs"].');
    END IF;
    FOR item, pos IN SELECT e.x, e.n FROM jsonb_array_elements(p_floors) WITH ORDINALITY e (x, n)
    LOOP
        path := ARRAY['floors', pos::text];
        fid := NULL;
        IF jsonb_typeof(item) = 'object' THEN
            PERFORM private.fd_setup_keys(item, path, format('Floor %s', pos), ARRAY['id', 'name'],
                                          ARRAY['name']);
            fname := private.fd_setup_text(item -> 'name', path || 'name'::text,
                                           format('Floor %s''s name', pos), 50);
            IF item ? 'id' THEN
                SELECT f.id INTO fid FROM public.floors f
                 WHERE f.venue_id = p_venue_id AND f.id::text = item ->> 'id';
                IF fid IS NULL THEN
                    PERFORM private.fd_setup_invalid(path || 'id'::text,
                        format('Floor %s (%s) is not one of this venue''s floors.', pos, fname));
                END IF;
            END IF;
        ELSE
            fname := private.fd_setup_text(item, path, format('Floor %s''s name', pos), 50);
        END IF;
        IF fname = ANY (names) THEN
            PERFORM private.fd_setup_invalid(path, format('There are two floors called %s.', fname));
        END IF;
        IF fid IS NULL THEN
            SELECT f.id INTO fid FROM public.floors f
             WHERE f.venue_id = p_venue_id AND f.name = fname;
        END IF;
        IF fid = ANY (ids) THEN
            PERFORM private.fd_setup_invalid(path, format('Floor %s is listed twice.', fname));
        END IF;
        ids := ids || fid;
        names := names || fname;
    END LOOP;
    -- Their order: the sort orders they have when those are already in this
    -- order (a new floor slotted in after the one before it), else 1, 2, 3...
    olds := ARRAY(SELECT f.sort_order
                    FROM unnest(ids) WITH ORDINALITY AS u (id, k)
                    LEFT JOIN public.floors f ON f.id = u.id
                   ORDER BY u.k);
    FOR pos IN 1 .. cardinality(olds) LOOP
        IF olds[pos] IS NULL THEN
            olds[pos] := coalesce(olds[pos - 1], 0) + 1;
        END IF;
        IF pos > 1 AND olds[pos] <= olds[pos - 1] THEN
            olds := ARRAY(SELECT generate_series(1, cardinality(ids)));
            EXIT;
        END IF;
    END LOOP;
    -- A name wanted by another floor is freed first (two floors swapping names).
    UPDATE public.floors f SET name = f.id::text
     WHERE f.venue_id = p_venue_id
       AND EXISTS (SELECT 1 FROM unnest(ids, names) AS w (id, name)
                    WHERE w.name = f.name AND w.id IS DISTINCT FROM f.id);
    FOR pos IN 1 .. cardinality(ids) LOOP
        IF ids[pos] IS NULL THEN
            INSERT INTO public.floors (venue_id, name, sort_order)
            VALUES (p_venue_id, names[pos], olds[pos]) RETURNING id INTO fid;
            ids[pos] := fid;
            r_changed := r_changed + 1;
        ELSE
            UPDATE public.floors f SET name = names[pos], sort_order = olds[pos]
             WHERE f.id = ids[pos]
               AND (f.name, f.sort_order) IS DISTINCT FROM (names[pos], olds[pos]);
            GET DIAGNOSTICS n = ROW_COUNT;
            r_changed := r_changed + n;
        END IF;
    END LOOP;
    r_kept := ids;
END
$$;

-- Floors not kept go, when no table (retired ones included) is on them.
CREATE OR REPLACE FUNCTION private.fd_setup_drop_floors(p_venue_id uuid, p_kept uuid[])
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    f record;
    n integer;
BEGIN
    SELECT fl.name, private.fd_name_list(array_agg(t.name ORDER BY t.grid_order, t.name)) AS names
      INTO f
      FROM public.floors fl JOIN public.venue_tables t ON t.floor_id = fl.id
     WHERE fl.venue_id = p_venue_id AND fl.id <> ALL (p_kept)
     GROUP BY fl.id, fl.name, fl.sort_order
     ORDER BY fl.sort_order
     LIMIT 1;
    IF FOUND THEN
        PERFORM private.fd_setup_invalid('{floors}',
            format('%s still has %s: keep the floor, or move its tables to another floor '
                   '(retired tables too).', f.name, f.names));
    END IF;
    DELETE FROM public.floors fl WHERE fl.venue_id = p_venue_id AND fl.id <> ALL (p_kept);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The tables, in grid order: {id?, name, floor, capacity, min_spend,
-- deposit, premium, grid_order, retired, joins}.  A table is matched by id,
-- else by name; a table left out is retired (never deleted: history keeps
-- its name).  grid_order defaults to the table's place in the list.  joins
-- names the tables it may be joined with (neighbours on its floor); a pair
-- may be named on either table or both, and the venue's joins become
-- exactly the pairs named.
CREATE OR REPLACE FUNCTION private.fd_setup_tables(p_venue_id uuid, p_tables jsonb,
                                                   OUT r_changed integer, OUT r_joins integer)
    LANGUAGE plpgsql
AS $$
DECLARE
    item     jsonb;
    pos      integer;
    path     text[];
    what     text;
    tid      uuid;
    tname    text;
    fname    text;
    j        jsonb;
    k        integer;
    other    integer;
    ids      uuid[] := '{}';
    names    text[] := '{}';
    floors   uuid[] := '{}';
    caps     integer[] := '{}';
    spends   numeric[] := '{}';
    deps     numeric[] := '{}';
    prems    boolean[] := '{}';
    orders   integer[] := '{}';
    retireds boolean[] := '{}';
    joins    jsonb[] := '{}';
    pair_lo  integer[] := '{}';
    pair_hi  integer[] := '{}';
    n        integer;
BEGIN
    r_changed := 0;
    r_joins := 0;
    IF jsonb_typeof(p_tables) IS DISTINCT FROM 'array' THEN
        PERFORM private.fd_setup_invalid('{tables}', 'The tables are a list.');
    END IF;
    FOR item, pos IN SELECT e.x, e.n FROM jsonb_array_elements(p_tables) WITH ORDINALITY e (x, n)
    LOOP
        path := ARRAY['tables', pos::text];
        PERFORM private.fd_setup_keys(item, path, format('Table %s', pos),
                                      ARRAY['id', 'name', 'floor', 'capacity', 'min_spend',
                                            'deposit', 'premium', 'grid_order', 'retired',
                                            'joins'],
                                      ARRAY['name', 'floor', 'capacity']);
        tname := private.fd_setup_text(item -> 'name', path || 'name'::text,
                                       format('Table %s''s name', pos), 50);
        what := tname || '''s';
        IF tname = ANY (names) THEN
            PERFORM private.fd_setup_invalid(path || 'name'::text,
                                             format('There are two tables called %s.', tname));
        END IF;
        tid := NULL;
        IF item ? 'id' THEN
            SELECT t.id INTO tid FROM public.venue_tables t
             WHERE t.venue_id = p_venue_id AND t.id::text = item ->> 'id';
            IF tid IS NULL THEN
                PERFORM private.fd_setup_invalid(path || 'id'::text,
                    format('%s is not one of this venue''s tables (unknown id).', tname));
            END IF;
        ELSE
            SELECT t.id INTO tid FROM public.venue_tables t
             WHERE t.venue_id = p_venue_id AND t.name = tname;
        END IF;
        IF tid = ANY (ids) THEN
            PERFORM private.fd_setup_invalid(path, format('%s is listed twice.', tname));
        END IF;
        fname := private.fd_setup_text(item -> 'floor', path || 'floor'::text, what || ' floor', 50);
        floors := floors || (SELECT f.id FROM public.floors f
                              WHERE f.venue_id = p_venue_id AND f.name = fname);
        IF floors[pos] IS NULL THEN
            PERFORM private.fd_setup_invalid(path || 'floor'::text,
                format('There is no floor called %s (the floors are %s).', fname,
                       coalesce(private.fd_name_list(ARRAY(
                           SELECT f.name FROM public.floors f WHERE f.venue_id = p_venue_id
                            ORDER BY f.sort_order, f.name)), 'none yet')));
        END IF;
        ids := ids || tid;
        names := names || tname;
        caps := caps || private.fd_setup_int(item -> 'capacity', path || 'capacity'::text,
                                             what || ' capacity', 1, 500);
        spends := spends || coalesce(private.fd_setup_money(item -> 'min_spend',
                                                            path || 'min_spend'::text,
                                                            what || ' minimum spend'), 0);
        deps := deps || coalesce(private.fd_setup_money(item -> 'deposit', path || 'deposit'::text,
                                                        what || ' deposit'), 0);
        prems := prems || coalesce(private.fd_setup_bool(item -> 'premium', path || 'premium'::text,
                                                         'Whether ' || tname || ' is premium'),
                                   false);
        orders := orders || coalesce(private.fd_setup_int(item -> 'grid_order',
                                                          path || 'grid_order'::text,
                                                          what || ' grid order', 0, 100000), pos);
        retireds := retireds || coalesce(private.fd_setup_bool(item -> 'retired',
                                                               path || 'retired'::text,
                                                               'Whether ' || tname
                                                               || ' is retired'), false);
        j := coalesce(nullif(item -> 'joins', 'null'), '[]');
        IF jsonb_typeof(j) <> 'array' THEN
            PERFORM private.fd_setup_invalid(path || 'joins'::text,
                format('%s joins are a list of table names: ["Booth 2"].', what));
        END IF;
        joins := joins || j;
    END LOOP;

    -- Joins, by the names in this list: neighbours on one floor (as
    -- positions in the list: new tables have no id yet).
    FOR pos IN 1 .. cardinality(names) LOOP
        FOR j, k IN SELECT e.x, e.n FROM jsonb_array_elements(joins[pos]) WITH ORDINALITY e (x, n)
        LOOP
            path := ARRAY['tables', pos::text, 'joins', k::text];
            tname := private.fd_setup_text(j, path, names[pos] || '''s joins', 50);
            other := array_position(names, tname);
            IF other IS NULL THEN
                PERFORM private.fd_setup_invalid(path,
                    format('%s cannot be joined with %s: there is no table of that name here.',
                           names[pos], tname));
            ELSIF other = pos THEN
                PERFORM private.fd_setup_invalid(path,
                                                 format('%s cannot be joined with itself.', tname));
            ELSIF floors[other] <> floors[pos] THEN
                PERFORM private.fd_setup_invalid(path,
                    format('%s and %s are on different floors: only neighbours on a floor can be '
                           'joined.', names[pos], tname));
            END IF;
            pair_lo := pair_lo || least(pos, other);
            pair_hi := pair_hi || greatest(pos, other);
        END LOOP;
    END LOOP;

    -- A name wanted by another table of the list is freed first (two tables
    -- swapping names); a table left out keeps its name, retired.
    SELECT t.name INTO tname FROM public.venue_tables t
      JOIN unnest(ids, names) AS w (id, name) ON w.name = t.name AND w.id IS DISTINCT FROM t.id
     WHERE t.venue_id = p_venue_id AND t.id <> ALL (array_remove(ids, NULL))
     LIMIT 1;
    IF FOUND THEN
        PERFORM private.fd_setup_invalid(ARRAY['tables', array_position(names, tname)::text, 'name'],
            format('There is already a table called %s, which this list leaves out (it would be '
                   'retired under that name): give the new one another name.', tname));
    END IF;
    UPDATE public.venue_tables t SET name = t.id::text
     WHERE t.venue_id = p_venue_id
       AND EXISTS (SELECT 1 FROM unnest(ids, names) AS w (id, name)
                    WHERE w.name = t.name AND w.id IS DISTINCT FROM t.id);
    FOR pos IN 1 .. cardinality(names) LOOP
        IF ids[pos] IS NULL THEN
            INSERT INTO public.venue_tables (venue_id, floor_id, name, capacity, min_spend, deposit,
                                             is_premium, grid_order, is_active)
            VALUES (p_venue_id, floors[pos], names[pos], caps[pos], spends[pos], deps[pos],
                    prems[pos], orders[pos], NOT retireds[pos])
            RETURNING id INTO tid;
            ids[pos] := tid;
            r_changed := r_changed + 1;
        ELSE
            UPDATE public.venue_tables t
               SET floor_id = floors[pos], name = names[pos], capacity = caps[pos],
                   min_spend = spends[pos], deposit = deps[pos], is_premium = prems[pos],
                   grid_order = orders[pos], is_active = NOT retireds[pos]
             WHERE t.id = ids[pos]
               AND (t.floor_id, t.name, t.capacity, t.min_spend, t.deposit, t.is_premium,
                    t.grid_order, t.is_active)
                   IS DISTINCT FROM
                   (floors[pos], names[pos], caps[pos], spends[pos], deps[pos], prems[pos],
                    orders[pos], NOT retireds[pos]);
            GET DIAGNOSTICS n = ROW_COUNT;
            r_changed := r_changed + n;
        END IF;
    END LOOP;
    UPDATE public.venue_tables t SET is_active = false
     WHERE t.venue_id = p_venue_id AND t.is_active AND t.id <> ALL (ids);
    GET DIAGNOSTICS n = ROW_COUNT;
    r_changed := r_changed + n;

    -- The joins become exactly the pairs named.
    WITH wanted AS (
        SELECT DISTINCT least(ids[p.lo], ids[p.hi]) AS a, greatest(ids[p.lo], ids[p.hi]) AS b
          FROM unnest(pair_lo, pair_hi) AS p (lo, hi)
    ), gone AS (
        DELETE FROM public.table_joins tj
         WHERE tj.venue_id = p_venue_id
           AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.a = tj.table_a AND w.b = tj.table_b)
        RETURNING 1
    ), added AS (
        INSERT INTO public.table_joins (venue_id, table_a, table_b)
        SELECT p_venue_id, w.a, w.b FROM wanted w
         WHERE NOT EXISTS (SELECT 1 FROM public.table_joins tj
                            WHERE tj.venue_id = p_venue_id AND tj.table_a = w.a
                              AND tj.table_b = w.b)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM added) INTO r_joins;
END
$$;

-- Opening hours per weekday: {"fri": {"opens": "21:00", "closes": "04:00"},
-- ...}; a weekday left out is closed.  Closing at or before opening is
-- after midnight (the usual case).
CREATE OR REPLACE FUNCTION private.fd_setup_hours(p_venue_id uuid, p_hours jsonb)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    w       record;
    item    jsonb;
    path    text[];
    v_opens  time;
    v_closes time;
    days    smallint[] := '{}';
    changed integer := 0;
    n       integer;
BEGIN
    PERFORM private.fd_setup_keys(p_hours, '{hours}', 'The opening hours',
                                  ARRAY(SELECT d.key FROM private.fd_setup_weekdays() d
                                         ORDER BY d.weekday));
    FOR w IN SELECT * FROM private.fd_setup_weekdays() d ORDER BY d.weekday LOOP
        item := nullif(p_hours -> w.key, 'null');
        CONTINUE WHEN item IS NULL;
        path := ARRAY['hours', w.key];
        PERFORM private.fd_setup_keys(item, path, w.words || '''s hours', ARRAY['opens', 'closes'],
                                      ARRAY['opens', 'closes']);
        v_opens := private.fd_setup_time(item -> 'opens', path || 'opens'::text,
                                       w.words || '''s opening time');
        v_closes := private.fd_setup_time(item -> 'closes', path || 'closes'::text,
                                        w.words || '''s closing time');
        IF v_opens = v_closes THEN
            PERFORM private.fd_setup_invalid(path || 'closes'::text,
                format('%s opens and closes at %s: a night ends before the next one starts.',
                       w.words, private.fd_setup_hhmm(v_opens)));
        END IF;
        days := days || w.weekday;
        INSERT INTO public.opening_hours AS h (venue_id, weekday, opens, closes)
        VALUES (p_venue_id, w.weekday, v_opens, v_closes)
        ON CONFLICT (venue_id, weekday) DO UPDATE
           SET opens = excluded.opens, closes = excluded.closes
         WHERE (h.opens, h.closes) IS DISTINCT FROM (excluded.opens, excluded.closes);
        GET DIAGNOSTICS n = ROW_COUNT;
        changed := changed + n;
    END LOOP;
    DELETE FROM public.opening_hours h WHERE h.venue_id = p_venue_id AND h.weekday <> ALL (days);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN changed + n;
END
$$;

-- Nights that differ from their weekday: [{date, closed, reason} or {date,
-- event, opens, closes, min_spend_factor, deposit_factor}, notes on
-- either].  From the night in progress on, the list is the whole of them
-- (a night left out goes back to its weekday); an earlier night is history
-- and may only be listed as it is.  Returns the nights changed.
CREATE OR REPLACE FUNCTION private.fd_setup_nights(p_venue_id uuid, p_nights jsonb)
    RETURNS date[]
    LANGUAGE plpgsql
AS $$
DECLARE
    item    jsonb;
    pos     integer;
    path    text[];
    what    text;
    cur     date := private.fd_current_night(p_venue_id);
    r       public.nights%ROWTYPE;
    dates   date[] := '{}';
    changed date[] := '{}';
    done    date;
BEGIN
    IF jsonb_typeof(p_nights) IS DISTINCT FROM 'array' THEN
        PERFORM private.fd_setup_invalid('{nights}', 'The nights are a list.');
    END IF;
    FOR item, pos IN SELECT e.x, e.n FROM jsonb_array_elements(p_nights) WITH ORDINALITY e (x, n)
    LOOP
        path := ARRAY['nights', pos::text];
        PERFORM private.fd_setup_keys(item, path, format('Night %s', pos),
                                      ARRAY['date', 'closed', 'reason', 'event', 'opens', 'closes',
                                            'min_spend_factor', 'deposit_factor', 'notes'],
                                      ARRAY['date']);
        r := NULL;
        r.venue_id := p_venue_id;
        r.night := private.fd_setup_date(item -> 'date', path || 'date'::text, format('Night %s''s date', pos));
        what := private.fd_night_label(r.night);
        IF r.night = ANY (dates) THEN
            PERFORM private.fd_setup_invalid(path || 'date'::text, format('%s is listed twice.', what));
        END IF;
        dates := dates || r.night;
        r.is_closed := coalesce(private.fd_setup_bool(item -> 'closed', path || 'closed'::text,
                                                      'Whether ' || what || ' is closed'), false);
        r.notes := private.fd_setup_text(item -> 'notes', path || 'notes'::text, what || '''s notes', 1000);
        IF r.is_closed THEN
            IF item ?| ARRAY['event', 'opens', 'closes', 'min_spend_factor', 'deposit_factor'] THEN
                PERFORM private.fd_setup_invalid(
                    path || (SELECT k FROM unnest(ARRAY['event', 'opens', 'closes',
                                                        'min_spend_factor', 'deposit_factor']) k
                              WHERE item ? k LIMIT 1),
                    format('%s is closed: a closed night has a reason and notes, not an event, '
                           'hours or prices.', what));
            END IF;
            r.event_name := private.fd_setup_text(item -> 'reason', path || 'reason'::text,
                                                  'Why ' || what || ' is closed', 100);
        ELSE
            IF item ? 'reason' THEN
                PERFORM private.fd_setup_invalid(path || 'reason'::text,
                    format('%s is open: a reason is for a closed night (closed = true); an open '
                           'night''s name is its event.', what));
            END IF;
            r.event_name := private.fd_setup_text(item -> 'event', path || 'event'::text,
                                                  what || '''s event', 100);
            r.opens := private.fd_setup_time(item -> 'opens', path || 'opens'::text,
                                             what || '''s opening time');
            r.closes := private.fd_setup_time(item -> 'closes', path || 'closes'::text,
                                              what || '''s closing time');
            IF (r.opens IS NULL) <> (r.closes IS NULL) THEN
                PERFORM private.fd_setup_invalid(
                    path || CASE WHEN r.opens IS NULL THEN 'opens' ELSE 'closes' END,
                    format('%s needs both an opening and a closing time, or neither (its '
                           'weekday''s).', what));
            ELSIF r.opens = r.closes THEN
                PERFORM private.fd_setup_invalid(path || 'closes'::text,
                    format('%s opens and closes at %s: a night ends before the next one starts.',
                           what, private.fd_setup_hhmm(r.opens)));
            END IF;
            r.min_spend_factor := private.fd_setup_factor(item -> 'min_spend_factor',
                                                          path || 'min_spend_factor'::text,
                                                          what || '''s minimum spend factor');
            IF r.min_spend_factor = 0 THEN
                PERFORM private.fd_setup_invalid(path || 'min_spend_factor'::text,
                    format('%s''s minimum spend factor must be more than 0.', what));
            END IF;
            r.deposit_factor := private.fd_setup_factor(item -> 'deposit_factor',
                                                        path || 'deposit_factor'::text,
                                                        what || '''s deposit factor');
            IF r.event_name IS NULL AND r.opens IS NULL AND r.min_spend_factor IS NULL
               AND r.deposit_factor IS NULL AND r.notes IS NULL THEN
                PERFORM private.fd_setup_invalid(path,
                    format('%s says nothing: give it closed = true, an event, hours, prices or '
                           'notes, or leave it out.', what));
            END IF;
        END IF;

        IF r.night < cur THEN
            IF NOT EXISTS (SELECT 1 FROM public.nights n
                            WHERE n.venue_id = p_venue_id AND n.night = r.night
                              AND (n.is_closed, n.event_name, n.opens, n.closes,
                                   n.min_spend_factor, n.deposit_factor, n.notes)
                                  IS NOT DISTINCT FROM
                                  (r.is_closed, r.event_name, r.opens, r.closes,
                                   r.min_spend_factor, r.deposit_factor, r.notes)) THEN
                PERFORM private.fd_setup_invalid(path || 'date'::text,
                    format('%s is over: its night can no longer be changed.', what));
            END IF;
            CONTINUE;
        END IF;
        INSERT INTO public.nights AS n (venue_id, night, is_closed, event_name, opens, closes,
                                        min_spend_factor, deposit_factor, notes)
        VALUES (r.venue_id, r.night, r.is_closed, r.event_name, r.opens, r.closes,
                r.min_spend_factor, r.deposit_factor, r.notes)
        ON CONFLICT (venue_id, night) DO UPDATE
           SET is_closed = excluded.is_closed, event_name = excluded.event_name,
               opens = excluded.opens, closes = excluded.closes,
               min_spend_factor = excluded.min_spend_factor,
               deposit_factor = excluded.deposit_factor, notes = excluded.notes
         WHERE (n.is_closed, n.event_name, n.opens, n.closes, n.min_spend_factor,
                n.deposit_factor, n.notes)
               IS DISTINCT FROM
               (excluded.is_closed, excluded.event_name, excluded.opens, excluded.closes,
                excluded.min_spend_factor, excluded.deposit_factor, excluded.notes);
        IF FOUND THEN
            changed := changed || r.night;
        END IF;
    END LOOP;
    FOR done IN DELETE FROM public.nights n
                 WHERE n.venue_id = p_venue_id AND n.night >= cur AND n.night <> ALL (dates)
                RETURNING n.night LOOP
        changed := changed || done;
    END LOOP;
    RETURN changed;
END
$$;

-- Table blocks: [{table, night, from, until, reason}] (from and until are
-- local times on the night, after midnight when before opening; either
-- left out is the night's opening or close).  From the night in progress
-- on, the list is the whole of them; an earlier block is history and may
-- only be listed as it is.  A new block over a booking is not placed: the
-- booking comes back as an item (why = blocked) and the save is refused.
CREATE OR REPLACE FUNCTION private.fd_setup_blocks(p_venue_id uuid, p_blocks jsonb,
                                                   OUT r_changed integer, OUT r_stranded jsonb)
    LANGUAGE plpgsql
AS $$
DECLARE
    item    jsonb;
    pos     integer;
    path    text[];
    what    text;
    cur     date := private.fd_current_night(p_venue_id);
    tname   text;
    tid     uuid;
    b_night date;
    t_from  time;
    t_until time;
    x       record;
    s       timestamptz;
    e       timestamptz;
    b_reason text;
    tids    uuid[] := '{}';
    nights  date[] := '{}';
    starts  timestamptz[] := '{}';
    ends    timestamptz[] := '{}';
    reasons text[] := '{}';
    k       integer;
    n       integer;
    items   jsonb;
BEGIN
    r_changed := 0;
    r_stranded := '[]';
    IF jsonb_typeof(p_blocks) IS DISTINCT FROM 'array' THEN
        PERFORM private.fd_setup_invalid('{blocks}', 'The table blocks are a list.');
    END IF;
    FOR item, pos IN SELECT y.x, y.n FROM jsonb_array_elements(p_blocks) WITH ORDINALITY y (x, n)
    LOOP
        path := ARRAY['blocks', pos::text];
        PERFORM private.fd_setup_keys(item, path, format('Block %s', pos),
                                      ARRAY['id', 'table', 'night', 'from', 'until', 'reason'],
                                      ARRAY['table', 'night', 'reason']);
        tname := private.fd_setup_text(item -> 'table', path || 'table'::text,
                                       format('Block %s''s table', pos), 50);
        SELECT t.id INTO tid FROM public.venue_tables t
         WHERE t.venue_id = p_venue_id AND t.name = tname;
        IF tid IS NULL THEN
            PERFORM private.fd_setup_invalid(path || 'table'::text,
                format('There is no table called %s to block.', tname));
        END IF;
        b_night := private.fd_setup_date(item -> 'night', path || 'night'::text,
                                       format('Block %s''s night', pos));
        what := format('%s on %s', tname, private.fd_night_label(b_night));
        t_from := private.fd_setup_time(item -> 'from', path || 'from'::text,
                                        'The start of the block of ' || what);
        t_until := private.fd_setup_time(item -> 'until', path || 'until'::text,
                                         'The end of the block of ' || what);
        b_reason := private.fd_setup_text(item -> 'reason', path || 'reason'::text,
                                        'The reason for blocking ' || what, 200);
        s := NULL;
        e := NULL;
        IF t_from IS NOT NULL OR t_until IS NOT NULL THEN
            SELECT * INTO x FROM private.fd_night_instants(p_venue_id, b_night,
                                                           coalesce(t_from, t_until),
                                                           coalesce(t_until, t_from));
            IF (x.refusal).code IS NOT NULL THEN
                PERFORM private.fd_setup_invalid(path || CASE WHEN t_from IS NULL THEN 'until'
                                                              ELSE 'from' END,
                                                 (x.refusal).message);
            END IF;
            s := CASE WHEN t_from IS NOT NULL THEN x.starts_at END;
            e := CASE WHEN t_until IS NOT NULL THEN x.ends_at END;
            IF s >= e THEN
                PERFORM private.fd_setup_invalid(path || 'until'::text,
                    format('The block of %s must end after it starts (a time before opening '
                           'is after midnight).', what));
            END IF;
        END IF;
        FOR k IN 1 .. cardinality(tids) LOOP
            IF tids[k] = tid AND nights[k] = b_night
               AND tstzrange(starts[k], ends[k], '[)') && tstzrange(s, e, '[)') THEN
                PERFORM private.fd_setup_invalid(path,
                    format('%s is blocked twice at once (blocks %s and %s).', what, k, pos));
            END IF;
        END LOOP;
        tids := tids || tid;
        nights := nights || b_night;
        starts := starts || s;
        ends := ends || e;
        reasons := reasons || b_reason;
        IF b_night < cur AND NOT EXISTS (
               SELECT 1 FROM public.table_blocks b
                WHERE b.venue_id = p_venue_id AND b.table_id = tid AND b.night = b_night
                  AND b.starts_at IS NOT DISTINCT FROM s AND b.ends_at IS NOT DISTINCT FROM e
                  AND b.reason = b_reason) THEN
            PERFORM private.fd_setup_invalid(path || 'night'::text,
                format('%s is over: its blocks can no longer be changed.',
                       private.fd_night_label(b_night)));
        END IF;
    END LOOP;

    -- Blocks left out go; those listed keep their row (a new reason is written).
    DELETE FROM public.table_blocks b
     WHERE b.venue_id = p_venue_id AND b.night >= cur
       AND NOT EXISTS (SELECT 1 FROM unnest(tids, nights, starts, ends) AS w (t, nt, s, e)
                        WHERE w.t = b.table_id AND w.nt = b.night
                          AND w.s IS NOT DISTINCT FROM b.starts_at
                          AND w.e IS NOT DISTINCT FROM b.ends_at);
    GET DIAGNOSTICS n = ROW_COUNT;
    r_changed := n;
    FOR k IN 1 .. cardinality(tids) LOOP
        CONTINUE WHEN nights[k] < cur;
        IF EXISTS (SELECT 1 FROM public.table_blocks b
                    WHERE b.venue_id = p_venue_id AND b.table_id = tids[k]
                      AND b.night = nights[k] AND b.starts_at IS NOT DISTINCT FROM starts[k]
                      AND b.ends_at IS NOT DISTINCT FROM ends[k]) THEN
            UPDATE public.table_blocks b SET reason = reasons[k]
             WHERE b.venue_id = p_venue_id AND b.table_id = tids[k] AND b.night = nights[k]
               AND b.starts_at IS NOT DISTINCT FROM starts[k]
               AND b.ends_at IS NOT DISTINCT FROM ends[k] AND b.reason <> reasons[k];
            GET DIAGNOSTICS n = ROW_COUNT;
            r_changed := r_changed + n;
            CONTINUE;
        END IF;
        -- new: placed unless a booking holds the table then
        items := private.fd_block_stranded(p_venue_id, tids[k], nights[k], starts[k], ends[k]);
        IF jsonb_array_length(items) > 0 THEN
            r_stranded := r_stranded || items;
            CONTINUE;
        END IF;
        INSERT INTO public.table_blocks (venue_id, table_id, night, starts_at, ends_at, reason,
                                         created_by, terminal)
        VALUES (p_venue_id, tids[k], nights[k], starts[k], ends[k], reasons[k],
                private.fd_current_staff_id(), private.fd_current_terminal());
        r_changed := r_changed + 1;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- The whole save.  Sections left out of the document are left as they are;
-- a section given is the whole of it.  Raises FDS01 for any refusal (the
-- caller's subtransaction undoes every write).  Returns the venue and what
-- changed: {venue, floors, tables, joins, hours, nights, blocks} (rows).
CREATE OR REPLACE FUNCTION private.fd_setup_apply(p_venue_id uuid, p_setup jsonb,
                                                  OUT r_venue_id uuid, OUT r_changes jsonb)
    LANGUAGE plpgsql
AS $$
DECLARE
    ven        record;
    kept       uuid[];
    floors_n   integer := 0;
    tables_n   integer := 0;
    joins_n    integer := 0;
    hours_n    integer := 0;
    blocks_n   integer := 0;
    nights     date[] := '{}';
    old_floors jsonb;
    stranded   jsonb := '[]';
    v_night    date;
BEGIN
    PERFORM private.fd_setup_keys(p_setup, '{}', 'The setup',
                                  ARRAY['name', 'time_zone', 'currency', 'phone_country',
                                        'reference_prefix', 'policy', 'floors', 'tables', 'hours',
                                        'nights', 'blocks', 'version']);
    IF p_venue_id IS NOT NULL THEN
        -- Our turn: after the bookings being written, before the next ones.
        PERFORM pg_advisory_xact_lock(4, private.fd_setup_key(p_venue_id));
        PERFORM 1 FROM public.venues v WHERE v.id = p_venue_id FOR NO KEY UPDATE;
        IF NOT FOUND THEN
            PERFORM private.fd_setup_refuse('UNKNOWN_VENUE', 'There is no such venue.');
        END IF;
        IF p_setup ? 'version'
           AND p_setup ->> 'version' IS DISTINCT FROM private.fd_setup_version(p_venue_id) THEN
            PERFORM private.fd_setup_refuse('SETUP_CHANGED',
                'The setup was changed at another desk after you opened it: open it again to '
                'see what changed.', '{version}');
        END IF;
    END IF;

    ven := private.fd_setup_venue(p_venue_id, p_setup);
    r_venue_id := ven.r_venue_id;
    IF p_setup ? 'floors' THEN
        SELECT f.r_kept, f.r_changed INTO kept, floors_n
          FROM private.fd_setup_floors(r_venue_id, p_setup -> 'floors') AS f;
    END IF;
    IF p_setup ? 'tables' THEN
        SELECT coalesce(jsonb_object_agg(t.id, t.floor_id), '{}') INTO old_floors
          FROM public.venue_tables t WHERE t.venue_id = r_venue_id;
        SELECT t.r_changed, t.r_joins INTO tables_n, joins_n
          FROM private.fd_setup_tables(r_venue_id, p_setup -> 'tables') AS t;
    END IF;
    IF p_setup ? 'floors' THEN
        floors_n := floors_n + private.fd_setup_drop_floors(r_venue_id, kept);
    END IF;
    IF p_setup ? 'hours' THEN
        hours_n := private.fd_setup_hours(r_venue_id, p_setup -> 'hours');
    END IF;
    IF p_setup ? 'nights' THEN
        nights := private.fd_setup_nights(r_venue_id, p_setup -> 'nights');
    END IF;
    IF p_setup ? 'blocks' THEN
        SELECT b.r_changed, b.r_stranded INTO blocks_n, stranded
          FROM private.fd_setup_blocks(r_venue_id, p_setup -> 'blocks') AS b;
    END IF;

    -- Nothing stranded, in the new state.
    stranded := stranded || private.fd_setup_stranded(r_venue_id, old_floors);
    IF jsonb_array_length(stranded) > 0 THEN
        stranded := private.fd_stranded_json(r_venue_id, stranded);
        PERFORM private.fd_setup_refuse('STRANDED_BOOKINGS',
                                        private.fd_stranded_message(stranded), NULL, stranded);
    END IF;

    r_changes := jsonb_build_object(
        'venue', ven.r_changed, 'floors', floors_n, 'tables', tables_n, 'joins', joins_n,
        'hours', hours_n, 'nights', cardinality(nights), 'blocks', blocks_n);
    -- Every desk hears of it: the layout (all nights) and each night changed.
    -- Blocks are told by their own trigger (72_change_feed.sql).
    IF ven.r_changed + floors_n + tables_n + joins_n + hours_n > 0 THEN
        INSERT INTO public.change_outbox (venue_id, night, kind)
        VALUES (r_venue_id, NULL, 'layout');
    END IF;
    FOREACH v_night IN ARRAY nights LOOP
        INSERT INTO public.change_outbox (venue_id, night, kind)
        VALUES (r_venue_id, v_night, 'night');
    END LOOP;
END
$$;

-- The save with its refusals as answers: (code, message, path, stranded)
-- all NULL on success, with the venue and what changed.  A refusal leaves
-- nothing written.
CREATE OR REPLACE FUNCTION private.fd_save_setup(p_venue_id uuid, p_setup jsonb,
                                                 OUT r_code text, OUT r_message text,
                                                 OUT r_path text[], OUT r_stranded jsonb,
                                                 OUT r_venue_id uuid, OUT r_changes jsonb)
    LANGUAGE plpgsql
AS $$
DECLARE
    detail jsonb;
    said   text;
    raw    text;
BEGIN
    BEGIN
        SELECT a.r_venue_id, a.r_changes INTO r_venue_id, r_changes
          FROM private.fd_setup_apply(p_venue_id, p_setup) AS a;
    EXCEPTION
        WHEN SQLSTATE 'FDS01' THEN
            GET STACKED DIAGNOSTICS said = MESSAGE_TEXT, raw = PG_EXCEPTION_DETAIL;
            detail := raw::jsonb;
            r_code := detail ->> 'code';
            r_message := said;
            r_path := CASE WHEN jsonb_typeof(detail -> 'path') = 'array'
                           THEN ARRAY(SELECT jsonb_array_elements_text(detail -> 'path')) END;
            r_stranded := nullif(detail -> 'stranded', 'null');
        WHEN lock_not_available THEN
            r_code := 'BUSY';
            r_message := 'The setup is being saved at another desk, or bookings are being '
                         'written: try again in a moment.';
    END;
END
$$;

-- ---------------------------------------------------------------------------
-- The API: a manager of the venue (the owner needs no session).

-- The setup as it stands, with its version (send it back with the save to
-- be told when another desk saved in between).  NULL for an unknown venue.
CREATE OR REPLACE FUNCTION public.venue_setup(venue_id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    doc jsonb;
BEGIN
    PERFORM private.fd_check_reader($1, true);  -- a manager of the venue, or raises
    doc := private.fd_setup_json($1);
    RETURN doc || jsonb_build_object('version', md5(doc::text));
END
$$;

-- Saves a setup document (a whole one, or only some sections).  venue_id
-- NULL adds a venue: the database's owner only (frontdesk venue import).
-- Codes: NOT_SIGNED_IN, NOT_ALLOWED, UNKNOWN_VENUE, INVALID_SETUP (with
-- error_path), DUPLICATE_VENUE, SETUP_CHANGED, STRANDED_BOOKINGS (with
-- stranded), BUSY.
CREATE OR REPLACE FUNCTION public.save_venue_setup(venue_id uuid, setup jsonb)
    RETURNS TABLE (success boolean, error_code text, error_message text, error_path text[],
                   stranded jsonb, saved_venue_id uuid, changes jsonb)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    gate private.fd_refusal;
    r    record;
BEGIN
    gate := CASE WHEN $1 IS NULL AND private.fd_channel() IS DISTINCT FROM 'owner'
                 THEN private.fd_refuse('NOT_ALLOWED',
                          'Only the database''s owner adds a venue (frontdesk venue import).')
                 ELSE private.fd_require_session($1, true) END;
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, NULL::text[], NULL::jsonb,
                            NULL::uuid, NULL::jsonb;
        RETURN;
    END IF;
    r := private.fd_save_setup($1, $2);
    RETURN QUERY SELECT r.r_code IS NULL, r.r_code, r.r_message, r.r_path, r.r_stranded,
                        r.r_venue_id, r.r_changes;
END
$$;

-- ---------------------------------------------------------------------------
-- Blocks from the grid's context menu: one table, one night, a reason.

-- starts_at and ends_at NULL are the night's opening and close; a block of
-- the whole night in progress starts now (the evening so far stays as it
-- was).  Refusals: UNKNOWN_TABLE, INVALID_INPUT (the reason), INVALID_TIME,
-- PAST_DATE, ALREADY_BLOCKED, STRANDED_BOOKINGS (with stranded),
-- TABLE_UNAVAILABLE and TABLE_BEING_BOOKED (a booking at the same moment).
CREATE OR REPLACE FUNCTION private.fd_block_table(p_venue_id uuid, p_table_id uuid,
                                                  p_night date, p_starts_at timestamptz,
                                                  p_ends_at timestamptz, p_reason text,
                                                  OUT r_code text, OUT r_message text,
                                                  OUT r_block_id uuid, OUT r_stranded jsonb)
    LANGUAGE plpgsql
AS $$
DECLARE
    t      public.venue_tables%ROWTYPE;
    why    text := private.fd_tidy_name(p_reason);
    cur    date := private.fd_current_night(p_venue_id);
    span   tstzrange;
    s      timestamptz := p_starts_at;
    clash  record;
    items  jsonb;
BEGIN
    SELECT * INTO t FROM public.venue_tables vt
     WHERE vt.venue_id = p_venue_id AND vt.id = p_table_id AND vt.is_active;
    IF NOT FOUND THEN
        r_code := 'UNKNOWN_TABLE';
        r_message := 'That table is not one of this venue''s tables in service.';
        RETURN;
    END IF;
    IF why IS NULL OR char_length(why) > 200 THEN
        r_code := 'INVALID_INPUT';
        r_message := CASE WHEN why IS NULL THEN 'Say why the table is out of service.'
                          ELSE 'The reason is too long (200 characters at most).' END;
        RETURN;
    END IF;
    IF p_night IS NULL OR NOT private.fd_night_in_range(p_night) THEN
        r_code := 'INVALID_TIME';
        r_message := (private.fd_night_range_refusal()).message;
        RETURN;
    END IF;
    IF p_night < cur THEN
        r_code := 'PAST_DATE';
        r_message := format('%s is over.', private.fd_night_label(p_night));
        RETURN;
    END IF;
    IF NOT (coalesce(isfinite(p_starts_at), true) AND coalesce(isfinite(p_ends_at), true))
       OR p_ends_at <= p_starts_at THEN
        r_code := 'INVALID_TIME';
        r_message := 'The block must end after it starts.';
        RETURN;
    END IF;
    span := private.fd_night_span(p_venue_id, p_night);
    IF s IS NULL AND p_night = cur AND private.fd_now() > lower(span) THEN
        s := date_trunc('minute', private.fd_now());
        IF s >= coalesce(p_ends_at, upper(span)) THEN
            r_code := 'PAST_DATE';
            r_message := 'That time has already passed tonight.';
            RETURN;
        END IF;
    END IF;
    SELECT b.*, private.fd_block_period(b.venue_id, b.night, b.starts_at, b.ends_at) AS p
      INTO clash
      FROM public.table_blocks b
     WHERE b.venue_id = p_venue_id AND b.table_id = t.id AND b.night = p_night
       AND b.period && tstzrange(s, p_ends_at, '[)')
     LIMIT 1;
    IF FOUND THEN
        r_code := 'ALREADY_BLOCKED';
        r_message := private.fd_block_words(p_venue_id, t.name, clash.starts_at, clash.ends_at,
                                            clash.p, clash.reason);
        RETURN;
    END IF;
    items := private.fd_block_stranded(p_venue_id, t.id, p_night, s, p_ends_at);
    IF jsonb_array_length(items) > 0 THEN
        r_stranded := private.fd_stranded_json(p_venue_id, items);
        r_code := 'STRANDED_BOOKINGS';
        r_message := private.fd_stranded_message(r_stranded);
        RETURN;
    END IF;
    BEGIN
        INSERT INTO public.table_blocks (venue_id, table_id, night, starts_at, ends_at, reason,
                                         created_by, terminal)
        VALUES (p_venue_id, t.id, p_night, s, p_ends_at, why, private.fd_current_staff_id(),
                private.fd_current_terminal())
        RETURNING id INTO r_block_id;
    EXCEPTION
        WHEN exclusion_violation THEN  -- a booking or block committed meanwhile
            r_code := 'TABLE_UNAVAILABLE';
            r_message := format('%s was just booked or blocked at another desk: look again.',
                                t.name);
            r_block_id := NULL;
        WHEN lock_not_available THEN
            r_code := 'TABLE_BEING_BOOKED';
            r_message := format('%s is being booked at another desk; try again in a moment.',
                                t.name);
            r_block_id := NULL;
    END;
END
$$;

CREATE OR REPLACE FUNCTION public.block_table(venue_id uuid, table_id uuid, night date,
                                              starts_at timestamptz, ends_at timestamptz,
                                              reason text)
    RETURNS TABLE (success boolean, error_code text, error_message text, block_id uuid,
                   stranded jsonb)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    gate private.fd_refusal := private.fd_require_session($1, true);
    r    record;
BEGIN
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message, NULL::uuid, NULL::jsonb;
        RETURN;
    END IF;
    r := private.fd_block_table($1, $2, $3, $4, $5, $6);
    RETURN QUERY SELECT r.r_code IS NULL, r.r_code, r.r_message, r.r_block_id, r.r_stranded;
END
$$;

-- Lifts a block (the table is in service again then).  A block of a night
-- that is over stays on record (PAST_DATE).
CREATE OR REPLACE FUNCTION public.unblock_table(block_id uuid)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    b    table_blocks%ROWTYPE;
    gate private.fd_refusal;
BEGIN
    SELECT * INTO b FROM table_blocks x WHERE x.id = $1;
    gate := private.fd_require_session(b.venue_id, true);
    IF gate.code IS NOT NULL THEN
        RETURN QUERY SELECT false, gate.code, gate.message;
        RETURN;
    END IF;
    IF b.id IS NULL THEN
        RETURN QUERY SELECT false, 'UNKNOWN_BLOCK', 'There is no such block.';
        RETURN;
    END IF;
    IF b.night < private.fd_current_night(b.venue_id) THEN
        RETURN QUERY SELECT false, 'PAST_DATE',
            format('%s is over: its blocks stay on record.', private.fd_night_label(b.night));
        RETURN;
    END IF;
    DELETE FROM table_blocks x WHERE x.id = b.id;
    RETURN QUERY SELECT true, NULL::text, NULL::text;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY', 'The block is being changed at another desk; try again.';
END
$$;
