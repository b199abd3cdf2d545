-- Reporting: figures without personal data, for the reporting channel
-- (frontdesk_report) and the manager's reports.  One row per venue, night
-- and source (desk, phone, web, walk_in): no guest, no name, no contact.
-- A view runs with its owner's rights, so reporting reads it without
-- reading bookings.

CREATE OR REPLACE VIEW public.report_nights AS
SELECT b.venue_id,
       b.night,
       extract(isodow FROM b.night)::integer AS weekday,  -- 1 Monday .. 7 Sunday
       b.source,
       count(*)::integer AS bookings,
       (sum(b.party_size) FILTER (WHERE b.status NOT IN ('cancelled', 'no_show')))::integer
           AS covers,
       (count(*) FILTER (WHERE b.source = 'walk_in'))::integer AS walk_ins,
       (count(*) FILTER (WHERE b.status = 'cancelled'))::integer AS cancellations,
       (count(*) FILTER (WHERE b.status = 'no_show'))::integer AS no_shows,
       coalesce(sum(b.total_deposit) FILTER (WHERE b.status NOT IN ('cancelled')), 0)
           AS deposits,
       coalesce(sum(b.total_min_spend) FILTER (WHERE b.status NOT IN ('cancelled', 'no_show')),
                0) AS min_spend_committed
  FROM public.bookings b
 GROUP BY b.venue_id, b.night, b.source;

-- The manager's report over a range of nights, from report_nights (so
-- the figures are defined once), in one pass: a row per night of the range
-- (nights without bookings too), per weekday, per source, and the total
-- (kind: 'night', 'weekday', 'source', 'total').  nights is how many
-- nights of the range the row covers (a weekday's: how many of them the
-- range has; a source's: the nights it brought bookings on).  The no-show
-- rate is no-shows over the bookings that were expected to come (not
-- cancelled, not walk-ins); NULL when there were none.  Reads the
-- (venue_id, night) index of bookings.  A manager of the venue (or the
-- owner), else raises 42501 with NOT_SIGNED_IN / NOT_ALLOWED in DETAIL; no
-- rows for a range that is empty, longer than ten years or outside the
-- years 2000 to 9999.
CREATE OR REPLACE FUNCTION public.report_range(venue_id uuid, from_night date, to_night date)
    RETURNS TABLE (kind text, night date, weekday integer, source text, nights integer,
                   bookings integer, covers integer, walk_ins integer, cancellations integer,
                   no_shows integer, no_show_rate numeric, deposits numeric,
                   min_spend_committed numeric)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    SET plan_cache_mode = force_custom_plan  -- planned for the range asked
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    p_from  ALIAS FOR $2;
    p_to    ALIAS FOR $3;
BEGIN
    PERFORM private.fd_check_reader(p_venue, true);  -- a manager of the venue, or raises
    IF p_from IS NULL OR p_to IS NULL OR p_to < p_from OR p_to - p_from > 3660
       OR NOT private.fd_night_in_range(p_from) OR NOT private.fd_night_in_range(p_to) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH calendar AS (
        SELECT d::date AS night, extract(isodow FROM d)::integer AS weekday
          FROM generate_series(p_from, p_to, interval '1 day') AS d),
    figures AS (
        SELECT c.night, c.weekday, r.source, r.bookings, r.covers, r.walk_ins,
               r.cancellations, r.no_shows, r.deposits, r.min_spend_committed
          FROM calendar c
          LEFT JOIN (SELECT * FROM report_nights rn
                      WHERE rn.venue_id = p_venue AND rn.night BETWEEN p_from AND p_to) AS r
                 ON r.night = c.night),
    grouped AS (
        SELECT CASE WHEN GROUPING(f.night) = 0 THEN 'night'
                    WHEN GROUPING(f.weekday) = 0 THEN 'weekday'
                    WHEN GROUPING(f.source) = 0 THEN 'source'
                    ELSE 'total' END AS kind,
               f.night, f.weekday, f.source,
               count(DISTINCT f.night)::integer AS nights,
               coalesce(sum(f.bookings), 0)::integer AS bookings,
               coalesce(sum(f.covers), 0)::integer AS covers,
               coalesce(sum(f.walk_ins), 0)::integer AS walk_ins,
               coalesce(sum(f.cancellations), 0)::integer AS cancellations,
               coalesce(sum(f.no_shows), 0)::integer AS no_shows,
               coalesce(sum(f.deposits), 0) AS deposits,
               coalesce(sum(f.min_spend_committed), 0) AS min_spend_committed
          FROM figures f
         GROUP BY GROUPING SETS ((f.night, f.weekday), (f.weekday), (f.source), ()))
    SELECT g.kind, g.night, g.weekday, g.source, g.nights, g.bookings, g.covers, g.walk_ins,
           g.cancellations, g.no_shows,
           round(g.no_shows::numeric
                 / nullif(g.bookings - g.cancellations - g.walk_ins, 0), 4),
           g.deposits, g.min_spend_committed
      FROM grouped g
     WHERE NOT (g.kind = 'source' AND g.source IS NULL)  -- nights without bookings
     ORDER BY CASE g.kind WHEN 'night' THEN 1 WHEN 'weekday' THEN 2 WHEN 'source' THEN 3
                          ELSE 4 END,
              g.night, g.weekday, g.source;
END
$$;
