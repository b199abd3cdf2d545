-- Locks.  One key per (table, night) - never per start time, which would let
-- two overlapping bookings with different starts pass each other.
--   namespace 1: "a desk is on the phone about this table" (session level,
--                acquire_booking_lock); booking transactions test it shared.
--   namespace 2: booking transactions on a table take turns (transaction
--                level, released at commit or rollback, PgBouncer-safe).
--   namespace 3: the change feed's relay (72_change_feed.sql).
-- Keys are taken in ascending key order so that bookings over several tables
-- in any order cannot deadlock (even when two pairs hash alike).
--
-- Nobody outside stalls the engine:
-- * keys are mixed with a per-database secret only the owner can read
--   (private.engine_secret), so a login without the engine's rights cannot
--   derive them; pg_locks, which shows held keys, is the owner's alone in
--   this database (90_grants.sql);
-- * no engine call waits more than LOCK_WAIT (2 s) for another transaction
--   (a frozen desk mid-booking, a manager's open psql): it answers
--   TABLE_BEING_BOOKED instead;
-- * a phone lock older than the venue's hold time is no longer honoured.

-- A key no outsider can compute.
-- PL/pgSQL so that its read of the secret keeps its plan (several calls a booking).
CREATE OR REPLACE FUNCTION private.fd_secret_key(p_text text) RETURNS integer
    LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN hashtext((SELECT s.secret FROM private.engine_secret s) || '/' || p_text);
END
$$;

-- The key a save of the venue's setup holds alone and bookings being
-- written share (namespace 4; 58_setup.sql, 34_validation_trigger.sql).
CREATE OR REPLACE FUNCTION private.fd_setup_key(p_venue_id uuid) RETURNS integer
    LANGUAGE sql STABLE
    RETURN private.fd_secret_key('setup/' || p_venue_id::text);

CREATE OR REPLACE FUNCTION private.fd_lock_key(p_table_id uuid, p_night date) RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN private.fd_secret_key(p_table_id::text || '/' || p_night::text);

-- Whether a phone lock (namespace 1) on this key that we could not share is
-- still to be honoured: a live desk's lock younger than its venue's hold
-- time.  A lock taken before its age was recorded counts as live.
CREATE OR REPLACE FUNCTION private.fd_phone_lock_live(p_key integer) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT NOT EXISTS (SELECT 1 FROM private.phone_locks p WHERE p.lock_key = p_key)
           OR EXISTS (SELECT 1 FROM private.phone_locks p
                       WHERE p.lock_key = p_key AND p.expires_at > private.fd_now())
$$;

-- Take the booking locks for these tables on this night.  Answers 'phone',
-- having waited for nothing, when another session holds a live phone lock
-- on one of them; raises lock_not_available when another booking of one of
-- them has held its turn for more than 2 s (a frozen transaction);
-- otherwise takes every turn and answers 'free' when none had to be waited
-- for, 'waited' when one did (milliseconds).  Callers answer
-- TABLE_BEING_BOOKED for 'phone' and for the raise.  After 'free' a
-- booking looks again only for holds: no booking of those tables committed
-- while it queued (fd_book_try).
CREATE OR REPLACE FUNCTION private.fd_take_turns(p_table_ids uuid[], p_night date)
    RETURNS text
    LANGUAGE plpgsql
    SET lock_timeout = '2s'
AS $$
DECLARE
    k integer;
    keys integer[];
    turn text := 'free';
BEGIN
    IF cardinality(p_table_ids) = 1 THEN  -- most bookings: nothing to sort, no query
        keys := ARRAY[private.fd_lock_key(p_table_ids[1], p_night)];
    ELSE
        SELECT array_agg(DISTINCT private.fd_lock_key(t, p_night)
                         ORDER BY private.fd_lock_key(t, p_night))
          INTO keys
          FROM unnest(p_table_ids) AS t;
    END IF;
    -- Phone locks first, none waited for, so a refusal never queues behind a booking.
    FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
        IF NOT pg_try_advisory_xact_lock_shared(1, k) AND private.fd_phone_lock_live(k) THEN
            RETURN 'phone';
        END IF;
    END LOOP;
    -- the turns in key order, as fd_lock_turns takes them
    FOREACH k IN ARRAY coalesce(keys, '{}') LOOP
        IF NOT pg_try_advisory_xact_lock(2, k) THEN
            PERFORM pg_advisory_xact_lock(2, k);
            turn := 'waited';
        END IF;
    END LOOP;
    RETURN turn;
END
$$;

-- fd_take_turns as a yes (every turn taken) or no (a live phone lock), for
-- the changes to a booking and the holds, which look again either way.
CREATE OR REPLACE FUNCTION private.fd_lock_tables(p_table_ids uuid[], p_night date)
    RETURNS boolean
    LANGUAGE sql
    RETURN private.fd_take_turns(p_table_ids, p_night) <> 'phone';

-- Take the booking-turn locks (namespace 2) of these keys in order, waiting
-- at most lock_timeout for each.  One held longer (a frozen transaction)
-- raises lock_not_available, which every caller turns into
-- TABLE_BEING_BOOKED in the exception block it already has around its
-- writes (no subtransaction of its own here: this runs on every booking).
CREATE OR REPLACE FUNCTION private.fd_lock_turns(p_keys integer[]) RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    k integer;
BEGIN
    FOREACH k IN ARRAY coalesce(p_keys, '{}') LOOP
        PERFORM pg_advisory_xact_lock(2, k);
    END LOOP;
    RETURN true;
END
$$;

-- Take only the booking-turn locks of these tables on this night, in key
-- order.  For changes to an existing booking that a desk on the phone about
-- the same table must not block (a no-show, a cancellation).  Raises
-- lock_not_available when a frozen transaction holds one for more than 2 s.
CREATE OR REPLACE FUNCTION private.fd_lock_tables_turn(p_table_ids uuid[], p_night date)
    RETURNS boolean
    LANGUAGE sql
    SET lock_timeout = '2s'
AS $$
    SELECT private.fd_lock_turns(ARRAY(SELECT DISTINCT private.fd_lock_key(t, p_night)
                                         FROM unnest(p_table_ids) AS t ORDER BY 1))
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
-- at once, for up to the venue's hold time (taking it again renews it).
-- Session level on purpose (the call spans several transactions), so release
-- it with release_booking_lock; it also ends with the connection.  Behind a
-- transaction-pooling PgBouncer a session lock stays on a server connection
-- the desk no longer has: use holds (hold_tables) there.  start_time is
-- accepted for the contract but unused: the lock covers the whole (table,
-- night), because a lock per start time (the seed's) lets two overlapping
-- bookings with different starts pass each other.  Taking it twice holds it
-- once (one release frees it).
CREATE OR REPLACE FUNCTION public.acquire_booking_lock(table_id uuid, booking_date date,
                                                       start_time time)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    k       integer;
    minutes integer;
BEGIN
    SELECT v.hold_minutes INTO minutes
      FROM venue_tables t JOIN venues v ON v.id = t.venue_id
     WHERE t.id = $1 AND t.is_active;
    IF NOT FOUND OR booking_date IS NULL THEN
        RETURN false;
    END IF;
    -- The website, or a desk somebody is signed in at (the contract's answer
    -- to anyone else is "not acquired").
    IF (private.fd_require_writer((SELECT t.venue_id FROM venue_tables t
                                    WHERE t.id = $1))).code IS NOT NULL THEN
        RETURN false;
    END IF;
    k := private.fd_lock_key($1, booking_date);
    IF NOT private.fd_own_phone_lock(k) AND NOT pg_try_advisory_lock(1, k) THEN
        RETURN false;
    END IF;
    -- Its age, for fd_phone_lock_live; rows of ended sessions go on the way.
    DELETE FROM private.phone_locks p
     WHERE p.expires_at <= private.fd_now()
        OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = p.pid AND a.backend_start = p.backend_start);
    INSERT INTO private.phone_locks (lock_key, pid, backend_start, expires_at)
    SELECT k, pg_backend_pid(), a.backend_start,
           private.fd_now() + make_interval(mins => minutes)
      FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()
    ON CONFLICT (lock_key, pid) DO UPDATE SET backend_start = EXCLUDED.backend_start,
                                              expires_at = EXCLUDED.expires_at;
    RETURN true;
END
$$;

-- False when this session did not hold it.
CREATE OR REPLACE FUNCTION public.release_booking_lock(table_id uuid, booking_date date,
                                                       start_time time)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    k integer := private.fd_lock_key($1, booking_date);
BEGIN
    IF k IS NULL OR NOT private.fd_own_phone_lock(k) THEN
        RETURN false;
    END IF;
    DELETE FROM private.phone_locks p WHERE p.lock_key = k AND p.pid = pg_backend_pid();
    RETURN pg_advisory_unlock(1, k);
END
$$;
