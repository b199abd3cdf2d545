"""The audit log a manager reads: changes grouped, filtered and paged in the
database (audit_changes), said in words (frontdesk.audit_log); a host may
not read it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from frontdesk import audit_log
from frontdesk.audit_log import AuditFilter, fetch_page
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import InvalidInput, Refused
from tests.clock import on_night, set_session_clock
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    a_customer,
    as_desk,
    at,
    desk_book,
    insert_booking,
    one,
    quiet_friday,
    scalar,
    table_id,
)


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext(terminal="OFFICE", staff_name="Sam"))
    yield database
    database.close()


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk(db, VENUE, wait=lambda _s: None)


def _window(conn: Conn) -> AuditFilter:
    """From now on (the demo's own rows are older), every kind."""
    now: datetime = scalar(conn, "SELECT now()")
    return AuditFilter(since=now, until=now + timedelta(hours=1), kinds=None)


def _status(conn: Conn, booking: UUID, status: str) -> None:
    assert one(conn, "SELECT success FROM set_booking_status(%s, %s)", [booking, status])[0]


def _a_night(conn: Conn) -> tuple[Conn, dict[str, UUID]]:
    """Changes by two people at two desks: a booking made, seated, moved
    to another table and later, another cancelled, a guest's phone changed,
    a table held and released."""
    night = quiet_friday(conn)
    as_desk(conn, "DESK-1", "Priya")
    made = insert_booking(conn, ["Booth 3"], night, "22:00", "00:30", party=4)
    set_session_clock(conn, on_night(night, "19:30"))  # arrivals are for the night in progress
    _status(conn, made, "arrived")
    _status(conn, made, "seated")
    set_session_clock(conn, None)
    as_desk(conn, "DESK-2", "Dan")
    moved = one(
        conn,
        "SELECT success FROM move_booking(%s, %s, %s, %s)",
        [made, [table_id(conn, "Booth 14")], at(conn, night, "22:30"), at(conn, night, "01:00")],
    )
    assert moved[0]
    other = insert_booking(conn, ["Booth 5"], night, "23:00", "01:00", customer=3)
    _status(conn, other, "cancelled")
    guest = scalar(conn, "SELECT customer_id FROM bookings WHERE id = %s", [other])
    conn.execute("UPDATE customers SET phone = '+447700900555' WHERE id = %s", [guest])
    as_desk(conn, "DESK-1", "Priya")
    one(
        conn,
        "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            VENUE,
            [table_id(conn, "Booth 7")],
            night,
            at(conn, night, "22:00"),
            at(conn, night, "23:00"),
        ],
    )
    one(conn, "SELECT * FROM release_holds(%s)", [VENUE])
    return conn, {"made": made, "other": other, "guest": guest}


def test_a_booking_the_engine_makes_names_its_table(desk: Desk, demo_conn: Conn) -> None:
    """The booking core writes one audit row for a booking and its tables; the audit
    window still says which table it is on, and who made it."""
    wanted = _window(demo_conn)
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1", "Priya")
    booked = desk_book(demo_conn, demo_conn, a_customer(demo_conn), night, "Booth 6")
    assert booked["success"], booked
    (change,) = [c for c in _all(desk, wanted) if c.record_id == booked["booking_id"]]
    assert change.what == "New booking"
    assert change.changes[0].startswith("Booth 6, ")
    assert change.changes[0].endswith(" 22:00–00:30, 2 guests, confirmed")
    assert (change.staff_name, change.terminal) == ("Priya", "DESK-1")


def _kind(change: audit_log.AuditChange) -> str:
    return next(k for k in ("booked", "deleted", "status", "moved", "edited") if k in change.kinds)


def _all(desk: Desk, wanted: AuditFilter) -> list[audit_log.AuditChange]:
    return list(audit_log.all_changes(desk, wanted))


