"""Live updates (frontdesk.listener) on a real server: other connections'
changes arrive, coalesced per night; a killed connection loses nothing and
repeats nothing; another app takes over relaying."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from frontdesk.listener import Listener, ListenerState, summary_changes
from frontdesk.plan import Change
from tests.core.desk_helpers import VENUE, Conn, insert_booking, quiet_friday, scalar
from tests.core.setup_helpers import save, setup_of


class Inbox:
    """What a listener told, with waiting on it (no fixed sleeps)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.batches: list[list[Change]] = []
        self.states: list[ListenerState] = []

    def on_changes(self, changes: list[Change]) -> None:
        with self._cond:
            self.batches.append(changes)
            self._cond.notify_all()

    def on_state(self, state: ListenerState) -> None:
        with self._cond:
            self.states.append(state)
            self._cond.notify_all()

    def wait_for(self, what: str, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        with self._cond:
            assert self._cond.wait_for(predicate, timeout), f"timed out waiting for {what}"

    @property
    def changes(self) -> list[Change]:
        with self._cond:
            return [c for batch in self.batches for c in batch]

    def times_told(self, booking: UUID) -> int:
        return sum(1 for c in self.changes if booking in c.booking_ids)


Start = Callable[..., tuple[Listener, Inbox]]


@pytest.fixture
def start_listener(demo_db_url: str) -> Iterator[Start]:
    started: list[Listener] = []

    def start(**kw: object) -> tuple[Listener, Inbox]:
        inbox = Inbox()
        listener = Listener(
            demo_db_url,
            VENUE,
            on_changes=inbox.on_changes,
            on_state=inbox.on_state,
            **kw,  # type: ignore[arg-type]
        )
        started.append(listener)
        listener.start()
        inbox.wait_for("live", lambda: listener.state is ListenerState.LIVE)
        return listener, inbox

    yield start
    for listener in started:
        listener.stop()


def test_another_connections_booking_reaches_the_listener(
    start_listener: Start, demo_conn: Conn
) -> None:
    listener, inbox = start_listener()
    assert listener.is_relay
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    inbox.wait_for("the booking", lambda: inbox.times_told(booking) == 1)
    (change,) = [c for c in inbox.changes if booking in c.booking_ids]
    assert change.venue_id == VENUE and change.night == night
    booth = scalar(demo_conn, "SELECT id FROM venue_tables WHERE name = 'Booth 3'")
    assert booth in change.table_ids
    assert "booked" in change.kinds
    assert change.feed_id is not None and change.feed_id == listener.last_id


def test_it_starts_from_now(start_listener: Start, demo_conn: Conn) -> None:
    # the demo's bookings were written before the listener started
    _listener, inbox = start_listener()
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    inbox.wait_for("the booking", lambda: inbox.times_told(booking) == 1)
    assert {c.night for c in inbox.changes} == {night}


def test_a_burst_is_one_change_per_night(start_listener: Start, demo_conn: Conn) -> None:
    _listener, inbox = start_listener(coalesce_ms=200)
    first = quiet_friday(demo_conn)
    second = first + timedelta(days=1)
    bookings = []
    with demo_conn.transaction():
        for night in (first, second):
            for n in range(1, 8):
                bookings.append(insert_booking(demo_conn, [f"Booth {n}"], night, "22:00", "00:00"))
    for n in range(9, 15):  # and a few more, each its own transaction
        bookings.append(insert_booking(demo_conn, [f"Booth {n}"], first, "22:00", "00:00"))
    inbox.wait_for("every booking", lambda: all(inbox.times_told(b) == 1 for b in bookings))
    for batch in inbox.batches:
        nights = [c.night for c in batch]
        assert len(nights) == len(set(nights)), "one Change per night per delivery"
    assert len(inbox.batches) <= 8  # 20 commits, a handful of deliveries


def test_a_killed_connection_misses_nothing_and_repeats_nothing(
    start_listener: Start, demo_conn: Conn
) -> None:
    listener, inbox = start_listener(backoff=(1.0, 2.0))
    night = quiet_friday(demo_conn)
    before = insert_booking(demo_conn, ["Booth 1"], night, "22:00", "00:00")
    inbox.wait_for("the first booking", lambda: inbox.times_told(before) == 1)

    pid = listener.backend_pid
    assert scalar(demo_conn, "SELECT pg_terminate_backend(%s)", [pid])
    inbox.wait_for("reconnecting", lambda: ListenerState.RECONNECTING in inbox.states)
    meanwhile = [
        insert_booking(demo_conn, [f"Booth {n}"], night, "22:00", "00:00") for n in (2, 3, 4)
    ]
    assert listener.state is ListenerState.RECONNECTING  # they happened while it was away

    inbox.wait_for("live again", lambda: inbox.states[-1] is ListenerState.LIVE)
    inbox.wait_for(
        "the bookings made meanwhile", lambda: all(inbox.times_told(b) >= 1 for b in meanwhile)
    )
    after = insert_booking(demo_conn, ["Booth 5"], night, "22:00", "00:00")
    inbox.wait_for("a booking after", lambda: inbox.times_told(after) == 1)
    assert [inbox.times_told(b) for b in [before, *meanwhile, after]] == [1, 1, 1, 1, 1]
    assert listener.backend_pid != pid
    feed_ids = [c.feed_id for batch in inbox.batches for c in batch]
    assert len(feed_ids) == len(set(feed_ids))


def test_it_replays_from_a_given_id(start_listener: Start, demo_conn: Conn) -> None:
    relay, relay_inbox = start_listener()
    head = relay.last_id
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    relay_inbox.wait_for("the relay", lambda: relay_inbox.times_told(booking) == 1)
    relay.stop()
    _late, inbox = start_listener(last_id=head)
    inbox.wait_for("the replay", lambda: inbox.times_told(booking) == 1)


def test_another_app_takes_over_relaying(start_listener: Start, demo_conn: Conn) -> None:
    first, _ = start_listener()
    second, inbox = start_listener(relay_retry=0.2)
    assert first.is_relay and not second.is_relay
    first.stop()
    assert first.state is ListenerState.STOPPED
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    inbox.wait_for("the booking via the new relay", lambda: inbox.times_told(booking) == 1)
    assert second.is_relay


def test_stop_is_prompt(start_listener: Start) -> None:
    listener, inbox = start_listener(relay=False)
    started = time.monotonic()
    listener.stop()
    assert time.monotonic() - started < 1.0
    assert listener.state is ListenerState.STOPPED and inbox.states[-1] is ListenerState.STOPPED


def test_the_feed_is_merged_per_night_by_the_server(demo_conn: Conn) -> None:
    a, b, t1, t2 = uuid4(), uuid4(), uuid4(), uuid4()
    n1, n2 = date(2026, 12, 4), date(2026, 12, 5)
    start = scalar(demo_conn, "SELECT coalesce(max(id), 0) FROM change_feed")
    for night, tables, booking, kind in [
        (n2, [t1], a, "booked"),
        (n1, [t1, t2], b, "moved"),
        (n2, [t2], None, "hold"),
        (None, [], None, "odd"),
    ]:
        demo_conn.execute(
            "INSERT INTO change_feed (venue_id, night, table_ids, booking_id, kind, happened_at)"
            " VALUES (%s, %s, %s, %s, %s, now())",
            [VENUE, night, tables, booking, kind],
        )
    rows = demo_conn.execute(
        "SELECT last_id, night, table_ids, booking_ids, kinds, rows_read"
        " FROM change_summary_since(%s, %s)",
        [VENUE, start],
    ).fetchall()
    assert sum(r[5] for r in rows) == 4  # every row read, the night-less one too
    assert max(r[0] for r in rows) == start + 4
    first, second = summary_changes(VENUE, rows)
    assert (first.night, first.table_ids, first.booking_ids, first.kinds, first.feed_id) == (
        n1,
        frozenset({t1, t2}),
        frozenset({b}),
        frozenset({"moved"}),
        start + 2,
    )
    assert (second.night, second.table_ids, second.booking_ids, second.kinds, second.feed_id) == (
        n2,
        frozenset({t1, t2}),
        frozenset({a}),
        frozenset({"booked", "hold"}),
        start + 3,
    )


def test_a_setup_saved_reaches_the_listener_as_the_layout(
    start_listener: Start, demo_conn: Conn
) -> None:
    """A manager's setup (every night's tables and prices) arrives as a
    Change without a night, which every night's grid takes as its own."""
    _listener, inbox = start_listener()
    doc = setup_of(demo_conn, VENUE)
    table = next(t for t in doc["tables"] if t["name"] == "Booth 3")
    table["capacity"] = table["capacity"] + 1
    assert save(demo_conn, VENUE, doc)["success"]
    inbox.wait_for("the layout", lambda: any(c.night is None for c in inbox.changes))
    (layout,) = [c for c in inbox.changes if c.night is None]
    assert layout.venue_id == VENUE and "layout" in layout.kinds
