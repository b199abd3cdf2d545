"""Two or three sessions stepped in a fixed order, in the style of PostgreSQL's isolation tests.

A session that must block runs in a thread; the test proves it is blocked by
watching pg_stat_activity (wait_event_type 'Lock', wait_event 'advisory'),
never by sleeping, then lets the first session commit or roll back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from tests.core.engine_helpers import (
    Conn,
    Row,
    Venue,
    connect,
    create_booking,
    instant,
    last_attempt,
    move_booking,
    night_ahead,
    overlapping_active_pairs,
    snapshot,
    wait_until,
)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as ex:
        yield ex


def blocked_on_advisory(monitor: Conn, session: Conn) -> Callable[[], bool]:
    pid = session.info.backend_pid

    def check() -> bool:
        row = monitor.execute(
            "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
        return row is not None and (row["wait_event_type"], row["wait_event"]) == (
            "Lock",
            "advisory",
        )

    return check


def start_blocked(
    pool: ThreadPoolExecutor, monitor: Conn, session: Conn, call: Callable[[], Row]
) -> Future[Row]:
    """Run ``call`` on ``session`` in a thread and return once it waits for a lock."""
    future = pool.submit(call)
    wait_until(blocked_on_advisory(monitor, session), timeout=10, what="session to block")
    assert not future.done()
    return future


def test_a_desk_on_the_phone_refuses_other_starts_at_once(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    with connect(db_url) as desk, connect(db_url) as web:
        lock = desk.execute(
            "SELECT acquire_booking_lock(%s, %s, '22:00') AS ok", [venue.tables["T2"], night]
        ).fetchone()
        assert lock is not None and lock["ok"]
        # a different start time, overlapping: the seed's per-start-time key would let it by
        t0 = time.monotonic()
        row = create_booking(web, venue, night=night, start="23:30", end="01:00")
        elapsed = time.monotonic() - t0
        assert row["error_code"] == "TABLE_BEING_BOOKED", row
        assert elapsed < 1.0
        # the desk books it, releases, and the website now hears why not
        assert create_booking(desk, venue, night=night, start="22:00", end="00:30")["success"]
        assert desk.execute(
            "SELECT release_booking_lock(%s, %s, '22:00') AS ok", [venue.tables["T2"], night]
        ).fetchone() == {"ok": True}
        row = create_booking(web, venue, night=night, start="23:30", end="01:00")
        assert row["error_code"] == "TABLE_UNAVAILABLE"
        # another table, or the same table another night, was never held
        assert create_booking(web, venue, night=night, tables=venue.t("T3"))["success"]


def test_a_desk_cannot_take_the_phone_lock_while_a_booking_commits(
    db_url: str, venue: Venue
) -> None:
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as s1, connect(db_url) as desk:
        assert create_booking(s1, venue, night=night)["success"]
        got = desk.execute(
            "SELECT acquire_booking_lock(%s, %s, '01:00') AS ok", [venue.tables["T2"], night]
        ).fetchone()
        assert got == {"ok": False}
        s1.commit()
        got = desk.execute(
            "SELECT acquire_booking_lock(%s, %s, '01:00') AS ok", [venue.tables["T2"], night]
        ).fetchone()
        assert got == {"ok": True}


@pytest.mark.parametrize("first_ends", ["commit", "rollback"])
def test_two_bookings_of_one_table_take_turns(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor, first_ends: str
) -> None:
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as s1, connect(db_url) as s2:
        # s1: books 22:00-23:00 and keeps its transaction open
        assert create_booking(s1, venue, night=night, start="22:00", end="23:00")["success"]
        # s2: 22:30-23:30 - it cannot see s1's row yet, so it waits for s1's turn
        second = start_blocked(
            pool,
            conn,
            s2,
            lambda: create_booking(
                s2,
                venue,
                night=night,
                start="22:30",
                end="23:30",
                email="other@example.com",
                name="Other",
            ),
        )
        # s1 ends; s2 goes on with what s1 left
        if first_ends == "commit":
            s1.commit()
        else:
            s1.rollback()
        row = second.result(timeout=10)
    if first_ends == "commit":
        assert row["error_code"] == "TABLE_UNAVAILABLE"
        assert row["error_message"] == "T2 is booked 22:00–23:00 that night."
    else:
        assert row["success"], row
    assert overlapping_active_pairs(conn) == 0


def test_two_table_bookings_in_opposite_orders_do_not_deadlock(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as s1, connect(db_url) as s2, connect(db_url) as s3:
        # s1 holds T2 in an open transaction
        assert create_booking(
            s1, venue, night=night, tables=venue.t("T2"), start="22:00", end="23:00"
        )["success"]
        # s2 wants (T3, T2) and s3 (T2, T3), at times that clash with neither s1 nor
        # each other: both queue behind s1, in the same key order
        b = start_blocked(
            pool,
            conn,
            s2,
            lambda: create_booking(
                s2,
                venue,
                night=night,
                tables=venue.t("T3", "T2"),
                start="23:00",
                end="00:00",
                party=6,
            ),
        )
        c = start_blocked(
            pool,
            conn,
            s3,
            lambda: create_booking(
                s3,
                venue,
                night=night,
                tables=venue.t("T2", "T3"),
                start="00:00",
                end="01:00",
                party=6,
            ),
        )
        s1.commit()
        rb, rc = b.result(timeout=10), c.result(timeout=10)
    assert rb["success"] and rc["success"], (rb, rc)
    assert overlapping_active_pairs(conn) == 0


def test_overlapping_two_table_bookings_in_opposite_orders(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as s1, connect(db_url) as s2:
        assert create_booking(
            s1, venue, night=night, tables=venue.t("T2", "T3"), start="22:00", end="23:00", party=6
        )["success"]
        second = start_blocked(
            pool,
            conn,
            s2,
            lambda: create_booking(
                s2,
                venue,
                night=night,
                tables=venue.t("T3", "T2"),
                start="22:45",
                end="23:45",
                party=6,
            ),
        )
        s1.commit()
        row = second.result(timeout=10)
    assert row["error_code"] == "TABLE_UNAVAILABLE"
    assert row["error_message"] == "T2 is booked 22:00–23:00 that night."


def _move_args(conn: Conn, venue: Venue, table: str, start: str, end: str) -> tuple[Any, ...]:
    night = night_ahead(venue)
    return (venue.t(table), instant(conn, venue, night, start), instant(conn, venue, night, end))


def test_a_booking_waits_for_a_move_onto_its_table(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    moving = create_booking(conn, venue, tables=venue.t("T2"), start="22:00", end="23:00")
    with connect(db_url, autocommit=False) as s1, connect(db_url) as s2:
        # s1 moves the booking from T2 to T3, transaction open
        assert move_booking(
            s1, moving["booking_id"], *_move_args(conn, venue, "T3", "22:00", "23:00")
        )["success"]
        # s2 books T3 at an overlapping time: waits, then hears about the moved booking
        onto = start_blocked(
            pool,
            conn,
            s2,
            lambda: create_booking(s2, venue, tables=venue.t("T3"), start="22:30", end="23:30"),
        )
        s1.commit()
        assert onto.result(timeout=10)["error_code"] == "TABLE_UNAVAILABLE"
    # and T2, which the move left, is free
    assert create_booking(conn, venue, tables=venue.t("T2"), start="22:30", end="23:30")["success"]
    assert overlapping_active_pairs(conn) == 0


def test_a_move_waits_for_a_booking_of_its_new_table(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    moving = create_booking(conn, venue, tables=venue.t("T2"), start="22:00", end="23:00")
    with connect(db_url, autocommit=False) as s1, connect(db_url) as s2:
        assert create_booking(s1, venue, tables=venue.t("T3"), start="22:30", end="23:30")[
            "success"
        ]
        move = start_blocked(
            pool,
            conn,
            s2,
            lambda: move_booking(
                s2, moving["booking_id"], *_move_args(conn, venue, "T3", "22:00", "23:00")
            ),
        )
        s1.commit()
        row = move.result(timeout=10)
    assert row["error_code"] == "TABLE_UNAVAILABLE"
    assert row["error_message"] == "T3 is booked 22:30–23:30 that night."
    kept = conn.execute(
        "SELECT array_agg(t.name) AS names FROM booking_tables bt "
        "JOIN venue_tables t ON t.id = bt.table_id WHERE bt.booking_id = %s",
        [moving["booking_id"]],
    ).fetchone()
    assert kept == {"names": ["T2"]}


def test_a_booking_of_the_table_a_move_leaves_waits_and_then_gets_it(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    moving = create_booking(conn, venue, tables=venue.t("T2"), start="22:00", end="23:00")
    with connect(db_url, autocommit=False) as s1, connect(db_url) as s2:
        assert move_booking(
            s1, moving["booking_id"], *_move_args(conn, venue, "T3", "22:00", "23:00")
        )["success"]
        # before the move commits, T2 still looks taken: the courtesy check refuses at
        # once.  A different, free slot on T2 would wait for the move's turn instead.
        row = create_booking(s2, venue, tables=venue.t("T2"), start="22:30", end="23:30")
        assert row["error_code"] == "TABLE_UNAVAILABLE"
        later = start_blocked(
            pool,
            conn,
            s2,
            lambda: create_booking(s2, venue, tables=venue.t("T2"), start="23:00", end="00:00"),
        )
        s1.commit()
        assert later.result(timeout=10)["success"]
    assert create_booking(conn, venue, tables=venue.t("T2"), start="22:30", end="23:00")["success"]


def test_a_clash_the_lock_could_not_see_comes_back_as_a_refusal(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    """A REPEATABLE READ caller's snapshot predates a booking committed meanwhile: its
    checks pass, the exclusion constraint fires, and the answer is still a refusal,
    with nothing written (not even the new customer)."""
    mover = create_booking(conn, venue, tables=venue.t("T3"), start="01:00", end="02:00")
    with connect(db_url, autocommit=False) as s1, connect(db_url) as s2:
        s1.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        s1.execute("SELECT 1")  # the snapshot is taken here
        assert create_booking(s2, venue, start="22:00", end="23:00")["success"]
        before = snapshot(conn)
        row = create_booking(
            s1, venue, start="22:30", end="23:30", email="new@example.com", name="New Guest"
        )
        assert row["error_code"] == "TABLE_UNAVAILABLE", row
        assert row["error_message"] == "T2 was booked by someone else at the same moment."
        moved = move_booking(
            s1, mover["booking_id"], *_move_args(conn, venue, "T2", "22:45", "23:15")
        )
        assert moved["error_code"] == "TABLE_UNAVAILABLE", moved
        s1.commit()
    assert snapshot(conn) == before
    assert last_attempt(conn)["error_code"] == "TABLE_UNAVAILABLE"
