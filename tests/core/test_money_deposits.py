"""Deposits with a status: set at booking, changed by who may, and the venue's
policy applied by the engine on a no-show or a cancellation (and put back
when that status is)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests import logins
from tests.clock import EngineClock, on_night, set_session_clock
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

LoginUrl = Callable[[str, str | None], str]
PINS = {"Priya": "2468", "Sam": "1357"}


@pytest.fixture
def night(demo_conn: Conn) -> date:
    return quiet_friday(demo_conn)


@pytest.fixture
def desk_as(
    demo_db_url: str, demo_conn: Conn, login_url: LoginUrl, engine_clock: EngineClock, night: date
) -> Iterator[Callable[..., Conn]]:
    engine_clock.set(demo_db_url, on_night(night, "22:30"), demo_conn)
    url = login_url(demo_db_url, "desk")
    with ExitStack() as stack:

        def make(name: str, terminal: str = "DESK-1") -> Conn:
            conn = stack.enter_context(psycopg.connect(url, autocommit=True))
            logins.sign_in(conn, VENUE, name, PINS[name], terminal)
            return conn

        yield make


def deposit(conn: Conn, booking: Any) -> tuple[str, str | None]:
    row = one(
        conn, "SELECT deposit_status, deposit_reference FROM bookings WHERE id = %s", [booking]
    )
    return row[0], row[1]


def paid(conn: Conn, booking: Any, reference: str = "pi_123") -> None:
    conn.execute(
        "UPDATE bookings SET deposit_status = 'paid', deposit_reference = %s WHERE id = %s",
        [reference, booking],
    )


def set_status(conn: Conn, booking: Any, status: str) -> None:
    row = one(conn, "SELECT * FROM set_booking_status(%s, %s)", [booking, status])
    assert row[0], row


# ---- at booking ----------------------------------------------------------


@pytest.mark.parametrize(
    ("payment", "expected"), [("pi_3PaidOnline", ("paid", "pi_3PaidOnline")), (None, ("due", None))]
)
def test_a_new_booking_is_paid_with_its_payment_else_due(
    demo_conn: Conn, night: date, payment: str | None, expected: tuple[str, str | None]
) -> None:
    demo_conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-1', false)")
    row = one(
        demo_conn,
        "SELECT success, booking_id FROM create_booking_atomic(%s, 'dep@example.com', "
        "'07700 900555', 'Dee Posit', %s, %s, '22:00', '00:30', 4, NULL, NULL, NULL, %s)",
        [VENUE, [table_id(demo_conn, "Booth 3")], night, payment],
    )
    assert row[0], row
    assert deposit(demo_conn, row[1]) == expected


def test_tables_that_ask_no_deposit_make_none(demo_conn: Conn, night: date) -> None:
    demo_conn.execute("UPDATE venue_tables SET deposit = 0 WHERE name = 'Booth 3'")
    row = one(
        demo_conn,
        "SELECT success, booking_id FROM desk_book(%s, NULL, %s, %s, %s, %s, 2, "
        "customer_name => 'No Deposit', customer_phone => '07700 900556')",
        [
            VENUE,
            [table_id(demo_conn, "Booth 3")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    assert row[0], row
    assert deposit(demo_conn, row[1]) == ("none", None)


# ---- set_deposit_status --------------------------------------------------


def test_a_host_takes_a_payment_with_its_reference(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    priya = desk_as("Priya")
    row = one(priya, "SELECT * FROM set_deposit_status(%s, 'paid')", [booking])
    assert row[:2] == (False, "DEPOSIT_REFERENCE")
    row = one(priya, "SELECT * FROM set_deposit_status(%s, 'paid', ' card 4417 ')", [booking])
    assert row == (True, None, None, "paid")
    assert deposit(demo_conn, booking) == ("paid", "card 4417")
    who = scalar(
        demo_conn,
        "SELECT staff_name FROM audit_logs WHERE record_id = %s AND operation = 'UPDATE' "
        "AND new_values ->> 'deposit_status' = 'paid'",
        [booking],
    )
    assert who == "Priya"


@pytest.mark.parametrize("status", ["refunded", "forfeited", "due"])
def test_refund_forfeit_and_undo_are_a_managers(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date, status: str
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    paid(demo_conn, booking)
    priya, sam = desk_as("Priya"), desk_as("Sam", "OFFICE")
    before = counts(demo_conn)
    row = one(priya, "SELECT * FROM set_deposit_status(%s, %s)", [booking, status])
    assert row[:2] == (False, "NOT_ALLOWED") and row[3] == "paid"
    assert counts(demo_conn) == before
    row = one(sam, "SELECT * FROM set_deposit_status(%s, %s)", [booking, status])
    assert row == (True, None, None, status)
    assert deposit(demo_conn, booking)[0] == status


@pytest.mark.parametrize(
    ("start", "status", "reference", "code"),
    [
        ("due", "refunded", None, "DEPOSIT_NOT_PAID"),
        ("due", "forfeited", None, "DEPOSIT_NOT_PAID"),
        ("due", "due", None, "DEPOSIT_UNCHANGED"),
        ("due", "none", None, "DEPOSIT_INVALID"),
        ("due", None, None, "DEPOSIT_INVALID"),
        ("due", "spent", None, "DEPOSIT_INVALID"),
        ("due", "paid", "x" * 201, "DEPOSIT_REFERENCE"),
        ("none", "paid", "pi_1", "NO_DEPOSIT"),
    ],
)
def test_deposit_refusals_write_nothing(
    desk_as: Callable[..., Conn],
    demo_conn: Conn,
    night: date,
    start: str,
    status: str | None,
    reference: str | None,
    code: str,
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    if start == "none":
        demo_conn.execute(
            "UPDATE bookings SET deposit_status = 'none', total_deposit = 0 WHERE id = %s",
            [booking],
        )
    sam = desk_as("Sam")
    before = counts(demo_conn)
    row = one(sam, "SELECT * FROM set_deposit_status(%s, %s, %s)", [booking, status, reference])
    assert row[:2] == (False, code)
    assert row[2]
    assert counts(demo_conn) == before
    unknown = one(sam, "SELECT * FROM set_deposit_status(gen_random_uuid(), 'paid', 'x')")
    assert unknown[:2] == (False, "UNKNOWN_BOOKING")


# ---- the venue's policy --------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"), [("forfeit", "forfeited"), ("refund", "refunded"), ("manual", "paid")]
)
def test_a_no_show_follows_the_policy(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date, rule: str, expected: str
) -> None:
    demo_conn.execute("UPDATE venues SET no_show_deposit = %s WHERE id = %s", [rule, VENUE])
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    paid(demo_conn, booking)
    set_status(desk_as("Priya"), booking, "no_show")
    assert deposit(demo_conn, booking) == (expected, "pi_123")


@pytest.mark.parametrize(
    ("hours_before", "expected"),
    [(49, "refunded"), (48, "refunded"), (47, "forfeited"), (2, "forfeited")],
)
def test_a_cancellation_is_refunded_in_good_time_else_late(
    demo_conn: Conn, night: date, hours_before: int, expected: str
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    paid(demo_conn, booking)
    set_session_clock(demo_conn, at(demo_conn, night, "22:00") - timedelta(hours=hours_before))
    set_status(demo_conn, booking, "cancelled")  # the owner's: the policy applies to any writer
    assert deposit(demo_conn, booking)[0] == expected


def test_the_late_cancellation_rule_and_notice_are_the_venues(demo_conn: Conn, night: date) -> None:
    demo_conn.execute(
        "UPDATE venues SET late_cancel_deposit = 'manual', free_cancel_hours = 2 WHERE id = %s",
        [VENUE],
    )
    early, late = (
        insert_booking(demo_conn, [t], night, "22:00", "00:30") for t in ("Booth 3", "Booth 4")
    )
    for booking in (early, late):
        paid(demo_conn, booking)
    starts = at(demo_conn, night, "22:00")
    set_session_clock(demo_conn, starts - timedelta(hours=2, minutes=30))
    set_status(demo_conn, early, "cancelled")
    set_session_clock(demo_conn, starts - timedelta(hours=1))
    set_status(demo_conn, late, "cancelled")
    assert [deposit(demo_conn, b)[0] for b in (early, late)] == ["refunded", "paid"]


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_an_unpaid_deposit_stays_as_it_was(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date, status: str
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    set_status(desk_as("Priya"), booking, status)
    assert deposit(demo_conn, booking) == ("due", None)


def test_a_plain_sql_writer_gets_the_policy_too(demo_conn: Conn, night: date) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    paid(demo_conn, booking)
    set_session_clock(demo_conn, on_night(night, "23:30"))
    demo_conn.execute("UPDATE bookings SET status = 'no_show' WHERE id = %s", [booking])
    assert deposit(demo_conn, booking)[0] == "forfeited"


def test_putting_a_no_show_back_puts_the_deposit_back(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    paid(demo_conn, booking)
    priya = desk_as("Priya")
    set_status(priya, booking, "no_show")
    assert deposit(demo_conn, booking)[0] == "forfeited"
    row = one(priya, "SELECT * FROM revert_status(%s)", [booking])
    assert row == (True, None, None, "confirmed")
    assert deposit(demo_conn, booking) == ("paid", "pi_123")


def test_a_managers_own_refund_after_the_no_show_is_not_undone(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    demo_conn.execute("UPDATE venues SET no_show_deposit = 'manual' WHERE id = %s", [VENUE])
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    paid(demo_conn, booking)
    sam = desk_as("Sam")
    set_status(sam, booking, "no_show")
    assert one(sam, "SELECT * FROM set_deposit_status(%s, 'refunded')", [booking])[0]
    assert one(sam, "SELECT * FROM revert_status(%s)", [booking])[0]
    assert deposit(demo_conn, booking)[0] == "refunded"


def test_a_payment_reference_added_later_pays_a_due_deposit(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    row = one(
        desk_as("Priya"),
        "SELECT * FROM update_booking_details(%s, NULL, NULL, 'pi_Later', 'phone')",
        [booking],
    )
    assert row[0], row
    assert deposit(demo_conn, booking) == ("paid", "pi_Later")
