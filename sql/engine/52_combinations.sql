-- Table suggestions.  Candidates: single free tables, and groups of two or
-- three free tables connected through table_joins (neighbours on a floor),
-- seating the party with no table to spare (a group one of whose tables
-- could go is never offered: the smaller group is).  Free means no active
-- booking, no block and no other terminal's live hold for the whole time.  Best
-- first: fewest wasted seats, then lowest minimum spend, then fewest
-- tables.  Prices are the night's (14_prices.sql).  No rows when nothing
-- fits or the request could not be booked at all (closed, past, a time
-- tonight already gone, outside hours, party size, a night outside the
-- years 2000 to 9999, infinite or NULL times): never raises.

CREATE OR REPLACE FUNCTION public.desk_suggestions(venue_id uuid, night date,
                                                   starts_at timestamptz, ends_at timestamptz,
                                                   party_size integer)
    RETURNS TABLE (combination_id integer, table_ids uuid[], table_names text[],
                   total_capacity integer, total_min_spend numeric, total_deposit numeric,
                   is_optimal boolean, combination_type text, includes_premium boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH req AS (
        SELECT desk_suggestions.venue_id AS vid, desk_suggestions.night AS nid,
               CASE WHEN desk_suggestions.starts_at < desk_suggestions.ends_at  -- else refused
                    THEN tstzrange(desk_suggestions.starts_at, desk_suggestions.ends_at, '[)')
               END AS period,
               desk_suggestions.party_size AS party
         WHERE (private.fd_booking_refusal(desk_suggestions.venue_id, desk_suggestions.night,
                                           desk_suggestions.starts_at, desk_suggestions.ends_at,
                                           desk_suggestions.party_size, true)).code IS NULL
    ),
    free AS (
        SELECT t.id, t.name, t.capacity, t.grid_order, t.is_premium,
               p.min_spend, p.deposit
          FROM req, venue_tables t
          JOIN private.fd_table_prices(t.venue_id, desk_suggestions.night) p ON p.table_id = t.id
         WHERE t.venue_id = req.vid AND t.is_active
           AND (private.fd_availability_refusal(req.vid, ARRAY[t.id], req.period, NULL,
                                                false)).code IS NULL
    ),
    edges AS (  -- joins between free tables, both ways round
        SELECT j.table_a AS a, j.table_b AS b FROM req, table_joins j
         WHERE j.venue_id = req.vid AND j.table_a IN (SELECT id FROM free)
           AND j.table_b IN (SELECT id FROM free)
        UNION ALL
        SELECT j.table_b, j.table_a FROM req, table_joins j
         WHERE j.venue_id = req.vid AND j.table_a IN (SELECT id FROM free)
           AND j.table_b IN (SELECT id FROM free)
    ),
    groups AS (
        SELECT ARRAY[f.id] AS ids FROM free f
        UNION
        SELECT ARRAY[e.a, e.b] FROM edges e WHERE e.a < e.b
        UNION  -- three tables: two joins meeting at a middle table (dedups triangles)
        SELECT ARRAY(SELECT x FROM unnest(ARRAY[e1.b, e1.a, e2.b]) AS x ORDER BY x)
          FROM edges e1 JOIN edges e2 ON e2.a = e1.a AND e1.b < e2.b
    ),
    priced AS (
        SELECT array_agg(f.id ORDER BY f.grid_order, f.name) AS ids,
               array_agg(f.name ORDER BY f.grid_order, f.name) AS names,
               sum(f.capacity)::integer AS seats,
               min(f.capacity) AS smallest,
               sum(f.min_spend) AS min_spend,
               sum(f.deposit) AS deposit,
               bool_or(f.is_premium) AS premium,
               count(*) AS n,
               min(f.grid_order) AS first_order
          FROM groups g
          JOIN free f ON f.id = ANY (g.ids)
         GROUP BY g.ids
    ),
    ranked AS (
        SELECT p.*, row_number() OVER (ORDER BY p.seats - req.party, p.min_spend, p.n,
                                                p.first_order, p.ids::text) AS rank
          FROM priced p, req
         WHERE p.seats >= req.party AND (p.n = 1 OR p.seats - p.smallest < req.party)
    )
    SELECT rank::integer, ids, names, seats, min_spend, deposit, rank = 1,
           CASE WHEN n = 1 THEN 'single' ELSE 'combination' END, premium
      FROM ranked
     WHERE rank <= 10
     ORDER BY rank
$$;

-- The seed's contract: suggestions in local times under the night rule.
-- No rows for a local time that does not exist that night (the
-- spring-forward gap), as create_booking_atomic refuses it.
CREATE OR REPLACE FUNCTION public.get_optimal_table_combinations(venue_id uuid,
                                                                 booking_date date,
                                                                 start_time time, end_time time,
                                                                 party_size integer)
    RETURNS TABLE (combination_id integer, table_ids uuid[], table_names text[],
                   total_capacity integer, total_min_spend numeric, total_deposit numeric,
                   is_optimal boolean, combination_type text, includes_premium boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT s.*
      FROM private.fd_night_instants(get_optimal_table_combinations.venue_id, booking_date,
                                     start_time, end_time) AS x
     CROSS JOIN LATERAL desk_suggestions(get_optimal_table_combinations.venue_id, booking_date,
                                         x.starts_at, x.ends_at,
                                         get_optimal_table_combinations.party_size) AS s
     WHERE x.refusal IS NULL
$$;
