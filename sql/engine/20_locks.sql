-- Locks.  One key per (table, night) - never per start time, which would let
-- two overlapping bookings with different starts pass each other.
--   namespace 1: "a desk is on the phone about this table" (session level,
--                acquire_booking_lock); booking transactions test it shared.
--   namespace 2: booking transactions on a table take turns (transaction
--                level, released at commit or rollback, PgBouncer-safe).
-- Keys are taken in ascending key order so that bookings over several tables
-- in any order cannot deadlock (even when two pairs hash alike).

CREATE OR REPLACE FUNCTION private.fd_lock_key(p_table_id uuid, p_night date) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN hashtext(p_table_id::text || '/' || p_night::text);

-- Take the booking locks for these tables on this night.  Returns false at
-- once, having waited for nothing, when another session holds the phone lock
-- on one of them (TABLE_BEING_BOOKED); otherwise waits its turn and returns
-- true.
CREATE OR REPLACE FUNCTION private.fd_lock_tables(p_table_ids uuid[], p_night date)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    k integer;
    keys integer[];
BEGIN
    SELECT array_agg(DISTINCT private.fd_lock_key(t, p_night)
                     ORDER BY private.fd_lock_key(t, p_night))
      INTO keys
      FROM unnest(p_table_ids) AS t;
    -- Phone locks first, none waited for, so a refusal never queues behind a booking.
    FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
        IF NOT pg_try_advisory_xact_lock_shared(1, k) THEN
            RETURN false;
        END IF;
    END LOOP;
    FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
        PERFORM pg_advisory_xact_lock(2, k);
    END LOOP;
    RETURN true;
END
$$;

-- Take only the booking-turn locks (namespace 2) of these tables on this
-- night, in key order.  For changes to an existing booking that a desk on
-- the phone about the same table must not block (a no-show, a cancellation).
CREATE OR REPLACE FUNCTION private.fd_lock_tables_turn(p_table_ids uuid[], p_night date)
    RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    k integer;
BEGIN
    FOR k IN SELECT DISTINCT private.fd_lock_key(t, p_night) FROM unnest(p_table_ids) AS t
              ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(2, k);
    END LOOP;
END
$$;

-- Whether this session holds the phone lock on a key (an advisory lock on
-- two int4 keys shows as classid, objid, objsubid = 2 in pg_locks).
CREATE OR REPLACE FUNCTION private.fd_own_phone_lock(p_key integer) RETURNS boolean
    LANGUAGE sql VOLATILE
AS $$
    SELECT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()
                      AND l.database = (SELECT d.oid FROM pg_database d
                                         WHERE d.datname = current_database())
                      AND l.classid = 1 AND l.objid::bigint = (p_key::bigint & 4294967295)
                      AND l.objsubid = 2 AND l.mode = 'ExclusiveLock' AND l.granted)
$$;

-- "A desk is on the phone about this table tonight" (the seed's contract):
-- bookings of the table that night by anyone else answer TABLE_BEING_BOOKED
-- at once.  Session level on purpose (the call spans several transactions),
-- so release it with release_booking_lock; it also ends with the
-- connection.  Behind a transaction-pooling PgBouncer a session lock stays
-- on a server connection the desk no longer has: use holds (hold_tables)
-- there.  start_time is accepted for the contract but unused: the lock
-- covers the whole (table, night), because a lock per start time (the
-- seed's) lets two overlapping bookings with different starts pass each
-- other.  Taking it twice holds it once (one release frees it).
CREATE OR REPLACE FUNCTION public.acquire_booking_lock(table_id uuid, booking_date date,
                                                       start_time time)
    RETURNS boolean
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM venue_tables t
                                  WHERE t.id = acquire_booking_lock.table_id)
                     OR booking_date IS NULL THEN false
                WHEN private.fd_own_phone_lock(
                         private.fd_lock_key(acquire_booking_lock.table_id, booking_date)) THEN true
                ELSE pg_try_advisory_lock(
                         1, private.fd_lock_key(acquire_booking_lock.table_id, booking_date)) END
$$;

-- False when this session did not hold it.
CREATE OR REPLACE FUNCTION public.release_booking_lock(table_id uuid, booking_date date,
                                                       start_time time)
    RETURNS boolean
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN private.fd_own_phone_lock(
                         private.fd_lock_key(release_booking_lock.table_id, booking_date))
                THEN pg_advisory_unlock(
                         1, private.fd_lock_key(release_booking_lock.table_id, booking_date))
                ELSE false END
$$;
