"""How long a manager's report takes over a year of a busy venue, and an
audit log page over that year's trail.

    .venv/bin/python -m tests.benchmarks.report_time [--bookings 100000]
        [--runs 20] [--explain] [--url postgresql://admin...]

Without --url it starts a private embedded server in a temporary folder;
either way it loads a fresh database (migrated, the demo venue), then
``--bookings`` bookings spread over the year before today (busier at the
weekend, every source and status: a tenth cancelled, one in twenty-five a
no-show, walk-ins), written straight into the table as an import would
(the validation trigger refuses past nights, and the audit and feed
triggers are not what is timed), and one audit row per booking made and
one per status change (about twice as many rows as bookings).  Then it
times, through the desk's services (pool, round trip and all), ``--runs``
times each:

- ``reports.load_report`` for the year (365 nights, by night, weekday and
  source: the window's one read);
- the audit log's first page (100 changes, newest first) for the year, and
  a page 50 pages deep (by keyset), all kinds but holds.

and prints the median and the slowest.  Not a timed test: the figures are
for reading (the issue asks for a year's report under a second).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from frontdesk import audit_log, reports
from frontdesk.audit_log import AuditFilter
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from tests.benchmarks.customer_search import VENUE, fresh_database

#: Bookings a year, spread by weekday (Monday .. Sunday), summing to 1.
WEEKDAY_SHARE = (0.06, 0.08, 0.10, 0.14, 0.26, 0.28, 0.08)

LOAD_SQL = """
WITH nights AS (
    SELECT d::date AS night,
           (ARRAY[%(mon)s, %(tue)s, %(wed)s, %(thu)s, %(fri)s, %(sat)s, %(sun)s]::float8[])
               [extract(isodow FROM d)::int] AS share
      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') d),
per_night AS (
    -- each night within a quarter of its weekday's usual (the same every run)
    SELECT night,
           greatest(1, round(share * %(bookings)s / (count(*) OVER () / 7.0)
                             * (0.75 + (abs(hashtext(night::text)) %% 501) / 1000.0)))::int AS n
      FROM nights),
tables AS (
    SELECT array_agg(id ORDER BY grid_order) AS ids,
           array_agg(capacity ORDER BY grid_order) AS caps,
           array_agg(deposit ORDER BY grid_order) AS deps,
           array_agg(min_spend ORDER BY grid_order) AS spends
      FROM venue_tables WHERE venue_id = %(venue)s),
guests AS (SELECT array_agg(id) AS ids FROM customers WHERE venue_id = %(venue)s),
rows AS (
    SELECT p.night, g.k, (g.k %% 16) + 1 AS t
      FROM per_night p CROSS JOIN LATERAL generate_series(1, p.n) AS g (k))
INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at, ends_at, party_size,
                      status, source, total_deposit, total_min_spend, created_at, updated_at)
SELECT %(venue)s,
       'BR-' || to_char(r.night, 'YYMMDD') || '-' ||
           translate(upper(substr(md5(r.night::text || r.k::text), 1, 6)), '01', 'AB'),
       gu.ids[1 + (r.k * 7 + extract(doy FROM r.night)::int) %% array_length(gu.ids, 1)],
       r.night,
       (r.night + time '21:00' + make_interval(mins => 30 * (r.k %% 8)))
           AT TIME ZONE 'Europe/London',
       (r.night + time '23:30' + make_interval(mins => 30 * (r.k %% 8)))
           AT TIME ZONE 'Europe/London',
       greatest(1, tb.caps[r.t] - r.k %% 3),
       CASE WHEN (r.k + extract(doy FROM r.night)::int) %% 10 = 3 THEN 'cancelled'
            WHEN (r.k * 3 + extract(doy FROM r.night)::int) %% 25 = 7 THEN 'no_show'
            ELSE 'completed' END,
       (ARRAY['web', 'web', 'phone', 'desk', 'walk_in'])[1 + r.k %% 5],
       tb.deps[r.t], tb.spends[r.t],
       (r.night - 10) + time '14:00', (r.night - 10) + time '14:00'
  FROM rows r, tables tb, guests gu
ON CONFLICT (reference) DO NOTHING
"""

AUDIT_SQL = """
INSERT INTO audit_logs (venue_id, table_name, operation, record_id, old_values, new_values,
                        staff_id, staff_name, terminal, changed_at)
