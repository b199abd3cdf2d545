-- Table blocks: a table out of service for a night, or part of one, with a
-- reason (table_blocks, migration 0009).  Bookings, suggestions,
-- availability and holds avoid them (fd_block_refusals, asked by
-- fd_availability_refusal in 32_availability.sql); the guarantee is the
-- exclusion constraint on private.table_claims, which these triggers keep:
-- every active booking's table and every block is a claim there, and a
-- booking's claim and a block's on one table at overlapping instants of one
-- night exclude each other, whoever writes (the functions, the website, a
-- manager's psql).  Blocks are placed and lifted by the manager's functions
-- in 58_setup.sql.

-- The instants a block holds: its own, an open end meaning the night's
-- opening or close as its hours are now (so a whole-night block follows a
-- change of hours).  Empty when that cannot be said (a closed night), so it
-- overlaps nothing.  Never raises.
CREATE OR REPLACE FUNCTION private.fd_block_period(p_venue_id uuid, p_night date,
                                                   p_starts_at timestamptz,
                                                   p_ends_at timestamptz)
    RETURNS tstzrange
    LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN x.s IS NULL OR x.e IS NULL OR x.s >= x.e THEN 'empty'::tstzrange
                ELSE tstzrange(x.s, x.e, '[)') END
      FROM (SELECT coalesce(p_starts_at, lower(n.span)) AS s,
                   coalesce(p_ends_at, upper(n.span)) AS e
              FROM (SELECT CASE WHEN p_starts_at IS NULL OR p_ends_at IS NULL
                                THEN private.fd_night_span(p_venue_id, p_night) END AS span) AS n
           ) AS x
$$;

-- 'Booth 4 is out of service that night (broken booth).', or '... out of
-- service 22:00–02:00 that night (...)' for part of it.
CREATE OR REPLACE FUNCTION private.fd_block_words(p_venue_id uuid, p_table_name text,
                                                  p_starts_at timestamptz,
                                                  p_ends_at timestamptz, p_period tstzrange,
                                                  p_reason text)
    RETURNS text
    LANGUAGE sql STABLE
    RETURN format('%s is out of service %sthat night (%s).', p_table_name,
                  CASE WHEN (p_starts_at IS NOT NULL OR p_ends_at IS NOT NULL)
                            AND NOT isempty(p_period)
                       THEN private.fd_local_times(p_venue_id, p_period) || ' ' ELSE '' END,
                  p_reason);

-- The first block on one of these tables that overlaps the period, as
-- TABLE_UNAVAILABLE (the seed's word for "choose another table"): no row
-- when there is none.  Blocks belong to a night and a booking lies inside
-- its night's hours, so only blocks of nights near the period are read
-- (through the index, one probe a table).  A set of at most one row, in
-- SQL, so that the planner inlines it into fd_availability_refusal's one
-- statement (32_availability.sql).
CREATE OR REPLACE FUNCTION private.fd_block_refusals(p_venue_id uuid, p_table_ids uuid[],
                                                     p_period tstzrange)
    RETURNS TABLE (code text, message text)  -- columns, not a refusal: so it is inlined
    LANGUAGE sql STABLE
AS $$
    SELECT 'TABLE_UNAVAILABLE'::text,
           private.fd_block_words(p_venue_id, t.name, bl.starts_at, bl.ends_at, e.period,
                                  bl.reason)
      FROM unnest(p_table_ids) AS x (table_id)  -- one index probe a table, not = ANY
      JOIN public.table_blocks bl ON bl.venue_id = p_venue_id AND bl.table_id = x.table_id
      JOIN public.venue_tables t ON t.id = bl.table_id
     CROSS JOIN LATERAL (SELECT private.fd_block_period(bl.venue_id, bl.night, bl.starts_at,
                                                        bl.ends_at) AS period) AS e
     WHERE bl.night BETWEEN (lower(p_period) AT TIME ZONE 'UTC')::date - 2
                        AND (upper(p_period) AT TIME ZONE 'UTC')::date + 2
       AND e.period && p_period
     ORDER BY t.grid_order, t.name, lower(e.period)
     LIMIT 1
$$;

-- ---------------------------------------------------------------------------
-- The claims, kept by every writer's triggers.  An active booking_tables
-- row is a claim with the booking's night and period; a block is one with
-- its night and its own period (an open end unbounded: the whole night).

CREATE OR REPLACE FUNCTION private.fd_claims_booking_tables() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.is_active AND NEW.is_active
       AND OLD.booking_id = NEW.booking_id AND OLD.table_id = NEW.table_id THEN
        -- the booking moved (or nothing the claim holds changed)
        IF (OLD.venue_id, OLD.night, OLD.period) IS DISTINCT FROM
           (NEW.venue_id, NEW.night, NEW.period) THEN
            UPDATE private.table_claims c
               SET venue_id = NEW.venue_id, night = NEW.night, period = NEW.period
             WHERE c.owner_id = NEW.booking_id AND c.table_id = NEW.table_id;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.is_active THEN
        DELETE FROM private.table_claims c
         WHERE c.owner_id = OLD.booking_id AND c.table_id = OLD.table_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.is_active THEN
        INSERT INTO private.table_claims (venue_id, table_id, night, period, is_block, owner_id)
        VALUES (NEW.venue_id, NEW.table_id, NEW.night, NEW.period, false, NEW.booking_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER booking_tables_claims
    AFTER INSERT OR UPDATE OR DELETE ON public.booking_tables
    FOR EACH ROW EXECUTE FUNCTION private.fd_claims_booking_tables();

CREATE OR REPLACE FUNCTION private.fd_claims_table_blocks() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM private.table_claims c WHERE c.owner_id = OLD.id AND c.table_id = OLD.table_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO private.table_claims (venue_id, table_id, night, period, is_block, owner_id)
        VALUES (NEW.venue_id, NEW.table_id, NEW.night, NEW.period, true, NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER table_blocks_claims
    AFTER INSERT OR UPDATE OR DELETE ON public.table_blocks
    FOR EACH ROW EXECUTE FUNCTION private.fd_claims_table_blocks();