def test_a_move_reads_as_a_manager_says_it(desk: Desk, demo_conn: Conn) -> None:
    wanted = _window(demo_conn)
    _, ids = _a_night(demo_conn)
    changes = [c for c in _all(desk, wanted) if c.record_id == ids["made"]]
    # newest first: moved, seated, arrived, booked
    assert [c.what for c in changes] == [
        "Moved, details changed",  # another table prices the night differently
        "Status changed",
        "Status changed",
        "New booking",
    ]
    moved, seated, arrived, booked = changes
    assert moved.changes[0] == "table Booth 3 → Booth 14"
    assert "time 22:00–00:30 → 22:30–01:00" in moved.changes
    assert any(c.startswith("minimum spend £") and "→" in c for c in moved.changes)
    assert (moved.staff_name, moved.terminal) == ("Dan", "DESK-2")
    assert seated.changes == ("status arrived → seated",)
    assert arrived.changes == ("status confirmed → arrived",)
    assert booked.changes[0].startswith("Booth 3, ")
    assert booked.changes[0].endswith(" 22:00–00:30, 4 guests, confirmed")
    assert booked.changes[1] == "deposit £50, minimum spend £150, at the desk"
    assert (booked.staff_name, booked.terminal) == ("Priya", "DESK-1")
    reference = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [ids["made"]])
    assert {c.reference for c in changes} == {reference}
    assert all(c.guest_name for c in changes)
    assert all(c.changed_at.tzinfo == desk.time_zone for c in changes)


def test_a_guests_change_and_a_hold_in_words(desk: Desk, demo_conn: Conn) -> None:
    wanted = _window(demo_conn)
    _, ids = _a_night(demo_conn)
    changes = _all(desk, wanted)
    guest = next(c for c in changes if c.record_id == ids["guest"])
    assert guest.what == "Guest details changed"
    # as the venue's people dial them
    assert guest.changes[0].startswith("phone 07700 ") and guest.changes[0].endswith(
        "→ 07700 900555"
    )
    holds = [c for c in changes if c.subject == "hold"]
    assert [c.what for c in holds] == ["Hold released", "Table held"]
    assert holds[0].changes[0] == "Booth 7 22:00–23:00 released"
    assert holds[1].changes[0].startswith("Booth 7 22:00–23:00, held until ")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"staff": "Dan"}, {"made:moved", "other:booked", "other:status", "guest"}),
        ({"terminal": "DESK-1"}, {"made:booked", "made:status", "hold"}),
        ({"kinds": frozenset({"status"})}, {"made:status", "other:status"}),
        ({"kinds": frozenset({"moved"})}, {"made:moved"}),
        ({"kinds": audit_log.WITHOUT_HOLDS, "terminal": "DESK-1"}, {"made:booked", "made:status"}),
        ({"booking": "made"}, {"made:booked", "made:status", "made:moved"}),
        ({"staff": "Dan", "booking": "other"}, {"other:booked", "other:status"}),
        ({"staff": "Nobody"}, set()),
    ],
)
def test_the_filters(
    desk: Desk, demo_conn: Conn, filters: dict[str, object], expected: set[str]
) -> None:
    wanted = _window(demo_conn)
    _, ids = _a_night(demo_conn)
    names = {v: k for k, v in ids.items()}
    if "booking" in filters:  # by reference: the start of it, lower case
        reference = scalar(
            demo_conn,
            "SELECT reference FROM bookings WHERE id = %s",
            [ids[str(filters["booking"])]],
        )
        filters = {**filters, "booking": reference.lower()}
    seen = set()
    for change in _all(desk, replace(wanted, **filters)):  # type: ignore[arg-type]
        name = names.get(change.record_id, change.subject)
        seen.add(f"{name}:{_kind(change)}" if change.subject == "booking" else name)
    assert seen == expected


def test_the_booking_box_takes_an_id_or_a_reference(desk: Desk, demo_conn: Conn) -> None:
    wanted = _window(demo_conn)
    _, ids = _a_night(demo_conn)
    by_id = _all(desk, replace(wanted, booking=str(ids["made"])))
    assert {c.record_id for c in by_id} == {ids["made"]} and len(by_id) == 4
    assert audit_log.booking_query(" br-2612 ") == (None, "BR-2612")
    with pytest.raises(InvalidInput):
        audit_log.booking_query("Oliver Green")


def test_the_time_window(desk: Desk, demo_conn: Conn) -> None:
    wanted = _window(demo_conn)
    _a_night(demo_conn)
    now: datetime = scalar(demo_conn, "SELECT now()")
    later = AuditFilter(since=now, until=now + timedelta(hours=1), kinds=None)
    assert _all(desk, later) == []
    assert len(_all(desk, wanted)) == 9
    # the demo's bookings, loaded when the database was made, are before it
    assert (
        len(
            _all(
                desk,
                AuditFilter(
                    since=wanted.since - timedelta(days=3650),
                    until=wanted.since,
                    kinds=frozenset({"booked"}),
                ),
            )
        )
        > 100
    )


