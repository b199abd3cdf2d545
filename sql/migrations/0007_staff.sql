-- frontdesk 0007: staff sign in with a PIN, verified in the database.
--
-- A PIN is kept only as a slow salted hash (PBKDF2-HMAC-SHA256, computed by
-- the engine: sql/engine/16_staff.sql).  pgcrypto would have given bcrypt,
-- but the embedded server (the app's default) is built without OpenSSL and
-- ships no pgcrypto, so the engine uses only what every PostgreSQL has:
-- sha256() and gen_random_uuid().  The hash column is the owner's alone: the
-- application role reads the other columns of staff (engine/90_grants.sql).
ALTER TABLE staff
    ADD COLUMN pin_hash text
        CONSTRAINT staff_pin_hash_shape
        CHECK (pin_hash ~ '^pbkdf2_sha256\$[1-9][0-9]{3,6}\$[0-9a-f]{32}\$[A-Za-z0-9+/]{43}=$'),
    -- wrong PINs in a row; the fifth locks the person out until locked_until
    ADD COLUMN failed_pins integer NOT NULL DEFAULT 0
        CONSTRAINT staff_failed_pins_count CHECK (failed_pins >= 0),
    ADD COLUMN locked_until timestamptz;

-- Roles are host and manager.  The first release also allowed 'admin',
-- which nothing ever used; the check is tightened only where no row uses it,
-- so a venue that did keep such a row loses nothing.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM staff WHERE role NOT IN ('host', 'manager')) THEN
        ALTER TABLE staff DROP CONSTRAINT staff_role_check;
        ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('host', 'manager'));
    END IF;
END
$roles$;

-- Sessions: one per sign-in, bound to the terminal that signed in.  The
-- token itself is never stored, only its SHA-256; the schema is private, so
-- no application role reads even that.
CREATE TABLE private.staff_sessions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    venue_id   uuid NOT NULL,
    staff_id   uuid NOT NULL,
    terminal   text NOT NULL,
    started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz,
    FOREIGN KEY (venue_id, staff_id) REFERENCES public.staff (venue_id, id) ON DELETE CASCADE
);
CREATE INDEX staff_sessions_open ON private.staff_sessions (staff_id) WHERE ended_at IS NULL;
