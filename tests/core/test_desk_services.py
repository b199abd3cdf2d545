"""The desk's services (frontdesk.desk) on a real server: results and refusals."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import psycopg
import pytest

from frontdesk.database import Database, StaffContext
from frontdesk.desk import BookingRequest, Desk
from frontdesk.errors import InvalidInput, Refused
from frontdesk.plan import Status
from tests import clock
from tests.clock import EngineClock
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    at,
    insert_booking,
    quiet_friday,
    scalar,
    table_id,
)

LONDON = ZoneInfo("Europe/London")


class Waits:
    """A stand-in for time.sleep that records and can act on each wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.then: dict[int, object] = {}

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        action = self.then.get(len(self.calls))
        if callable(action):
            action()


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext("DESK-1", "Priya", uuid4()))
    yield database
    database.close()


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def desk(db: Database, waits: Waits) -> Desk:
    return Desk(db, VENUE, wait=waits)


def request(
    conn: Conn,
    night: date,
    tables: list[str],
    start: str = "22:00",
    end: str = "00:30",
    **kw: object,
) -> BookingRequest:
    fields: dict[str, object] = {
        "customer_name": "Zara Okafor",
        "phone": "07700 900555",
        "party_size": 4,
    }
    fields.update(kw)
    return BookingRequest(
        night=night,
        starts_at=at(conn, night, start),
        ends_at=at(conn, night, end),
        table_ids=tuple(table_id(conn, t) for t in tables),
        **fields,  # type: ignore[arg-type]
    )


# --- the venue and the night ---------------------------------------------------


def test_the_desk_knows_its_venue(db: Database) -> None:
    desk = Desk.first_venue(db)
    assert desk.venue_id == VENUE
    assert desk.venue_name == "The Backroom Leeds"
    assert desk.time_zone == LONDON
    assert desk.default_booking_minutes == 150


def test_an_unknown_venue_is_refused(db: Database) -> None:
    with pytest.raises(Refused) as caught:
        Desk(db, uuid4())
    assert caught.value.code == "UNKNOWN_VENUE"


def test_current_night_is_the_engines(desk: Desk, demo_conn: Conn) -> None:
    assert desk.current_night() == scalar(demo_conn, "SELECT current_night(%s)", [VENUE])


def test_the_night_plan_is_typed(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "23:00", "01:30", party=5)
    plan = desk.night_plan(night)
    assert plan.night == night and plan.venue_name == "The Backroom Leeds"
    assert plan.event_name == "La Fiesta" and not plan.is_closed
    assert [f.name for f in plan.floors] == ["Downstairs", "Upstairs"]
    assert len(plan.tables) == 16
    assert plan.opens_at is not None and plan.opens_at.tzinfo == LONDON
    assert plan.opens_at == at(demo_conn, night, "21:00")
    (b,) = plan.bookings
    assert b.id == booking and b.party_size == 5 and b.status is Status.CONFIRMED
    assert b.table_ids == (table_id(demo_conn, "Booth 3"),)
    assert b.starts_at == at(demo_conn, night, "23:00") and b.starts_at.tzinfo == LONDON
    assert b.ends_at - b.starts_at == timedelta(hours=2, minutes=30)
    assert isinstance(b.deposit, Decimal) and b.deposit == Decimal("50.00")
    booth = next(t for t in plan.tables if t.name == "DJ Booth")
    assert booth.min_spend == Decimal("1000.00") and booth.is_premium


