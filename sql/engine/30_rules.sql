-- The booking rules.  Each is a small function returning a refusal (code,
-- message) or NULL when the booking may stand.  The validation trigger
-- (34_validation_trigger.sql) raises what they return, for every writer;
-- the booking functions return it.  So a rule lives here once, and psql,
-- the website and the desk meet the same words.

-- The booking itself: its times, its night, the party, by the venue's
-- policy.  In the order a host would want to hear them.  A night is past
-- once it has closed, so tonight stays bookable after its start (walk-ins,
-- late tables); a night without hours is past once its date is.  For a new
-- booking (p_new_booking: the booking functions, suggestions, holds,
-- check_table_availability) a time that has already ended is past too; a
-- change to a booking, or a row any other writer puts in, may keep a time
-- tonight that has gone (a party staying on, records put right).
-- Never raises: a NULL, infinite or absurd night or instant is refused
-- (INVALID_TIME) before any instant is computed from it.
CREATE OR REPLACE FUNCTION private.fd_booking_refusal(p_venue_id uuid, p_night date,
                                                      p_starts_at timestamptz,
                                                      p_ends_at timestamptz,
                                                      p_party_size integer,
                                                      p_new_booking boolean DEFAULT false)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v     public.venues%ROWTYPE;
    r     record;
    span  tstzrange;
    now_  timestamptz := private.fd_now();
    today date;
    event text;
