"""Spend against the minimum (record_spend): who may record what, refusals that
write nothing, the trail, and what the night plan and summary say of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from frontdesk.desk import parse_night_plan
from frontdesk.plan import DepositStatus
from tests import logins
from tests.clock import EngineClock, on_night
from tests.core.desk_helpers import VENUE, Conn, counts, insert_booking, one, quiet_friday, scalar

LoginUrl = Callable[[str, str | None], str]
PINS = {"Priya": "2468", "Sam": "1357"}


@pytest.fixture
def night(demo_conn: Conn) -> date:
    return quiet_friday(demo_conn)


@pytest.fixture
def desk_as(
    demo_db_url: str, demo_conn: Conn, login_url: LoginUrl, engine_clock: EngineClock, night: date
) -> Iterator[Callable[..., Conn]]:
    """Connections of a desk's login, signed in as someone (None: nobody),
    with the engine's clock on the night's evening."""
    engine_clock.set(demo_db_url, on_night(night, "22:30"), demo_conn)
    url = login_url(demo_db_url, "desk")
    with ExitStack() as stack:

        def make(name: str | None, terminal: str = "DESK-1") -> Conn:
            conn = stack.enter_context(psycopg.connect(url, autocommit=True))
            if name is None:
                conn.execute("SELECT set_config('frontdesk.terminal', %s, false)", [terminal])
            else:
                logins.sign_in(conn, VENUE, name, PINS[name], terminal)
            return conn

        yield make


def spend(conn: Conn, booking: Any, amount: Any, note: str | None = None) -> tuple[Any, ...]:
    return one(conn, "SELECT * FROM record_spend(%s, %s, %s)", [booking, amount, note])


def spend_rows(conn: Conn) -> int:
    value: int = scalar(conn, "SELECT count(*) FROM booking_spend")
    return value


def test_a_host_records_spend_and_the_total_grows(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    priya = desk_as("Priya")
    assert spend(priya, booking, Decimal("45.50"), "Two bottles") == (
        True,
        None,
        None,
        Decimal("45.50"),
    )
    assert spend(priya, booking, "12")[3] == Decimal("57.50")
    staff, terminal, note, source = one(
        demo_conn,
        "SELECT st.name, s.terminal, s.note, s.source FROM booking_spend s "
        "JOIN staff st ON st.id = s.staff_id WHERE s.booking_id = %s ORDER BY s.created_at, "
        "s.amount DESC LIMIT 1",
        [booking],
    )
    assert (staff, terminal, note, source) == ("Priya", "DESK-1", "Two bottles", "desk")


def test_spend_is_audited_and_goes_out_on_the_feed(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    demo_conn.execute("DELETE FROM change_outbox")
    assert spend(desk_as("Priya"), booking, Decimal("80"))[0]
    who, amount = one(
        demo_conn,
        "SELECT staff_name, new_values ->> 'amount' FROM audit_logs "
        "WHERE table_name = 'booking_spend' AND record_id = %s",
        [booking],
    )
    assert (who, Decimal(amount)) == ("Priya", Decimal("80"))
    kind, tables = one(
        demo_conn, "SELECT kind, table_ids FROM change_outbox WHERE booking_id = %s", [booking]
    )
    booth3 = scalar(demo_conn, "SELECT id FROM venue_tables WHERE name = 'Booth 3'")
    assert (kind, tables) == ("spend", [booth3])


def test_nobody_signed_in_records_nothing(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    before = counts(demo_conn), spend_rows(demo_conn)
    ok, code, _message, total = spend(desk_as(None), booking, Decimal("10"))
    assert (ok, code, total) == (False, "NOT_SIGNED_IN", None)
    assert (counts(demo_conn), spend_rows(demo_conn)) == before


def test_a_correction_is_a_managers_and_never_below_nothing(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    priya, sam = desk_as("Priya"), desk_as("Sam", "OFFICE")
    assert spend(priya, booking, Decimal("60"))[0]
    ok, code, message, total = spend(priya, booking, Decimal("-20"))
    assert (ok, code, total) == (False, "NOT_ALLOWED", Decimal("60"))
    assert "manager" in message
    assert spend(sam, booking, Decimal("-20"), "Rang up twice") == (True, None, None, Decimal("40"))
    before = spend_rows(demo_conn)
    ok, code, message, total = spend(sam, booking, Decimal("-40.01"))
    assert (ok, code, total) == (False, "SPEND_BELOW_ZERO", Decimal("40"))
    assert "40.00" in message
    assert spend_rows(demo_conn) == before
    assert spend(sam, booking, Decimal("-40"))[3] == Decimal("0")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal(0), "SPEND_ZERO"),
        (None, "SPEND_INVALID"),
        (Decimal("NaN"), "SPEND_INVALID"),
        ("Infinity", "SPEND_INVALID"),
        ("-Infinity", "SPEND_INVALID"),
        (Decimal("12.345"), "SPEND_INVALID"),
        (Decimal("100000.01"), "SPEND_TOO_LARGE"),
        (Decimal("1e300"), "SPEND_TOO_LARGE"),
        (Decimal("-1e300"), "SPEND_TOO_LARGE"),
    ],
    ids=["zero", "null", "nan", "inf", "-inf", "pence", "over", "huge", "-huge"],
)
def test_unusable_amounts_are_refused_and_write_nothing(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date, amount: Any, code: str
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    priya = desk_as("Priya")
    before = counts(demo_conn), spend_rows(demo_conn)
    ok, got, message, total = spend(priya, booking, amount)
    assert (ok, got, total) == (False, code, Decimal(0))
    assert message
    assert (counts(demo_conn), spend_rows(demo_conn)) == before


def test_pence_written_with_trailing_zeros_are_fine(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    assert spend(desk_as("Priya"), booking, Decimal("12.500"))[3] == Decimal("12.50")


def test_an_unknown_or_closed_booking_takes_no_spend(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    priya = desk_as("Priya")
    row = one(priya, "SELECT * FROM record_spend(gen_random_uuid(), 10)")
    assert row[:2] == (False, "UNKNOWN_BOOKING")
    assert one(priya, "SELECT * FROM record_spend(NULL, NULL, NULL)")[:2] == (
        False,
        "UNKNOWN_BOOKING",
    )
    for status in ("cancelled", "no_show"):
        booking = insert_booking(demo_conn, ["Booth 4"], night, "22:00", "00:30", status=status)
        before = spend_rows(demo_conn)
        ok, code, message, _total = spend(priya, booking, Decimal("10"))
        assert (ok, code) == (False, "BOOKING_NOT_ACTIVE")
        assert "no spend" in message
        assert spend_rows(demo_conn) == before


def test_a_long_note_is_refused(desk_as: Callable[..., Conn], demo_conn: Conn, night: date) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    assert spend(desk_as("Priya"), booking, Decimal("5"), "x" * 501)[:2] == (
        False,
        "INVALID_INPUT",
    )


def test_the_night_plan_and_summary_carry_the_money(
    desk_as: Callable[..., Conn], demo_conn: Conn, night: date
) -> None:
    # Booth 3: minimum 150, deposit 50 paid, 120 spent: achieved 150 (capped), over by 20.
    # Booth 4: minimum 150, deposit 50 due, 30 spent: achieved 30.
    over = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    short = insert_booking(demo_conn, ["Booth 4"], night, "22:00", "00:30", status="seated")
    demo_conn.execute(
        "UPDATE bookings SET deposit_status = 'paid', deposit_reference = 'pi_1' WHERE id = %s",
        [over],
    )
    priya = desk_as("Priya")
    spend(priya, over, Decimal("120"))
    spend(priya, short, Decimal("30"))
    plan = parse_night_plan(
        scalar(priya, "SELECT night_plan(%s, %s)", [VENUE, night])  # a host may read it
    )
    bookings = {b.id: b for b in plan.bookings}
    assert (bookings[over].spend_total, bookings[over].deposit_status) == (
        Decimal(120),
        DepositStatus.PAID,
    )
    assert bookings[over].deposit_reference == "pi_1"
    assert (bookings[over].achieved, bookings[over].balance) == (Decimal(170), Decimal(0))
    assert (bookings[short].achieved, bookings[short].balance) == (Decimal(30), Decimal(120))
    assert plan.closes_at is not None
    assert plan.spend_flag_from == plan.closes_at - timedelta(minutes=60)
    total = one(
        priya,
        "SELECT min_spend, min_spend_achieved, spend FROM night_summary(%s, %s) "
        "WHERE floor_name = 'All floors'",
        [VENUE, night],
    )
    assert total == (Decimal(300), Decimal(180), Decimal(150))
    # The engine's own sum, against direct SQL.
    direct = scalar(
        demo_conn,
        "SELECT sum(least(b.total_min_spend, CASE WHEN b.deposit_status = 'paid' "
        "THEN b.total_deposit ELSE 0 END + coalesce((SELECT sum(amount) FROM booking_spend s "
        "WHERE s.booking_id = b.id), 0))) FROM bookings b WHERE b.night = %s "
        "AND b.status NOT IN ('cancelled', 'no_show')",
        [night],
    )
    assert total[1] == direct
