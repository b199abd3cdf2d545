-- frontdesk 0008: sessions bound to the login that signed in; the venue's
-- idle lock; erased guests.
--
-- A session token is good only from the database login (session_user) that
-- signed in with it: a token copied off one desk's screen or log is nothing
-- from the website's login.  Sessions from 0007 (none in use: nothing
-- required them) end now.
UPDATE private.staff_sessions SET ended_at = now() WHERE ended_at IS NULL;
ALTER TABLE private.staff_sessions
    ADD COLUMN login name NOT NULL DEFAULT session_user;
ALTER TABLE private.staff_sessions ALTER COLUMN login DROP DEFAULT;

-- How long a desk may sit untouched before it locks behind a PIN prompt.
ALTER TABLE venues
    ADD COLUMN idle_lock_minutes integer NOT NULL DEFAULT 5
        CONSTRAINT venues_idle_lock_minutes_range CHECK (idle_lock_minutes BETWEEN 1 AND 240);

-- A guest erased on request (UK GDPR art. 17): when, so the desk can say so.
ALTER TABLE customers ADD COLUMN erased_at timestamptz;
