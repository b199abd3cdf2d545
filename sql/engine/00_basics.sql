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

-- A setting of the transaction (frontdesk.session, frontdesk.terminal...).
-- Empty values count as unknown; they never raise.
CREATE OR REPLACE FUNCTION private.fd_setting(p_name text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(btrim(current_setting(p_name, true)), '');

-- Who is writing (the terminal, the staff member) is what the session
-- proves: private.fd_current_terminal and fd_current_staff_id, in
-- 16_staff.sql.

-- 'Booth 3', 'Booth 3 and Booth 4', 'Booth 1, Booth 2 and Booth 3'.
CREATE OR REPLACE FUNCTION private.fd_name_list(p_names text[], p_word text DEFAULT 'and')
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN cardinality(p_names) > 1
                THEN array_to_string(p_names[1:cardinality(p_names) - 1], ', ')
                     || ' ' || p_word || ' ' || p_names[cardinality(p_names)]
                ELSE p_names[1] END;

-- A zone's UTC offset at an instant (+01:00 for BST).
CREATE OR REPLACE FUNCTION private.fd_utc_offset(p_zone text, p_at timestamptz) RETURNS interval
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (p_at AT TIME ZONE p_zone) - (p_at AT TIME ZONE 'UTC');

-- Whether the wall-clock time of an instant happens twice in a zone (the
-- repeated hour when the clocks go back): the offsets three hours before
-- and after differ (a change is near; none is ever more than 2 hours), and
-- the wall-clock time read with either offset is an instant showing that
-- same wall-clock time.  Plain expressions, inlined: it runs for every
-- message with times, and most instants are nowhere near a change.
CREATE OR REPLACE FUNCTION private.fd_local_time_repeats(p_zone text, p_at timestamptz)
    RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN isfinite(p_at)
           AND private.fd_utc_offset(p_zone, p_at - interval '3 hours')
               <> private.fd_utc_offset(p_zone, p_at + interval '3 hours')
           AND (((p_at AT TIME ZONE p_zone)
                 - private.fd_utc_offset(p_zone, p_at - interval '3 hours')) AT TIME ZONE 'UTC')
               AT TIME ZONE p_zone = p_at AT TIME ZONE p_zone
           AND (((p_at AT TIME ZONE p_zone)
                 - private.fd_utc_offset(p_zone, p_at + interval '3 hours')) AT TIME ZONE 'UTC')
               AT TIME ZONE p_zone = p_at AT TIME ZONE p_zone;

-- A period with each end's zone abbreviation, as the zone names it then:
-- '01:15 BST–01:15 GMT', or '01:00–02:00 GMT' when both ends share it.  The
-- session's TimeZone is the zone only inside this call (the SET clause puts
-- the caller's back), so to_char's TZ writes the zone's own abbreviation.
CREATE OR REPLACE FUNCTION private.fd_local_times_zoned(p_zone text, p_period tstzrange)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET TimeZone = 'UTC'
AS $$
BEGIN
    PERFORM set_config('TimeZone', p_zone, true);
    RETURN CASE WHEN to_char(lower(p_period), 'TZ') = to_char(upper(p_period), 'TZ')
                THEN to_char(lower(p_period), 'HH24:MI') || '–'
                     || to_char(upper(p_period), 'HH24:MI TZ')
                ELSE to_char(lower(p_period), 'HH24:MI TZ') || '–'
                     || to_char(upper(p_period), 'HH24:MI TZ') END;
END
$$;

-- A period in the venue's wall-clock time: '22:00–00:30'.  On the night the
-- clocks go back, a period with an end in the repeated hour says which one
-- it means ('01:15 BST–01:15 GMT'), so that no message reads '01:15–01:15'.
-- NULL for an unknown venue.  PL/pgSQL, so that the session keeps its
-- plan: every TABLE_UNAVAILABLE refusal says its times, and before
-- PostgreSQL 18 a SQL function reading a table is planned on every call
-- (187 of a refusal's 759 µs on 15).
CREATE OR REPLACE FUNCTION private.fd_local_times(p_venue_id uuid, p_period tstzrange) RETURNS text
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    zone text;
BEGIN
    SELECT v.time_zone INTO zone FROM public.venues v WHERE v.id = p_venue_id;
    RETURN CASE WHEN zone IS NULL THEN NULL
                WHEN private.fd_local_time_repeats(zone, lower(p_period))
                     OR private.fd_local_time_repeats(zone, upper(p_period))
                THEN private.fd_local_times_zoned(zone, p_period)
                ELSE to_char(lower(p_period) AT TIME ZONE zone, 'HH24:MI') || '–'
                     || to_char(upper(p_period) AT TIME ZONE zone, 'HH24:MI') END;
END
$$;

-- 'Fri 4 Dec 2026'.
CREATE OR REPLACE FUNCTION private.fd_night_label(p_night date) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN to_char(p_night, 'Dy FMDD Mon YYYY');
