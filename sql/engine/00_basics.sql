-- Basics every other engine file uses: refusals, the clock, who is
-- writing, and words for messages.  Private helpers (schema private): no
-- application role may call them; the API functions that need them run with
-- their owner's rights.
--
-- Engine files are re-applied as a whole whenever one changes
-- (frontdesk/engine_sql.py drops every engine object first), in the order
-- of their names, so a file may use what an earlier one defines.

-- A refusal: a stable code and a message a host can read aloud.
CREATE TYPE private.fd_refusal AS (code text, message text);

CREATE OR REPLACE FUNCTION private.fd_refuse(p_code text, p_message text)
    RETURNS private.fd_refusal
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ROW(p_code, p_message)::private.fd_refusal;

-- The engine's clock: every rule that asks "what time is it" (past nights,
-- tonight, walk-ins, hold expiry) asks this.  On a venue's database it is
-- now(); the test suite replaces it in its own throwaway databases with a
-- clock it sets, so that no test depends on the day or the hour it runs.
-- Only the engine's owner can replace a function in this schema.
CREATE OR REPLACE FUNCTION private.fd_now() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN now();

-- Who is writing, from the transaction's settings (see sql/README.md).
-- Empty or malformed values count as unknown; they never raise.
CREATE OR REPLACE FUNCTION private.fd_setting(p_name text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(btrim(current_setting(p_name, true)), '');

CREATE OR REPLACE FUNCTION private.fd_current_terminal() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN private.fd_setting('frontdesk.terminal');

CREATE OR REPLACE FUNCTION private.fd_current_staff_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN private.fd_setting('frontdesk.staff_id')
                     ~* '^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$'
                THEN private.fd_setting('frontdesk.staff_id')::uuid END;

-- 'Booth 3', 'Booth 3 and Booth 4', 'Booth 1, Booth 2 and Booth 3'.
CREATE OR REPLACE FUNCTION private.fd_name_list(p_names text[], p_word text DEFAULT 'and')
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN cardinality(p_names) > 1
                THEN array_to_string(p_names[1:cardinality(p_names) - 1], ', ')
                     || ' ' || p_word || ' ' || p_names[cardinality(p_names)]
                ELSE p_names[1] END;

-- A period in the venue's wall-clock time: '22:00–00:30'.
CREATE OR REPLACE FUNCTION private.fd_local_times(p_venue_id uuid, p_period tstzrange) RETURNS text
    LANGUAGE sql STABLE
    RETURN (SELECT to_char(lower(p_period) AT TIME ZONE v.time_zone, 'HH24:MI') || '–'
                   || to_char(upper(p_period) AT TIME ZONE v.time_zone, 'HH24:MI')
              FROM public.venues v WHERE v.id = p_venue_id);

-- 'Fri 4 Dec 2026'.
CREATE OR REPLACE FUNCTION private.fd_night_label(p_night date) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_char(p_night, 'Dy FMDD Mon YYYY');
