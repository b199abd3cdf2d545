-- Staff and sessions: who is at the desk, proved by a PIN the database
-- checks.
--
-- PINs.  4 to 8 digits, kept only as a slow salted hash: PBKDF2-HMAC-SHA256
-- (RFC 8018), written 'pbkdf2_sha256$<iterations>$<salt>$<base64 hash>' as
-- Django writes it, so any PBKDF2 implementation can check one (Python's
-- hashlib.pbkdf2_hmac('sha256', pin, salt, iterations) does, in the tests).
-- Computed here from core PostgreSQL only (sha256(), gen_random_uuid()):
-- pgcrypto's bcrypt is not available on the embedded server, which is built
-- without OpenSSL.  The hash is the owner's alone (engine/90_grants.sql
-- grants the app every other column of staff); the audit never copies it
-- (engine/70_audit.sql).  Five wrong PINs in a row lock that person out for
-- five minutes; a manager can unlock.
--
-- Sessions.  sign_in gives a random token, once; the database keeps only
-- its SHA-256 (private.staff_sessions), bound to the login (session_user)
-- and the terminal (frontdesk.terminal) that signed in, and ending at the
-- close of the night in progress (or the next) plus two hours, at most a
-- day after signing in, or at sign_out.  A transaction carries it as
-- set_config('frontdesk.session', token, true); private.fd_session() is the
-- person it proves, or no row.
--
-- Channels.  The login says which channel a connection is (fd_channel):
-- the website (frontdesk_web) books through the seed's contract on its
-- login's word; a desk (frontdesk_desk) must carry a valid session for
-- every write and every read of guests' data (fd_require_session, asked
-- first by each such function; reads raise 42501 through
-- fd_check_reader); the owner (the command line) is trusted.  The terminal
-- and staff member writing (fd_current_terminal, fd_current_staff_id) are
-- the session's, never what a desk's client sets.
--
-- Staff management (add_staff, set_staff_pin, set_staff_active,
-- unlock_staff) needs a manager's session; the command line (frontdesk
-- staff, frontdesk/staff.py) runs as the database's owner and calls the
-- private helpers directly.

-- How many PBKDF2 rounds a new PIN gets (stored in each hash, so raising it
-- leaves older hashes valid).  About 40 ms a PIN on a desk-class machine.
CREATE OR REPLACE FUNCTION private.fd_pin_iterations() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 20000;

-- PBKDF2-HMAC-SHA256, one 32-byte block (RFC 8018 section 5.2).
CREATE OR REPLACE FUNCTION private.fd_pbkdf2_sha256(p_password bytea, p_salt bytea,
                                                    p_iterations integer)
    RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    k     bytea := CASE WHEN octet_length(p_password) > 64 THEN sha256(p_password)
                        ELSE p_password END;
    ipad  bytea;
    opad  bytea;
    u     bytea;
    acc   bit(256);
    res   bytea := decode(repeat('00', 32), 'hex');
