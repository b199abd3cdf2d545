"""Who a booking is for: all or nothing, and never silently someone else.

A desk booking for a typed guest is one call and one transaction
(``desk_book`` matches or creates the guest): a refusal, whatever its code,
writes nothing but the attempt counter, leaves no new customer and changes
no known one.  A phone or email that is another guest's is refused
(CONTACT_BELONGS_TO_OTHER) on every path: the desk, the website's
create_booking_atomic and match_or_create_customer.
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
from tests.core.engine_helpers import (
    ADULT_EMAIL,
    ADULT_PHONE,
    Row,
    Venue,
    create_booking,
    snapshot,
)
from tests.core.engine_helpers import Conn as EngineConn

#: Oliver Green, one of the demo's guests (sql/demo.sql, i = 21).
OLIVER_PHONE = "07700 910777"
OLIVER_EMAIL = "oliver.green21@example.com"


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


def _row(conn: EngineConn, query: str, params: Any = None) -> Row:
    """One row of the engine's test database (dict rows)."""
    row: Row | None = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row


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


# --- a contact that is someone else's ----------------------------------------------


def test_another_guests_phone_is_refused_in_words(desk: Desk, demo_conn: Conn) -> None:
    """Tried as a new host would: a "new guest" with Oliver Green's number was
    booked, silently, as Oliver Green."""
    night = quiet_friday(demo_conn)
    oliver = scalar(demo_conn, "SELECT id FROM customers WHERE email = %s", [OLIVER_EMAIL])
    before, guest = counts(demo_conn), _guest(demo_conn, oliver)
    with pytest.raises(Refused) as caught:
        desk.book(
            _request(
                demo_conn,
                night,
                customer_name="Impostor Person",
                phone=OLIVER_PHONE,
                email="impostor@example.com",
                date_of_birth=date(2001, 1, 1),
            )
        )
    assert caught.value.code == "CONTACT_BELONGS_TO_OTHER"
    assert caught.value.message == "07700910777 is Oliver Green's number."
    assert counts(demo_conn) == before
    assert _guest(demo_conn, oliver) == guest


def test_another_guests_email_is_refused(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    with pytest.raises(Refused) as caught:
        desk.book(_request(demo_conn, night, customer_name="Impostor Person", email=OLIVER_EMAIL))
    assert caught.value.code == "CONTACT_BELONGS_TO_OTHER"
    assert caught.value.message == ("oliver.green21@example.com is Oliver Green's email address.")


def test_one_guests_email_with_anothers_phone_is_refused(desk: Desk, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    desk.create_customer("Sam Dobson", phone="07700 900333")
    before = counts(demo_conn)
    with pytest.raises(Refused) as caught:
        desk.book(
            _request(
                demo_conn,
                night,
                customer_name="Oliver Green",
                phone="07700 900333",
                email=OLIVER_EMAIL,
            )
        )
    assert caught.value.code == "CONTACT_BELONGS_TO_OTHER"
    assert caught.value.message == (
        "07700900333 is Sam Dobson's number and "
        "oliver.green21@example.com is Oliver Green's email address."
    )
    assert counts(demo_conn) == before


@pytest.mark.parametrize("name", ["Ollie Green", "oliver green", "O. Green", "Green, Oliver"])
def test_the_same_guest_however_the_desk_writes_the_name(
    desk: Desk, demo_conn: Conn, name: str
) -> None:
    night = quiet_friday(demo_conn)
    oliver = scalar(demo_conn, "SELECT id FROM customers WHERE email = %s", [OLIVER_EMAIL])
    customers = scalar(demo_conn, "SELECT count(*) FROM customers")
    result = desk.book(_request(demo_conn, night, customer_name=name, phone=OLIVER_PHONE))
    owner = scalar(demo_conn, "SELECT customer_id FROM bookings WHERE id = %s", [result.booking_id])
    assert owner == oliver
    assert scalar(demo_conn, "SELECT count(*) FROM customers") == customers
    assert _guest(demo_conn, oliver)[0] == "Oliver Green"


def test_the_website_is_refused_alike(conn: EngineConn, venue: Venue) -> None:
    before = snapshot(conn)
    row = create_booking(conn, venue, email=ADULT_EMAIL, name="Impostor Person")
    assert (row["success"], row["error_code"]) == (False, "CONTACT_BELONGS_TO_OTHER")
    assert row["error_message"] == "adult@example.com is Ada Adult's email address."
    assert snapshot(conn) == before
    attempt = _row(conn, "SELECT error_code FROM booking_attempts ORDER BY id DESC LIMIT 1")
    assert attempt["error_code"] == "CONTACT_BELONGS_TO_OTHER"


def test_the_website_with_two_guests_contacts_is_refused(conn: EngineConn, venue: Venue) -> None:
    conn.execute(
        "INSERT INTO customers (venue_id, name, phone) VALUES (%s, 'Phone Only', '+447700900555')",
        [venue.id],
    )
    before = snapshot(conn)
    row = create_booking(conn, venue, email=ADULT_EMAIL, phone="07700 900555", name="Ada Adult")
    assert row["error_code"] == "CONTACT_BELONGS_TO_OTHER"
    assert row["error_message"] == (
        "07700900555 is Phone Only's number and adult@example.com is Ada Adult's email address."
    )
    assert snapshot(conn) == before


def test_match_or_create_customer_is_refused_alike(conn: EngineConn, venue: Venue) -> None:
    before = snapshot(conn)
    row = _row(
        conn,
        "SELECT * FROM match_or_create_customer(%s, 'Impostor Person', %s, NULL, NULL)",
        [venue.id, ADULT_PHONE],
    )
    assert (row["success"], row["error_code"], row["error_message"]) == (
        False,
        "CONTACT_BELONGS_TO_OTHER",
        "07700900001 is Ada Adult's number.",
    )
    assert snapshot(conn) == before
    both = _row(
        conn,
        "SELECT * FROM match_or_create_customer(%s, 'Ada Adult', %s, %s, NULL)",
        [venue.id, ADULT_PHONE, ADULT_EMAIL],
    )
    assert (both["success"], both["id"]) == (True, venue.adult)


@pytest.mark.parametrize(
    ("typed", "stored", "same"),
    [
        ("Oliver Green", "Oliver Green", True),
        ("OLIVER GREEN", "Oliver Green", True),
        ("  oliver   green ", "Oliver Green", True),
        ("Zoë Brontë", "Zoe Bronte", True),
        ("ZOË BRONTË", "zoe bronte", True),
        ("Mary-Jane O'Neil", "Maryjane ONeil", True),
        ("Søren Kierkegaard", "Soren Kierkegaard", True),
        ("Ollie Green", "Oliver Green", True),  # the same surname
        ("O. Green", "Oliver Green", True),
        ("Green, Oliver", "Oliver Green", True),  # the other way round
        ("Oliver", "Oliver Green", True),  # one of the names alone
        ("Zara Okafor-Smith", "Zara Okafor Smith", True),
        ("Impostor Person", "Oliver Green", False),
        ("Oliver Smith", "Oliver Green", False),  # only the first name
        ("Whoever", "Ada Adult", False),
        ("Walk-in", "Ada Adult", False),
        (None, "Oliver Green", True),  # no name typed contradicts nobody
        ("", "Oliver Green", True),
    ],
)
def test_who_is_the_same_guest(
    conn: EngineConn, typed: str | None, stored: str, same: bool
) -> None:
    row = _row(conn, "SELECT private.fd_same_guest(%s, %s) AS same", [typed, stored])
    assert row["same"] is same
