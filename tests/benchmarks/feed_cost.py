"""What the change feed costs a booking: create_booking_atomic throughput with
the outbox triggers on against off, 16 connections, in one run.

    /tmp/venv/bin/python -m tests.benchmarks.feed_cost [--seconds 10] [--rounds 3]
        [--clients 16] [--relay] [--durable] [--url postgresql://...]

Without --url it starts a private embedded server in a temporary folder (with
the test suite's durability-off settings unless --durable), migrates a fresh
database and makes a venue of 300 tables open every night for 400 days, so
that random bookings (table, night, start) rarely collide.  Each round runs
pgbench once per mode, in turn, after emptying the bookings (same starting
state every time); the modes alternate so that drift from other load on the
machine hits both.  Modes:

- off:      the outbox triggers disabled (the audit triggers stay on);
- outbox:   the triggers on (what a booking transaction pays);
- relay:    (with --relay) the triggers on and a relay calling relay_changes()
            every 50 ms, as the app's elected relay does.

Then, unless --serial-blocks 0, a server-side loop makes the same kind of
bookings in blocks of 200 (one transaction a block), alternating the modes
block by block: the CPU each booking costs with and without the triggers,
less exposed to other load on the machine than throughput is.

It prints each round's transactions per second and the median time spent
inside the booking function (bookings.booked_in_ms, which includes the
row triggers but not the commit), then the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from frontdesk import migrations
from frontdesk.loadtest import pgbench
from tests import pg
from tests.core import engine_helpers

TABLES = 300
DAYS = 360
OUTBOX_TRIGGERS = (
    ("bookings", "bookings_outbox"),
    ("bookings", "bookings_outbox_update"),
    ("booking_tables", "booking_tables_outbox"),
    ("booking_tables", "booking_tables_outbox_delete"),
    ("booking_tables", "booking_tables_outbox_update"),
    ("holds", "holds_outbox"),
)

# 21:00 plus up to 4h30 in 15-minute steps, two hours long: 01:30-03:30 at
# the latest, inside 21:00-04:00.  Colons in literals would read as pgbench
# variables, hence make_time.
SCRIPT = """\
\\set t random(1, :ntables)
\\set d random(1, :ndays)
\\set s random(0, 18)
SELECT success
  FROM create_booking_atomic(:venue::uuid, NULL, NULL, NULL,
                             ARRAY[(SELECT id FROM venue_tables
                                     WHERE venue_id = :venue::uuid AND grid_order = :t::int)],
                             current_date + :d::int,
                             make_time(21, 0, 0) + :s::int * interval '15 minutes',
                             make_time(23, 0, 0) + :s::int * interval '15 minutes',
                             2, :customer::uuid);
"""

# The same bookings made by a loop on the server, one transaction per block:
# the CPU a booking costs, without pgbench, clients or commits in the way.
SERIAL_BLOCK = """
DO $serial$
DECLARE
    t integer;
    s integer;
BEGIN
    FOR i IN 1..%(n)s LOOP
        t := 1 + floor(random() * %(ntables)s)::integer;
        s := floor(random() * 19)::integer;
        PERFORM create_booking_atomic(
            '%(venue)s'::uuid, NULL, NULL, NULL,
            ARRAY[(SELECT id FROM venue_tables
                    WHERE venue_id = '%(venue)s'::uuid AND grid_order = t)],
            current_date + 1 + floor(random() * %(ndays)s)::integer,
            make_time(21, 0, 0) + s * interval '15 minutes',
            make_time(23, 0, 0) + s * interval '15 minutes',
            2, '%(customer)s'::uuid);
    END LOOP;
