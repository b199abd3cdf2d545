-- The night and time.  A booking belongs to a night (the date the venue
-- opened); a local time earlier than that night's opening time falls after
-- midnight.  Everything that turns (night, local time) into an instant goes
-- through fd_night_instant, and a night's opening hours through
-- fd_night_hours, so that each rule lives here once.

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
-- boundary.  Local times that do not exist (spring forward) move forward by
-- the gap; times that happen twice (fall back) take the later, standard-time
-- instant - PostgreSQL's documented rule for AT TIME ZONE.
CREATE OR REPLACE FUNCTION private.fd_night_instant(p_venue_id uuid, p_night date, p_time time)
    RETURNS timestamptz
    LANGUAGE sql STABLE
AS $$
    SELECT ((p_night + CASE WHEN p_time < coalesce(h.opens, time '12:00')
                            THEN 1 ELSE 0 END) + p_time) AT TIME ZONE v.time_zone
      FROM public.venues v, private.fd_night_hours(p_venue_id, p_night) h
     WHERE v.id = p_venue_id
$$;

-- The night's opening and closing instants, or NULL when it is closed.
-- Computed from one fd_night_hours read (this runs on every booking).
CREATE OR REPLACE FUNCTION private.fd_night_span(p_venue_id uuid, p_night date) RETURNS tstzrange
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN h.is_closed THEN NULL
                ELSE tstzrange((p_night + h.opens) AT TIME ZONE v.time_zone,
                               CASE WHEN h.closes <= h.opens
                                    THEN ((p_night + 1) + h.closes) AT TIME ZONE v.time_zone
                                    ELSE (p_night + h.closes) AT TIME ZONE v.time_zone END,
                               '[)')
           END
      FROM public.venues v, private.fd_night_hours(p_venue_id, p_night) h
     WHERE v.id = p_venue_id
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
