-- The change feed behind live updates.  Triggers append to change_outbox
-- inside the writing transaction (no NOTIFY there: NOTIFY takes a
-- cluster-wide lock at commit and would serialise every booking).  One
-- relay, elected among running apps, moves committed rows into change_feed,
-- so that feed ids increase in commit order, and notifies each venue's
-- channel once per batch with the last id.  Listeners read
-- change_summary_since(venue, last id they saw).

-- bookings: booked (insert), moved (time or night), status, updated
-- (anything else), deleted.  A move to another night is told on both nights.
CREATE OR REPLACE FUNCTION private.fd_outbox_bookings() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    tids uuid[];
    k    text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- The booking core's own new booking names its tables here, and
        -- they write no rows of their own (50_booking_core.sql); any other
        -- insert's tables follow as 'tables' rows.
        INSERT INTO public.change_outbox (venue_id, night, table_ids, booking_id, kind)
        VALUES (NEW.venue_id, NEW.night,
                coalesce(private.fd_marked_tables(NEW.id), '{}'),
                NEW.id, 'booked');
        RETURN NULL;
    END IF;
    SELECT coalesce(array_agg(bt.table_id), '{}') INTO tids
      FROM public.booking_tables bt WHERE bt.booking_id = coalesce(NEW.id, OLD.id);
    IF TG_OP = 'DELETE' THEN
        INSERT INTO public.change_outbox (venue_id, night, table_ids, booking_id, kind)
        VALUES (OLD.venue_id, OLD.night, tids, OLD.id, 'deleted');
        RETURN NULL;
    END IF;
    k := CASE WHEN OLD.night IS DISTINCT FROM NEW.night OR OLD.starts_at IS DISTINCT FROM NEW.starts_at
                   OR OLD.ends_at IS DISTINCT FROM NEW.ends_at THEN 'moved'
              WHEN OLD.status IS DISTINCT FROM NEW.status THEN 'status'
              ELSE 'updated' END;
    INSERT INTO public.change_outbox (venue_id, night, table_ids, booking_id, kind)
    VALUES (NEW.venue_id, NEW.night, tids, NEW.id, k);
    IF OLD.night IS DISTINCT FROM NEW.night THEN
        INSERT INTO public.change_outbox (venue_id, night, table_ids, booking_id, kind)
        VALUES (OLD.venue_id, OLD.night, tids, NEW.id, k);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER bookings_outbox
    AFTER INSERT OR DELETE ON public.bookings
    FOR EACH ROW EXECUTE FUNCTION private.fd_outbox_bookings();
CREATE OR REPLACE TRIGGER bookings_outbox_update
    AFTER UPDATE ON public.bookings
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION private.fd_outbox_bookings();

-- booking_tables: a table joins or leaves a booking ('tables').  Their
-- re-syncs on a move or status change are told by the booking's row.
CREATE OR REPLACE FUNCTION private.fd_outbox_booking_tables() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO public.change_outbox (venue_id, night, table_ids, booking_id, kind)
        VALUES (OLD.venue_id, OLD.night, ARRAY[OLD.table_id], OLD.booking_id, 'tables');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO public.change_outbox (venue_id, night, table_ids, booking_id, kind)
        VALUES (NEW.venue_id, NEW.night, ARRAY[NEW.table_id], NEW.booking_id, 'tables');
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER booking_tables_outbox
    AFTER INSERT ON public.booking_tables
    FOR EACH ROW
    WHEN (NEW.booking_id::text IS DISTINCT FROM current_setting('frontdesk.rules_checked', true))
    EXECUTE FUNCTION private.fd_outbox_booking_tables();
CREATE OR REPLACE TRIGGER booking_tables_outbox_delete
    AFTER DELETE ON public.booking_tables
    FOR EACH ROW EXECUTE FUNCTION private.fd_outbox_booking_tables();
CREATE OR REPLACE TRIGGER booking_tables_outbox_update
    AFTER UPDATE ON public.booking_tables
    FOR EACH ROW
    WHEN (OLD.table_id IS DISTINCT FROM NEW.table_id
          OR OLD.booking_id IS DISTINCT FROM NEW.booking_id)
    EXECUTE FUNCTION private.fd_outbox_booking_tables();

-- holds: 'hold' when placed or changed, 'released' when gone (released,
-- replaced, consumed by a booking, or swept after expiry).
CREATE OR REPLACE FUNCTION private.fd_outbox_holds() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO public.change_outbox (venue_id, night, table_ids, hold_id, kind)
        VALUES (OLD.venue_id, OLD.night, ARRAY[OLD.table_id], OLD.id, 'released');
    ELSE
        INSERT INTO public.change_outbox (venue_id, night, table_ids, hold_id, kind)
        VALUES (NEW.venue_id, NEW.night, ARRAY[NEW.table_id], NEW.id, 'hold');
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER holds_outbox
    AFTER INSERT OR UPDATE OR DELETE ON public.holds
    FOR EACH ROW EXECUTE FUNCTION private.fd_outbox_holds();

-- The relay.  Every running app's listener may relay; one is elected
-- (relay_elect: a session-level advisory lock on a key only the engine can
-- compute) and calls relay_changes() every ~50 ms.  The others call
-- relay_if_stalled() every ~0.5 s, which relays when committed changes have
-- waited too long: so a relay that died, froze or is an impostor holding the
-- election costs at most about a second of delay, never the live feed.

