"""The door's waitlist (sql/engine/66_waitlist.sql, frontdesk/waitlist.py).

The engine's clock stands at 23:00 on a quiet night (tests/clock.py), so
"now", the night in progress and the waits are the same on every run.  Two
desks are real desk logins signed in as different people on different
terminals; seating one party from both at once is stepped the way
PostgreSQL's isolation tests are: the first desk seats inside an open
transaction, the second's seat waits on the entry's row (seen in pg_locks),
the first commits, and the second is told the party is seated already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from frontdesk import waitlist
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import Refused
from tests import clock, logins
from tests.clock import EngineClock
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    InThread,
    Row,
    call,
    counts,
    insert_booking,
    pid,
    quiet_friday,
    scalar,
    table_id,
    wait_until_blocked,
)

LoginUrl = Callable[[str, str | None], str]


@pytest.fixture
def night(demo_db_url: str, demo_conn: Conn, engine_clock: EngineClock) -> date:
    """A quiet night in progress: the engine's clock at 23:00 on it."""
    quiet = quiet_friday(demo_conn)
    engine_clock.set(demo_db_url, clock.on_night(quiet, "23:00"), demo_conn)
    return quiet


def _desk(url: str, name: str, pin: str, terminal: str) -> Conn:
    conn = psycopg.connect(url, autocommit=True)
    logins.sign_in(conn, VENUE, name, pin, terminal=terminal)
    conn.execute("SET statement_timeout = '10s'")
    return conn


@pytest.fixture
def desks(demo_db_url: str, login_url: LoginUrl, night: date) -> Iterator[tuple[Conn, Conn]]:
    """Priya at DESK-1 and Sam at DESK-2 (opened after the clock was set)."""
    url = login_url(demo_db_url, "desk")
    d1, d2 = _desk(url, "Priya", "2468", "DESK-1"), _desk(url, "Sam", "1357", "DESK-2")
    try:
        yield d1, d2
    finally:
        d1.close()
        d2.close()


def add(conn: Conn, name: str, party: int = 4, **kw: Any) -> UUID:
    row = call(
        conn,
        "SELECT * FROM add_to_waitlist(%s, %s, %s, %s, %s, %s)",
        [VENUE, name, party, kw.get("phone"), kw.get("quoted"), kw.get("notes")],
    )
    assert row["success"], row
    entry: UUID = row["entry_id"]
    return entry


def seat(conn: Conn, entry: UUID, tables: list[UUID]) -> Row:
    return call(
        conn,
        "SELECT success, error_code, error_message, booking_id FROM seat_from_waitlist(%s, %s, %s)",
        [VENUE, entry, tables],
    )


def test_add_list_and_the_average_wait(
    demo_db_url: str,
    demo_conn: Conn,
    engine_clock: EngineClock,
    desks: tuple[Conn, Conn],
    night: date,
) -> None:
    d1, d2 = desks
    first = add(d1, " Jordan  Lee ", 4, phone="07700 900123", quoted=20, notes="By the bar")
    second = add(d1, "Sasha", 2, quoted=10)
    row = call(d1, "SELECT * FROM add_to_waitlist(%s, 'X', 2, 'not a phone')", [VENUE])
    assert (row["success"], row["error_code"]) == (False, "INVALID_INPUT")
    assert call(d1, "SELECT * FROM add_to_waitlist(%s, ' ', 2)", [VENUE])["error_code"] == (
        "INVALID_INPUT"
    )
    assert call(d1, "SELECT * FROM add_to_waitlist(%s, 'Big', 80)", [VENUE])["error_code"] == (
        "PARTY_SIZE"
    )
    # 25 minutes later, on both desks: the first is seated, the second leaves
    engine_clock.set(demo_db_url, clock.on_night(night, "23:25"), demo_conn, d1, d2)
    assert seat(d2, first, [table_id(demo_conn, "Booth 1")])["success"]
    assert call(d1, "SELECT * FROM waitlist_left(%s, %s)", [VENUE, second])["success"]
    third = add(d1, "Kim", 3, quoted=15)
    engine_clock.set(demo_db_url, clock.on_night(night, "23:45"), demo_conn, d1, d2)
    data = scalar(d2, "SELECT waitlist_night(%s)", [VENUE])
    assert data["night"] == night.isoformat()
    assert data["average_wait_minutes"] == 25  # only seated entries count
    assert (data["waiting"], data["seated"], data["left"]) == (1, 1, 1)
    by_name = {e["name"]: e for e in data["entries"]}
    assert sorted(by_name) == ["Jordan Lee", "Kim", "Sasha"]
    jordan = by_name["Jordan Lee"]
    assert (jordan["phone"], jordan["quoted_minutes"], jordan["notes"]) == (
        "+447700900123",
        20,
        "By the bar",
    )
    assert jordan["state"] == "seated" and jordan["waited_minutes"] == 25
    assert by_name["Sasha"]["state"] == "left" and by_name["Sasha"]["waited_minutes"] == 25
    assert by_name["Kim"]["waited_minutes"] == 20 and by_name["Kim"]["id"] == str(third)
    booking = call(
        demo_conn,
        "SELECT b.status, b.source, b.party_size, c.name, b.starts_at FROM bookings b "
        "JOIN customers c ON c.id = b.customer_id WHERE b.id = %s",
        [jordan["booking_id"]],
    )
    assert (booking["status"], booking["source"], booking["party_size"], booking["name"]) == (
        "seated",
        "walk_in",
        4,
        "Jordan Lee",
    )
    assert booking["starts_at"] == clock.on_night(night, "23:25")
    # audited, and on the change feed for every desk
    trail = demo_conn.execute(
        "SELECT operation, staff_name, terminal FROM audit_logs WHERE table_name = 'waitlist' "
        "AND record_id = %s ORDER BY id",
        [first],
    ).fetchall()
    assert trail == [("INSERT", "Priya", "DESK-1"), ("UPDATE", "Sam", "DESK-2")]
    feed = scalar(
        demo_conn,
        "SELECT count(*) FROM change_outbox WHERE kind = 'waitlist' AND night = %s",
        [night],
    )
    assert feed == 5  # three added, one seated, one left