def test_pages_follow_each_other_without_gaps_or_repeats(desk: Desk, demo_conn: Conn) -> None:
    """Keyset pages of 7 over the demo's ~230 changes (many in one
    transaction, so sharing one instant) give what one read gives."""
    wanted = AuditFilter(
        since=datetime(2000, 1, 1, tzinfo=desk.time_zone),
        until=datetime(9999, 1, 1, tzinfo=desk.time_zone),
        kinds=None,
    )
    whole = fetch_page(desk, wanted, size=1000)
    assert whole.next_key is None and len(whole.changes) > 100
    paged: list[audit_log.AuditChange] = []
    page = fetch_page(desk, wanted, size=7)
    while True:
        paged.extend(page.changes)
        if page.next_key is None:
            break
        page = fetch_page(desk, wanted, page.next_key, size=7)
    assert [c.key for c in paged] == [c.key for c in whole.changes]
    assert len({c.key for c in paged}) == len(paged)


def test_export_writes_every_change_as_csv(desk: Desk, demo_conn: Conn, tmp_path: Path) -> None:
    wanted = _window(demo_conn)
    _a_night(demo_conn)
    path = tmp_path / "audit.csv"
    count = audit_log.write_csv(path, audit_log.all_changes(desk, wanted))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    lines = raw.decode("utf-8-sig").splitlines()
    assert count == 9 and len(lines) == 10
    assert lines[0] == ",".join(audit_log.CSV_HEADER)
    assert "table Booth 3 → Booth 14" in raw.decode("utf-8-sig")
    assert lines[1].split(",")[3:6] == ["Hold released", "", quiet_friday(demo_conn).isoformat()]


def test_a_host_may_not_read_the_audit_log(desk: Desk, demo_conn: Conn) -> None:
    wanted = _window(demo_conn)
    desk.sign_in("Priya", "2468")
    with pytest.raises(Refused) as refused:
        fetch_page(desk, wanted)
    assert refused.value.code == "NOT_ALLOWED"
    desk.sign_in("Sam", "1357")
    assert isinstance(fetch_page(desk, wanted), audit_log.AuditPage)


def test_a_desk_login_reads_it_only_as_a_manager(
    demo_db_url: str, demo_conn: Conn, login_url: Callable[[str, str | None], str]
) -> None:
    db = Database(login_url(demo_db_url, "desk"), staff=StaffContext("DESK-9"))
    try:
        desk = Desk(db, VENUE)
        wanted = _window(demo_conn)
        for who, pin, code in (("", "", "NOT_SIGNED_IN"), ("Priya", "2468", "NOT_ALLOWED")):
            if who:
                desk.sign_in(who, pin)
            with pytest.raises(Refused) as refused:
                fetch_page(desk, wanted)
            assert refused.value.code == code
        desk.sign_in("Sam", "1357")
        assert isinstance(fetch_page(desk, wanted), audit_log.AuditPage)
    finally:
        db.close()


def test_words_for_fields_a_manager_changes_by_hand(demo_conn: Conn, desk: Desk) -> None:
    wanted = _window(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], quiet_friday(demo_conn), "22:00", "00:30")
    demo_conn.execute(
        "UPDATE bookings SET special_requests = 'Cake at midnight', total_deposit = 75, "
        "stripe_payment_intent_id = 'pi_123', party_size = 3 WHERE id = %s",
        [booking],
    )
    (change, _booked) = [c for c in _all(desk, wanted) if c.record_id == booking]
    assert change.changes == (
        "party 2 → 3",
        "deposit £50 → £75",
        "deposit due → paid (pi_123)",  # a payment id marks the deposit paid (0010)
        "payment reference added: pi_123",
        "requests added: “Cake at midnight”",
    )


def test_nothing_raises_for_odd_values(demo_conn: Conn) -> None:
    rows = demo_conn.execute(
        "SELECT count(*) FROM audit_changes(%s, NULL, NULL, NULL, NULL, NULL, '%%_\\', "
        "ARRAY['nothing'], 'infinity', NULL, -5)",
        [VENUE],
    ).fetchall()
    assert rows == [(0,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        demo_conn.execute("SELECT set_config('frontdesk.session', 'forged', false)")
        demo_conn.execute("SELECT * FROM audit_changes(%s, NULL, NULL)", [VENUE])
