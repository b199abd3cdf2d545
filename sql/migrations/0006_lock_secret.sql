-- frontdesk 0006: what lets no outsider stall the engine.
--
-- The engine's advisory-lock keys (booking turns, the phone lock, the
-- relay) were hashtext(table || '/' || night): any login could compute them
-- and take them.  They are now mixed with a per-database secret that only
-- the engine's owner can read (schema private), so a login without the
-- engine's rights cannot derive them (sql/engine/20_locks.sql).
CREATE TABLE private.engine_secret (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    secret   text NOT NULL
);
INSERT INTO private.engine_secret (secret)
VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- Phone locks (acquire_booking_lock) with their age: a lock older than the
-- venue's hold time is no longer honoured, so a frozen desk (connected but
-- never releasing) cannot keep a table "being booked" all night.
CREATE TABLE private.phone_locks (
    lock_key      integer NOT NULL,
    pid           integer NOT NULL,
    backend_start timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (lock_key, pid)
);
