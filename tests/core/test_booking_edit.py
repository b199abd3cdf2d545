"""A booking's details after it is made: update_booking_details and booking_details.

The occasion, requests, payment reference and source are replaced through
the engine (audited, on the change feed as 'updated'); input is checked as
every booking path checks it; a refusal writes nothing.  Run as the
database's owner (the desk's grant is docs/grants.md's business).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from uuid import UUID, uuid4

import psycopg
import pytest

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import Refused
from tests import clock
from tests.clock import EngineClock
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    counts,
    insert_booking,
    one,
    quiet_friday,
    scalar,
)


@pytest.fixture
def desk(demo_db_url: str) -> Iterator[Desk]:
    db = Database(demo_db_url, staff=StaffContext("DESK-1", "Priya", uuid4()))
    yield Desk(db, VENUE)
    db.close()


def _booking(conn: Conn) -> UUID:
    return insert_booking(conn, ["Booth 3"], quiet_friday(conn), "22:00", "00:30")


def _details(conn: Conn, booking: UUID) -> tuple[object, ...]:
    return one(
        conn,
        "SELECT special_requests, occasion, stripe_payment_intent_id, source FROM bookings "
        "WHERE id = %s",
        [booking],
    )


def test_the_details_are_replaced_audited_and_told(demo_conn: Conn, desk: Desk) -> None:
    booking = _booking(demo_conn)
    before = scalar(demo_conn, "SELECT max(id) FROM audit_logs")
    desk.update_booking_details(
        booking,
        special_requests="  Near the DJ  ",
        occasion="Birthday",
        payment_ref="pi_3PXq",
        source="phone",
    )
    assert _details(demo_conn, booking) == ("Near the DJ", "Birthday", "pi_3PXq", "phone")
    audited = one(
        demo_conn,
        "SELECT operation, old_values->>'occasion', new_values->>'occasion', "
        "new_values->>'special_requests', new_values->>'source' FROM audit_logs "
        "WHERE id > %s AND table_name = 'bookings' AND record_id = %s",
        [before, booking],
    )
    assert audited == ("UPDATE", None, "Birthday", "Near the DJ", "phone")
    kinds = scalar(
        demo_conn,
        "SELECT array_agg(kind) FROM change_outbox WHERE booking_id = %s AND kind = 'updated'",
        [booking],
    )
    assert kinds == ["updated"]


def test_blank_clears_and_no_source_keeps_it(demo_conn: Conn, desk: Desk) -> None:
    booking = _booking(demo_conn)
    desk.update_booking_details(
        booking, special_requests="Cake", occasion="Birthday", payment_ref="pi_1", source="phone"
    )
    desk.update_booking_details(booking, special_requests=" ", occasion=None, payment_ref="")
    assert _details(demo_conn, booking) == (None, None, None, "phone")


def test_the_same_details_again_write_nothing(demo_conn: Conn, desk: Desk) -> None:
    booking = _booking(demo_conn)
    desk.update_booking_details(
        booking, special_requests="Cake", occasion=None, payment_ref=None, source="desk"
    )
    written = counts(demo_conn)
    desk.update_booking_details(
        booking, special_requests="Cake", occasion=None, payment_ref=None, source="desk"
    )
    assert counts(demo_conn) == written


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("special_requests", "x" * 1001, "The special requests are too long"),
        ("occasion", "x" * 101, "The occasion is too long"),
        ("payment_ref", "x" * 101, "The payment reference is too long"),
        ("source", "fax", 'There is no booking source "fax"'),
    ],
)
def test_unusable_input_is_refused_and_writes_nothing(
    demo_conn: Conn, desk: Desk, field: str, value: str, message: str
) -> None:
    booking = _booking(demo_conn)
    written = counts(demo_conn)
    fields: dict[str, str | None] = {
        "special_requests": None,
        "occasion": None,
        "payment_ref": None,
        "source": None,
        field: value,
    }
    with pytest.raises(Refused) as refused:
        desk.update_booking_details(booking, **fields)
    assert refused.value.code == "INVALID_INPUT"
    assert refused.value.message.startswith(message)
    assert counts(demo_conn) == written


def test_an_unknown_booking(desk: Desk) -> None:
    with pytest.raises(Refused) as refused:
        desk.update_booking_details(
            uuid4(), special_requests=None, occasion="Birthday", payment_ref=None
        )
    assert refused.value.code == "UNKNOWN_BOOKING"
    with pytest.raises(Refused) as refused:
        desk.booking_details(uuid4())
    assert refused.value.code == "UNKNOWN_BOOKING"


def test_a_session_that_has_ended_is_refused(demo_conn: Conn) -> None:
    # The owner is trusted without a session, but a token it carries is
    # checked all the same: a dead one writes nothing.
    booking = _booking(demo_conn)
    written = counts(demo_conn)
    with demo_conn.transaction():
        demo_conn.execute("SELECT set_config('frontdesk.session', 'no-such-token', true)")
        row = one(
            demo_conn,
            "SELECT * FROM update_booking_details(%s, 'Cake', NULL, NULL, NULL)",
            [booking],
        )
    assert row[:2] == (False, "NOT_SIGNED_IN")
    assert counts(demo_conn) == written


def test_a_past_nights_details_can_still_be_fixed(
    demo_db_url: str, demo_conn: Conn, desk: Desk, engine_clock: EngineClock
) -> None:
    booking = _booking(demo_conn)
    night: date = scalar(demo_conn, "SELECT night FROM bookings WHERE id = %s", [booking])
    engine_clock.set(demo_db_url, clock.on_night(night + timedelta(days=2), "22:00"), demo_conn)
    desk.update_booking_details(booking, special_requests=None, occasion=None, payment_ref="pi_9")
    assert _details(demo_conn, booking)[2] == "pi_9"


def test_a_booking_held_by_another_transaction_is_busy(
    demo_db_url: str, demo_conn: Conn, desk: Desk
) -> None:
    booking = _booking(demo_conn)
    with psycopg.connect(demo_db_url) as other:
        other.execute("SELECT 1 FROM bookings WHERE id = %s FOR UPDATE", [booking])
        with pytest.raises(Refused) as refused:
            desk.update_booking_details(
                booking, special_requests="x", occasion=None, payment_ref=None
            )
        other.rollback()
    assert refused.value.code == "BUSY"
    assert "being changed at another desk" in refused.value.message


def test_the_details_read_fresh_with_the_guests(demo_conn: Conn, desk: Desk) -> None:
    booking = _booking(demo_conn)
    customer = scalar(demo_conn, "SELECT customer_id FROM bookings WHERE id = %s", [booking])
    demo_conn.execute(
        "UPDATE customers SET date_of_birth = '1990-02-14', notes = 'Nut allergy' WHERE id = %s",
        [customer],
    )
    desk.update_booking_details(booking, special_requests="Cake", occasion=None, payment_ref=None)
    details = desk.booking_details(booking)
    assert details.customer_id == customer
    assert (details.date_of_birth, details.notes) == (date(1990, 2, 14), "Nut allergy")
    assert (details.special_requests, details.source) == ("Cake", "desk")
    name = scalar(demo_conn, "SELECT name FROM customers WHERE id = %s", [customer])
    assert details.name == name
