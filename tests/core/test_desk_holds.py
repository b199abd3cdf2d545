"""Holds: a desk holding tables while it takes a booking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests.core.desk_helpers import (
    VENUE,
    Conn,
    a_customer,
    as_desk,
    at,
    counts,
    insert_booking,
    one,
    quiet_friday,
    scalar,
    table_id,
)


@pytest.fixture
def desk2(demo_db_url: str) -> Iterator[Conn]:
    with psycopg.connect(demo_db_url, autocommit=True) as conn:
        as_desk(conn, "DESK-2", "Dan")
        yield conn


def _hold(conn: Conn, tables: list[str], night: date, start: str, end: str) -> tuple[Any, ...]:
    return one(
        conn,
        "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            VENUE,
            [table_id(conn, t) for t in tables],
            night,
            at(conn, night, start),
            at(conn, night, end),
        ],
    )


def _live_holds(conn: Conn, terminal: str) -> int:
    n: int = scalar(
        conn, "SELECT count(*) FROM holds WHERE terminal = %s AND expires_at > now()", [terminal]
    )
    return n


def test_a_hold_lasts_the_venues_hold_minutes_and_others_see_it(
    demo_conn: Conn, desk2: Conn
) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1", "Priya")
    ok, code, _, ids, expires = _hold(demo_conn, ["Booth 3", "Booth 4"], night, "22:00", "00:30")
    assert (ok, code) == (True, None)
    assert isinstance(ids, list) and len(ids) == 2
    rows = demo_conn.execute("SELECT expires_at, created_at FROM holds").fetchall()
    assert rows == [(expires, rows[0][1])] * 2
    assert expires == rows[0][1] + timedelta(minutes=10)  # the venue's hold_minutes
    other = scalar(desk2, "SELECT night_plan(%s, %s) -> 'holds'", [VENUE, night])
    assert {h["terminal"] for h in other} == {"DESK-1"}
    assert {h["table_id"] for h in other} == {
        str(table_id(demo_conn, "Booth 3")),
        str(table_id(demo_conn, "Booth 4")),
    }
    own = scalar(demo_conn, "SELECT night_plan(%s, %s) -> 'holds'", [VENUE, night])
    assert own == []


def test_another_desks_overlapping_hold_is_refused_a_later_one_is_not(
    demo_conn: Conn, desk2: Conn
) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1")
    assert _hold(demo_conn, ["Booth 3"], night, "22:00", "00:30")[0]
    before = counts(desk2)
    ok, code, message, *_ = _hold(desk2, ["Booth 3"], night, "23:00", "01:00")
    assert (ok, code) == (False, "TABLE_BEING_BOOKED")
    assert message == "Booth 3 is being booked at DESK-1; try again in a moment."
    assert counts(desk2) == before
    assert _hold(desk2, ["Booth 3"], night, "00:30", "02:00")[0]  # touching, not overlapping


def test_a_hold_over_a_booking_is_refused(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    as_desk(demo_conn, "DESK-1")
    before = counts(demo_conn)
    ok, code, message, *_ = _hold(demo_conn, ["Booth 2", "Booth 3"], night, "00:00", "01:00")
    assert (ok, code) == (False, "TABLE_UNAVAILABLE")
    assert message == "Booth 3 is booked 22:00–00:30 that night."
    assert counts(demo_conn) == before


def test_a_new_hold_replaces_the_desks_earlier_ones_and_release_drops_them(
    demo_conn: Conn,
) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1")
    assert _hold(demo_conn, ["Booth 3"], night, "22:00", "00:30")[0]
    assert _hold(demo_conn, ["Booth 5", "Booth 6"], night, "23:00", "01:00")[0]
    held = demo_conn.execute(
        "SELECT t.name FROM holds h JOIN venue_tables t ON t.id = h.table_id ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in held] == ["Booth 5", "Booth 6"]
    assert one(demo_conn, "SELECT * FROM release_holds(%s)", [VENUE]) == (True, None, None, 2)
    assert _live_holds(demo_conn, "DESK-1") == 0


def test_without_a_terminal_name_there_is_no_hold(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, None)
    before = counts(demo_conn)
    assert _hold(demo_conn, ["Booth 3"], night, "22:00", "00:30")[:2] == (False, "NO_TERMINAL")
    assert one(demo_conn, "SELECT * FROM release_holds(%s)", [VENUE])[:2] == (False, "NO_TERMINAL")
    assert counts(demo_conn) == before


@pytest.mark.parametrize(
    ("tables", "start", "end", "code"),
    [
        (["Booth 3"], "23:00", "22:00", "INVALID_TIME"),
        (["Booth 3"], "22:00", "05:00", "OUTSIDE_HOURS"),
        (["Booth 3"], "03:00", "05:00", "OUTSIDE_HOURS"),
        ([], "22:00", "23:00", "UNKNOWN_TABLE"),
    ],
)
def test_holds_refuse_nonsense(
    demo_conn: Conn, tables: list[str], start: str, end: str, code: str
) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1")
    before = counts(demo_conn)
    assert _hold(demo_conn, tables, night, start, end)[:2] == (False, code)
    assert counts(demo_conn) == before


def test_holds_refuse_a_closed_night_and_another_venues_table(demo_conn: Conn) -> None:
    as_desk(demo_conn, "DESK-1")
    closed = scalar(demo_conn, "SELECT night FROM nights WHERE is_closed LIMIT 1")
    booth = table_id(demo_conn, "Booth 3")
    row = one(
        demo_conn,
        "SELECT * FROM hold_tables(%s, %s, %s, now(), now() + interval '1h')",
        [VENUE, [booth], closed],
    )
    assert row[:2] == (False, "VENUE_CLOSED")
    row = one(
        demo_conn,
        "SELECT * FROM hold_tables(gen_random_uuid(), %s, %s, now(), now() + interval '1h')",
        [[booth], closed],
    )
    assert row[:2] == (False, "UNKNOWN_VENUE")
    row = one(
        demo_conn,
        "SELECT * FROM hold_tables(%s, ARRAY[gen_random_uuid()], %s, now(), now() + interval '1h')",
        [VENUE, closed],
    )
    assert row[:2] == (False, "UNKNOWN_TABLE")


def test_an_expired_hold_blocks_nothing_and_is_swept(demo_conn: Conn, desk2: Conn) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1")
    assert _hold(demo_conn, ["Booth 3"], night, "22:00", "00:30")[0]
    assert _hold(desk2, ["Booth 3"], night, "22:00", "00:30")[1] == "TABLE_BEING_BOOKED"
    # Ten minutes pass (as superuser, plain SQL).
    demo_conn.execute("UPDATE holds SET expires_at = now() - interval '1 second'")
    assert scalar(desk2, "SELECT night_plan(%s, %s) -> 'holds'", [VENUE, night]) == []
    assert _hold(desk2, ["Booth 3"], night, "22:00", "00:30")[0]
    terminals = demo_conn.execute("SELECT DISTINCT terminal FROM holds").fetchall()
    assert terminals == [("DESK-2",)]  # DESK-1's expired hold was swept


def test_a_desk_on_the_phone_blocks_holds_at_other_desks(demo_conn: Conn, desk2: Conn) -> None:
    """The session-level phone lock (acquire_booking_lock) also keeps holds off."""
    night = quiet_friday(demo_conn)
    booth = table_id(demo_conn, "Booth 3")
    key = scalar(demo_conn, "SELECT private.fd_lock_key(%s, %s)", [booth, night])
    demo_conn.execute("SELECT pg_advisory_lock(1, %s)", [key])
    try:
        as_desk(demo_conn, "DESK-1")
        assert _hold(demo_conn, ["Booth 3"], night, "22:00", "00:30")[0]  # its own lock
        assert _hold(desk2, ["Booth 3"], night, "01:00", "02:00")[1] == "TABLE_BEING_BOOKED"
    finally:
        demo_conn.execute("SELECT pg_advisory_unlock(1, %s)", [key])
    assert _hold(desk2, ["Booth 3"], night, "01:00", "02:00")[0]


def _desk_book(conn: Conn, night: date, tables: list[str], start: str, end: str) -> tuple[Any, ...]:
    return one(
        conn,
        "SELECT success, error_code, error_message, booking_id "
        "FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
        [
            VENUE,
            a_customer(conn),
            [table_id(conn, t) for t in tables],
            night,
            at(conn, night, start),
            at(conn, night, end),
        ],
    )


def test_another_desk_cannot_book_a_held_table_the_holding_desk_can(
    demo_conn: Conn, desk2: Conn
) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1", "Priya")
    assert _hold(demo_conn, ["Booth 3", "Booth 4"], night, "22:00", "00:30")[0]
    before = counts(desk2)
    assert _desk_book(desk2, night, ["Booth 4"], "23:00", "01:00")[:3] == (
        False,
        "TABLE_BEING_BOOKED",
        "Booth 4 is being booked at DESK-1; try again in a moment.",
    )
    row = one(
        desk2,
        "SELECT success, error_code FROM create_booking_atomic(%s, "
        "'walk.up@example.com', NULL, 'Walk Up', %s, %s, '22:30', '23:30', 2)",
        [VENUE, [table_id(desk2, "Booth 3")], night],
    )
    assert row == (False, "TABLE_BEING_BOOKED")
    assert counts(desk2)[:3] == before[:3]  # no booking, no tables, the holds unchanged
    # The holding desk books one of its tables: that hold is used up, the other stays.
    ok, code, _, booking = _desk_book(demo_conn, night, ["Booth 3"], "22:00", "00:30")
    assert (ok, code) == (True, None)
    held = demo_conn.execute(
        "SELECT t.name FROM holds h JOIN venue_tables t ON t.id = h.table_id"
    ).fetchall()
    assert held == [("Booth 4",)]
    other = scalar(desk2, "SELECT night_plan(%s, %s)", [VENUE, night])
    assert [b["id"] for b in other["bookings"]] == [str(booking)]
    assert [h["table_id"] for h in other["holds"]] == [str(table_id(desk2, "Booth 4"))]
