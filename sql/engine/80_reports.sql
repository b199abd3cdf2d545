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
