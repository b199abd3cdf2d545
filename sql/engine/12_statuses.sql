-- A booking's statuses and the changes allowed between them, once.
--
--   pending → confirmed → arrived → seated → completed
--   cancelled and no-show from the open states (pending, confirmed, arrived)
--
-- Arrived, seated, completed and no-show happen on the night: they are
-- accepted only while the booking's night is in progress, from
-- fd_status_early() before its opening to fd_status_late() after its close
-- (fd_status_window).  Confirming and cancelling are for any night.
-- A mistaken status is put back by revert_status (54_desk_changes.sql), a
-- correction of its own, never by a backwards transition here.
--
-- Cancelled and no-show bookings free their tables; completed ones keep
-- them for their booked time.  The bookings table's CHECK lists the same
-- names (a schema constraint); the app reads the transitions from the night
-- plan (night_plan's status_transitions), never from a list of its own.

-- Every status, in the order a booking passes through them, with what it
-- means for the tables and for moving it.
CREATE OR REPLACE FUNCTION private.fd_statuses()
    RETURNS TABLE (status text, step integer, holds_table boolean, is_open boolean,
                   words text, on_the_night boolean)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('pending',   1, true,  true,  'pending',   false),
           ('confirmed', 2, true,  true,  'confirmed', false),
           ('arrived',   3, true,  true,  'arrived',   true),
           ('seated',    4, true,  true,  'seated',    true),
           ('completed', 5, true,  false, 'completed', true),
           ('cancelled', 6, false, false, 'cancelled', false),
           ('no_show',   7, false, false, 'a no-show', true)
$$;

-- The allowed changes.
CREATE OR REPLACE FUNCTION private.fd_status_transitions()
    RETURNS TABLE (from_status text, to_status text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('pending',   'confirmed'), ('pending',   'arrived'),
           ('pending',   'cancelled'), ('pending',   'no_show'),
           ('confirmed', 'arrived'),   ('confirmed', 'seated'),
           ('confirmed', 'cancelled'), ('confirmed', 'no_show'),
           ('arrived',   'seated'),    ('arrived',   'cancelled'), ('arrived', 'no_show'),
           ('seated',    'completed')
$$;

CREATE OR REPLACE FUNCTION private.fd_status_holds_table(p_status text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE  -- keeps its plan: on every booking write
AS $$
BEGIN
    RETURN (SELECT s.holds_table FROM private.fd_statuses() s WHERE s.status = p_status);
END
$$;

-- Open: the booking can still be moved, seated, cancelled.
CREATE OR REPLACE FUNCTION private.fd_status_is_open(p_status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce((SELECT s.is_open FROM private.fd_statuses() s WHERE s.status = p_status),
                    false);

-- A status as a host says it: 'confirmed', 'a no-show'.
CREATE OR REPLACE FUNCTION private.fd_status_words(p_status text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce((SELECT s.words FROM private.fd_statuses() s WHERE s.status = p_status),
                    p_status);

CREATE OR REPLACE FUNCTION private.fd_status_may_become(p_from text, p_to text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN EXISTS (SELECT 1 FROM private.fd_status_transitions() t
                    WHERE t.from_status = p_from AND t.to_status = p_to);

-- A status that only happens on the night (arrived, seated, completed, no-show).
CREATE OR REPLACE FUNCTION private.fd_status_on_the_night(p_status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce((SELECT s.on_the_night FROM private.fd_statuses() s
                      WHERE s.status = p_status), false);

-- How long before opening a night is "in progress" for the desk (early
-- arrivals, the host's set-up), and how long after its close (closing out
-- the last tables, no-shows and completions after the doors shut).
CREATE OR REPLACE FUNCTION private.fd_status_early() RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN interval '2 hours';
CREATE OR REPLACE FUNCTION private.fd_status_late() RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN interval '6 hours';

-- When the night's statuses may be set: its opening minus fd_status_early()
-- to its close plus fd_status_late().  NULL when the night is closed.
-- fd_status_window_of is the rule on a span already read (inlined).
CREATE OR REPLACE FUNCTION private.fd_status_window_of(p_span tstzrange) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN p_span IS NOT NULL
                THEN tstzrange(lower(p_span) - private.fd_status_early(),
                               upper(p_span) + private.fd_status_late(), '[)') END;

CREATE OR REPLACE FUNCTION private.fd_status_window(p_venue_id uuid, p_night date)
    RETURNS tstzrange
    LANGUAGE sql STABLE
AS $$
    SELECT private.fd_status_window_of(private.fd_night_span(p_venue_id, p_night))
$$;

-- NULL when a booking of this night may become p_status now; else
-- NOT_TONIGHT, saying when it may ("Booking BR-… is for Fri 4 Dec 2026: it
-- can be marked arrived from 19:00 that evening until 10:00 the morning
-- after.").
CREATE OR REPLACE FUNCTION private.fd_status_timing_refusal(p_venue_id uuid, p_night date,
                                                            p_reference text, p_status text)
    RETURNS private.fd_refusal
    LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN NOT private.fd_status_on_the_night(p_status) THEN NULL
        WHEN w.win IS NULL THEN private.fd_refuse('NOT_TONIGHT',
            format('Booking %s is for %s, when the venue is closed: it can''t be marked %s.',
                   p_reference, private.fd_night_label(p_night),
                   private.fd_status_words(p_status)))
        WHEN private.fd_now() <@ w.win THEN NULL
        ELSE private.fd_refuse('NOT_TONIGHT',
            format('Booking %s is for %s: it can be marked %s only while that night is on, '
                   'from %s that evening until %s the morning after.',
                   p_reference, private.fd_night_label(p_night),
                   private.fd_status_words(p_status),
                   to_char(lower(w.win) AT TIME ZONE v.time_zone, 'HH24:MI'),
                   to_char(upper(w.win) AT TIME ZONE v.time_zone, 'HH24:MI')))
    END
      FROM public.venues v
     CROSS JOIN LATERAL (SELECT private.fd_status_window(v.id, p_night) AS win) w
     WHERE v.id = p_venue_id
$$;

-- For the night plan: {"confirmed": ["arrived", "seated", ...], ...}, the
-- transitions set_booking_status would allow on that night now: the
-- night's statuses (arrived, seated, completed, no-show) only while it is
-- in progress (fd_status_window).  The night plan, which has the night's
-- span already, asks with p_now_on (PL/pgSQL: its plan is kept, where a
-- SQL function is planned on every call before PostgreSQL 18).
CREATE OR REPLACE FUNCTION private.fd_status_transitions_json(p_now_on boolean)
    RETURNS json
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT json_object_agg(s.status,
                           coalesce((SELECT json_agg(t.to_status ORDER BY o.step)
                                       FROM private.fd_status_transitions() t
                                       JOIN private.fd_statuses() o ON o.status = t.to_status
                                      WHERE t.from_status = s.status
                                        AND (NOT o.on_the_night OR p_now_on)), '[]'::json)
                           ORDER BY s.step)
      FROM private.fd_statuses() s);
END
$$;

CREATE OR REPLACE FUNCTION private.fd_status_transitions_json(p_venue_id uuid, p_night date)
    RETURNS json
    LANGUAGE sql STABLE
AS $$
    SELECT private.fd_status_transitions_json(
               coalesce(private.fd_now() <@ private.fd_status_window(p_venue_id, p_night), false))
$$;
