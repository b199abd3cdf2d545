-- Monitoring: the seed's figures, one row per venue, from booking_attempts
-- (the booking core counts every booking and move call with its outcome
-- and duration)
-- since the venue-local start of today.  Rates are fractions (0.05 = 5%),
-- 0 before the first attempt.  Connections: this database's sessions, and
-- the server's client sessions, which is what max_connections limits.

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
          FROM public.booking_attempts ba
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