BEGIN
    k := k || decode(repeat('00', 64 - octet_length(k)), 'hex');
    ipad := k;
    opad := k;
    FOR i IN 0..63 LOOP
        ipad := set_byte(ipad, i, get_byte(k, i) # 54);  -- 0x36
        opad := set_byte(opad, i, get_byte(k, i) # 92);  -- 0x5c
    END LOOP;
    u := sha256(opad || sha256(ipad || p_salt || '\x00000001'::bytea));
    acc := ('x' || encode(u, 'hex'))::bit(256);
    FOR i IN 2..p_iterations LOOP
        u := sha256(opad || sha256(ipad || u));
        acc := acc # ('x' || encode(u, 'hex'))::bit(256);
    END LOOP;
    FOR i IN 0..31 LOOP
        res := set_byte(res, i, substring(acc FROM 8 * i + 1 FOR 8)::integer);
    END LOOP;
    RETURN res;
END
$$;

-- The shape of a PIN, and of a stored hash.
CREATE OR REPLACE FUNCTION private.fd_is_pin(p_pin text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(char_length(p_pin) <= 8 AND p_pin ~ '^[0-9]{4,8}$', false);

CREATE OR REPLACE FUNCTION private.fd_pin_refusal(p_pin text) RETURNS private.fd_refusal
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN NOT private.fd_is_pin(p_pin)
                THEN private.fd_refuse('INVALID_INPUT', 'A PIN is 4 to 8 digits.') END;

-- A new hash of a PIN, with a fresh random salt (122 random bits, as text).
CREATE OR REPLACE FUNCTION private.fd_pin_hash(p_pin text) RETURNS text
    LANGUAGE sql VOLATILE
AS $$
    SELECT format('pbkdf2_sha256$%s$%s$%s', x.rounds, x.salt,
                  encode(private.fd_pbkdf2_sha256(convert_to(p_pin, 'UTF8'),
                                                  convert_to(x.salt, 'UTF8'), x.rounds),
                         'base64'))
      FROM (SELECT private.fd_pin_iterations() AS rounds,
                   encode(uuid_send(gen_random_uuid()), 'hex') AS salt) AS x
$$;

-- Whether a PIN matches a stored hash; false for anything malformed or NULL.
CREATE OR REPLACE FUNCTION private.fd_pin_matches(p_pin text, p_hash text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    parts text[];
BEGIN
    IF NOT private.fd_is_pin(p_pin) OR p_hash IS NULL
       OR p_hash !~ '^pbkdf2_sha256\$[1-9][0-9]{3,6}\$[0-9a-f]{32}\$[A-Za-z0-9+/]{43}=$' THEN
        RETURN false;
    END IF;
    parts := string_to_array(p_hash, '$');
    RETURN private.fd_pbkdf2_sha256(convert_to(p_pin, 'UTF8'), convert_to(parts[3], 'UTF8'),
                                    parts[2]::integer) = decode(parts[4], 'base64');
END
$$;

-- A hash no PIN matches, checked when the name is nobody who can sign in,
-- so that answer takes as long as a wrong PIN.
CREATE OR REPLACE FUNCTION private.fd_pin_decoy() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN format('pbkdf2_sha256$%s$%s$%s=', private.fd_pin_iterations(), repeat('0', 32),
                  repeat('A', 43));

-- A staff name as stored and looked up: whitespace runs as one space,
-- trimmed; NULL when blank or absurdly long.
CREATE OR REPLACE FUNCTION private.fd_staff_name(p_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN char_length(p_name) <= 400
                THEN nullif(btrim(regexp_replace(p_name, '\s+', ' ', 'g')), '') END;

-- Wrong PINs in a row before a lockout, and how long it lasts.
CREATE OR REPLACE FUNCTION private.fd_pin_tries() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 5;

CREATE OR REPLACE FUNCTION private.fd_pin_lockout() RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN interval '5 minutes';

-- A wrong PIN (or a name nobody can sign in as) is answered after this
-- pause, with that person's row still locked, and written to the server's
-- log.  The count of wrong PINs is a row in the caller's transaction: a
-- client with a desk's login running its own SQL could roll it back and
-- guess on; the pause and the log it cannot.  Guesses at one person take
-- turns, at most one a second (10,000 four-digit PINs: hours, not minutes,
-- and every one in the log); a host who mistypes waits a second.
CREATE OR REPLACE FUNCTION private.fd_pin_pause() RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN interval '1 second';

-- ---------------------------------------------------------------------------
-- Sessions.

CREATE OR REPLACE FUNCTION private.fd_token_hash(p_token text) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN sha256(convert_to(p_token, 'UTF8'));

-- A new session token: 32 bytes from three random uuids (366 random bits),
-- as 64 hex digits.
CREATE OR REPLACE FUNCTION private.fd_new_token() RETURNS text
    LANGUAGE sql VOLATILE
    RETURN encode(sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                         || uuid_send(gen_random_uuid())), 'hex');

-- When a session signed in now ends: the close of the night in progress
-- plus two hours; when no night is open, the next night's close plus two
-- hours (closed nights skipped); never more than 24 hours after signing in
-- (a manager at the desk on a Monday afternoon of a venue that next opens on
-- Thursday is not signed in until Friday morning).
CREATE OR REPLACE FUNCTION private.fd_session_expiry(p_venue_id uuid) RETURNS timestamptz
    LANGUAGE sql STABLE
AS $$
    SELECT least(
        (SELECT upper(private.fd_night_span(p_venue_id, c.night + k)) + interval '2 hours'
           FROM (SELECT private.fd_current_night(p_venue_id) AS night) AS c,
                generate_series(0, 1) AS k
          WHERE upper(private.fd_night_span(p_venue_id, c.night + k)) > private.fd_now()
          ORDER BY k
          LIMIT 1),
        private.fd_now() + interval '24 hours')
$$;

-- The channel this connection came through, from its login (session_user,
-- never anything the client sets): 'web' for a member of frontdesk_web (the
-- venue's website), 'desk' for frontdesk_desk, 'report' for
-- frontdesk_report; 'owner' for a superuser or a member of the database's
-- owner (the command line, migrations: they own the tables and could write
-- them directly, so the engine takes their word for who they are); NULL for
-- any other login.  A login in both web and desk is the website.
-- One expression, inlined into its callers (about ten times a booking):
-- the database's owner is the built-in role pg_database_owner, whose
-- members are the owner and the roles that inherit it (a superuser is a
-- member of every role), so no catalogue read is needed.
CREATE OR REPLACE FUNCTION private.fd_channel() RETURNS text
    LANGUAGE sql STABLE
    RETURN CASE WHEN pg_has_role(session_user, 'pg_database_owner', 'USAGE') THEN 'owner'
                WHEN pg_has_role(session_user, 'frontdesk_web', 'USAGE') THEN 'web'
                WHEN pg_has_role(session_user, 'frontdesk_desk', 'USAGE') THEN 'desk'
                WHEN pg_has_role(session_user, 'frontdesk_report', 'USAGE') THEN 'report'
           END;

-- These helpers run on every write, several times: they are PL/pgSQL, whose
-- statements' plans are kept for the session, where a SQL function's are
-- made again for every statement that calls it (about 100 µs each time).

-- The valid session carried by this transaction (frontdesk.session): its
-- token's hash is known, it has not ended nor expired, the person is
-- active, and it is used from the login and the terminal
-- (frontdesk.terminal) that signed in.  Else no row (at once, without a
-- lookup, when no token is carried).
CREATE OR REPLACE FUNCTION private.fd_session()
    RETURNS TABLE (staff_id uuid, staff_name text, staff_role text, terminal text,
                   venue_id uuid)
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    token text := private.fd_setting('frontdesk.session');
BEGIN
    IF token IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT s.staff_id, st.name, st.role, s.terminal, s.venue_id
      FROM private.staff_sessions s
      JOIN public.staff st ON st.venue_id = s.venue_id AND st.id = s.staff_id
     WHERE s.token_hash = private.fd_token_hash(token)
       AND s.ended_at IS NULL
       AND s.expires_at > private.fd_now()
       AND st.is_active
       AND s.terminal = private.fd_setting('frontdesk.terminal')
       AND s.login = session_user;
END
$$;

-- The terminal writing: the session's; the website's login for the
-- website ('web:' and the login's name); the one the owner says; NULL for a
-- desk nobody is signed in at.  Holds and phone locks belong to it.
CREATE OR REPLACE FUNCTION private.fd_current_terminal() RETURNS text
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    channel text := private.fd_channel();
BEGIN
    IF channel = 'owner' THEN
        RETURN private.fd_setting('frontdesk.terminal');
    ELSIF channel = 'web' THEN
        RETURN 'web:' || session_user;
    ELSIF channel = 'desk' THEN
        RETURN (SELECT s.terminal FROM private.fd_session() AS s LIMIT 1);
    END IF;
    RETURN NULL;
END
$$;

-- The staff member writing: the session's; for the owner without one, the
-- id it says (frontdesk.staff_id), when it is one.
CREATE OR REPLACE FUNCTION private.fd_current_staff_id() RETURNS uuid
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    who uuid;
    said text;
BEGIN
    IF private.fd_setting('frontdesk.session') IS NOT NULL THEN  -- no read without a token
        who := (SELECT s.staff_id FROM private.fd_session() AS s LIMIT 1);
    END IF;
    IF who IS NOT NULL OR private.fd_channel() IS DISTINCT FROM 'owner' THEN
        RETURN who;
    END IF;
    said := private.fd_setting('frontdesk.staff_id');
    IF said ~* '^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$' THEN
        RETURN said::uuid;
    END IF;
    RETURN NULL;
END
$$;

-- What a writing function (and a read of guests' data) asks first, for a
-- venue (NULL: whichever the session is for): NULL when the caller may go
-- ahead; NOT_SIGNED_IN at a desk without a valid session; NOT_ALLOWED for a
-- session of another venue, for a host when p_manager (NULL counting as
-- true), and for a login of another channel (the website, reporting).  The
-- owner needs no session, but a token it carries is held to the same rules
-- (an ended one is NOT_SIGNED_IN).  A role 'admin' (kept only where the
-- first release's rows used it) counts as a manager.
CREATE OR REPLACE FUNCTION private.fd_require_session(p_venue_id uuid, p_manager boolean)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    channel text := private.fd_channel();
    token   text := private.fd_setting('frontdesk.session');
    s       record;
BEGIN
    IF channel = 'owner' AND token IS NULL THEN
        RETURN NULL;
    END IF;
    IF channel IS DISTINCT FROM 'desk' AND channel IS DISTINCT FROM 'owner' THEN
        RETURN private.fd_refuse('NOT_ALLOWED',
                                 format('The %s''s login may not do that.',
                                        CASE channel WHEN 'web' THEN 'website'
                                                     WHEN 'report' THEN 'reporting'
                                                     ELSE 'database' END));
    END IF;
    SELECT * INTO s FROM private.fd_session() LIMIT 1;
    IF s.staff_id IS NULL AND token IS NOT NULL THEN
        RETURN private.fd_refuse('NOT_SIGNED_IN',
                                 'Your sign-in has ended (it expired, or you signed out or '
                                 'were signed out): sign in again.');
    ELSIF s.staff_id IS NULL THEN
        RETURN private.fd_refuse('NOT_SIGNED_IN',
                                 'Sign in first: nobody is signed in at this desk.');
    ELSIF p_venue_id IS NOT NULL AND s.venue_id IS DISTINCT FROM p_venue_id THEN
        RETURN private.fd_refuse('NOT_ALLOWED', 'You are signed in at another venue.');
    ELSIF coalesce(p_manager, true) AND s.staff_role NOT IN ('manager', 'admin') THEN
        RETURN private.fd_refuse('NOT_ALLOWED',
                                 format('Only a manager may do that; %s is signed in as a host.',
                                        s.staff_name));
    END IF;
    RETURN NULL;
END
$$;

-- The same for the seed's contract (the booking locks and
-- create_booking_atomic), which the website calls without anyone signed
-- in: its login is its proof.  From a desk it needs a session like every
-- other desk write.
CREATE OR REPLACE FUNCTION private.fd_require_writer(p_venue_id uuid)
    RETURNS private.fd_refusal
    LANGUAGE sql STABLE
    RETURN CASE WHEN private.fd_channel() = 'web' THEN NULL
                ELSE private.fd_require_session(p_venue_id, false) END;

-- For reads of guests' data and the manager's reads, which return rows and
-- so raise instead: SQLSTATE 42501 (insufficient_privilege), the message
-- for the person, the code (NOT_SIGNED_IN, NOT_ALLOWED) in DETAIL.  True
-- when the read may go ahead.
CREATE OR REPLACE FUNCTION private.fd_check_reader(p_venue_id uuid, p_manager boolean)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session(p_venue_id, p_manager);
BEGIN
    IF refusal.code IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = refusal.message,
                              DETAIL = refusal.code;
    END IF;
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION public.sign_in(venue_id uuid, staff_name text, pin text)
    RETURNS TABLE (success boolean, error_code text, error_message text, session_token text,
                   staff_id uuid, staff_role text, expires_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
    -- Nobody is proved yet: the audit of a wrong PIN names no one (only the
    -- terminal), whatever session or name the caller carries; after a right
    -- one, the new session.  Each is put back when the call ends.
    SET frontdesk.session = '' SET frontdesk.staff_name = '' SET frontdesk.staff_id = ''
AS $$
DECLARE
    p_venue   ALIAS FOR $1;
    p_name    ALIAS FOR $2;
    p_pin     ALIAS FOR $3;
    term      text := private.fd_setting('frontdesk.terminal');
    now_      timestamptz := private.fd_now();
    st        staff%ROWTYPE;
    zone      text;
    failed    integer;
    left_     integer;
    token     text;
    until     timestamptz;
BEGIN
    IF private.fd_channel() IS DISTINCT FROM 'desk' AND private.fd_channel() <> 'owner' THEN
        RETURN QUERY SELECT false, 'NOT_ALLOWED',
            'Staff sign in at a desk: this login is not a desk''s.', NULL::text, NULL::uuid,
            NULL::text, NULL::timestamptz;
        RETURN;
    END IF;
    IF term IS NULL OR char_length(term) > 100 THEN
        RETURN QUERY SELECT false, 'NO_TERMINAL',
            'This desk has no terminal name (frontdesk.terminal is not set): nobody can sign '
            'in here.', NULL::text, NULL::uuid, NULL::text, NULL::timestamptz;
        RETURN;
    END IF;
    BEGIN
        SELECT s.* INTO st FROM staff s
         WHERE s.venue_id = p_venue AND s.name = private.fd_staff_name(p_name)
           FOR UPDATE OF s;
        IF NOT FOUND OR NOT st.is_active OR st.pin_hash IS NULL THEN
            -- Nobody who can sign in (unknown, disabled or without a PIN:
            -- the same answer, in the same time).
            PERFORM private.fd_pin_matches(p_pin, private.fd_pin_decoy());
            RAISE LOG 'frontdesk: sign-in refused for % (nobody who can sign in) at % (login %)',
                left(p_name, 100), left(term, 100), session_user;
            PERFORM pg_sleep_for(private.fd_pin_pause());
            RETURN QUERY SELECT false, 'UNKNOWN_STAFF',
                'Nobody of that name can sign in here.', NULL::text, NULL::uuid, NULL::text,
                NULL::timestamptz;
            RETURN;
        END IF;
        SELECT v.time_zone INTO zone FROM venues v WHERE v.id = p_venue;
        IF st.locked_until > now_ THEN
            RETURN QUERY SELECT false, 'LOCKED_OUT',
                format('%s is locked out until %s after %s wrong PINs in a row. A manager can '
                       'unlock.', st.name, to_char(st.locked_until AT TIME ZONE zone, 'HH24:MI'),
                       private.fd_pin_tries()),
                NULL::text, NULL::uuid, NULL::text, NULL::timestamptz;
            RETURN;
        END IF;
        -- A lockout that has run out starts a fresh count.
        failed := CASE WHEN st.locked_until IS NOT NULL THEN 0 ELSE st.failed_pins END;

        IF private.fd_pin_matches(p_pin, st.pin_hash) THEN
            token := private.fd_new_token();
            until := private.fd_session_expiry(p_venue);
            INSERT INTO private.staff_sessions (token_hash, venue_id, staff_id, terminal,
                                                login, started_at, expires_at)
            VALUES (private.fd_token_hash(token), p_venue, st.id, term, session_user, now_,
                    until);
            IF st.failed_pins <> 0 OR st.locked_until IS NOT NULL THEN
                PERFORM set_config('frontdesk.session', token, true);  -- audited as them
                UPDATE staff s SET failed_pins = 0, locked_until = NULL WHERE s.id = st.id;
            END IF;
            RETURN QUERY SELECT true, NULL::text, NULL::text, token, st.id, st.role, until;
            RETURN;
        END IF;

        IF NOT private.fd_is_pin(p_pin) THEN
            -- Not a PIN at all (a slip of the finger): said, not counted.
            left_ := private.fd_pin_tries() - failed;
            RETURN QUERY SELECT false, 'WRONG_PIN',
                format('A PIN is 4 to 8 digits. %s %s left.', left_,
                       CASE WHEN left_ = 1 THEN 'try' ELSE 'tries' END),
                NULL::text, NULL::uuid, NULL::text, NULL::timestamptz;
            RETURN;
        END IF;
        failed := failed + 1;
        RAISE LOG 'frontdesk: wrong PIN for % (% in a row) at % (login %)',
            st.name, failed, left(term, 100), session_user;
        PERFORM pg_sleep_for(private.fd_pin_pause());
        IF failed >= private.fd_pin_tries() THEN
            until := now_ + private.fd_pin_lockout();
            UPDATE staff s SET failed_pins = failed, locked_until = until WHERE s.id = st.id;
            RETURN QUERY SELECT false, 'LOCKED_OUT',
                format('Wrong PIN, %s times in a row: %s is locked out until %s. A manager '
                       'can unlock.', failed, st.name, to_char(until AT TIME ZONE zone, 'HH24:MI')),
                NULL::text, NULL::uuid, NULL::text, NULL::timestamptz;
            RETURN;
        END IF;
        UPDATE staff s SET failed_pins = failed, locked_until = NULL WHERE s.id = st.id;
        left_ := private.fd_pin_tries() - failed;
        RETURN QUERY SELECT false, 'WRONG_PIN',
            format('Wrong PIN. %s %s left before a %s-minute lockout.', left_,
                   CASE WHEN left_ = 1 THEN 'try' ELSE 'tries' END,
                   extract(epoch FROM private.fd_pin_lockout())::integer / 60),
            NULL::text, NULL::uuid, NULL::text, NULL::timestamptz;
    EXCEPTION WHEN lock_not_available THEN
        RETURN QUERY SELECT false, 'BUSY',
            'Someone is signing in as this person at another desk; try again in a moment.',
            NULL::text, NULL::uuid, NULL::text, NULL::timestamptz;
    END;
END
$$;

-- Who can sign in at a venue's desks, for the sign-in screen: active staff
-- with a PIN, by name.  Names and roles only.
CREATE OR REPLACE FUNCTION public.sign_in_names(venue_id uuid)
    RETURNS TABLE (name text, role text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT s.name, s.role FROM staff s
     WHERE s.venue_id = sign_in_names.venue_id AND s.is_active AND s.pin_hash IS NOT NULL
       AND private.fd_channel() IN ('desk', 'owner')
     ORDER BY lower(s.name), s.name
$$;

-- Ends the session this transaction carries (frontdesk.session).
CREATE OR REPLACE FUNCTION public.sign_out()
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    n integer;
BEGIN
    UPDATE private.staff_sessions s SET ended_at = private.fd_now()
     WHERE s.token_hash = private.fd_token_hash(private.fd_setting('frontdesk.session'))
       AND s.ended_at IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RETURN QUERY SELECT false, 'NOT_SIGNED_IN', 'Nobody is signed in with this session.';
        RETURN;
    END IF;
    RETURN QUERY SELECT true, NULL::text, NULL::text;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY', 'The session is busy; try again in a moment.';
END
$$;

-- ---------------------------------------------------------------------------
-- Staff management.  The private helpers do the work for whoever may (the
-- public functions below after a manager's session, the command line as
-- the owner); each answers a refusal or NULL (done), never raises for a
-- value, and every change is audited by the staff row triggers
-- (engine/70_audit.sql), without the PIN.

CREATE OR REPLACE FUNCTION private.fd_staff_target(p_venue_id uuid, p_name text)
    RETURNS uuid
    LANGUAGE sql STABLE
    RETURN (SELECT s.id FROM public.staff s
             WHERE s.venue_id = p_venue_id AND s.name = private.fd_staff_name(p_name));

CREATE OR REPLACE FUNCTION private.fd_unknown_staff(p_name text) RETURNS private.fd_refusal
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN private.fd_refuse('UNKNOWN_STAFF',
                             format('There is nobody called %s here.',
                                    coalesce(left(private.fd_staff_name(p_name), 100), '""')));

CREATE OR REPLACE FUNCTION private.fd_add_staff(p_venue_id uuid, p_name text, p_role text,
                                                p_pin text)
    RETURNS TABLE (code text, message text, new_staff_id uuid)
    LANGUAGE plpgsql
    SET lock_timeout = '2s'
AS $$
DECLARE
    tidy    text := private.fd_staff_name(p_name);
    refusal private.fd_refusal;
    made    uuid;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM public.venues v WHERE v.id = p_venue_id) THEN
        RETURN QUERY SELECT 'UNKNOWN_VENUE', 'There is no such venue.', NULL::uuid;
        RETURN;
    END IF;
    IF tidy IS NULL OR char_length(tidy) > 100 THEN
        RETURN QUERY SELECT 'INVALID_INPUT', 'A name is 1 to 100 characters.', NULL::uuid;
        RETURN;
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('host', 'manager') THEN
        RETURN QUERY SELECT 'INVALID_INPUT', 'The role is host or manager.', NULL::uuid;
        RETURN;
    END IF;
    refusal := private.fd_pin_refusal(p_pin);
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT refusal.code, refusal.message, NULL::uuid;
        RETURN;
    END IF;
    BEGIN
        INSERT INTO public.staff (venue_id, name, role, pin_hash)
        VALUES (p_venue_id, tidy, p_role, private.fd_pin_hash(p_pin))
        RETURNING id INTO made;
    EXCEPTION
        WHEN unique_violation THEN
            RETURN QUERY SELECT 'DUPLICATE_STAFF',
                format('There is already somebody called %s here.', tidy), NULL::uuid;
            RETURN;
        WHEN lock_not_available THEN
            RETURN QUERY SELECT 'BUSY', 'Staff are being changed at another desk; try again.',
                NULL::uuid;
            RETURN;
    END;
    RETURN QUERY SELECT NULL::text, NULL::text, made;
END
$$;

-- A new PIN; it also clears wrong tries and a lockout.
CREATE OR REPLACE FUNCTION private.fd_set_staff_pin(p_venue_id uuid, p_name text, p_pin text)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql
    SET lock_timeout = '2s'
AS $$
DECLARE
    target  uuid := private.fd_staff_target(p_venue_id, p_name);
    refusal private.fd_refusal := private.fd_pin_refusal(p_pin);
BEGIN
    IF target IS NULL THEN
        RETURN private.fd_unknown_staff(p_name);
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN refusal;
    END IF;
    UPDATE public.staff s SET pin_hash = private.fd_pin_hash(p_pin), failed_pins = 0,
                              locked_until = NULL
     WHERE s.id = target;
    RETURN NULL;
EXCEPTION WHEN lock_not_available THEN
    RETURN private.fd_refuse('BUSY', 'Staff are being changed at another desk; try again.');
END
$$;

-- Enables or disables a person; disabling ends their open sessions.
CREATE OR REPLACE FUNCTION private.fd_set_staff_active(p_venue_id uuid, p_name text,
                                                       p_active boolean)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql
    SET lock_timeout = '2s'
AS $$
DECLARE
    target uuid := private.fd_staff_target(p_venue_id, p_name);
BEGIN
    IF target IS NULL THEN
        RETURN private.fd_unknown_staff(p_name);
    END IF;
    IF p_active IS NULL THEN
        RETURN private.fd_refuse('INVALID_INPUT', 'Say whether they are active (true or false).');
    END IF;
    UPDATE public.staff s SET is_active = p_active
     WHERE s.id = target AND s.is_active IS DISTINCT FROM p_active;
    IF NOT p_active THEN
        UPDATE private.staff_sessions ss SET ended_at = private.fd_now()
         WHERE ss.staff_id = target AND ss.ended_at IS NULL;
    END IF;
    RETURN NULL;
EXCEPTION WHEN lock_not_available THEN
    RETURN private.fd_refuse('BUSY', 'Staff are being changed at another desk; try again.');
END
$$;

-- Lifts a lockout and forgets wrong tries.
CREATE OR REPLACE FUNCTION private.fd_unlock_staff(p_venue_id uuid, p_name text)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql
    SET lock_timeout = '2s'
AS $$
DECLARE
    target uuid := private.fd_staff_target(p_venue_id, p_name);
BEGIN
    IF target IS NULL THEN
        RETURN private.fd_unknown_staff(p_name);
    END IF;
    UPDATE public.staff s SET failed_pins = 0, locked_until = NULL
     WHERE s.id = target AND (s.failed_pins <> 0 OR s.locked_until IS NOT NULL);
    RETURN NULL;
EXCEPTION WHEN lock_not_available THEN
    RETURN private.fd_refuse('BUSY', 'Staff are being changed at another desk; try again.');
END
$$;

-- The API: a manager's session of that venue first.
CREATE OR REPLACE FUNCTION public.add_staff(venue_id uuid, name text, role text, pin text)
    RETURNS TABLE (success boolean, error_code text, error_message text, staff_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session($1, true);
BEGIN
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, NULL::uuid;
        RETURN;
    END IF;
    RETURN QUERY SELECT a.code IS NULL, a.code, a.message, a.new_staff_id
                   FROM private.fd_add_staff($1, $2, $3, $4) AS a;
END
$$;

CREATE OR REPLACE FUNCTION public.set_staff_pin(venue_id uuid, name text, pin text)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session($1, true);
BEGIN
    IF refusal.code IS NULL THEN
        refusal := private.fd_set_staff_pin($1, $2, $3);
    END IF;
    RETURN QUERY SELECT refusal.code IS NULL, refusal.code, refusal.message;
END
$$;

CREATE OR REPLACE FUNCTION public.set_staff_active(venue_id uuid, name text, active boolean)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session($1, true);
BEGIN
    IF refusal.code IS NULL AND active IS FALSE
       AND private.fd_staff_target($1, $2) = (SELECT s.staff_id FROM private.fd_session() s) THEN
        refusal := private.fd_refuse('NOT_ALLOWED',
                                     'You cannot disable yourself: ask another manager.');
    END IF;
    IF refusal.code IS NULL THEN
        refusal := private.fd_set_staff_active($1, $2, $3);
    END IF;
    RETURN QUERY SELECT refusal.code IS NULL, refusal.code, refusal.message;
END
$$;

CREATE OR REPLACE FUNCTION public.unlock_staff(venue_id uuid, name text)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session($1, true);
BEGIN
    IF refusal.code IS NULL THEN
        refusal := private.fd_unlock_staff($1, $2);
    END IF;
    RETURN QUERY SELECT refusal.code IS NULL, refusal.code, refusal.message;
END
$$;
