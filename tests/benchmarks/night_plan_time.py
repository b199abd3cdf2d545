"""How long the night plan (the grid's one read, on every repaint) takes on
a busy night.

    .venv/bin/python -m tests.benchmarks.night_plan_time [--bookings 300]
        [--runs 500] [--url postgresql://admin...]

--url is an admin URL of any server where it may create a database: a
venue's own (Debian's PostgreSQL 15, say) or a running embedded one
(``postgresql://postgres:@/postgres?host=<data dir>/postgres``, the host
that ``frontdesk db url`` prints).  Without --url it starts a private
embedded server in a temporary folder.  Either way it loads a fresh
database (migrated, the demo venue), adds tables until the night has room
(60 in all), then books ``--bookings`` bookings on one night four weeks
ahead (five sittings of 75 minutes, a tenth cancelled), written with
plain SQL through every trigger, gives each active booking two or three
spend rows (the till's and the desk's) and a third of the guests a tag.
Then it times ``SELECT night_plan(...)`` (the JSON as text, over the
wire, as the desk reads it) ``--runs`` times and prints the median, the
p99 and the slowest, in milliseconds.  Not a timed test: the figures are
for reading (issue 16's target: p99 under 3 ms with 300 bookings, on
PostgreSQL 15 and on the embedded 18; see BENCHMARKS.md, "Night plan").
"""

from __future__ import annotations

import argparse
import statistics
import time

import psycopg

from tests.benchmarks.customer_search import VENUE, fresh_database

SETUP_SQL = """
INSERT INTO venue_tables (venue_id, floor_id, name, capacity, min_spend, deposit, grid_order)
SELECT %(venue)s, (SELECT id FROM floors WHERE venue_id = %(venue)s ORDER BY sort_order LIMIT 1),
       'Bench ' || g, 6, 200 + 50 * (g %% 4), 50, 100 + g
  FROM generate_series(1, greatest(0, 60 - (SELECT count(*) FROM venue_tables
                                             WHERE venue_id = %(venue)s))) AS g
"""

BOOK_SQL = """
WITH t AS (SELECT array_agg(id ORDER BY grid_order, name) AS ids,
                  array_agg(min_spend ORDER BY grid_order, name) AS mins,
                  array_agg(deposit ORDER BY grid_order, name) AS deps
             FROM venue_tables WHERE venue_id = %(venue)s),
     c AS (SELECT array_agg(id ORDER BY id) AS ids FROM customers WHERE venue_id = %(venue)s),
     k AS (SELECT g AS n, (g - 1) %% 60 + 1 AS tn, (g - 1) / 60 AS sitting
             FROM generate_series(1, %(bookings)s) AS g),
     b AS (
        INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at, ends_at,
                              party_size, status, total_deposit, total_min_spend, deposit_status)
        SELECT %(venue)s, 'BR-' || to_char(%(night)s::date, 'YYMMDD') || '-'
                   || translate(upper(substr(md5(k.n::text), 1, 6)), '01', 'AB'),
               c.ids[1 + k.n %% array_length(c.ids, 1)], %(night)s,
               private.fd_night_instant(%(venue)s, %(night)s, time '21:00')
                   + make_interval(mins => 75 * k.sitting),
               private.fd_night_instant(%(venue)s, %(night)s, time '21:00')
                   + make_interval(mins => 75 * k.sitting + 75),
               2, CASE WHEN k.n %% 10 = 3 THEN 'cancelled' ELSE 'confirmed' END,
               t.deps[k.tn], t.mins[k.tn], CASE WHEN k.n %% 2 = 0 THEN 'paid' ELSE 'due' END
          FROM k, t, c
        RETURNING id, starts_at, status)
SELECT count(*) FROM b
"""

TABLES_SQL = """
INSERT INTO booking_tables (booking_id, table_id)
SELECT b.id, t.ids[1 + (row_number() OVER (PARTITION BY b.starts_at ORDER BY b.reference) - 1)::int]
  FROM bookings b,
       (SELECT array_agg(id ORDER BY grid_order, name) AS ids FROM venue_tables
         WHERE venue_id = %(venue)s) t
 WHERE b.venue_id = %(venue)s AND b.night = %(night)s
"""

SPEND_SQL = """
INSERT INTO booking_spend (venue_id, booking_id, amount, note, source, pos_key)
SELECT b.venue_id, b.id, 20 + (abs(hashtext(b.id::text || g)) %% 9000) / 100.0, NULL,
       CASE WHEN g = 1 THEN 'pos' ELSE 'desk' END,
       CASE WHEN g = 1 THEN b.reference || ':' || g END
  FROM bookings b CROSS JOIN generate_series(1, 2 + abs(hashtext(b.reference)) %% 2) AS g
 WHERE b.venue_id = %(venue)s AND b.night = %(night)s AND b.status <> 'cancelled'
"""

TAGS_SQL = """
WITH tag AS (INSERT INTO guest_tags (venue_id, name, kind) VALUES (%(venue)s, 'Bench VIP', 'vip')
             ON CONFLICT DO NOTHING RETURNING id)
INSERT INTO customer_tags (venue_id, customer_id, tag_id)
SELECT c.venue_id, c.id, tag.id
  FROM customers c, tag WHERE c.venue_id = %(venue)s AND abs(hashtext(c.id::text)) %% 3 = 0
ON CONFLICT DO NOTHING
"""


def load_night(url: str, bookings: int) -> tuple[str, int]:
    """A busy night four weeks ahead; (the night, bookings on it)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT d + (12 - extract(isodow FROM d)::int) % 7 FROM (SELECT "
            "(private.fd_now() AT TIME ZONE 'Europe/London')::date + 28 AS d) x"
        ).fetchone()
        assert row is not None
        night = str(row[0])
        params = {"venue": VENUE, "night": night, "bookings": bookings}
        conn.execute(SETUP_SQL, params)
        with conn.transaction():
            conn.execute(BOOK_SQL, params)
            conn.execute(TABLES_SQL, params)
        # The tables of 0010 exist before and after the change measured.
        conn.execute(SPEND_SQL, params)
        conn.execute(TAGS_SQL, params)
        conn.execute("ANALYZE")
        counted = conn.execute(
            "SELECT count(*) FROM bookings WHERE venue_id = %s AND night = %s", [VENUE, night]
        ).fetchone()
    assert counted is not None
    return night, int(counted[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="an admin URL of a server to use (default: embedded)")
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args(argv)
    with fresh_database(args.url) as url:
        night, n = load_night(url, args.bookings)
        with psycopg.connect(url, autocommit=True) as conn:
            query = "SELECT night_plan(%s, %s)::text"
            size = len(conn.execute(query, [VENUE, night]).fetchone()[0])  # type: ignore[index]
            for _ in range(20):  # warm: plans cached, pages in memory
                conn.execute(query, [VENUE, night]).fetchone()
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                conn.execute(query, [VENUE, night]).fetchone()
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(
            f"night_plan, {n} bookings, {size / 1024:.0f} KiB of JSON, {args.runs} runs: "
            f"p50 {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
