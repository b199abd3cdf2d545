-- The night and time.  A booking belongs to a night (the date the venue
-- opened); a local time earlier than that night's opening time falls after
-- midnight.  Everything that turns (night, local time) into an instant goes
-- through fd_night_instant (or fd_night_instants, which also refuses), and a
-- night's opening hours through fd_night_hours, so that each rule lives here
-- once.
--
-- Clock changes.  On the night the clocks go forward a local time in the
-- gap (01:00-01:59 in Europe/London) does not exist: fd_night_instants
-- refuses it (INVALID_TIME, "01:30 does not exist that night: the clocks go
-- forward from 01:00 to 02:00."), so the seed's functions never book a time
-- nobody asked for.  On the night the clocks go back a local time in the
-- repeated hour (01:00-01:59) means the later, standard-time instant (01:30
-- GMT, not 01:30 BST): PostgreSQL's rule for AT TIME ZONE, kept on purpose,
-- and the messages then say which one (fd_local_times).  The desk's
-- functions take instants, so they can book either 01:30.
--
-- Sane nights.  A night must lie in the years 2000 to 9999: every instant a
-- night yields is then inside PostgreSQL's timestamp range, and a date such
-- as 300000-01-01 or 'infinity' is refused (INVALID_TIME) before any instant
-- is computed, never raised as "timestamp out of range".

CREATE OR REPLACE FUNCTION private.fd_night_in_range(p_night date) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p_night BETWEEN date '2000-01-01' AND date '9999-12-31';

CREATE OR REPLACE FUNCTION private.fd_night_range_refusal() RETURNS private.fd_refusal
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN private.fd_refuse('INVALID_TIME',
                             'The night must be a date in the years 2000 to 9999.');

-- The hours of one night: the event's hours, else the weekday's, else none
-- (closed).  Always exactly one row.  Declared as a set so that the planner
-- inlines it into the callers' FROM (a single-row function would be a call
-- of its own, several times a booking).
CREATE OR REPLACE FUNCTION private.fd_night_hours(p_venue_id uuid, p_night date)
    RETURNS TABLE (opens time, closes time, is_closed boolean)
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(n.opens, h.opens),
           coalesce(n.closes, h.closes),
           coalesce(n.is_closed, false) OR coalesce(n.opens, h.opens) IS NULL
      FROM (SELECT 1) AS one
      LEFT JOIN public.nights n ON n.venue_id = p_venue_id AND n.night = p_night
      LEFT JOIN public.opening_hours h ON h.venue_id = p_venue_id
                                      AND h.weekday = extract(isodow FROM p_night)
$$;

-- The instant of a local time on a night: times earlier than the night's
-- opening time fall after midnight.  On a night with no hours, noon is the
-- boundary.  NULL for a night outside the years 2000 to 9999.  A local time
-- that does not exist (spring forward) comes out as PostgreSQL reads it,
-- moved forward by the gap (fd_night_instants refuses it instead); a time
-- that happens twice (fall back) is the later, standard-time instant.
CREATE OR REPLACE FUNCTION private.fd_night_instant(p_venue_id uuid, p_night date, p_time time)
    RETURNS timestamptz
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN private.fd_night_in_range(p_night)
                THEN ((p_night + CASE WHEN p_time < coalesce(h.opens, time '12:00')
                                      THEN 1 ELSE 0 END) + p_time) AT TIME ZONE v.time_zone
           END
      FROM public.venues v, private.fd_night_hours(p_venue_id, p_night) h
     WHERE v.id = p_venue_id
$$;

-- Whether a wall-clock time exists in a zone: read as an instant and back,
-- it is itself (a time in the spring-forward gap comes back an hour later).
CREATE OR REPLACE FUNCTION private.fd_local_time_exists(p_zone text, p_local timestamp)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (p_local AT TIME ZONE p_zone) AT TIME ZONE p_zone = p_local;

-- The refusal for a wall-clock time in the spring-forward gap, naming the
-- gap: '01:30 does not exist that night: the clocks go forward from 01:00
-- to 02:00.'  PostgreSQL reads such a time with the offset from before the
-- change, so that instant is after the change, by less than the gap; the
-- change is the first minute since then with the later offset.  Runs only
-- when refusing.
CREATE OR REPLACE FUNCTION private.fd_clock_gap_refusal(p_zone text, p_local timestamp)
    RETURNS private.fd_refusal
    LANGUAGE sql STABLE
AS $$
    SELECT private.fd_refuse('INVALID_TIME',
               format('%s does not exist that night: the clocks go forward from %s to %s.',
                      to_char(p_local, 'HH24:MI'), to_char(c.local_after - x.gap, 'HH24:MI'),
                      to_char(c.local_after, 'HH24:MI')))
      FROM (SELECT p_local AT TIME ZONE p_zone AS at,
                   ((p_local AT TIME ZONE p_zone) AT TIME ZONE p_zone) - p_local AS gap) AS x,
           LATERAL (SELECT coalesce(min(m), x.at) AT TIME ZONE p_zone AS local_after
                      FROM generate_series(x.at - x.gap + interval '1 minute', x.at,
                                           interval '1 minute') AS m
                     WHERE (m AT TIME ZONE p_zone) - (m AT TIME ZONE 'UTC')
                           = (x.at AT TIME ZONE p_zone) - (x.at AT TIME ZONE 'UTC')) AS c
