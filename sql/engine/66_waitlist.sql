-- The door's waitlist: parties waiting for a table tonight, live on every
-- desk.  An entry is added (name, party, phone, the wait quoted, notes),
-- then ends seated — turned into a walk-in booking on the tables chosen, in
-- the same transaction — or left.  A desk session is needed for all of it;
-- every change is audited and told on the change feed ('waitlist', on the
-- entry's night), so each desk's list follows.
--
-- Seating takes the entry's row FOR UPDATE first: two desks seating one
-- entry at once take turns, and the second is told WAITLIST_ALREADY_SEATED
-- with nothing written.  When the tables were taken meanwhile the booking's
-- own refusal comes back (TABLE_UNAVAILABLE...) and the entry still waits.
--
-- Table (0010): waitlist (venue, night, name, party_size, phone as E.164,
-- quoted_minutes, notes, added_at/by, terminal, state waiting/seated/left,
-- ended_at/by, booking_id).

-- The walk-in's times for a party seated now: from this minute, for the
-- venue's usual length, cut at the night's close (as walk_in does).
CREATE OR REPLACE FUNCTION private.fd_walk_in_span(p_venue_id uuid, OUT night date,
                                                   OUT starts_at timestamptz,
                                                   OUT ends_at timestamptz)
    LANGUAGE sql STABLE
AS $$
    SELECT n.night, n.starts_at,
           least(n.starts_at + make_interval(mins => v.default_booking_minutes),
                 upper(private.fd_night_span(v.id, n.night)))
      FROM public.venues v,
           LATERAL (SELECT private.fd_current_night(v.id) AS night,
                           date_trunc('minute', private.fd_now()) AS starts_at) AS n
     WHERE v.id = p_venue_id
$$;

-- Put a party on the waitlist of the night in progress (the night the
-- venue is open in now, else today's).  Refusals: NOT_SIGNED_IN,
-- NOT_ALLOWED, UNKNOWN_VENUE, INVALID_INPUT (no name, a name over 100
-- characters, a phone that is not one, a quote outside 0-600 minutes, notes
-- over 500 characters), PARTY_SIZE (1 to 50), VENUE_CLOSED (the night in
-- progress is a closed one).
CREATE OR REPLACE FUNCTION public.add_to_waitlist(venue_id uuid, name text, party_size integer,
                                                  phone text DEFAULT NULL,
                                                  quoted_minutes integer DEFAULT NULL,
                                                  notes text DEFAULT NULL)
    RETURNS TABLE (success boolean, error_code text, error_message text, entry_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    p_venue  ALIAS FOR $1;
    v_name   text := private.fd_tidy_name($2);
    v_notes  text := nullif(btrim($6), '');
    v_phone  text;
    refusal  private.fd_refusal := private.fd_require_session($1, false);
    new_id   uuid;
BEGIN
    IF refusal.code IS NULL AND NOT EXISTS (SELECT 1 FROM venues v WHERE v.id = p_venue) THEN
        refusal := private.fd_refuse('UNKNOWN_VENUE', 'There is no such venue.');
    END IF;
    IF refusal.code IS NULL THEN
        v_phone := private.fd_normalise_phone($4, (SELECT v.phone_country FROM venues v
                                                    WHERE v.id = p_venue));
        refusal := CASE
            WHEN v_name IS NULL THEN private.fd_refuse('INVALID_INPUT', 'Type the party''s name.')
            WHEN length(v_name) > 100 THEN
                private.fd_refuse('INVALID_INPUT', 'The name is too long (100 characters at most).')
            WHEN $3 IS NULL OR $3 NOT BETWEEN 1 AND 50 THEN
                private.fd_refuse('PARTY_SIZE', 'A party is 1 to 50 guests.')
            WHEN nullif(btrim($4), '') IS NOT NULL AND v_phone IS NULL THEN
                private.fd_refuse('INVALID_INPUT', format('"%s" is not a phone number.', btrim($4)))
            WHEN $5 IS NOT NULL AND $5 NOT BETWEEN 0 AND 600 THEN
                private.fd_refuse('INVALID_INPUT', 'Quote a wait of 0 to 600 minutes.')
            WHEN length(v_notes) > 500 THEN
                private.fd_refuse('INVALID_INPUT', 'The notes are too long (500 characters at most).')
            -- nobody can be seated on a closed night
            WHEN (SELECT h.is_closed
                    FROM private.fd_night_hours(p_venue, private.fd_current_night(p_venue)) h) THEN
                private.fd_refuse('VENUE_CLOSED',
                                  'The venue is closed tonight: there is no table to wait for.')
        END;
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, NULL::uuid;
        RETURN;
    END IF;
    INSERT INTO waitlist (venue_id, night, name, party_size, phone, quoted_minutes, notes,
                          added_at, added_by, terminal)
    VALUES (p_venue, private.fd_current_night(p_venue), v_name, $3, v_phone, $5, v_notes,
            private.fd_now(), private.fd_current_staff_id(), private.fd_current_terminal())
    RETURNING id INTO new_id;
    RETURN QUERY SELECT true, NULL::text, NULL::text, new_id;
END
$$;

-- A night's waitlist (NULL: the night in progress), as JSON:
--   {night, now, average_wait_minutes, waiting, seated, left,
--    entries: [{id, name, party_size, phone, quoted_minutes, notes,
--               added_at, state, ended_at, booking_id, waited_minutes}]}
-- Entries in the order they were added.  waited_minutes: until now for an
-- entry still waiting, until it ended otherwise.  The average wait is over
-- the night's seated entries (added to seated), whole minutes, NULL when
-- none was seated yet.  A signed-in desk of the venue, or raises 42501.
CREATE OR REPLACE FUNCTION public.waitlist_night(venue_id uuid, night date DEFAULT NULL)
    RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH n AS (
        SELECT coalesce($2, private.fd_current_night($1)) AS night, private.fd_now() AS now
         WHERE private.fd_check_reader($1, false)  -- a signed-in desk of the venue, or raises
    ), e AS (
        SELECT w.*, extract(epoch FROM coalesce(w.ended_at, n.now) - w.added_at) / 60 AS waited
          FROM waitlist w, n
         WHERE w.venue_id = $1 AND w.night = n.night
    )
    SELECT jsonb_build_object(
        'night', n.night, 'now', n.now,
        'average_wait_minutes', (SELECT round(avg(e.waited))::integer FROM e
                                  WHERE e.state = 'seated'),
        'waiting', (SELECT count(*) FROM e WHERE e.state = 'waiting'),
        'seated', (SELECT count(*) FROM e WHERE e.state = 'seated'),
        'left', (SELECT count(*) FROM e WHERE e.state = 'left'),
        'entries', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', e.id, 'name', e.name, 'party_size', e.party_size,
                       'phone', e.phone, 'quoted_minutes', e.quoted_minutes,
                       'notes', e.notes, 'added_at', e.added_at, 'state', e.state,
                       'ended_at', e.ended_at, 'booking_id', e.booking_id,
                       'waited_minutes', greatest(floor(e.waited), 0)::integer)
                       ORDER BY e.added_at, e.id)
              FROM e), '[]'::jsonb))
      FROM n
