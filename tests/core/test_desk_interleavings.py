"""Two desks stepped in a fixed order, isolation-test style.

Each test opens two sessions, runs the first one's step inside an open
transaction, starts the second's step (in a thread when it must wait),
checks from a third session that it really waits on a lock, then ends the
first transaction and reads the second's answer.  No sleeps: blocking is
seen in pg_locks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests.core.desk_helpers import (
    VENUE,
    Conn,
    InThread,
    a_customer,
    as_desk,
    at,
    insert_booking,
    one,
    pid,
    quiet_friday,
    scalar,
    table_id,
    wait_until_blocked,
)


@pytest.fixture
def sessions(demo_db_url: str) -> Iterator[tuple[Conn, Conn]]:
    """DESK-1 and DESK-2, each in explicit transactions, ten seconds at most a statement."""
    with psycopg.connect(demo_db_url) as s1, psycopg.connect(demo_db_url) as s2:
        for conn, desk in ((s1, "DESK-1"), (s2, "DESK-2")):
            conn.autocommit = True
            as_desk(conn, desk)
            conn.execute("SET statement_timeout = '10s'")
            conn.autocommit = False
        yield s1, s2


def _book(conn: Conn, night: date, table: str, start: str, end: str) -> tuple[Any, ...]:
    return one(
        conn,
        "SELECT success, error_code, error_message, booking_id "
        "FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
        [
            VENUE,
            a_customer(conn),
            [table_id(conn, table)],
            night,
            at(conn, night, start),
            at(conn, night, end),
        ],
    )


def _hold(conn: Conn, night: date, table: str, start: str, end: str) -> tuple[Any, ...]:
    return one(
        conn,
        "SELECT success, error_code, error_message FROM hold_tables(%s, %s, %s, %s, %s)",
        [VENUE, [table_id(conn, table)], night, at(conn, night, start), at(conn, night, end)],
    )


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_hold_waits_for_a_booking_in_flight(
    demo_conn: Conn, sessions: tuple[Conn, Conn], outcome: str
) -> None:
    s1, s2 = sessions
    s2_pid = pid(s2)  # before s2 is busy in a thread
    night = quiet_friday(demo_conn)
    assert _book(s1, night, "Booth 3", "22:00", "00:30")[0]  # not yet committed
    waiting = InThread(lambda: _hold(s2, night, "Booth 3", "23:00", "01:00"))
    wait_until_blocked(demo_conn, s2_pid)
    getattr(s1, outcome)()
    answer = waiting.join()
    s2.commit()
    if outcome == "commit":
        assert answer == (False, "TABLE_UNAVAILABLE", "Booth 3 is booked 22:00–00:30 that night.")
        assert scalar(demo_conn, "SELECT count(*) FROM holds") == 0
    else:
        assert answer == (True, None, None)
        assert scalar(demo_conn, "SELECT terminal FROM holds") == "DESK-2"


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_booking_waits_for_a_hold_in_flight_and_then_respects_it(
    demo_conn: Conn, sessions: tuple[Conn, Conn], outcome: str
) -> None:
    s1, s2 = sessions
    s2_pid = pid(s2)  # before s2 is busy in a thread
    night = quiet_friday(demo_conn)
    assert _hold(s1, night, "Booth 3", "22:00", "00:30")[0]  # not yet committed
    waiting = InThread(lambda: _book(s2, night, "Booth 3", "23:00", "01:00"))
    wait_until_blocked(demo_conn, s2_pid)
    getattr(s1, outcome)()
    answer = waiting.join()
    s2.commit()
    if outcome == "commit":
        assert answer[:3] == (
            False,
            "TABLE_BEING_BOOKED",
            "Booth 3 is being booked at DESK-1; try again in a moment.",
        )
        assert scalar(demo_conn, "SELECT count(*) FROM bookings WHERE night = %s", [night]) == 0
    else:
        assert answer[:2] == (True, None)


def test_a_cancellation_in_flight_frees_the_table_only_once_committed(
    demo_conn: Conn, sessions: tuple[Conn, Conn]
) -> None:
    s1, s2 = sessions
    night = quiet_friday(demo_conn)
    booked = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    assert one(s1, "SELECT * FROM set_booking_status(%s, 'cancelled')", [booked])[0]
    # The other desk sees the booking still standing and hears so at once.
    refused = _book(s2, night, "Booth 3", "23:00", "01:00")
    assert refused[:3] == (False, "TABLE_UNAVAILABLE", "Booth 3 is booked 22:00–00:30 that night.")
    s2.rollback()
    s1.commit()
    assert _book(s2, night, "Booth 3", "23:00", "01:00")[:2] == (True, None)
    s2.commit()


def test_a_status_change_waits_its_turn_behind_a_booking_of_its_table(
    demo_conn: Conn, sessions: tuple[Conn, Conn]
) -> None:
    s1, s2 = sessions
    s2_pid = pid(s2)  # before s2 is busy in a thread
    night = quiet_friday(demo_conn)
    early = insert_booking(demo_conn, ["Booth 3"], night, "21:00", "22:00")
    late = _book(s1, night, "Booth 3", "22:00", "00:30")  # in flight on the same table
    assert late[0]
    waiting = InThread(
        lambda: one(s2, "SELECT * FROM set_booking_status(%s, 'cancelled')", [early])
    )
    wait_until_blocked(demo_conn, s2_pid)
    s1.commit()
    assert waiting.join() == (True, None, None, "confirmed")
    s2.commit()
    statuses: dict[UUID, str] = dict(
        demo_conn.execute("SELECT id, status FROM bookings WHERE night = %s", [night]).fetchall()
    )
    assert statuses == {early: "cancelled", UUID(str(late[3])): "confirmed"}


def test_two_desks_holding_the_same_table_take_turns(
    demo_conn: Conn, sessions: tuple[Conn, Conn]
) -> None:
    s1, s2 = sessions
    s2_pid = pid(s2)  # before s2 is busy in a thread
    night = quiet_friday(demo_conn)
    assert _hold(s1, night, "Booth 3", "22:00", "00:30")[0]
    waiting = InThread(lambda: _hold(s2, night, "Booth 3", "22:00", "00:30"))
    wait_until_blocked(demo_conn, s2_pid)
    s1.commit()
    assert waiting.join()[:2] == (False, "TABLE_BEING_BOOKED")
    s2.commit()
    assert scalar(demo_conn, "SELECT array_agg(terminal) FROM holds") == ["DESK-1"]