$$;

-- A booking's start and end instants from the seed's (night, local start,
-- local end), or a refusal: a night outside the years 2000 to 9999, or a
-- local time that does not exist that night (the start's first).  The
-- instants are NULL whenever there is a refusal, and for an unknown venue,
-- a NULL night or a NULL time (the booking rules then refuse them).  Always
-- exactly one row; a set so that the planner inlines it into its callers.
-- The two subqueries are fenced (OFFSET 0): pulled up, each reference to
-- l.s, l.e and r.refusal became a copy of its whole expression, so the
-- local times were converted 14 times a call instead of 6 (a tenth to a
-- fifth of check_table_availability's CPU on 15).
CREATE OR REPLACE FUNCTION private.fd_night_instants(p_venue_id uuid, p_night date,
                                                     p_start time, p_end time)
    RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, refusal private.fd_refusal)
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN r.refusal IS NULL THEN l.s AT TIME ZONE l.zone END,
           CASE WHEN r.refusal IS NULL THEN l.e AT TIME ZONE l.zone END,
           r.refusal
      FROM (SELECT v.time_zone AS zone,
                   CASE WHEN private.fd_night_in_range(p_night)
                        THEN (p_night + CASE WHEN p_start < coalesce(h.opens, time '12:00')
                                             THEN 1 ELSE 0 END) + p_start END AS s,
                   CASE WHEN private.fd_night_in_range(p_night)
                        THEN (p_night + CASE WHEN p_end < coalesce(h.opens, time '12:00')
                                             THEN 1 ELSE 0 END) + p_end END AS e
              FROM (SELECT 1) AS one
              LEFT JOIN public.venues v ON v.id = p_venue_id
              LEFT JOIN LATERAL private.fd_night_hours(p_venue_id, p_night) h ON true
            OFFSET 0) AS l,
           LATERAL (SELECT CASE WHEN NOT private.fd_night_in_range(p_night)
                                THEN private.fd_night_range_refusal()
                                WHEN NOT private.fd_local_time_exists(l.zone, l.s)
                                THEN private.fd_clock_gap_refusal(l.zone, l.s)
                                WHEN NOT private.fd_local_time_exists(l.zone, l.e)
                                THEN private.fd_clock_gap_refusal(l.zone, l.e)
                           END AS refusal
                    OFFSET 0) AS r
$$;

-- The night's opening and closing instants, or NULL when it is closed (or
-- the night is not one of the years 2000 to 9999).  Computed from one
-- fd_night_hours read.  As a set of one row, in SQL, so that the planner
-- inlines it into a caller's query (fd_booking_refusal reads the venue and
-- the span in one statement); fd_night_span is the same as a value.
CREATE OR REPLACE FUNCTION private.fd_night_spans(p_venue_id uuid, p_night date)
    RETURNS TABLE (span tstzrange)
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN h.is_closed OR NOT private.fd_night_in_range(p_night) THEN NULL
                ELSE tstzrange((p_night + h.opens) AT TIME ZONE v.time_zone,
                               CASE WHEN h.closes <= h.opens
                                    THEN ((p_night + 1) + h.closes) AT TIME ZONE v.time_zone
                                    ELSE (p_night + h.closes) AT TIME ZONE v.time_zone END,
                               '[)')
           END
      FROM public.venues v, private.fd_night_hours(p_venue_id, p_night) h
     WHERE v.id = p_venue_id
$$;

-- PL/pgSQL, like every helper with a query on the booking path: it keeps
-- its plan for the session, where a SQL function that is not inlined is
-- planned again on every call before PostgreSQL 18 (about 100 µs on 15).
CREATE OR REPLACE FUNCTION private.fd_night_span(p_venue_id uuid, p_night date) RETURNS tstzrange
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (SELECT s.span FROM private.fd_night_spans(p_venue_id, p_night) s);
END
$$;

-- The night in progress: the night whose opening hours contain now, else
-- the venue-local today (a night opens on its own date and runs at most a
-- day, so only yesterday's can still be going).  NULL for an unknown venue.
CREATE OR REPLACE FUNCTION private.fd_current_night(p_venue_id uuid) RETURNS date
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN private.fd_now() <@ private.fd_night_span(v.id, d.today - 1) THEN d.today - 1
                ELSE d.today END
      FROM public.venues v,
           LATERAL (SELECT (private.fd_now() AT TIME ZONE v.time_zone)::date AS today) d
     WHERE v.id = p_venue_id
$$;

CREATE OR REPLACE FUNCTION public.current_night(venue_id uuid) RETURNS date
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    RETURN private.fd_current_night(venue_id);
