"""The seed's design as a peer: its documented algorithm, run on a copy.

The seed document (BOOKING_CONFLICT_PREVENTION) books like this: take an
advisory lock keyed on table + date + start time, check availability under
the lock, insert, release; there is no exclusion constraint.  Two bookings
of one table that start at different times overlap without ever sharing
that lock, so both can pass the check before either commits: a double
booking.  Ours takes one lock per (table, night) and the exclusion
constraint is final.

``install`` makes the copy in schema ``seed_copy`` of the throwaway
database: ``bookings`` and ``booking_tables`` with our columns (``LIKE``,
so no constraint, trigger or index comes along) plus the indexes a careful
seed would have, and ``seed_copy.create_booking_atomic``, the algorithm as
plain PL/pgSQL.  ``run`` puts it under the throughput load (pgbench, the
same clients and seconds, random table, night and 30-minute start step on a
venue small enough that different start times on one table race), runs
ours under the very same load, and counts double bookings in both.
"""

from __future__ import annotations

from typing import Any

from frontdesk.loadtest import scenarios
from frontdesk.loadtest.venue import TIME_ZONE, Conn, Venue

SCHEMA = "seed_copy"

INSTALL_SQL = f"""
CREATE SCHEMA {SCHEMA};
CREATE TABLE {SCHEMA}.bookings (LIKE public.bookings INCLUDING DEFAULTS INCLUDING GENERATED);
ALTER TABLE {SCHEMA}.bookings ADD PRIMARY KEY (id);
CREATE TABLE {SCHEMA}.booking_tables (LIKE public.booking_tables INCLUDING DEFAULTS);
ALTER TABLE {SCHEMA}.booking_tables ADD PRIMARY KEY (booking_id, table_id);
CREATE INDEX ON {SCHEMA}.booking_tables (table_id, night);

-- Columns our engine fills and the seed does not know stay empty: only the
-- ones the seed writes keep NOT NULL, so the copy survives new columns.
DO $do$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT a.attrelid::regclass AS tab, a.attname
          FROM pg_attribute a
         WHERE a.attrelid IN ('{SCHEMA}.bookings'::regclass, '{SCHEMA}.booking_tables'::regclass)
           AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
           AND a.attname <> ALL (ARRAY['id', 'venue_id', 'customer_id', 'night', 'starts_at',
                                       'ends_at', 'booking_id', 'table_id', 'period'])
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP NOT NULL', col.tab, col.attname);
    END LOOP;
END
$do$;

-- The seed's create_booking_atomic for one table: lock on table + date +
-- start time (pg_advisory_xact_lock, so it lasts until the commit: the
-- seed's own release before the commit would only widen the hole), check
-- for an overlapping active booking under the lock, insert.  Local times
-- under the night rule: a start before noon belongs to the night before.
CREATE FUNCTION {SCHEMA}.create_booking_atomic(p_venue_id uuid, p_customer_email text,
                                               p_table_id uuid, p_booking_date date,
                                               p_start_time time, p_end_time time,
                                               p_party_size integer,
                                               OUT success boolean, OUT error_code text)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_starts   timestamptz;
    v_ends     timestamptz;
    v_length   interval;
    v_customer uuid;
    v_id       uuid := gen_random_uuid();
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(p_table_id::text || p_booking_date::text
                                           || p_start_time::text));
    v_starts := (p_booking_date + p_start_time
                 + CASE WHEN p_start_time < time '12:00' THEN interval '1 day'
                        ELSE interval '0' END) AT TIME ZONE '{TIME_ZONE}';
    v_length := p_end_time - p_start_time;
    IF v_length <= interval '0' THEN
        v_length := v_length + interval '24 hours';  -- ends after midnight
    END IF;
    v_ends := v_starts + v_length;
    IF EXISTS (SELECT 1 FROM {SCHEMA}.booking_tables bt
                WHERE bt.table_id = p_table_id AND bt.night = p_booking_date AND bt.is_active
                  AND bt.period && tstzrange(v_starts, v_ends, '[)')) THEN
        success := false;
        error_code := 'TABLE_UNAVAILABLE';
        RETURN;
    END IF;
    SELECT c.id INTO v_customer FROM public.customers c
     WHERE c.venue_id = p_venue_id AND c.email = p_customer_email;
    INSERT INTO {SCHEMA}.bookings (id, venue_id, reference, customer_id, night, starts_at,
                                   ends_at, party_size, status, source)
    VALUES (v_id, p_venue_id,
            'BR-' || to_char(p_booking_date, 'YYMMDD') || '-'
                  || upper(substr(md5(v_id::text), 1, 6)),
            v_customer, p_booking_date, v_starts, v_ends, p_party_size, 'confirmed', 'web');
    INSERT INTO {SCHEMA}.booking_tables (venue_id, booking_id, table_id, night, period, is_active)
    VALUES (p_venue_id, v_id, p_table_id, p_booking_date, tstzrange(v_starts, v_ends, '[)'), true);
    success := true;
END
$$;
"""