BEGIN
    -- the venue and the night's span in one read (NULL span for a night
    -- that is NULL or out of range: those are refused before it is used)
    SELECT vn AS venue, s.span INTO r
      FROM public.venues vn
      LEFT JOIN LATERAL private.fd_night_spans(vn.id, p_night) s ON true
     WHERE vn.id = p_venue_id;
    IF NOT FOUND THEN
        RETURN private.fd_refuse('UNKNOWN_VENUE', 'There is no such venue.');
    END IF;
    v := r.venue;
    IF p_night IS NULL THEN
        RETURN private.fd_refuse('INVALID_TIME', 'Choose a night.');
    END IF;
    IF NOT private.fd_night_in_range(p_night) THEN
        RETURN private.fd_night_range_refusal();
    END IF;
    IF p_starts_at IS NULL OR p_ends_at IS NULL OR p_ends_at <= p_starts_at THEN
        RETURN private.fd_refuse('INVALID_TIME', 'The end time must be after the start time.');
    END IF;
    IF NOT (isfinite(p_starts_at) AND isfinite(p_ends_at)) THEN
        RETURN private.fd_refuse('INVALID_TIME',
                                 'The start and end must be times on the night, not infinity.');
    END IF;
    span := r.span;
    today := (now_ AT TIME ZONE v.time_zone)::date;
    IF upper(span) <= now_ OR (span IS NULL AND p_night < today) THEN
        RETURN private.fd_refuse('PAST_DATE',
                                 format('%s is in the past.', private.fd_night_label(p_night)));
    END IF;
    -- The night in progress is today or the day before, so only the last
    -- bookable date needs it (it reads the hours of yesterday's night).
    IF p_night > today + v.max_days_ahead
       OR (p_night = today + v.max_days_ahead
           AND p_night > private.fd_current_night(p_venue_id) + v.max_days_ahead) THEN
        RETURN private.fd_refuse('TOO_FAR_AHEAD',
                                 format('%s is too far ahead: we take bookings up to %s days ahead.',
                                        private.fd_night_label(p_night), v.max_days_ahead));
    END IF;
    IF span IS NULL THEN
        SELECT n.event_name INTO event FROM public.nights n
         WHERE n.venue_id = p_venue_id AND n.night = p_night;
        RETURN private.fd_refuse('VENUE_CLOSED',
                                 format('%s is closed on %s%s.', v.name,
                                        private.fd_night_label(p_night), ' (' || event || ')'));
    END IF;
    IF NOT span @> tstzrange(p_starts_at, p_ends_at, '[)') THEN
        RETURN private.fd_refuse('OUTSIDE_HOURS',
                                 format('%s is open %s on %s.', v.name,
                                        private.fd_local_times(p_venue_id, span),
                                        private.fd_night_label(p_night)));
    END IF;
    IF p_new_booking AND p_ends_at <= now_ THEN
        RETURN private.fd_refuse('PAST_DATE', 'That time has already passed tonight.');
    END IF;
    IF p_party_size IS NULL OR p_party_size NOT BETWEEN v.min_party_size AND v.max_party_size THEN
        RETURN private.fd_refuse('PARTY_SIZE', format('Party size must be %s to %s.',
                                                      v.min_party_size, v.max_party_size));
    END IF;
    RETURN NULL;
END
$$;

-- The minimum age: the guest must be the venue's minimum age or over on the
-- night, when we know their date of birth.
CREATE OR REPLACE FUNCTION private.fd_age_refusal(p_venue_id uuid, p_night date,
                                                  p_date_of_birth date)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF p_date_of_birth IS NULL THEN
        RETURN NULL;  -- nothing to check (most bookings): no read
    END IF;
    RETURN (
    SELECT private.fd_refuse('UNDER_AGE',
                             format('The guest must be %s or over on the night.', v.min_age))
      FROM public.venues v
     WHERE v.id = p_venue_id
       AND p_date_of_birth + make_interval(years => v.min_age) > p_night);
END
$$;

-- Whether a set of tables is one group through table_joins (a single table
-- is).  Walks the joins from the first table, staying inside the set.
CREATE OR REPLACE FUNCTION private.fd_tables_joinable(p_venue_id uuid, p_table_ids uuid[])
    RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    WITH RECURSIVE reached (id) AS (
        SELECT p_table_ids[1]
        UNION
        SELECT CASE WHEN j.table_a = r.id THEN j.table_b ELSE j.table_a END
          FROM reached r
          JOIN public.table_joins j ON j.venue_id = p_venue_id AND r.id IN (j.table_a, j.table_b)
         WHERE j.table_a = ANY (p_table_ids) AND j.table_b = ANY (p_table_ids)
    )
    SELECT count(*) = cardinality(p_table_ids) FROM reached
$$;

-- The chosen tables (already de-duplicated): this venue's, in service,
-- joinable as one group, seating the party.
CREATE OR REPLACE FUNCTION private.fd_tables_refusal(p_venue_id uuid, p_table_ids uuid[],
                                                     p_party_size integer)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    known integer;
    seats integer;
    names text[];
BEGIN
    IF coalesce(cardinality(p_table_ids), 0) = 0 THEN
        RETURN private.fd_refuse('UNKNOWN_TABLE', 'Choose at least one table.');
    END IF;
    IF cardinality(p_table_ids) = 1 THEN
        -- Most bookings: one look-up by key.  "id = ANY" alone lets the plan
        -- kept for this function read all the venue's tables by their venue
        -- and filter them (it did, for a venue with 200 of a server's 310).
        SELECT count(*), sum(t.capacity), array_agg(t.name)
          INTO known, seats, names
          FROM public.venue_tables t
         WHERE t.id = p_table_ids[1] AND t.venue_id = p_venue_id AND t.is_active;
    ELSE
        SELECT count(*), sum(t.capacity), array_agg(t.name ORDER BY t.grid_order, t.name)
          INTO known, seats, names
          FROM public.venue_tables t
         WHERE t.venue_id = p_venue_id AND t.is_active AND t.id = ANY (p_table_ids);
    END IF;
    IF known < cardinality(p_table_ids) THEN  -- a NULL element never matches, so lands here
        RETURN private.fd_refuse('UNKNOWN_TABLE',
            CASE WHEN cardinality(p_table_ids) = 1
                 THEN 'That table is not one of this venue''s tables in service.'
                 ELSE 'One of those tables is not one of this venue''s tables in service.' END);
    END IF;
    -- One table is always a group: no walk (most bookings are one table).
    IF cardinality(p_table_ids) > 1 AND NOT private.fd_tables_joinable(p_venue_id, p_table_ids) THEN
        RETURN private.fd_refuse('TABLES_NOT_JOINABLE',
                                 format('%s cannot be joined.', private.fd_name_list(names)));
    END IF;
    IF p_party_size > seats THEN
        RETURN private.fd_refuse('OVER_CAPACITY',
            format('Party of %s is more than %s seat%s (%s).', p_party_size,
                   private.fd_name_list(names), CASE WHEN known = 1 THEN 's' ELSE '' END, seats));
    END IF;
    RETURN NULL;
END
$$;
