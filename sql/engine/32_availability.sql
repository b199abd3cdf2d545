-- Availability: is anyone else on these tables then?  An active booking
-- (TABLE_UNAVAILABLE, naming it), or another terminal's live hold
-- (TABLE_BEING_BOOKED).  Under fd_lock_tables this is the real check;
-- before it, only a courtesy.  The exclusion constraint on booking_tables is
-- the final guarantee.  Overlap is by instants, whatever night the other
-- booking belongs to.

-- Planned once (force_generic_plan): with a range parameter the generic
-- plan's estimate is poor, so the plan cache would otherwise re-plan every
-- call (0.13 ms planning against 0.04 ms running, twice a booking).  The
-- table's name and order come from subqueries, not a join, so that the
-- generic plan reads only the exclusion constraint's index and never hashes
-- venue_tables.
CREATE OR REPLACE FUNCTION private.fd_availability_refusal(p_venue_id uuid, p_table_ids uuid[],
                                                           p_period tstzrange,
                                                           p_exclude_booking_id uuid)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    clash record;
BEGIN
    SELECT (SELECT t.name FROM public.venue_tables t WHERE t.id = bt.table_id) AS name, bt.period
      INTO clash
      FROM public.booking_tables bt
     WHERE bt.venue_id = p_venue_id AND bt.table_id = ANY (p_table_ids) AND bt.is_active
       AND bt.period && p_period AND bt.booking_id IS DISTINCT FROM p_exclude_booking_id
     ORDER BY (SELECT t.grid_order FROM public.venue_tables t WHERE t.id = bt.table_id),
              lower(bt.period)
     LIMIT 1;
    IF FOUND THEN
        RETURN private.fd_refuse('TABLE_UNAVAILABLE',
                                 format('%s is booked %s that night.', clash.name,
                                        private.fd_local_times(p_venue_id, clash.period)));
    END IF;
    SELECT (SELECT t.name FROM public.venue_tables t WHERE t.id = h.table_id) AS name, h.terminal
      INTO clash
      FROM public.holds h
     WHERE h.venue_id = p_venue_id AND h.table_id = ANY (p_table_ids)
       AND h.period && p_period AND h.expires_at > private.fd_now()
       AND h.terminal IS DISTINCT FROM private.fd_current_terminal()
     ORDER BY (SELECT t.grid_order FROM public.venue_tables t WHERE t.id = h.table_id)
     LIMIT 1;
    IF FOUND THEN
        RETURN private.fd_refuse('TABLE_BEING_BOOKED',
                                 format('%s is being booked at %s; try again in a moment.',
                                        clash.name, clash.terminal));
    END IF;
    RETURN NULL;
END
$$;

-- The seed's contract.  Free then: no active booking (other than
-- exclude_booking_id) and no other terminal's live hold overlaps.  False
-- for an unknown table or a time that ends before it starts under the night
-- rule.  A snapshot, not a promise: booking functions check again under the
-- lock.
CREATE OR REPLACE FUNCTION public.check_table_availability(table_id uuid, booking_date date,
                                                           start_time time, end_time time,
                                                           exclude_booking_id uuid DEFAULT NULL)
    RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT coalesce((
        SELECT CASE WHEN x.s < x.e
                    THEN (private.fd_availability_refusal(
                              t.venue_id, ARRAY[t.id], tstzrange(x.s, x.e, '[)'),
                              check_table_availability.exclude_booking_id)).code IS NULL
                    ELSE false END
          FROM venue_tables t,
               LATERAL (SELECT private.fd_night_instant(t.venue_id, booking_date, start_time) AS s,
                               private.fd_night_instant(t.venue_id, booking_date, end_time) AS e) AS x
         WHERE t.id = check_table_availability.table_id AND t.is_active), false)
$$;
