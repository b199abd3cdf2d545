-- The night plan: everything the grid needs, in one statement (it runs on
-- every repaint), and the night's summary.

-- Each part reads through an index on (venue_id, night).  Bookings of every
-- status (the desk shows cancelled ones too); holds that are live and not
-- this terminal's.  Instants are ISO 8601 in the venue's zone with its
-- offset; money is a string.  The venue's policy (party limits, currency,
-- phone country, reference prefix) and the allowed status transitions come
-- with it, so the app hard-codes none of them.  NULL for an unknown venue,
-- and for a NULL night or one outside the years 2000 to 9999 (no instant of
-- such a night can be computed): never raises.
-- Built as json, not jsonb, with the session's TimeZone set to the venue's
-- for the call (the SET clause puts the caller's back): to_json of a
-- timestamptz then writes the venue's offset itself.
--
-- Measured (issue 16, 300 bookings, PostgreSQL 15): the time went on
-- planning, not on rows.  Before PostgreSQL 18 a SQL function that is not
-- inlined is planned again on every call, and so is every SQL function it
-- calls: fd_status_transitions_json evaluated fd_status_window (and with it
-- fd_night_span) once per status row, about 10 ms a call on 15.  So the
-- venue, the night's span and whether it is on now are read ONCE here into
-- variables (the transitions are fd_status_transitions_json(now_on),
-- PL/pgSQL, planned once a session), and the queries below call no SQL
-- function that is not inlined (but fd_block_period per block and
-- fd_current_terminal per hold, a handful).  The big query took a custom
-- plan on every call (about 2 ms of planning on both versions); its generic
-- plan is as good, so it is forced.  Each list is one pass over the night's rows, pre-aggregated
-- (spend per booking, table ids per booking, tags per guest of the night)
-- and joined once; each booking is a row turned into JSON (json_agg of a
-- record: the keys are the columns' names, no key/value arguments per
-- booking).  See BENCHMARKS.md, "Night plan".
CREATE OR REPLACE FUNCTION public.night_plan(venue_id uuid, night date) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp SET TimeZone = 'UTC'
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    p_venue ALIAS FOR $1;
    p_night ALIAS FOR $2;
    v       venues%ROWTYPE;
    span    tstzrange;
    now_on  boolean;
BEGIN
    PERFORM private.fd_check_reader(p_venue, false);  -- guests' names and phones: signed in
    IF NOT coalesce(private.fd_night_in_range(p_night), false) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO v FROM venues x WHERE x.id = p_venue;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('TimeZone', v.time_zone, true);
    span := private.fd_night_span(p_venue, p_night);
    -- the night's statuses are offered while it is on (a closed night has
    -- no window)
    now_on := coalesce(private.fd_now() <@ private.fd_status_window_of(span), false);
    RETURN (
    SELECT json_build_object(
        'venue_id', v.id,
        'venue_name', v.name,
        'time_zone', v.time_zone,
        'currency', v.currency,
        'phone_country', v.phone_country,
        'reference_prefix', v.reference_prefix,
        'min_party_size', v.min_party_size,
        'max_party_size', v.max_party_size,
        'night', p_night,
        'is_closed', h.is_closed,
        'event_name', n.event_name,
        'night_notes', nullif(btrim(n.notes), ''),
        'opens_at', to_json(lower(span)),
        'closes_at', to_json(upper(span)),
        'default_booking_minutes', v.default_booking_minutes,
        -- tables still below their minimum are flagged from here to closing
        'spend_flag_from', to_json(upper(span) - make_interval(mins => v.spend_flag_minutes)),
        'status_transitions', private.fd_status_transitions_json(now_on),
        'floors', coalesce((
            SELECT json_agg(json_build_object('id', f.id, 'name', f.name,
                                              'sort_order', f.sort_order)
                             ORDER BY f.sort_order, f.name)
              FROM floors f
             WHERE f.venue_id = p_venue), '[]'::json),
        'tables', coalesce((
            SELECT json_agg(json_build_object(
                       'id', t.id, 'floor_id', t.floor_id, 'name', t.name,
                       'capacity', t.capacity,
                       -- the night's prices (14_prices.sql)
                       'min_spend', p.min_spend::text, 'deposit', p.deposit::text,
                       'is_premium', t.is_premium, 'grid_order', t.grid_order)
                   ORDER BY f.sort_order, t.grid_order, t.name)
              FROM venue_tables t
              JOIN floors f ON f.id = t.floor_id
              JOIN private.fd_table_prices(p_venue, p_night) p ON p.table_id = t.id
             WHERE t.venue_id = p_venue
               AND (t.is_active OR EXISTS (SELECT 1 FROM booking_tables bt
                                            WHERE bt.venue_id = p_venue AND bt.night = p_night
                                              AND bt.table_id = t.id))), '[]'::json),
        'bookings', coalesce((
            SELECT json_agg(r ORDER BY r.starts_at, r.reference)
              FROM (SELECT b.id, b.reference, coalesce(bt.table_ids, '{}') AS table_ids,
                           b.starts_at, b.ends_at, b.party_size, b.status, b.customer_id,
                           c.name AS customer_name, c.phone AS customer_phone,
                           c.email AS customer_email,
                           c.date_of_birth AS customer_date_of_birth,
                           nullif(btrim(c.notes), '') AS customer_notes,
                           b.total_deposit::text AS deposit,
                           b.total_min_spend::text AS min_spend,
                           b.source, b.occasion, b.special_requests,
                           b.stripe_payment_intent_id AS payment_ref,
                           -- money on the night (62_money.sql) and the guest's tags
                           coalesce(sp.total, 0)::text AS spend_total,
                           b.deposit_status, b.deposit_reference,
                           coalesce(tg.tags, '[]'::json) AS guest_tags
                      FROM bookings b
                      JOIN customers c ON c.venue_id = b.venue_id AND c.id = b.customer_id
                      -- the night's spend, table ids and guests' tags: one
                      -- pass each over the night's rows
                      LEFT JOIN (SELECT s.booking_id, sum(s.amount)::numeric(12, 2) AS total
                                   FROM booking_spend s
                                   JOIN bookings x ON x.id = s.booking_id
                                  WHERE x.venue_id = p_venue AND x.night = p_night
                                  GROUP BY s.booking_id) sp ON sp.booking_id = b.id
                      -- (the table ids sorted once, before grouping: an
                      -- ORDER BY inside array_agg sorts each booking's
                      -- own rows, 300 sorts of one row each)
                      LEFT JOIN (SELECT y.booking_id, array_agg(y.table_id) AS table_ids
                                   FROM (SELECT x.booking_id, x.table_id
                                           FROM booking_tables x
                                           JOIN venue_tables t ON t.id = x.table_id
                                          WHERE x.venue_id = p_venue AND x.night = p_night
                                          ORDER BY x.booking_id, t.grid_order, t.name) y
                                  GROUP BY y.booking_id) bt ON bt.booking_id = b.id
                      LEFT JOIN (SELECT ct.customer_id,
                                        json_agg(json_build_object('name', g.name,
                                                                   'kind', g.kind)
                                                 ORDER BY g.sort_order, g.name) AS tags
                                   FROM customer_tags ct
                                   JOIN guest_tags g ON g.venue_id = ct.venue_id
                                                    AND g.id = ct.tag_id
                                  WHERE g.is_active
                                    AND ct.customer_id IN (SELECT x.customer_id
                                                             FROM bookings x
                                                            WHERE x.venue_id = p_venue
                                                              AND x.night = p_night)
                                  GROUP BY ct.customer_id) tg ON tg.customer_id = c.id
                     WHERE b.venue_id = p_venue AND b.night = p_night) AS r), '[]'::json),
        'holds', coalesce((
            SELECT json_agg(json_build_object(
                       'id', hd.id, 'table_id', hd.table_id,
                       'starts_at', to_json(lower(hd.period)),
                       'ends_at', to_json(upper(hd.period)),
                       'terminal', hd.terminal,
                       'expires_at', to_json(hd.expires_at))
                   ORDER BY lower(hd.period), hd.terminal, hd.table_id)
              FROM holds hd
             WHERE hd.venue_id = p_venue AND hd.night = p_night
               AND hd.expires_at > private.fd_now()
               AND hd.terminal IS DISTINCT FROM private.fd_current_terminal()), '[]'::json),
        -- tables out of service (31_blocks.sql): an open end is the night's
        -- opening or close (whole_night when both are); null on a closed night
        'blocks', coalesce((
            SELECT json_agg(json_build_object(
                       'id', bl.id, 'table_id', bl.table_id,
                       'starts_at', to_json(lower(e.period)),
                       'ends_at', to_json(upper(e.period)),
                       'whole_night', bl.starts_at IS NULL AND bl.ends_at IS NULL,
                       'reason', bl.reason,
                       'blocked_by', st.name)
                   ORDER BY lower(e.period), bl.table_id)
              FROM table_blocks bl
             CROSS JOIN LATERAL (SELECT private.fd_block_period(bl.venue_id, bl.night,
                                                                bl.starts_at, bl.ends_at)
                                        AS period) AS e
              LEFT JOIN staff st ON st.venue_id = bl.venue_id AND st.id = bl.created_by
             WHERE bl.venue_id = p_venue AND bl.night = p_night), '[]'::json))
      FROM private.fd_night_hours(p_venue, p_night) h
      LEFT JOIN nights n ON n.venue_id = p_venue AND n.night = p_night);