def test_the_night_summary_adds_up(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", party=5)
    insert_booking(demo_conn, ["Booth 9"], night, "22:00", "00:30", party=3)
    summary = desk.night_summary(night)
    assert summary.event_name == "La Fiesta"
    assert [f.floor_name for f in summary.floors] == ["Downstairs", "Upstairs"]
    assert summary.total.floor_name == "All floors"
    assert (summary.total.bookings, summary.total.covers) == (2, 8)
    assert summary.total.deposits == Decimal("75.00")
    assert summary.total.min_spend == sum(f.min_spend for f in summary.floors)


def test_suggestions_best_first(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    found = desk.suggestions(night, at(demo_conn, night, "22:00"), at(demo_conn, night, "00:00"), 6)
    assert found and found[0].is_optimal and found[0].rank == 1
    assert found[0].capacity == 6 and found[0].kind == "single"
    assert all(isinstance(s.min_spend, Decimal) for s in found)
    assert [s.rank for s in found] == sorted(s.rank for s in found)


# --- booking ---------------------------------------------------------------------


def test_book_creates_the_guest_and_says_who_booked(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    result = desk.book(request(demo_conn, night, ["Booth 3"], email="Zara@Example.com"))
    assert re.fullmatch(r"BR-\d{6}-[A-Z2-9]{6}", result.reference)
    assert result.deposit == Decimal("50.00")
    phone, email, terminal = demo_conn.execute(
        "SELECT c.phone, c.email, b.terminal FROM bookings b JOIN customers c "
        "ON c.id = b.customer_id WHERE b.id = %s",
        [result.booking_id],
    ).fetchone() or (None, None, None)
    assert (phone, email, terminal) == ("+447700900555", "zara@example.com", "DESK-1")
    staff = scalar(
        demo_conn,
        "SELECT staff_name || '@' || terminal FROM audit_logs WHERE table_name = 'bookings' "
        "AND record_id = %s AND operation = 'INSERT'",
        [result.booking_id],
    )
    assert staff == "Priya@DESK-1"


def test_book_matches_a_known_guest_by_phone(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    guest = desk.create_customer("Zara Okafor", phone="07700 900555")
    result = desk.book(request(demo_conn, night, ["Booth 3"], customer_name="Z. Okafor"))
    owner = scalar(demo_conn, "SELECT customer_id FROM bookings WHERE id = %s", [result.booking_id])
    assert owner == guest.id


def test_book_for_a_chosen_customer(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    guest = desk.create_customer("Ola Nordmann", email="ola@example.no")
    result = desk.book(
        request(
            demo_conn,
            night,
            ["Booth 1", "Booth 2"],
            customer_id=guest.id,
            customer_name=None,
            phone=None,
            party_size=7,
        )
    )
    assert result.deposit == Decimal("50.00")
    plan = desk.night_plan(night)
    (b,) = plan.bookings
    assert b.customer_id == guest.id and len(b.table_ids) == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"party_size": 9}, "OVER_CAPACITY"),
        ({"party_size": 0}, "PARTY_SIZE"),
        ({"start": "18:00", "end": "20:00"}, "OUTSIDE_HOURS"),
        ({"phone": None, "email": None}, "INVALID_CUSTOMER"),
    ],
)
def test_book_refusals_come_as_refused(
    desk: Desk, demo_conn: Conn, change: dict[str, object], code: str
) -> None:
    night = quiet_friday(demo_conn)
    times = {k: change.pop(k) for k in ("start", "end") if k in change}
    with pytest.raises(Refused) as caught:
        desk.book(request(demo_conn, night, ["Booth 3"], **times, **change))  # type: ignore[arg-type]
    assert caught.value.code == code
    assert caught.value.message
    assert scalar(demo_conn, "SELECT count(*) FROM bookings WHERE night = %s", [night]) == 0


def test_book_refuses_a_taken_table_in_words(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    with pytest.raises(Refused) as caught:
        desk.book(request(demo_conn, night, ["Booth 3"], "23:00", "01:00"))
    assert caught.value.code == "TABLE_UNAVAILABLE"
    assert "Booth 3" in caught.value.message


def test_book_refuses_the_past(desk: Desk, demo_conn: Conn) -> None:
    night = desk.current_night() - timedelta(days=7)
    with pytest.raises(Refused) as caught:
        desk.book(request(demo_conn, night, ["Booth 3"]))
    assert caught.value.code in {"PAST_DATE", "VENUE_CLOSED"}


def test_unusable_typing_is_caught_before_the_database(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    with pytest.raises(InvalidInput) as caught:
        desk.book(request(demo_conn, night, ["Booth 3"], phone="0113 496"))
    assert caught.value.field == "phone"
    assert "0113 496 has too few digits" in caught.value.message


# --- "being booked at another desk": the automatic retry -------------------------


def _phone_lock(conn: Conn, night: date, table: str, take: bool) -> None:
    fn = "acquire_booking_lock" if take else "release_booking_lock"
    assert scalar(conn, f"SELECT {fn}(%s, %s, '22:00')", [table_id(conn, table), night])


def test_being_booked_is_retried_five_times_then_refused(
    desk: Desk, demo_conn: Conn, waits: Waits
) -> None:
    night = quiet_friday(demo_conn)
    _phone_lock(demo_conn, night, "Booth 3", take=True)
    seen: list[tuple[int, str]] = []
    with pytest.raises(Refused) as caught:
        desk.book(
            request(demo_conn, night, ["Booth 3"]),
            on_retry=lambda n, refusal: seen.append((n, refusal.code)),
        )
    assert caught.value.code == "TABLE_BEING_BOOKED"
    assert seen == [(n, "TABLE_BEING_BOOKED") for n in range(1, 6)]
    assert waits.calls == [1.0] * 5


def test_being_booked_succeeds_once_the_other_desk_lets_go(
    desk: Desk, demo_conn: Conn, waits: Waits
) -> None:
    night = quiet_friday(demo_conn)
    _phone_lock(demo_conn, night, "Booth 3", take=True)
    waits.then[2] = lambda: _phone_lock(demo_conn, night, "Booth 3", take=False)
    seen: list[int] = []
    result = desk.book(
        request(demo_conn, night, ["Booth 3"]), on_retry=lambda n, _refusal: seen.append(n)
    )
    assert seen == [1, 2]
    assert waits.calls == [1.0, 1.0]
    assert (
        scalar(demo_conn, "SELECT count(*) FROM bookings WHERE id = %s", [result.booking_id]) == 1
    )
    # the guest was created once, not once per attempt
    assert scalar(demo_conn, "SELECT count(*) FROM customers WHERE phone = '+447700900555'") == 1


def test_other_refusals_are_not_retried(desk: Desk, demo_conn: Conn, waits: Waits) -> None:
    night = quiet_friday(demo_conn)
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    with pytest.raises(Refused):
        desk.book(request(demo_conn, night, ["Booth 3"]), on_retry=lambda *_: None)
    assert waits.calls == []


def test_the_real_wait_is_a_second() -> None:
    import time

    from frontdesk import desk as desk_module

    assert desk_module.BEING_BOOKED_DELAY_S == 1.0
    assert desk_module.BEING_BOOKED_RETRIES == 5
    assert Desk.__init__.__kwdefaults__ == {"wait": time.sleep}


# --- changing a booking ------------------------------------------------------------


def test_move_and_its_refusal(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    insert_booking(demo_conn, ["Booth 5"], night, "22:00", "00:30")
    desk.move(
        booking,
        table_ids=[table_id(demo_conn, "Booth 4")],
        starts_at=at(demo_conn, night, "23:00"),
        ends_at=at(demo_conn, night, "01:00"),
    )
    (b,) = [b for b in desk.night_plan(night).bookings if b.id == booking]
    assert b.table_ids == (table_id(demo_conn, "Booth 4"),)
    assert b.starts_at == at(demo_conn, night, "23:00")
    with pytest.raises(Refused) as caught:
        desk.move(
            booking,
            table_ids=[table_id(demo_conn, "Booth 5")],
            starts_at=at(demo_conn, night, "23:00"),
            ends_at=at(demo_conn, night, "01:00"),
        )
    assert caught.value.code == "TABLE_UNAVAILABLE"


def test_set_status_returns_the_old_one(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="pending")
    assert desk.set_status(booking, Status.CONFIRMED) is Status.PENDING
    assert desk.set_status(booking, Status.CANCELLED) is Status.CONFIRMED
    with pytest.raises(Refused) as caught:
        desk.set_status(booking, Status.PENDING)
    assert caught.value.code == "INVALID_TRANSITION"
    with pytest.raises(Refused) as caught:
        desk.set_status(uuid4(), Status.SEATED)
    assert caught.value.code == "UNKNOWN_BOOKING"


@pytest.fixture(params=["23:00", "02:30"])
def door_desk(
    request: pytest.FixtureRequest, demo_db_url: str, demo_conn: Conn, engine_clock: EngineClock
) -> Iterator[tuple[Desk, date]]:
    """A desk (opened after the clock is set) on a quiet night that is in
    progress: at 23:00, and at 02:30 the morning after."""
    night = quiet_friday(demo_conn)  # 21:00-04:00, no bookings
    engine_clock.set(demo_db_url, clock.on_night(night, request.param), demo_conn)
    database = Database(demo_db_url, staff=StaffContext("DESK-1", "Priya", uuid4()))
    try:
        yield Desk(database, VENUE, wait=Waits()), night
    finally:
        database.close()


def test_walk_in_seats_a_party_now(door_desk: tuple[Desk, date], demo_conn: Conn) -> None:
    desk, night = door_desk
    assert desk.current_night() == night
    result = desk.walk_in([table_id(demo_conn, "Booth 1")], 3, minutes=60)
    assert result.reference.startswith("BR-")
    (b,) = desk.night_plan(night).bookings
    assert b.status is Status.SEATED and b.source == "walk_in" and b.party_size == 3
    assert b.starts_at == clock.engine_now(demo_conn)
    assert b.ends_at - b.starts_at == timedelta(minutes=60)
    with pytest.raises(Refused) as caught:
        desk.walk_in([table_id(demo_conn, "Booth 1")], 2)
    assert caught.value.code == "TABLE_UNAVAILABLE"


def test_walk_in_reports_the_tables_deposit(door_desk: tuple[Desk, date], demo_conn: Conn) -> None:
    """walk_in returns total_deposit by name (it was always reported as 0)."""
    desk, night = door_desk
    booth = table_id(demo_conn, "Booth 1")
    (table,) = [t for t in desk.night_plan(night).tables if t.id == booth]
    assert table.deposit > 0
    result = desk.walk_in([booth], 3, minutes=60)
    stored = scalar(
        demo_conn, "SELECT total_deposit FROM bookings WHERE id = %s", [result.booking_id]
    )
    assert result.deposit == stored == table.deposit


# --- holds ---------------------------------------------------------------------------


def test_hold_shows_as_being_booked_elsewhere_and_releases(
    desk: Desk, db: Database, demo_conn: Conn, demo_db_url: str, waits: Waits
) -> None:
    night = quiet_friday(demo_conn)
    held = desk.hold(
        [table_id(demo_conn, "Booth 3")],
        night,
        at(demo_conn, night, "22:00"),
        at(demo_conn, night, "00:30"),
    )
    assert len(held.hold_ids) == 1
    assert held.expires_at.tzinfo == LONDON
    now = clock.engine_now(demo_conn)  # the hold's ten minutes are the engine's
    assert now < held.expires_at <= now + timedelta(minutes=10)

    other_db = Database(demo_db_url, staff=StaffContext("DESK-2", "Dan"))
    try:
        other = Desk(other_db, VENUE, wait=waits)
        (hold,) = other.night_plan(night).holds
        assert hold.terminal == "DESK-1"
        with pytest.raises(Refused) as caught:
            other.book(request(demo_conn, night, ["Booth 3"]))
        assert caught.value.code == "TABLE_BEING_BOOKED"
        assert len(waits.calls) == 5
        assert desk.release_holds() == 1
        assert other.night_plan(night).holds == ()
        assert other.book(request(demo_conn, night, ["Booth 3"])).reference
    finally:
        other_db.close()


# --- customers -----------------------------------------------------------------------


def test_search_customers_by_name_phone_and_email(desk: Desk) -> None:
    amelia = desk.create_customer(
        "Amelia Smithson",
        phone="07700 900871",
        email="amelia.s@example.org",
        date_of_birth=date(1990, 5, 1),
    )
    desk.create_customer("Smita Rao", phone="0113 496 0871")
    assert amelia in desk.search_customers("smiths")
    names = [c.name for c in desk.search_customers("smit")]
    assert "Amelia Smithson" in names and "Smita Rao" in names
    assert names.index("Smita Rao") < names.index("Amelia Smithson")  # name starts with it
    assert [c.id for c in desk.search_customers("amelia smi")] == [amelia.id]
    assert amelia in desk.search_customers("07700 9008")
    assert [c.name for c in desk.search_customers("0113 496 08")] == ["Smita Rao"]
    assert [c.id for c in desk.search_customers("amelia.s@")] == [amelia.id]
    assert desk.search_customers("   ") == []
    assert desk.search_customers("%") == []  # LIKE's wildcards are literal
    assert len(desk.search_customers("a", limit=3)) == 3


def test_create_and_update_customer_refusals(desk: Desk) -> None:
    first = desk.create_customer("Amelia Khan", phone="+44 7700 900872")
    with pytest.raises(Refused) as caught:
        desk.create_customer("Someone Else", phone="07700 900872")
    assert caught.value.code == "DUPLICATE_CUSTOMER"
    assert "Amelia Khan" in caught.value.message
    with pytest.raises(InvalidInput) as invalid:
        desk.create_customer("Someone Else", email="someone@")
    assert invalid.value.field == "email"

    updated = desk.update_customer(
        first.id,
        name="Amelia  Khan-Jones",
        phone=None,
        email="AKJ@Example.com",
        date_of_birth=date(1991, 2, 3),
        notes="Prefers the balcony",
    )
    assert (updated.name, updated.phone, updated.email) == (
        "Amelia Khan-Jones",
        None,
        "akj@example.com",
    )
    assert updated.notes == "Prefers the balcony"
    with pytest.raises(Refused) as caught:
        desk.update_customer(
            uuid4(), name="X", phone=None, email=None, date_of_birth=None, notes=None
        )
    assert caught.value.code == "UNKNOWN_CUSTOMER"


def test_find_bookings_by_guest_or_reference(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    result = desk.book(request(demo_conn, night, ["Booth 3"], customer_name="Quentin Blake"))
    (match,) = desk.find_bookings("quentin", from_night=night)
    assert match.booking_id == result.booking_id and match.table_names == ("Booth 3",)
    assert match.status is Status.CONFIRMED and match.starts_at.tzinfo == LONDON
    assert [
        m.booking_id for m in desk.find_bookings(result.reference.lower(), from_night=night)
    ] == [result.booking_id]
    assert desk.find_bookings("quentin", from_night=night + timedelta(days=1)) == []


# --- the manager's screens -------------------------------------------------------------


def test_audit_lists_who_changed_what(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    before = datetime.now(LONDON) - timedelta(seconds=1)
    result = desk.book(request(demo_conn, night, ["Booth 3"]))
    entries = desk.audit(
        since=before,
        until=datetime.now(LONDON) + timedelta(seconds=1),
        booking_id=result.booking_id,
    )
    assert [(e.table_name, e.operation) for e in entries] == [("bookings", "INSERT")]
    assert all(e.staff_name == "Priya" and e.terminal == "DESK-1" for e in entries)
    assert all(e.changed_at.tzinfo == LONDON for e in entries)
    (insert,) = entries
    assert insert.new_values is not None
    assert insert.new_values["reference"] == result.reference
    assert insert.new_values["table_ids"] == [str(table_id(demo_conn, "Booth 3"))]


def test_monitoring_figures(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    desk.book(request(demo_conn, night, ["Booth 3"]))
    with pytest.raises(Refused):
        desk.book(request(demo_conn, night, ["Booth 3"]))
    figures = {f.name: f for f in desk.monitoring()}
    assert figures["attempts_today"].value >= 2
    assert figures["conflicts_prevented_today"].value >= 1
    assert figures["booking_fn_p95_ms"].threshold == Decimal(100)
    assert figures["lock_busy_rate"].unit == "rate"
    assert isinstance(figures["connections_used"].alert, bool)


def test_naive_times_are_read_as_the_venues_wall_clock(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    starts = at(demo_conn, night, "22:00").astimezone(LONDON).replace(tzinfo=None)
    found = desk.suggestions(night, starts, starts + timedelta(hours=2), 4)
    assert found


# --- as the app's least-privileged role -------------------------------------------------


def test_the_services_work_as_a_desk_login_once_signed_in(
    demo_db_url: str, demo_conn: Conn, login_url: Callable[[str, str | None], str]
) -> None:
    """A desk's login may not write tables, and nothing works before somebody
    signs in; once they have, every service does, audited as them."""
    db = Database(login_url(demo_db_url, "desk"), staff=StaffContext("DESK-9", "Dan"))
    try:
        desk = Desk(db, VENUE, wait=Waits())
        night = quiet_friday(demo_conn)
        audit_rows = scalar(demo_conn, "SELECT count(*) FROM audit_logs")
        with pytest.raises(Refused) as refused:
            desk.book(request(demo_conn, night, ["Booth 3"], customer_name="Early Guest"))
        assert refused.value.code == "NOT_SIGNED_IN"
        with pytest.raises(Refused) as refused:
            desk.night_plan(night)
        assert refused.value.code == "NOT_SIGNED_IN"
        assert scalar(demo_conn, "SELECT count(*) FROM audit_logs") == audit_rows

        assert [m.name for m in desk.staff_list()] == ["Alex", "Priya", "Sam"]
        who = desk.sign_in("Priya", "2468")
        assert (who.staff_name, who.role, who.is_manager) == ("Priya", "host", False)
        guest = desk.create_customer("Role Test", phone="07700 900999")
        desk.update_customer(
            guest.id,
            name="Role Tested",
            phone="07700 900999",
            email=None,
            date_of_birth=None,
            notes=None,
        )
        assert desk.search_customers("role")
        result = desk.book(
            request(demo_conn, night, ["Booth 3"], customer_name="New Guest", phone="07700 900998")
        )
        desk.move(
            result.booking_id,
            table_ids=[table_id(demo_conn, "Booth 4")],
            starts_at=at(demo_conn, night, "22:00"),
            ends_at=at(demo_conn, night, "00:00"),
        )
        assert desk.set_status(result.booking_id, Status.CANCELLED) is Status.CONFIRMED
        desk.hold(
            [table_id(demo_conn, "Booth 5")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        )
        assert desk.release_holds() == 1
        assert desk.night_plan(night).bookings and desk.night_summary(night).total
        assert desk.find_bookings("new guest", from_night=night)
        with pytest.raises(Refused) as refused:
            desk.monitoring()  # a manager's
        assert refused.value.code == "NOT_ALLOWED"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.call("DELETE FROM customers", what="a write the role may not do")
        # The audit names who signed in, not the name the client sent.
        names = demo_conn.execute(
            "SELECT DISTINCT staff_name, terminal FROM audit_logs WHERE record_id = %s",
            [result.booking_id],
        ).fetchall()
        assert names == [("Priya", "DESK-9")]
        # The audit log is a manager's.
        with pytest.raises(Refused) as refused:
            desk.audit(
                since=at(demo_conn, night, "00:00") - timedelta(days=400),
                until=at(demo_conn, night, "04:00") + timedelta(days=1),
                booking_id=result.booking_id,
            )
        assert refused.value.code == "NOT_ALLOWED"
        desk.sign_in("Sam", "1357")
        assert desk.audit(
            since=at(demo_conn, night, "00:00") - timedelta(days=400),
            until=at(demo_conn, night, "04:00") + timedelta(days=1),
            booking_id=result.booking_id,
        )
        desk.sign_out()
        with pytest.raises(Refused) as refused:
            desk.set_status(result.booking_id, Status.CONFIRMED)
        assert refused.value.code == "NOT_SIGNED_IN"
    finally:
        db.close()
