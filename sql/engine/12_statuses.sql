-- A booking's statuses and the changes allowed between them, once.
--
--   pending → confirmed → arrived → seated → completed
--   cancelled and no-show from the open states (pending, confirmed, arrived)
--
-- Cancelled and no-show bookings free their tables; completed ones keep
-- them for their booked time.  The bookings table's CHECK lists the same
-- names (a schema constraint); the app reads the transitions from the night
-- plan (night_plan's status_transitions), never from a list of its own.

-- Every status, in the order a booking passes through them, with what it
-- means for the tables and for moving it.
CREATE OR REPLACE FUNCTION private.fd_statuses()
    RETURNS TABLE (status text, step integer, holds_table boolean, is_open boolean,
                   words text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('pending',   1, true,  true,  'pending'),
           ('confirmed', 2, true,  true,  'confirmed'),
           ('arrived',   3, true,  true,  'arrived'),
           ('seated',    4, true,  true,  'seated'),
           ('completed', 5, true,  false, 'completed'),
           ('cancelled', 6, false, false, 'cancelled'),
           ('no_show',   7, false, false, 'a no-show')
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
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT s.holds_table FROM private.fd_statuses() s WHERE s.status = p_status);

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

-- For the night plan: {"confirmed": ["arrived", "seated", ...], ...}.
CREATE OR REPLACE FUNCTION private.fd_status_transitions_json() RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT json_object_agg(s.status,
                                   coalesce((SELECT json_agg(t.to_status ORDER BY o.step)
                                               FROM private.fd_status_transitions() t
                                               JOIN private.fd_statuses() o ON o.status = t.to_status
                                              WHERE t.from_status = s.status), '[]'::json)
                                   ORDER BY s.step)
              FROM private.fd_statuses() s);
