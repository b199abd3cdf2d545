"""Live updates: commit-to-listener latency, and time to resync after a killed
connection.

    /tmp/venv/bin/python -m tests.benchmarks.listener_latency [--bookings 200]
        [--kills 10] [--url postgresql://admin...]

On a fresh database (private embedded server unless --url) with the demo
venue, two listeners run as two apps would: the relay (it holds the relay
lock and calls relay_changes() every 50 ms) and a second app that only
listens for the relay's NOTIFY.  Another connection (a Desk of its own) makes
--bookings bookings one after another, a random 0-100 ms apart (so that
commits do not fall in step with the relay's ticks); for each, the time from book()
returning (committed) to each listener's on_changes holding it.

Then --kills times: pg_terminate_backend on the second listener's connection,
one booking made while it is away, and the time until it is LIVE again and
until that booking has reached it (replayed from the last id it saw).  Not a
timed test: the figures are for reading.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

import psycopg

from frontdesk.database import Database, StaffContext
from frontdesk.desk import BookingRequest, Desk
from frontdesk.listener import Listener, ListenerState
from frontdesk.plan import Change
from tests.benchmarks.customer_search import fresh_database

VENUE = uuid.UUID("b4c12000-0000-4000-8000-000000000001")


class Clock:
    """When each booking id reached one listener, and its states."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.seen: dict[uuid.UUID, float] = {}
        self.states: list[tuple[float, ListenerState]] = []

    def on_changes(self, changes: list[Change]) -> None:
        now = time.perf_counter()
        with self.cond:
            for change in changes:
                for booking in change.booking_ids:
                    self.seen.setdefault(booking, now)
            self.cond.notify_all()

    def on_state(self, state: ListenerState) -> None:
        with self.cond:
            self.states.append((time.perf_counter(), state))
            self.cond.notify_all()

    def wait(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                raise TimeoutError("nothing arrived in time")


def _slots(url: str, count: int) -> list[tuple[date, datetime, datetime, uuid.UUID]]:
    """Free (night, start, end, table) slots on open nights past the demo's bookings."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            SELECT g::date, lower(private.fd_night_span(%(v)s, g::date)), t.id
              FROM generate_series(current_date + 21, current_date + 150, interval '1 day') g
             CROSS JOIN venue_tables t
             WHERE t.venue_id = %(v)s AND private.fd_night_span(%(v)s, g::date) IS NOT NULL
             ORDER BY 1, t.grid_order
            """,
            {"v": VENUE},
        ).fetchall()
    slots = []
    for night, opens, table in rows:
        for hours in (0, 3):
            starts = opens + timedelta(hours=hours)
            slots.append((night, starts, starts + timedelta(hours=2), table))
    if len(slots) < count:
        raise SystemExit(f"only {len(slots)} free slots for {count} bookings")
    return slots[:count]


def _percentiles(label: str, values: list[float]) -> None:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    print(
        f"{label:<44} n={len(values):<4} p50 {statistics.median(values):7.1f} ms"
        f"   p95 {p95:7.1f} ms   max {values[-1]:7.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="an admin URL of a server to use (default: embedded)")
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args(argv)

    with fresh_database(args.url) as url:
        slots = _slots(url, args.bookings + args.kills)
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT id FROM customers WHERE venue_id = %s LIMIT 1", [VENUE]
            ).fetchone()
            assert row is not None
            customer = row[0]
        relay_clock, other_clock = Clock(), Clock()
        relay = Listener(
            url, VENUE, on_changes=relay_clock.on_changes, on_state=relay_clock.on_state
        )
        relay.start()
        relay_clock.wait(lambda: relay.state is ListenerState.LIVE)
        other = Listener(
            url, VENUE, on_changes=other_clock.on_changes, on_state=other_clock.on_state
        )
        other.start()
        other_clock.wait(lambda: other.state is ListenerState.LIVE)
        assert relay.is_relay and not other.is_relay
        db = Database(url, staff=StaffContext("BENCH", "Bench"))
        try:
            desk = Desk(db, VENUE)

            def book(slot: tuple[date, datetime, datetime, uuid.UUID]) -> tuple[uuid.UUID, float]:
                night, starts, ends, table = slot
                result = desk.book(
                    BookingRequest(
                        night=night,
                        starts_at=starts,
                        ends_at=ends,
                        party_size=2,
                        table_ids=(table,),
                        customer_id=customer,
                    )
                )
                return result.booking_id, time.perf_counter()

            via_relay, via_notify = [], []
            rng = random.Random(3)
            for slot in slots[: args.bookings]:
                # a random pause, so that commits do not fall in step with the relay's ticks
                time.sleep(rng.uniform(0, 0.1))
                booking, committed = book(slot)
                relay_clock.wait(lambda b=booking: b in relay_clock.seen)  # type: ignore[misc]
                other_clock.wait(lambda b=booking: b in other_clock.seen)  # type: ignore[misc]
                via_relay.append(max(0.0, relay_clock.seen[booking] - committed) * 1000)
                via_notify.append(max(0.0, other_clock.seen[booking] - committed) * 1000)
            _percentiles("commit → on_changes, the relay's app", via_relay)
            _percentiles("commit → on_changes, another app (NOTIFY)", via_notify)

            to_live, to_replayed = [], []
            with psycopg.connect(url, autocommit=True) as admin:
                for slot in slots[args.bookings :]:
                    pid = other.backend_pid
                    mark = len(other_clock.states)
                    killed = time.perf_counter()
                    admin.execute("SELECT pg_terminate_backend(%s)", [pid])
                    other_clock.wait(
                        lambda m=mark: any(  # type: ignore[misc]
                            s is ListenerState.RECONNECTING for _, s in other_clock.states[m:]
                        )
                    )
                    booking, _ = book(slot)
                    other_clock.wait(
                        lambda m=mark: any(  # type: ignore[misc]
                            s is ListenerState.LIVE for _, s in other_clock.states[m:]
                        )
                    )
                    other_clock.wait(lambda b=booking: b in other_clock.seen)  # type: ignore[misc]
                    live_at = next(
                        t for t, s in other_clock.states[mark:] if s is ListenerState.LIVE
                    )
                    to_live.append((live_at - killed) * 1000)
                    to_replayed.append((other_clock.seen[booking] - killed) * 1000)
            if to_live:
                _percentiles("killed → LIVE again (backoff starts at 0.2 s)", to_live)
                _percentiles("killed → booking made meanwhile delivered", to_replayed)
        finally:
            other.stop()
            relay.stop()
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
