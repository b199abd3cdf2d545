"""Who a booking is for: all or nothing.

A desk booking for a typed guest is one call and one transaction
(``desk_book`` matches or creates the guest): a refusal, whatever its code,
writes nothing but the attempt counter, leaves no new customer and changes
no known one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from frontdesk.database import Database, StaffContext
from frontdesk.desk import BookingRequest, Desk
from frontdesk.errors import Refused
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    at,
    counts,
    insert_booking,
    one,
    quiet_friday,
    scalar,
    table_id,
)


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext("DESK-1", "Priya", uuid4()))
    yield database
    database.close()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def desk(db: Database, waits: list[float]) -> Desk:
    return Desk(db, VENUE, wait=waits.append)


def _request(conn: Conn, night: date, table: str = "Booth 3", **kw: Any) -> BookingRequest:
    fields: dict[str, Any] = {
        "customer_name": "Nia New",
        "phone": "07700 900444",
        "party_size": 4,
    }
    fields.update(kw)
    return BookingRequest(
        night=night,
        starts_at=at(conn, night, fields.pop("start", "22:00")),
        ends_at=at(conn, night, fields.pop("end", "00:30")),
        table_ids=(table_id(conn, table),),
        **fields,
    )


def _attempts(conn: Conn) -> int:
    n: int = scalar(conn, "SELECT count(*) FROM booking_attempts")
    return n


def _guest(conn: Conn, customer_id: UUID) -> tuple[Any, ...]:
    return one(
        conn,
        "SELECT name, phone, email, date_of_birth, updated_at FROM customers WHERE id = %s",
        [customer_id],
    )


def _lock(conn: Conn, night: date, table: str) -> None:
    assert scalar(
        conn, "SELECT acquire_booking_lock(%s, %s, '22:00')", [table_id(conn, table), night]
    )


def _taken(conn: Conn, night: date) -> None:
    insert_booking(conn, ["Booth 3"], night, "22:00", "00:30")


#: A refusal of each kind a desk meets, and how to cause it.
REFUSALS: list[tuple[str, dict[str, Any], Callable[[Conn, date], None] | None]] = [
    ("OVER_CAPACITY", {"party_size": 9}, None),
    ("OUTSIDE_HOURS", {"start": "18:00", "end": "20:00"}, None),
    ("UNDER_AGE", {"date_of_birth": date(2015, 1, 1)}, None),
    ("TABLE_UNAVAILABLE", {}, _taken),
    ("TABLE_BEING_BOOKED", {}, lambda conn, night: _lock(conn, night, "Booth 3")),
]


# --- all or nothing -------------------------------------------------------------


@pytest.mark.parametrize(("code", "change", "scene"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refused_booking_leaves_no_new_guest(
    desk: Desk,
    demo_conn: Conn,
    code: str,
    change: dict[str, Any],
    scene: Callable[[Conn, date], None] | None,
) -> None:
    night = quiet_friday(demo_conn)
    if scene is not None:
        scene(demo_conn, night)
    before, attempts = counts(demo_conn), _attempts(demo_conn)
    with pytest.raises(Refused) as caught:
        desk.book(_request(demo_conn, night, email="nia@example.com", **change))
    assert caught.value.code == code
    assert scalar(demo_conn, "SELECT count(*) FROM customers WHERE phone = '+447700900444'") == 0
    assert counts(demo_conn) == before  # no booking, customer, audit row or change
    tries = 6 if code == "TABLE_BEING_BOOKED" else 1  # retried five times
    assert _attempts(demo_conn) == attempts + tries


def test_a_refused_booking_does_not_change_a_known_guest(desk: Desk, demo_conn: Conn) -> None:
    """A typed date of birth of 2015 on a refused booking used to stay on the
    guest, and refuse their next booking UNDER_AGE."""
    night = quiet_friday(demo_conn)
    sam = desk.create_customer("Sam Dobson", phone="07700 900333")
    before = _guest(demo_conn, sam.id)
    with pytest.raises(Refused) as caught:
        desk.book(
            _request(
                demo_conn,
                night,
                customer_name="Sam Dobson",
                phone="07700 900333",
                email="sam@example.com",
                date_of_birth=date(2015, 1, 1),
            )
        )
    assert caught.value.code == "UNDER_AGE"
    assert _guest(demo_conn, sam.id) == before  # no email, no date of birth, not touched
    assert (
        scalar(
            demo_conn,
            "SELECT count(*) FROM audit_logs WHERE table_name = 'customers' "
            "AND record_id = %s AND operation = 'UPDATE'",
            [sam.id],
        )
        == 0
    )
    booked = desk.book(_request(demo_conn, night, customer_name="Sam Dobson", phone="07700900333"))
    owner = scalar(demo_conn, "SELECT customer_id FROM bookings WHERE id = %s", [booked.booking_id])
    assert owner == sam.id


def test_a_booking_creates_the_typed_guest(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    result = desk.book(
        _request(
            demo_conn,
            night,
            customer_name="  Nia   New ",
            phone="+44 7700 900444",
            email="Nia@Example.com",
            date_of_birth=date(1994, 3, 8),
        )
    )
    row = one(
        demo_conn,
        "SELECT c.name, c.phone, c.email, c.date_of_birth FROM bookings b "
        "JOIN customers c ON c.id = b.customer_id WHERE b.id = %s",
        [result.booking_id],
    )
    assert row == ("Nia New", "+447700900444", "nia@example.com", date(1994, 3, 8))
    staff = scalar(
        demo_conn,
        "SELECT staff_name || '@' || terminal FROM audit_logs WHERE table_name = 'customers' "
        "AND operation = 'INSERT' AND new_values ->> 'phone' = '+447700900444'",
    )
    assert staff == "Priya@DESK-1"


def test_a_booking_fills_a_known_guests_blanks(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    sam = desk.create_customer("Sam Dobson", phone="07700 900333")
    result = desk.book(
        _request(
            demo_conn,
            night,
            customer_name="S. Dobson",
            phone="07700 900333",
            email="sam@example.com",
            date_of_birth=date(1991, 7, 1),
        )
    )
    owner = scalar(demo_conn, "SELECT customer_id FROM bookings WHERE id = %s", [result.booking_id])
    assert owner == sam.id
    assert _guest(demo_conn, sam.id)[:4] == (
        "Sam Dobson",  # the name we have is kept
        "+447700900333",
        "sam@example.com",
        date(1991, 7, 1),
    )


def test_a_chosen_customer_is_booked_as_they_are(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    sam = desk.create_customer("Sam Dobson", phone="07700 900333")
    before = _guest(demo_conn, sam.id)
    desk.book(
        _request(
            demo_conn,
            night,
            customer_id=sam.id,
            customer_name=None,
            phone=None,
            date_of_birth=date(2015, 1, 1),  # typed, but not this guest's
        )
    )
    assert _guest(demo_conn, sam.id) == before
