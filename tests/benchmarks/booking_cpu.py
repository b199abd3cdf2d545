"""Server CPU per booking: this checkout's engine against another's, interleaved.

    git worktree add /tmp/fd-old 59a168c            # the engine to compare with
    .venv/bin/python -m tests.benchmarks.booking_cpu --against /tmp/fd-old
        [--url postgresql://admin...] [--rounds 3] [--batch 20] [--layout loadtest]

Without --url it starts a private embedded server in a temporary folder.
Each round makes two fresh databases on the server with the demo venue, one
migrated by the other checkout (in a subprocess, with that checkout first on
the path) and one by this one.  One connection to each books the same
distinct free slots of the demo venue, a new guest each, as the website
does (create_booking_atomic), in batches that alternate between the two
engines, so that the machine's drift (a virtual machine's speed moves by a
third from minute to minute) falls on both alike.  ``--layout loadtest``
books on the load test's server instead: its five venues (310 tables, the
one booked has 200, 100,000 bookings at another), a returning guest each of
its 1,000, as ``frontdesk loadtest`` does.  The CPU is each backend's
own, read from /proc/<pid>/schedstat (nanoseconds), so the server must run
on this machine.  It prints each round's microseconds per booking and the
ratio (this engine's over the other's).  Not a timed test: the figures are
for reading.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg

from frontdesk import migrations
from tests.benchmarks.sign_in_time import fresh_database, private_server

VENUE = "b4c12000-0000-4000-8000-000000000001"  # the demo venue
STARTS = {"21:00": "22:00", "22:00": "23:00", "23:00": "23:59"}
WARM_UP = 60  # bookings on each engine before the clock runs (plans, caches)

BOOK = """
SELECT success FROM create_booking_atomic(
    %(venue)s, %(email)s, NULL, 'Bench Guest',
    ARRAY[(SELECT id FROM venue_tables WHERE venue_id = %(venue)s AND name = %(table)s)],
    %(night)s, %(start)s, %(end)s, 2)
"""

# The load test's own call (frontdesk/loadtest/scenarios.py, BOOKING_SCRIPT).
BOOK_LOADTEST = """
SELECT success FROM create_booking_atomic(
    %(venue)s::uuid, concat('guest', %(guest)s::int, '@loadtest.example'), NULL,
    concat('Guest ', %(guest)s::int), ARRAY[%(table_id)s::uuid],
    current_date + %(days)s::int, %(start)s::time, %(end)s::time, 2)
"""

# Run with the engine's checkout first on the path (the layouts are that
# checkout's own): url, layout.
MIGRATE = """\
import sys
import psycopg
from frontdesk import migrations
url, layout = sys.argv[1], sys.argv[2]
migrations.upgrade(url)
if layout == "demo":
    migrations.load_demo(url)
else:  # the venues of `frontdesk loadtest`, with its 100,000 bookings at the third
    from frontdesk.loadtest import venue
    with psycopg.connect(url, autocommit=True) as conn:
        venue.create_venue(conn, 1, "Loadtest Throughput", tables=200, max_days_ahead=700)
        venue.create_venue(conn, 2, "Loadtest Release", tables=20, max_days_ahead=30)
        lookup = venue.create_venue(conn, 3, "Loadtest Availability", tables=50,
                                    max_days_ahead=530)
        venue.create_venue(conn, 4, "Loadtest Seed", tables=20, max_days_ahead=330)
        venue.create_venue(conn, 5, "Loadtest Release PgBouncer", tables=20, max_days_ahead=30)
        venue.load_bookings(conn, lookup, nights=500, per_table=4)
        conn.execute("VACUUM ANALYZE")
"""
LAYOUTS = ("demo", "loadtest")


def backend_cpu_ns(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text(encoding="ascii").split()[0])


@contextmanager
def engine_database(admin_url: str, checkout: Path | None, layout: str = "demo") -> Iterator[str]:
    """A fresh database with ``layout``'s venues, migrated by ``checkout`` (None: this one)."""
    with fresh_database(admin_url) as url:
        if checkout is None and layout == "demo":
            migrations.upgrade(url)
            migrations.load_demo(url)
        else:
            where = checkout or Path(__file__).resolve().parents[2]
            env = {**os.environ, "PYTHONPATH": str(where)}
            subprocess.run(
                [sys.executable, "-c", MIGRATE, url, layout], cwd=where, env=env, check=True
            )
        yield url