def test_suggestions_are_tables_free_now(
    demo_conn: Conn, desks: tuple[Conn, Conn], night: date
) -> None:
    d1, _ = desks
    entry = add(d1, "Pat", 2)
    insert_booking(demo_conn, ["Booth 1"], night, "22:00", "01:00")
    rows = (
        d1.cursor(row_factory=dict_row)
        .execute("SELECT * FROM waitlist_suggestions(%s, %s)", [VENUE, entry])
        .fetchall()
    )
    assert rows and all("Booth 1" not in r["table_names"] for r in rows)
    assert rows[0]["is_optimal"]
    assert rows[0]["starts_at"] == clock.on_night(night, "23:00")
    minutes = scalar(demo_conn, "SELECT default_booking_minutes FROM venues WHERE id = %s", [VENUE])
    assert rows[0]["ends_at"] - rows[0]["starts_at"] == timedelta(minutes=minutes)


def test_a_table_taken_meanwhile_leaves_the_party_waiting(
    demo_conn: Conn, desks: tuple[Conn, Conn], night: date
) -> None:
    d1, _ = desks
    entry = add(d1, "Robin", 2)
    insert_booking(demo_conn, ["Booth 2"], night, "22:00", "01:00")
    row = seat(d1, entry, [table_id(demo_conn, "Booth 2")])
    assert (row["success"], row["error_code"]) == (False, "TABLE_UNAVAILABLE")
    assert scalar(demo_conn, "SELECT state FROM waitlist WHERE id = %s", [entry]) == "waiting"
    assert seat(d1, entry, [table_id(demo_conn, "Booth 3")])["success"]
    again = seat(d1, entry, [table_id(demo_conn, "Booth 4")])
    assert again["error_code"] == "WAITLIST_ALREADY_SEATED"
    left = call(d1, "SELECT * FROM waitlist_left(%s, %s)", [VENUE, entry])
    assert left["error_code"] == "WAITLIST_ALREADY_SEATED"


