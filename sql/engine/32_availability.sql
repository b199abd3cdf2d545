-- Availability: is anyone else on these tables then?  An active booking
-- (TABLE_UNAVAILABLE, naming it), a block (TABLE_UNAVAILABLE, with its
-- reason: 31_blocks.sql), or another terminal's live hold
-- (TABLE_BEING_BOOKED).  Under the tables' turns (20_locks.sql) this is
-- the real check; before it, only a courtesy.  The exclusion constraints on
-- booking_tables and table_claims are the final guarantee.  Overlap is by
-- instants, whatever night the other booking belongs to.

-- Planned once (force_generic_plan): with a range parameter the generic
-- plan's estimate is poor, so the plan cache would otherwise re-plan every
-- call (0.13 ms planning against 0.04 ms running, twice a booking).  The
-- table's name and order come from subqueries, not a join, so that the
-- generic plan reads only the exclusion constraint's index and never hashes
-- venue_tables.  The tables come from unnest(p_table_ids), each probing
-- the index (venue, table, period) in a LATERAL subquery, not matched with
-- = ANY: a GiST index cannot use = ANY, so that would read every booking
-- of the venue overlapping the time and filter them by table (all of a
-- busy night's tables at 22:00).
CREATE OR REPLACE FUNCTION private.fd_availability_refusal(p_venue_id uuid, p_table_ids uuid[],
                                                           p_period tstzrange,
                                                           p_exclude_booking_id uuid,
                                                           p_words boolean DEFAULT true)
    RETURNS private.fd_refusal
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    -- One statement (it runs twice a booking): the three looks are scalar
    -- subqueries under coalesce, each run only when the one before found
    -- nothing, so a booking clash is told before a block, a block before a
    -- hold.  The message is made for the one row found, and only for a
    -- caller that shows it: a yes/no caller (p_words false: the website's
    -- check_table_availability, the desk's suggestions) gets the code
    -- alone, without the name and local times a busy night's check spent
    -- most of its time on.
    RETURN coalesce(
        (SELECT private.fd_refuse('TABLE_UNAVAILABLE',
                    CASE WHEN p_words THEN
                        format('%s is booked %s that night.',
                               (SELECT t.name FROM public.venue_tables t WHERE t.id = c.table_id),
                               private.fd_local_times(p_venue_id, c.period)) END)
           FROM unnest(p_table_ids) AS x (table_id)
          CROSS JOIN LATERAL (  -- its LIMIT keeps it a probe per table, whatever the estimates
                SELECT bt.table_id, bt.period
                  FROM public.booking_tables bt
                 WHERE bt.venue_id = p_venue_id AND bt.table_id = x.table_id AND bt.is_active
                   AND bt.period && p_period
                   AND bt.booking_id IS DISTINCT FROM p_exclude_booking_id
                 ORDER BY lower(bt.period)
                 LIMIT 1) AS c
          ORDER BY (SELECT t.grid_order FROM public.venue_tables t WHERE t.id = c.table_id),
                   lower(c.period)
          LIMIT 1),
        (SELECT private.fd_refuse(b.code, b.message)
           FROM private.fd_block_refusals(p_venue_id, p_table_ids, p_period) b),
        (SELECT private.fd_refuse('TABLE_BEING_BOOKED',
                    CASE WHEN p_words THEN
                        format('%s is being booked at %s; try again in a moment.',
                               (SELECT t.name FROM public.venue_tables t WHERE t.id = h.table_id),
                               h.terminal) END)
           FROM public.holds h
          WHERE h.venue_id = p_venue_id AND h.table_id = ANY (p_table_ids)
            AND h.period && p_period AND h.expires_at > private.fd_now()
            AND h.terminal IS DISTINCT FROM private.fd_current_terminal()
          ORDER BY (SELECT t.grid_order FROM public.venue_tables t WHERE t.id = h.table_id)
          LIMIT 1));
END
$$;

-- The seed's contract.  Free then: no active booking (other than
-- exclude_booking_id), no block and no other terminal's live hold overlaps.  A
-- snapshot, not a promise: booking functions check again under the lock.
-- False wherever create_booking_atomic would refuse the time: an unknown or
-- out-of-service table, a night outside the years 2000 to 9999, a local
-- time that does not exist, an end not after the start under the night
-- rule, a past or closed night, too far ahead, outside the hours, or a time
-- tonight that has already ended.  The booking rules decide that
-- (fd_booking_refusal, the venue's smallest party standing in for the
-- party), so they live in one place.  Never raises.  PL/pgSQL, so that
-- the session keeps its plan: before PostgreSQL 18 a SQL function with a
-- SET clause is parsed and planned again on every call (1.85-2.6 ms p99 on
-- 15 against 0.5 on 18).
CREATE OR REPLACE FUNCTION public.check_table_availability(table_id uuid, booking_date date,
                                                           start_time time, end_time time,
                                                           exclude_booking_id uuid DEFAULT NULL)
    RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN coalesce((
        SELECT CASE WHEN x.refusal IS NOT NULL THEN false
                    WHEN (private.fd_booking_refusal(t.venue_id, booking_date, x.starts_at,
                                                     x.ends_at, v.min_party_size, true)).code
                         IS NOT NULL THEN false
                    ELSE (private.fd_availability_refusal(
                              t.venue_id, ARRAY[t.id], tstzrange(x.starts_at, x.ends_at, '[)'),
                              check_table_availability.exclude_booking_id, false)).code IS NULL END
          FROM venue_tables t
          JOIN venues v ON v.id = t.venue_id
         CROSS JOIN LATERAL private.fd_night_instants(t.venue_id, booking_date, start_time,
                                                      end_time) AS x
         WHERE t.id = check_table_availability.table_id AND t.is_active), false);
END
$$;