def loadtest_slots() -> list[dict[str, Any]]:
    """Distinct slots at the load test's busy venue (200 tables, 2-hour bookings
    from 18:00), a returning guest each, in a fixed random order."""
    from frontdesk.loadtest.venue import KIND_TABLE, KIND_VENUE, lt_uuid

    rng = random.Random(1)
    out = [
        {
            "venue": lt_uuid(KIND_VENUE, 1, 0),
            "table_id": lt_uuid(KIND_TABLE, 1, t),
            "days": d,
            "start": f"{18 + 2 * s:02d}:00",
            "end": f"{(20 + 2 * s) % 24:02d}:00",
        }
        for t in range(1, 201)
        for d in range(1, 600, 7)
        for s in range(3)
    ]
    rng.shuffle(out)
    for k, slot in enumerate(out):
        slot["guest"] = 1 + (k * 7919) % 1000
    return out


def slots(conn: psycopg.Connection[Any], layout: str = "demo") -> list[dict[str, Any]]:
    """Distinct free slots of the layout's busy venue, in a fixed random order."""
    if layout == "loadtest":
        return loadtest_slots()
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM venue_tables WHERE venue_id = %s ORDER BY name", [VENUE]
        )
    ]
    nights = [
        r[0]
        for r in conn.execute(
            "SELECT night FROM nights WHERE venue_id = %s AND NOT is_closed"
            " AND night > current_date + 21 AND night < current_date + 170 ORDER BY night",
            [VENUE],
        )
    ]
    out = [
        {"venue": VENUE, "table": t, "night": n, "start": s, "end": e}
        for t in tables
        for n in nights
        for s, e in STARTS.items()
    ]
    random.Random(1).shuffle(out)
    return out


def one_round(urls: list[str], batch: int, layout: str = "demo") -> tuple[float, float, int]:
    """Microseconds per booking on each database, and the bookings measured."""
    with ExitStack() as stack:
        conns = [stack.enter_context(psycopg.connect(u, autocommit=True)) for u in urls]
        pids = [c.info.backend_pid for c in conns]
        plans = [slots(c, layout) for c in conns]
        n = min(len(p) for p in plans)
        if layout == "loadtest":
            n = min(n, 2000 + WARM_UP)
        spent = [0, 0]

        def book(i: int, k: int) -> None:
            if layout == "loadtest":
                row = conns[i].execute(BOOK_LOADTEST, plans[i][k])
            else:
                row = conns[i].execute(BOOK, {**plans[i][k], "email": f"g{k}@bench.example"})
            assert row.fetchone() == (True,), f"booking {k} on engine {i} was refused"

        for k in range(WARM_UP):
            for i in (0, 1):
                book(i, k)
        for k in range(WARM_UP, n, batch):
            for i in (0, 1) if (k // batch) % 2 == 0 else (1, 0):
                start = backend_cpu_ns(pids[i])
                for j in range(k, min(n, k + batch)):
                    book(i, j)
                spent[i] += backend_cpu_ns(pids[i]) - start
        measured = n - WARM_UP
        return spent[0] / measured / 1000, spent[1] / measured / 1000, measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, required=True, help="another checkout")
    parser.add_argument("--url", help="an admin URL of the server (default: a private one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--layout", choices=LAYOUTS, default="demo", help="whose venues to book at")
    args = parser.parse_args(argv)
    other = args.against.resolve()
    if not (other / "frontdesk" / "migrations.py").is_file():
        parser.error(f"{other} is not a frontdesk checkout")
    with ExitStack() as run:
        url = args.url or run.enter_context(private_server())
        for r in range(1, args.rounds + 1):
            with (
                engine_database(url, other, args.layout) as old_url,
                engine_database(url, None, args.layout) as new_url,
            ):
                old, new, n = one_round([old_url, new_url], args.batch, args.layout)
            print(
                f"round {r}: {other.name} {old:,.0f} µs, this checkout {new:,.0f} µs a"
                f" booking, ratio {new / old:.3f} ({n} bookings each)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
