"""How long ``frontdesk db upgrade`` takes on a venue's database from the first
release, with 100,000 bookings.

    python -m tests.benchmarks.upgrade_time [--bookings 100000] [--database-url URL]

Builds a release-1 database (its four migrations and demo venue, as that
release left them), adds the bookings (each with its table row, and two
audit rows, as the release wrote them) over a year of nights, then times the
upgrade to this layout (schema steps and the engine applied) and a second,
no-op upgrade.  On a throwaway embedded server unless a URL is given (an
account that may create databases).  Not a timed test: the figures are for
reading.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from frontdesk import migrations, server
from tests import pg, release1

VENUE = "b4c12000-0000-4000-8000-000000000001"

# Bookings of 20 minutes, back to back from 21:00 on each (table, night):
# 21 a table-night fit before 04:00, so 100,000 take a few hundred nights.
SEED = """
WITH slots AS (
    SELECT g, t.id AS table_id, t.venue_id,
           (SELECT min(night) FROM nights) - 400 + (g / 21 / tc.n)::integer AS night,
           g %% 21 AS slot
      FROM generate_series(0, %(n)s - 1) g
      CROSS JOIN (SELECT count(*) AS n FROM venue_tables WHERE venue_id = %(v)s) tc
      JOIN LATERAL (SELECT id, venue_id FROM venue_tables WHERE venue_id = %(v)s
                     ORDER BY grid_order OFFSET (g / 21) %% tc.n LIMIT 1) t ON true
), rows AS (
    SELECT gen_random_uuid() AS id, s.*,
           ((s.night + time '21:00') AT TIME ZONE 'Europe/London')
               + s.slot * interval '20 minutes' AS starts_at
      FROM slots s
), b AS (
    INSERT INTO bookings (id, venue_id, reference, customer_id, night, starts_at, ends_at,
                          party_size, status, source, total_deposit, total_min_spend)
    SELECT r.id, r.venue_id,
           'BR-' || to_char(r.night, 'YYMMDD') || '-' ||
               (SELECT string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
                                         1 + (r.g / (32 ^ k)::bigint %% 32)::integer, 1), '')
                  FROM generate_series(0, 5) k),
           (SELECT id FROM customers WHERE venue_id = %(v)s ORDER BY id LIMIT 1),
           r.night, r.starts_at, r.starts_at + interval '20 minutes', 2,
           CASE WHEN r.g %% 9 = 0 THEN 'completed' WHEN r.g %% 13 = 0 THEN 'no_show'
                ELSE 'completed' END, 'web', 20, 100
      FROM rows r
    RETURNING id, venue_id, night, period, status
), bt AS (
    INSERT INTO booking_tables (venue_id, booking_id, table_id, night, period, is_active)
    SELECT b.venue_id, b.id, r.table_id, b.night, b.period, b.status <> 'no_show'
      FROM b JOIN rows r ON r.id = b.id
    RETURNING booking_id
)
INSERT INTO audit_logs (venue_id, table_name, operation, record_id, new_values, terminal)
SELECT %(v)s, x.t, 'INSERT', bt.booking_id, jsonb_build_object('booking_id', bt.booking_id), 'WEB'
  FROM bt, (VALUES ('bookings'), ('booking_tables')) AS x (t);
"""


def seed(url: str, bookings: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # as restored: no triggers
        conn.execute(SEED, {"n": bookings, "v": VENUE})
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--database-url", help="a server URL (default: a throwaway embedded one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pgdata = Path(folder) / "data"
        admin = args.database_url or pg.start_embedded(pgdata)
        name = f"fd_upgrade_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = pg.with_database(admin, name)
        try:
            release1.build(url)
            started = time.perf_counter()
            seed(url, args.bookings)
            seeded = time.perf_counter() - started
            with psycopg.connect(url) as conn:
                counts = conn.execute(
                    "SELECT (SELECT count(*) FROM bookings), (SELECT count(*) FROM audit_logs)"
                ).fetchone()
            print(f"release-1 database: {counts} bookings/audit rows (seeded in {seeded:.1f} s)")
            started = time.perf_counter()
            migrations.upgrade(url)
            first = time.perf_counter() - started
            started = time.perf_counter()
            migrations.upgrade(url)
            again = time.perf_counter() - started
            print(f"upgrade to {migrations.current_revision(url)}: {first * 1000:.0f} ms")
            print(f"upgrade again (nothing to do): {again * 1000:.0f} ms")
        finally:
            pg.drop_database(admin, name)
            if not args.database_url:
                server.stop(pgdata)


if __name__ == "__main__":
    main()