@pytest.mark.parametrize("same_tables", [True, False])
def test_two_desks_seat_one_party_once(
    demo_conn: Conn, desks: tuple[Conn, Conn], night: date, same_tables: bool
) -> None:
    """DESK-1 seats inside an open transaction; DESK-2's seat of the same
    party waits on the entry; DESK-1 commits; DESK-2 is told it is seated
    already and writes nothing.  One booking, no overlaps."""
    d1, d2 = desks
    entry = add(d1, "Alex Door", 4)
    booth1, booth4 = table_id(demo_conn, "Booth 1"), table_id(demo_conn, "Booth 4")
    d2_pid = pid(d2)
    d1.autocommit = d2.autocommit = False
    first = seat(d1, entry, [booth1])  # step 1: DESK-1 seats, not committed
    assert first["success"], first
    waiting = InThread(lambda: seat(d2, entry, [booth1 if same_tables else booth4]))  # step 2
    wait_until_blocked(demo_conn, d2_pid)
    d1.commit()  # step 3
    second = waiting.join()
    d2.commit()
    assert (second["success"], second["error_code"]) == (False, "WAITLIST_ALREADY_SEATED")
    assert second["error_message"] == "Alex Door has been seated already (at another desk?)."
    bookings = demo_conn.execute(
        "SELECT b.id FROM bookings b WHERE b.night = %s AND b.source = 'walk_in'", [night]
    ).fetchall()
    assert bookings == [(first["booking_id"],)]
    assert (
        scalar(demo_conn, "SELECT booking_id FROM waitlist WHERE id = %s", [entry])
        == (first["booking_id"])
    )
    overlaps = scalar(
        demo_conn,
        "SELECT count(*) FROM booking_tables a JOIN booking_tables b "
        "ON a.table_id = b.table_id AND a.booking_id < b.booking_id AND a.period && b.period "
        "JOIN bookings x ON x.id = a.booking_id JOIN bookings y ON y.id = b.booking_id "
        "WHERE x.status NOT IN ('cancelled', 'no_show') "
        "AND y.status NOT IN ('cancelled', 'no_show')",
    )
    assert overlaps == 0


def test_nobody_signed_in_gets_nothing(
    demo_db_url: str, login_url: LoginUrl, demo_conn: Conn, desks: tuple[Conn, Conn]
) -> None:
    d1, _ = desks
    entry = add(d1, "Sam Smith", 2)
    before = counts(demo_conn)
    with psycopg.connect(login_url(demo_db_url, "desk"), autocommit=True) as anon:
        assert call(anon, "SELECT * FROM add_to_waitlist(%s, 'Z', 2)", [VENUE])["error_code"] == (
            "NOT_SIGNED_IN"
        )
        assert seat(anon, entry, [table_id(demo_conn, "Booth 1")])["error_code"] == "NOT_SIGNED_IN"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            anon.execute("SELECT waitlist_night(%s)", [VENUE])
    assert counts(demo_conn) == before


def test_the_python_waitlist(demo_db_url: str, demo_conn: Conn, night: date) -> None:
    db = Database(demo_db_url, staff=StaffContext("DESK-3", "Priya"))
    try:
        desk = Desk(db, VENUE)
        desk.sign_in("Priya", "2468")
        entry = waitlist.add(desk, " Morgan ", 3, phone="07700 900456", quoted_minutes=0)
        tonight = waitlist.night(desk)
        (e,) = tonight.entries
        assert (e.id, e.name, e.phone, e.is_waiting) == (entry, "Morgan", "+447700900456", True)
        assert tonight.night == night and tonight.average_wait_minutes is None
        assert e.over_quote(tonight.now + timedelta(minutes=1))
        (best, *_) = waitlist.suggestions(desk, entry)
        result = waitlist.seat(desk, entry, best.table_ids)
        assert result.reference.startswith("BR-")
        with pytest.raises(Refused) as caught:
            waitlist.left(desk, entry)
        assert caught.value.code == waitlist.ALREADY_SEATED
        assert waitlist.night(desk).average_wait_minutes == 0
    finally:
        db.close()


def test_nobody_is_added_to_the_waitlist_on_a_closed_night(
    demo_db_url: str, demo_conn: Conn, engine_clock: EngineClock, login_url: LoginUrl
) -> None:
    """The door on a night the venue is closed: the desk says so, nothing is kept."""
    closed = quiet_friday(demo_conn) + timedelta(days=7)
    demo_conn.execute(
        "INSERT INTO nights (venue_id, night, is_closed) VALUES (%s, %s, true) "
        "ON CONFLICT (venue_id, night) DO UPDATE SET is_closed = true",
        [VENUE, closed],
    )
    engine_clock.set(demo_db_url, clock.on_night(closed, "22:00"), demo_conn)
    desk = _desk(login_url(demo_db_url, "desk"), "Priya", "2468", "DESK-1")
    with desk:
        row = call(desk, "SELECT * FROM add_to_waitlist(%s, 'Jordan', 4)", [VENUE])
    assert (row["success"], row["error_code"]) == (False, "VENUE_CLOSED")
    assert row["error_message"] == "The venue is closed tonight: there is no table to wait for."
    assert scalar(demo_conn, "SELECT count(*) FROM waitlist") == 0