$$;

-- Tables free now for a waiting entry's party, best first (desk_suggestions
-- from this minute for the venue's usual length, cut at close).  No rows
-- for an entry that is not waiting, or when nothing fits.
CREATE OR REPLACE FUNCTION public.waitlist_suggestions(venue_id uuid, entry_id uuid)
    RETURNS TABLE (combination_id integer, table_ids uuid[], table_names text[],
                   total_capacity integer, total_min_spend numeric, total_deposit numeric,
                   is_optimal boolean, combination_type text, includes_premium boolean,
                   starts_at timestamptz, ends_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT s.*, w.starts_at, w.ends_at
      FROM waitlist e
     CROSS JOIN private.fd_walk_in_span($1) AS w
     CROSS JOIN LATERAL desk_suggestions($1, w.night, w.starts_at, w.ends_at, e.party_size) AS s
     WHERE e.venue_id = $1 AND e.id = $2 AND e.state = 'waiting'
       AND private.fd_check_reader($1, false)  -- a signed-in desk of the venue, or raises
     ORDER BY s.combination_id
$$;

-- The entry locked for a change, or a refusal: UNKNOWN_ENTRY,
-- WAITLIST_ALREADY_SEATED, WAITLIST_ALREADY_LEFT.
CREATE OR REPLACE FUNCTION private.fd_waiting_entry(p_venue_id uuid, p_entry_id uuid,
                                                    OUT entry public.waitlist,
                                                    OUT refusal private.fd_refusal)
    LANGUAGE plpgsql
AS $$
BEGIN
    SELECT * INTO entry FROM public.waitlist w
     WHERE w.venue_id = p_venue_id AND w.id = p_entry_id
       FOR UPDATE;
    IF NOT FOUND THEN
        refusal := private.fd_refuse('UNKNOWN_ENTRY', 'That party is not on the waitlist.');
    ELSIF entry.state = 'seated' THEN
        refusal := private.fd_refuse('WAITLIST_ALREADY_SEATED',
                                     format('%s has been seated already (at another desk?).',
                                            entry.name));
    ELSIF entry.state = 'left' THEN
        refusal := private.fd_refuse('WAITLIST_ALREADY_LEFT',
                                     format('%s has left the waitlist already.', entry.name));
    END IF;
END
$$;

-- Seat a waiting party on these tables now: a walk-in booking (walk_in's
-- rules, times and refusals) and the entry marked seated with it, in one
-- transaction.  Refusals: those of fd_waiting_entry, BUSY (another desk
-- holds the entry over 2 s), and the booking's (TABLE_UNAVAILABLE,
-- OUTSIDE_HOURS, OVER_CAPACITY...: the entry still waits).
CREATE OR REPLACE FUNCTION public.seat_from_waitlist(venue_id uuid, entry_id uuid,
                                                     table_ids uuid[])
    RETURNS TABLE (success boolean, error_code text, error_message text,
                   booking_id uuid, booking_reference text, total_deposit numeric,
                   starts_at timestamptz, ends_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session($1, false);
    got     record;
    booked  record;
BEGIN
    IF refusal.code IS NULL THEN
        got := private.fd_waiting_entry($1, $2);
        refusal := got.refusal;
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, NULL::uuid, NULL::text,
            NULL::numeric, NULL::timestamptz, NULL::timestamptz;
        RETURN;
    END IF;
    SELECT * INTO booked
      FROM walk_in($1, $3, (got.entry).party_size, (got.entry).name, NULL) AS b;
    IF booked.success THEN
        UPDATE waitlist w
           SET state = 'seated', booking_id = booked.booking_id, ended_at = private.fd_now(),
               ended_by = private.fd_current_staff_id()
         WHERE w.id = $2;
    END IF;
    RETURN QUERY SELECT booked.success, booked.error_code, booked.error_message,
        booked.booking_id, booked.booking_reference, booked.total_deposit, booked.starts_at,
        booked.ends_at;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY',
        'This party is being seated at another desk; try again in a moment.', NULL::uuid,
        NULL::text, NULL::numeric, NULL::timestamptz, NULL::timestamptz;
END
$$;

-- The party has gone: the entry ends, left.  Refusals: those of
-- fd_waiting_entry, BUSY, NOT_SIGNED_IN, NOT_ALLOWED.
CREATE OR REPLACE FUNCTION public.waitlist_left(venue_id uuid, entry_id uuid)
    RETURNS TABLE (success boolean, error_code text, error_message text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    refusal private.fd_refusal := private.fd_require_session($1, false);
    got     record;
BEGIN
    IF refusal.code IS NULL THEN
        got := private.fd_waiting_entry($1, $2);
        refusal := got.refusal;
    END IF;
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message;
        RETURN;
    END IF;
    UPDATE waitlist w
       SET state = 'left', ended_at = private.fd_now(), ended_by = private.fd_current_staff_id()
     WHERE w.id = $2;
    RETURN QUERY SELECT true, NULL::text, NULL::text;
EXCEPTION WHEN lock_not_available THEN
    RETURN QUERY SELECT false, 'BUSY',
        'This party is being changed at another desk; try again in a moment.';
END
$$;