SELECT b.venue_id, 'bookings', 'INSERT', b.id, NULL::jsonb, to_jsonb(b), NULL::uuid,
       (ARRAY['Priya', 'Alex', 'Sam', 'Website'])[1 + abs(hashtext(b.id::text)) %% 4],
       (ARRAY['DESK-1', 'DESK-2', 'OFFICE', 'web:site'])[1 + abs(hashtext(b.id::text)) %% 4],
       b.created_at
  FROM bookings b WHERE b.venue_id = %(venue)s
UNION ALL
SELECT b.venue_id, 'bookings', 'UPDATE', b.id,
       to_jsonb(b) || jsonb_build_object('status', 'confirmed'), to_jsonb(b), NULL::uuid,
       (ARRAY['Priya', 'Alex', 'Sam'])[1 + abs(hashtext(b.reference)) %% 3],
       (ARRAY['DESK-1', 'DESK-2', 'OFFICE'])[1 + abs(hashtext(b.reference)) %% 3],
       b.starts_at + interval '5 minutes'
  FROM bookings b WHERE b.venue_id = %(venue)s AND b.status <> 'confirmed'
"""


def load_year(url: str, bookings: int, today: datetime, *, audit: bool = True) -> tuple[int, int]:
    """A year of bookings before ``today``, and (``audit``) their audit rows; counts."""
    first = (today - timedelta(days=365)).date()
    last = (today - timedelta(days=1)).date()
    shares = dict(
        zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), WEEKDAY_SHARE, strict=True)
    )
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # an import: no triggers
        conn.execute(
            LOAD_SQL, {**shares, "first": first, "last": last, "bookings": bookings, "venue": VENUE}
        )
        if audit:
            conn.execute(AUDIT_SQL, {"venue": VENUE})
        conn.commit()
        conn.execute("ANALYZE")
        counted = conn.execute(
            "SELECT (SELECT count(*) FROM bookings WHERE night BETWEEN %s AND %s), "
            "(SELECT count(*) FROM audit_logs)",
            [first, last],
        ).fetchone()
    assert counted is not None
    return int(counted[0]), int(counted[1])


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    result = fn()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def _line(what: str, times: list[float]) -> str:
    return f"{what:<52}{statistics.median(times):>9.1f}{max(times):>9.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="an admin URL of a server to use (default: embedded)")
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="print the report's plan")
    args = parser.parse_args(argv)

    today = datetime.now(UTC)
    with fresh_database(args.url) as url:
        started = time.perf_counter()
        year_bookings, audit_rows = load_year(url, args.bookings, today)
        print(
            f"loaded {year_bookings:,} bookings over 365 nights and {audit_rows:,} audit rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db = Database(url, staff=StaffContext("BENCH", "Bench"))
        try:
            desk = Desk(db, VENUE)
            first = (today - timedelta(days=365)).date()
            last = (today - timedelta(days=1)).date()
            print(f"{'':<52}{'p50 ms':>9}{'max ms':>9}")
            times, report = timed(lambda: reports.load_report(desk, first, last), args.runs)
            print(_line(f"report, {report.total.bookings:,} bookings, 365 nights", times))
            wanted = AuditFilter(
                since=datetime.combine(first, datetime.min.time(), desk.time_zone),
                until=today,
            )
            times, page = timed(lambda: audit_log.fetch_page(desk, wanted), args.runs)
            print(_line(f"audit log, first page ({len(page.changes)} changes)", times))
            key = page.next_key
            for _ in range(49):
                assert key is not None
                key = audit_log.fetch_page(desk, wanted, key).next_key
            times, page = timed(lambda: audit_log.fetch_page(desk, wanted, key), args.runs)
            print(_line("audit log, page 51 (by keyset)", times))
            staff = AuditFilter(
                since=wanted.since, until=wanted.until, staff="Alex", kinds=frozenset({"status"})
            )
            times, page = timed(lambda: audit_log.fetch_page(desk, staff), args.runs)
            print(_line("audit log, first page of Alex's status changes", times))
            if args.explain:
                with psycopg.connect(url) as conn:
                    plan = conn.execute(
                        "EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM report_nights "
                        "WHERE venue_id = %s AND night BETWEEN %s AND %s",
                        [VENUE, first, last],
                    ).fetchall()
                print("\n".join(r[0] for r in plan))
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