END
$$;

-- Bookings, covers, deposits and minimum spend committed on a night, per
-- floor in order, then 'All floors'.  Active bookings only (cancelled and
-- no-shows do not count).  A booking over tables of two floors counts on the
-- floor of its first table in grid order.  Against the minimum, what a
-- manager reads as "committed £X, achieved £Y": min_spend_achieved is each
-- booking's paid deposit plus its spend, capped at its own minimum (a table
-- far over its minimum does not hide one short of it); spend is all the
-- spend recorded, uncapped.
CREATE OR REPLACE FUNCTION public.night_summary(venue_id uuid, night date)
    RETURNS TABLE (floor_name text, bookings integer, covers integer,
                   deposits numeric, min_spend numeric, min_spend_achieved numeric,
                   spend numeric)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH active AS (
        SELECT b.id, b.party_size, b.total_deposit, b.total_min_spend,
               coalesce(sp.total, 0) AS spend,
               least(b.total_min_spend,
                     CASE WHEN b.deposit_status = 'paid' THEN b.total_deposit ELSE 0 END
                     + greatest(coalesce(sp.total, 0), 0)) AS achieved,
               ft.floor_id
          FROM bookings b
          -- active: its status holds its tables (12_statuses.sql)
          JOIN private.fd_statuses() st ON st.status = b.status AND st.holds_table
          -- the night's spend, and each booking's first table in grid
          -- order: one pass each over the night's rows
          LEFT JOIN (SELECT s.booking_id, sum(s.amount) AS total
                       FROM booking_spend s
                       JOIN bookings x ON x.id = s.booking_id
                      WHERE x.venue_id = $1 AND x.night = $2
                      GROUP BY s.booking_id) sp ON sp.booking_id = b.id
          LEFT JOIN (SELECT DISTINCT ON (bt.booking_id) bt.booking_id, t.floor_id
                       FROM booking_tables bt JOIN venue_tables t ON t.id = bt.table_id
                      WHERE bt.venue_id = $1 AND bt.night = $2
                      ORDER BY bt.booking_id, t.grid_order, t.name) ft ON ft.booking_id = b.id
         WHERE b.venue_id = $1 AND b.night = $2
    ), per_floor AS (
        SELECT f.name, f.sort_order,
               count(a.id)::integer AS bookings,
               coalesce(sum(a.party_size), 0)::integer AS covers,
               coalesce(sum(a.total_deposit), 0)::numeric(12, 2) AS deposits,
               coalesce(sum(a.total_min_spend), 0)::numeric(12, 2) AS min_spend,
               coalesce(sum(a.achieved), 0)::numeric(12, 2) AS achieved,
               coalesce(sum(a.spend), 0)::numeric(12, 2) AS spend
          FROM floors f
          LEFT JOIN active a ON a.floor_id = f.id
         WHERE f.venue_id = $1
         GROUP BY f.id, f.name, f.sort_order
    )
    SELECT name, bookings, covers, deposits, min_spend, achieved, spend
      FROM (SELECT name, bookings, covers, deposits, min_spend, achieved, spend, 0 AS part,
                   sort_order
              FROM per_floor
            UNION ALL
            SELECT 'All floors', count(*)::integer, coalesce(sum(party_size), 0)::integer,
                   coalesce(sum(total_deposit), 0)::numeric(12, 2),
                   coalesce(sum(total_min_spend), 0)::numeric(12, 2),
                   coalesce(sum(achieved), 0)::numeric(12, 2),
                   coalesce(sum(spend), 0)::numeric(12, 2), 1, 0
              FROM active
            HAVING EXISTS (SELECT 1 FROM venues WHERE id = $1)) AS rows
     ORDER BY part, sort_order, name;
END
$$;
