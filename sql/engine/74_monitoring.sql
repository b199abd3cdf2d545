-- Monitoring: the seed's figures, one row per venue, from every booking and
-- move call with its outcome and duration (private.fd_booking_calls)
-- since the venue-local start of today.  Rates are fractions (0.05 = 5%),
-- 0 before the first attempt.  Connections: this database's sessions, and
-- the server's client sessions, which is what max_connections limits.

-- Every booking and move call: the attempt rows (refusals, moves, and the
-- bookings made before 0011) and the bookings the booking functions made
-- (a booking made writes no attempt row: booked_in_ms is its call's
-- duration, NULL for a row written otherwise).
CREATE OR REPLACE VIEW private.fd_booking_calls AS
SELECT ba.venue_id, ba.attempted_at, ba.success, ba.error_code, ba.duration_ms, ba.source
  FROM public.booking_attempts ba
UNION ALL
SELECT b.venue_id, b.created_at, true, NULL, b.booked_in_ms::double precision, b.source
  FROM public.bookings b
 WHERE b.booked_in_ms IS NOT NULL;

CREATE OR REPLACE VIEW public.monitoring_figures AS
SELECT v.id AS venue_id,
       v.name AS venue_name,
       d.since AS today_since,
       a.conflicts AS conflicts_prevented_today,
       a.attempts AS attempts_today,
       a.busy AS lock_busy_today,
       CASE WHEN a.attempts > 0 THEN round(a.busy::numeric / a.attempts, 4) ELSE 0 END AS lock_busy_rate,
       CASE WHEN a.attempts > 0 THEN round(a.conflicts::numeric / a.attempts, 4) ELSE 0 END AS conflict_rate,
       round(a.avg_ms::numeric, 2) AS booking_fn_avg_ms,
       round(a.p95_ms::numeric, 2) AS booking_fn_p95_ms,
       c.in_db AS connections_in_use,
       c.on_server AS server_connections,
       current_setting('max_connections')::integer AS max_connections
  FROM public.venues v
 CROSS JOIN LATERAL (SELECT date_trunc('day', now() AT TIME ZONE v.time_zone) AT TIME ZONE v.time_zone
                            AS since) d
 CROSS JOIN LATERAL (
        SELECT count(*)::integer AS attempts,
               (count(*) FILTER (WHERE ba.error_code IN ('TABLE_UNAVAILABLE', 'TABLE_BEING_BOOKED')))::integer
                   AS conflicts,
               (count(*) FILTER (WHERE ba.error_code = 'TABLE_BEING_BOOKED'))::integer AS busy,
               avg(ba.duration_ms) AS avg_ms,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY ba.duration_ms) AS p95_ms
          FROM private.fd_booking_calls ba
         WHERE ba.venue_id = v.id AND ba.attempted_at >= d.since) a
 CROSS JOIN (SELECT (count(*) FILTER (WHERE s.datname = current_database()))::integer AS in_db,
                    (count(*) FILTER (WHERE s.backend_type = 'client backend'))::integer AS on_server
               FROM pg_stat_activity s) c;

-- The seed's alert thresholds against those figures: lock failures over 5%
-- of attempts, conflicts over 1%, the booking function's 95th percentile
-- over 100 ms, server connections over 80% of max_connections.
CREATE OR REPLACE FUNCTION public.monitoring_alerts(venue_id uuid)
    RETURNS TABLE (figure text, value numeric, threshold numeric, alert boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT x.figure, x.value, x.threshold, coalesce(x.value > x.threshold, false)
      FROM monitoring_figures m
     CROSS JOIN LATERAL (VALUES
            (1, 'lock_failure_rate', m.lock_busy_rate, 0.05),
            (2, 'conflict_rate', m.conflict_rate, 0.01),
            (3, 'booking_fn_p95_ms', m.booking_fn_p95_ms, 100),
            (4, 'connections_used', round(m.server_connections::numeric / m.max_connections, 4), 0.8)
        ) AS x (n, figure, value, threshold)
     WHERE m.venue_id = $1
     ORDER BY x.n
$$;

-- The manager's monitoring panel in one call: today's figures (as
-- monitoring_figures), the alerts (as monitoring_alerts: figure -> [value,
-- threshold, alert]), and the night so far for its chart: booking attempts
-- in 15-minute steps (attempts, conflicts, lock failures, the booking
-- function's 95th percentile in ms), from the opening of the night in
-- progress, or from the start of today when none is (or it opened later),
-- to now.  A manager of the venue (or the owner), else raises 42501 with
-- NOT_SIGNED_IN / NOT_ALLOWED in DETAIL.  No row for an unknown venue.
CREATE OR REPLACE FUNCTION public.monitoring_now(venue_id uuid)
    RETURNS TABLE (measured_at timestamptz, conflicts_prevented_today integer,
                   attempts_today integer, lock_busy_today integer,
                   lock_busy_rate numeric, conflict_rate numeric,
                   booking_fn_avg_ms numeric, booking_fn_p95_ms numeric,
                   connections_in_use integer, server_connections integer,
                   max_connections integer, alerts jsonb, series_since timestamptz,
                   step_minutes integer, series jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    step    CONSTANT interval := interval '15 minutes';
BEGIN
    PERFORM private.fd_check_reader(p_venue, true);  -- a manager of the venue, or raises
    RETURN QUERY
    WITH m AS (SELECT * FROM monitoring_figures f WHERE f.venue_id = p_venue),
         opened AS (
            SELECT lower(private.fd_night_span(p_venue, private.fd_current_night(p_venue)))
                   AS at),
         since AS (
            SELECT date_bin(step, CASE WHEN o.at IS NOT NULL AND o.at < m.today_since
                                       THEN o.at ELSE m.today_since END,
                            m.today_since) AS at
              FROM m, opened o)
    SELECT now(), m.conflicts_prevented_today, m.attempts_today, m.lock_busy_today,
           m.lock_busy_rate, m.conflict_rate, m.booking_fn_avg_ms, m.booking_fn_p95_ms,
           m.connections_in_use, m.server_connections, m.max_connections,
           (SELECT jsonb_object_agg(a.figure, jsonb_build_array(a.value, a.threshold, a.alert))
              FROM monitoring_alerts(p_venue) a),
           s.at,
           15,
           (SELECT jsonb_agg(jsonb_build_object(
                       'at', b.at, 'attempts', x.attempts, 'conflicts', x.conflicts,
                       'busy', x.busy, 'p95_ms', round(x.p95::numeric, 2))
                     ORDER BY b.at)
              FROM generate_series(s.at, now(), step) AS b (at)
             CROSS JOIN LATERAL (
                    SELECT count(*)::integer AS attempts,
                           (count(*) FILTER (WHERE ba.error_code IN ('TABLE_UNAVAILABLE',
                                                                     'TABLE_BEING_BOOKED')))::integer
                               AS conflicts,
                           (count(*) FILTER (WHERE ba.error_code = 'TABLE_BEING_BOOKED'))::integer
                               AS busy,
                           percentile_cont(0.95) WITHIN GROUP (ORDER BY ba.duration_ms) AS p95
                      FROM private.fd_booking_calls ba
                     WHERE ba.venue_id = p_venue
                       AND ba.attempted_at >= b.at AND ba.attempted_at < b.at + step) AS x)
      FROM m, since s;
END
$$;