--
-- The functions every listener calls several times a second are PL/pgSQL,
-- not SQL: before PostgreSQL 18 a SQL function with a SET clause is parsed
-- and planned again on every call (change_summary_since: 100 µs a call on
-- 15 against 14 µs, eight desks reading it up to twenty times a second).
CREATE OR REPLACE FUNCTION public.relay_elect() RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN pg_try_advisory_lock(3, private.fd_secret_key('relay'));
END
$$;

-- Move committed outbox rows into the feed, oldest first, and notify each
-- venue once, in its own short transaction; NOTIFY goes out when that
-- commits.  Relays serialise on a key of their own here, so feed ids stay in
-- commit order whoever relays; one that cannot have it within 2 s (another
-- relay frozen mid-way) moves nothing this time.  Also trims feed rows
-- older than a day.  Returns how many rows moved.
CREATE OR REPLACE FUNCTION public.relay_changes(p_limit integer DEFAULT 1000) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET lock_timeout = '2s'
AS $$
DECLARE
    moved    integer;
    venues_  uuid[];
    last_ids bigint[];
    i        integer;
BEGIN
    BEGIN
        PERFORM pg_advisory_xact_lock(3, private.fd_secret_key('relay order'));
    EXCEPTION WHEN lock_not_available THEN
        RETURN 0;
    END;
    WITH taken AS (
        DELETE FROM change_outbox o
         WHERE o.id IN (SELECT id FROM change_outbox ORDER BY id
                         LIMIT greatest(coalesce(p_limit, 1000), 1)
                           FOR UPDATE SKIP LOCKED)
        RETURNING o.*
    ), fed AS (
        INSERT INTO change_feed (venue_id, night, table_ids, booking_id, hold_id, kind, happened_at)
        SELECT venue_id, night, table_ids, booking_id, hold_id, kind, happened_at
          FROM taken ORDER BY id
        RETURNING id, venue_id
    ), per_venue AS (
        SELECT venue_id, max(id) AS last_id, count(*) AS n FROM fed GROUP BY venue_id
    )
    SELECT coalesce(sum(n), 0), array_agg(venue_id ORDER BY venue_id), array_agg(last_id ORDER BY venue_id)
      INTO moved, venues_, last_ids
      FROM per_venue;
    FOR i IN 1 .. coalesce(cardinality(venues_), 0) LOOP
        PERFORM pg_notify(v.channel, jsonb_build_object('last_id', last_ids[i])::text)
           FROM venues v WHERE v.id = venues_[i];
    END LOOP;
    -- Trim the feed a little at a time, oldest first, through its key.
    IF (SELECT f.happened_at FROM change_feed f ORDER BY f.id LIMIT 1) < now() - interval '1 day' THEN
        DELETE FROM change_feed f
         WHERE f.id IN (SELECT x.id FROM (SELECT id, happened_at FROM change_feed ORDER BY id LIMIT 1000) x
                         WHERE x.happened_at < now() - interval '1 day');
    END IF;
    RETURN moved;
END
$$;

-- A listener that is not the relay: relay now if committed changes have
-- waited longer than p_after (the elected relay is gone, frozen or not a
-- relay at all).  Returns how many rows moved (0 almost always).
CREATE OR REPLACE FUNCTION public.relay_if_stalled(p_after interval DEFAULT '500 milliseconds')
    RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN CASE WHEN (SELECT o.happened_at FROM change_outbox o ORDER BY o.id LIMIT 1)
                     < clock_timestamp() - greatest(coalesce(p_after, '0'), '0')
                THEN relay_changes() ELSE 0 END;
END
$$;

-- The same page of the feed, merged per night: what a desk needs to repaint
-- (which tables, which bookings, what happened) and the last id it covers.
-- A listener reads this, not the rows: on a busy night each booking makes
-- several feed rows and every desk reads them all, so merging here spares
-- each desk the rows and the work.  rows_read says whether the page was
-- full; nights may be NULL for a row with none (its id still counts).
CREATE OR REPLACE FUNCTION public.change_summary_since(venue_id uuid, after_id bigint, lim integer DEFAULT 5000)
    RETURNS TABLE (last_id bigint, night date, table_ids uuid[], booking_ids uuid[],
                   kinds text[], rows_read integer)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN QUERY
    WITH page AS (
        SELECT f.id, f.night, f.table_ids, f.booking_id, f.kind
          FROM change_feed f
         WHERE f.venue_id = $1 AND f.id > coalesce($2, 0)
         ORDER BY f.id
         LIMIT greatest(coalesce($3, 5000), 0)
    )
    -- One pass: each row once per table it names (a row naming none once),
    -- so the tables are grouped with the rest, not looked up again in the
    -- page for each night (a page of 57 rows over 41 nights: 0.26 against
    -- 0.13 ms).  Ids are unique, so the rows read are the distinct ids.
    SELECT max(p.id), p.night,
           coalesce(array_agg(DISTINCT x.t) FILTER (WHERE x.t IS NOT NULL), '{}'),
           coalesce(array_agg(DISTINCT p.booking_id) FILTER (WHERE p.booking_id IS NOT NULL), '{}'),
           array_agg(DISTINCT p.kind),
           count(DISTINCT p.id)::integer
      FROM page p
      LEFT JOIN LATERAL unnest(p.table_ids) AS x (t) ON true
     GROUP BY p.night
     ORDER BY p.night;
END
$$;

-- The venue's latest feed id (0 if none): where a new listener starts.
CREATE OR REPLACE FUNCTION public.change_feed_head(venue_id uuid) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(max(f.id), 0) FROM change_feed f WHERE f.venue_id = $1);
END
$$;