# The throughput script's load, calling the seed's function (colons inside
# literals would read as pgbench variables).
SEED_SCRIPT = f"""\
\\set t random(1, :ntables)
\\set d random(1, :ndays)
\\set s random(0, :steps)
\\set c random(1, :ncustomers)
SELECT success, error_code
  FROM {SCHEMA}.create_booking_atomic(:venue::uuid, concat('guest', :c::int, '@loadtest.example'),
                             (:tprefix || lpad(to_hex(:t::int), 12, '0'))::uuid,
                             current_date + :d::int,
                             make_time(18, 0, 0) + :s::int * interval '30 minutes',
                             make_time(20, 0, 0) + :s::int * interval '30 minutes', 2);
"""


def install(conn: Conn) -> None:
    """Create ``seed_copy`` (tables without the exclusion constraint, and the
    seed's function) in the connected (throwaway) database."""
    conn.execute(INSTALL_SQL)


def double_bookings(conn: Conn) -> int:
    """Pairs of active rows in the copy holding one table at overlapping instants."""
    row = conn.execute(
        f"""
        SELECT count(*)
          FROM {SCHEMA}.booking_tables a
          JOIN {SCHEMA}.booking_tables b
            ON b.table_id = a.table_id AND b.night = a.night AND b.booking_id > a.booking_id
           AND b.period && a.period AND b.is_active
         WHERE a.is_active
        """
    ).fetchone()
    return int(row[0]) if row else 0


def booked(conn: Conn) -> int:
    row = conn.execute(f"SELECT count(*) FROM {SCHEMA}.bookings").fetchone()
    return int(row[0]) if row else 0


def run(ctx: scenarios.Context, venue: Venue, nights: int, clients: int) -> dict[str, Any]:
    """The seed's algorithm on the copy, then ours, under one pgbench load on
    ``venue`` (its tables, nights 1..``nights``): bookings/s and double
    bookings of each.  ``install`` must have run."""
    defines = scenarios.booking_defines(venue, nights)
    before = booked(ctx.conn)
    res = ctx.pgbench(
        f"seed design c{clients}", [(SEED_SCRIPT, 1)], clients=clients, defines=defines
    )
    seed_booked = booked(ctx.conn) - before
    ours = scenarios.throughput(
        ctx, venue, nights, clients, None, label=f"ours, same load c{clients}"
    )
    return {
        "clients": clients,
        "seconds": ctx.seconds,
        "tables": venue.tables,
        "nights": nights,
        "tps": round(res.tps, 1),
        "attempts": res.transactions,
        "booked": seed_booked,
        "double_bookings": double_bookings(ctx.conn),
        "ours_tps": ours["tps"],
        "ours_attempts": ours["attempts"],
        "ours_booked": ours["booked"],
        "ours_double_bookings": scenarios.double_bookings(ctx.conn, venue.id),
    }
