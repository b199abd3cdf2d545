-- Holds: a terminal holding tables while it takes a booking (the phone
-- dialog).  Other terminals see them as "being booked" (night_plan,
-- availability) and cannot book or hold over them until they expire (the
-- venue's hold_minutes) or are released.  A desk's own holds go when it
-- books or moves onto those tables (the booking core deletes them).
-- Expired holds are ignored by everything and swept lazily.

CREATE OR REPLACE FUNCTION public.hold_tables(venue_id uuid, table_ids uuid[], night date,
                                              starts_at timestamptz, ends_at timestamptz)
    RETURNS TABLE (success boolean, error_code text, error_message text,
                   hold_ids uuid[], expires_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    p_venue   ALIAS FOR $1;
    p_tables  ALIAS FOR $2;
    p_night   ALIAS FOR $3;
    p_starts  ALIAS FOR $4;
    p_ends    ALIAS FOR $5;
    v         venues%ROWTYPE;
    term      text := private.fd_current_terminal();
    tids      uuid[];
    refusal   private.fd_refusal;
    until     timestamptz;
    ids       uuid[];
BEGIN
    refusal := private.fd_require_session(p_venue, false);
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, NULL::uuid[],
            NULL::timestamptz;
        RETURN;
    END IF;
    IF term IS NULL THEN
        RETURN QUERY SELECT false, 'NO_TERMINAL',
            'This desk has no terminal name (frontdesk.terminal is not set).', NULL::uuid[],
            NULL::timestamptz;
        RETURN;
    END IF;
    SELECT * INTO v FROM venues WHERE id = p_venue;
    IF NOT FOUND THEN
        RETURN QUERY SELECT false, 'UNKNOWN_VENUE', 'There is no such venue.', NULL::uuid[],
            NULL::timestamptz;
        RETURN;
    END IF;
    SELECT array_agg(DISTINCT t) INTO tids FROM unnest(p_tables) AS t WHERE t IS NOT NULL;
    IF tids IS NULL OR (SELECT count(*) FROM venue_tables vt
                         WHERE vt.venue_id = p_venue AND vt.id = ANY (tids) AND vt.is_active)
                       <> cardinality(tids) THEN
        RETURN QUERY SELECT false, 'UNKNOWN_TABLE', 'Choose one or more of this venue''s tables.',
            NULL::uuid[], NULL::timestamptz;
        RETURN;
    END IF;
    -- The night and times by the booking rules for a new booking, in the
    -- same words; a hold has no party yet, so the smallest party stands in.
    refusal := private.fd_booking_refusal(p_venue, p_night, p_starts, p_ends, v.min_party_size,
                                          true);
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, NULL::uuid[], NULL::timestamptz;
        RETURN;
    END IF;

    -- A lock wait that runs out of lock_timeout is "being booked", not an error.
    BEGIN
        -- Take turns with bookings and other holds of these tables.
        IF NOT private.fd_lock_tables(tids, p_night) THEN
            RETURN QUERY SELECT false, 'TABLE_BEING_BOOKED',
                'One of these tables is being booked at another desk; try again in a moment.',
                NULL::uuid[], NULL::timestamptz;
            RETURN;
        END IF;
        -- Under the locks: an active booking, or another desk's live hold.
        refusal := private.fd_availability_refusal(p_venue, tids,
                                                   tstzrange(p_starts, p_ends, '[)'), NULL);
        IF refusal.code IS NOT NULL THEN
            RETURN QUERY SELECT false, refusal.code, refusal.message, NULL::uuid[],
                NULL::timestamptz;
            RETURN;
        END IF;

        -- Replace this terminal's earlier holds; sweep expired ones while here.
        DELETE FROM holds h
         WHERE h.venue_id = p_venue AND (h.terminal = term OR h.expires_at <= private.fd_now());
        until := private.fd_now() + make_interval(mins => v.hold_minutes);
        WITH ins AS (
            INSERT INTO holds (venue_id, table_id, night, period, terminal, staff_id,
                               expires_at)
            SELECT p_venue, t, p_night, tstzrange(p_starts, p_ends, '[)'), term,
                   private.fd_current_staff_id(), until
              FROM unnest(tids) AS t
            RETURNING id
        )
        SELECT array_agg(id) INTO ids FROM ins;
    EXCEPTION WHEN lock_not_available THEN
        RETURN QUERY SELECT false, 'TABLE_BEING_BOOKED',
            'One of these tables is being booked at another desk; try again in a moment.',
            NULL::uuid[], NULL::timestamptz;
        RETURN;
    END;
    RETURN QUERY SELECT true, NULL::text, NULL::text, ids, until;
END
$$;

CREATE OR REPLACE FUNCTION public.release_holds(venue_id uuid)
    RETURNS TABLE (success boolean, error_code text, error_message text, released integer)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'  -- no wait on another transaction beyond 2 s
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    term    text := private.fd_current_terminal();
    n       integer;
    refusal private.fd_refusal := private.fd_require_session(p_venue, false);
BEGIN
    IF refusal.code IS NOT NULL THEN
        RETURN QUERY SELECT false, refusal.code, refusal.message, 0;
        RETURN;
    END IF;
    IF term IS NULL THEN
        RETURN QUERY SELECT false, 'NO_TERMINAL',
            'This desk has no terminal name (frontdesk.terminal is not set).', 0;
        RETURN;
    END IF;
    DELETE FROM holds h WHERE h.venue_id = p_venue AND h.terminal = term;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN QUERY SELECT true, NULL::text, NULL::text, n;
END
$$;