END
$serial$
"""


@contextmanager
def _server(url: str | None, durable: bool) -> Iterator[str]:
    if url:
        yield url
        return
    from frontdesk import server

    with tempfile.TemporaryDirectory(prefix="frontdesk-feedcost-") as tmp:
        Path(tmp).chmod(0o755)  # the embedded server may run as its own user
        pgdata = Path(tmp) / "data"
        extra = None if durable else pg.FAST_SETTINGS
        admin = server.ensure_running(pgdata, database="postgres", extra_settings=extra)
        try:
            yield admin
        finally:
            server.stop(pgdata)


def _set_outbox(conn: psycopg.Connection[tuple[object, ...]], enabled: bool) -> None:
    word = sql.SQL("ENABLE" if enabled else "DISABLE")
    for table, trigger in OUTBOX_TRIGGERS:
        conn.execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                sql.Identifier(table), word, sql.Identifier(trigger)
            )
        )


def _reset(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(
        "TRUNCATE bookings, booking_tables, audit_logs, change_outbox, change_feed, "
        "booking_attempts"
    )
    conn.execute("VACUUM ANALYZE")


class _Relay:
    """relay_changes() every 50 ms on its own connection, until stopped."""

    def __init__(self, url: str) -> None:
        self.moved = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not self._stop.wait(0.05):
                row = conn.execute("SELECT relay_changes()").fetchone()
                self.moved += int(row[0]) if row else 0

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an admin URL of a server to use (default: embedded)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per pgbench run")
    parser.add_argument("--rounds", type=int, default=3, help="pgbench rounds (0: skip)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--relay", action="store_true", help="also measure with a relay running")
    parser.add_argument("--durable", action="store_true", help="keep fsync and synchronous_commit")
    parser.add_argument(
        "--serial-blocks",
        type=int,
        default=10,
        help="blocks of 200 server-side bookings per mode (0: skip)",
    )
    args = parser.parse_args(argv)

    modes = ["off", "outbox"] + (["relay"] if args.relay else [])
    results: dict[str, list[float]] = {m: [] for m in modes}
    server_ms: dict[str, list[float]] = {m: [] for m in modes}
    with _server(args.url, args.durable) as admin:
        name = f"fd_feedcost_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = pg.with_database(admin, name)
        try:
            migrations.upgrade(url)
            with engine_helpers.connect(url) as conn:
                venue = engine_helpers.make_venue(
                    conn,
                    name="Feed cost",
                    joins=(),
                    tables={f"B{i:03d}": (4, 100, 20, False) for i in range(1, TABLES + 1)},
                )
            defines: dict[str, str | int] = {
                "venue": str(venue.id),
                "customer": str(venue.adult),
                "ntables": TABLES,
                "ndays": DAYS,
            }
            print(
                f"{args.clients} clients, {args.seconds:g} s a run, {args.rounds} rounds; "
                f"modes: {', '.join(modes)}; "
                f"{'durable' if args.durable else 'fsync/synchronous_commit off'}"
            )
            with psycopg.connect(url, autocommit=True) as conn:
                for r in range(1, args.rounds + 1):
                    order = modes if r % 2 else modes[::-1]
                    for mode in order:
                        _reset(conn)
                        _set_outbox(conn, mode != "off")
                        relay = _Relay(url) if mode == "relay" else None
                        try:
                            res = pgbench.run(
                                url,
                                [(SCRIPT, 1)],
                                clients=args.clients,
                                seconds=args.seconds,
                                defines=defines,
                            )
                        finally:
                            moved = relay.stop() if relay else 0
                        booked = conn.execute(
                            "SELECT count(*) FILTER (WHERE success), count(*), "
                            "percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) "
                            "FROM private.fd_booking_calls"
                        ).fetchone()
                        assert booked is not None
                        results[mode].append(res.tps)
                        server_ms[mode].append(float(booked[2]))
                        extra = f", relayed {moved}" if relay else ""
                        print(
                            f"round {r} {mode:<7} {res.tps:9.1f} tps, median "
                            f"{booked[2]:.2f} ms in the function "
                            f"({booked[0]} of {booked[1]} booked{extra})",
                            flush=True,
                        )
            if args.serial_blocks:
                print(f"\nserver-side loop, {args.serial_blocks} blocks of 200 bookings a mode:")
                serial = _serial(url, defines, args.serial_blocks)
        finally:
            pg.drop_database(admin, name)

    base = statistics.median(results["off"]) if args.rounds else 0.0
    if args.rounds:
        print(
            "\nmedian tps: "
            + ", ".join(f"{m} {statistics.median(v):.1f}" for m, v in results.items())
        )
    for mode in modes[1:] if args.rounds else ():
        ratios = [on / off for on, off in zip(results[mode], results["off"], strict=True)]
        print(
            f"{mode}/off throughput: median ratio {statistics.median(ratios):.3f} "
            f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)}); "
            f"ratio of medians {statistics.median(results[mode]) / base:.3f}; "
            f"time in the function {statistics.median(server_ms[mode]):.2f} ms against "
            f"{statistics.median(server_ms['off']):.2f} ms"
        )
    if args.serial_blocks:
        off, on = statistics.median(serial["off"]), statistics.median(serial["outbox"])
        print(
            f"outbox/off server-side cost per booking: {on:.0f} µs against {off:.0f} µs "
            f"(+{on - off:.0f} µs, ratio {on / off:.3f}; median of "
            f"{len(serial['off'])} blocks each)"
        )
    return 0


def _serial(url: str, defines: dict[str, str | int], blocks: int) -> dict[str, list[float]]:
    """µs per booking made by SERIAL_BLOCK, alternating the modes block by block."""
    n = 200
    block = SERIAL_BLOCK % {**defines, "n": n}
    per_booking: dict[str, list[float]] = {"off": [], "outbox": []}
    with psycopg.connect(url, autocommit=True) as conn:
        _reset(conn)
        for b in range(blocks):
            for mode in ("off", "outbox") if b % 2 else ("outbox", "off"):
                _set_outbox(conn, mode == "outbox")
                started = time.perf_counter()
                conn.execute(block.encode())
                per_booking[mode].append((time.perf_counter() - started) / n * 1e6)
            print(
                f"block {b + 1}: off {per_booking['off'][-1]:.0f} µs, "
                f"outbox {per_booking['outbox'][-1]:.0f} µs",
                flush=True,
            )
    return per_booking


if __name__ == "__main__":
    sys.exit(main())
