"""Statuses on the night, and putting a mistaken one back (revert_status).

Arrived, seated, completed and no-show are the night's statuses: the engine
accepts them only while the booking's night is in progress (from two hours
before opening to six after closing), whatever the client.  A mistaken
status goes back through revert_status: by the person who set it within
ten minutes, by a manager at any time, audited.  Times come from the
engine's clock (tests/clock.py), never from the real hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import Refused
from frontdesk.plan import Status
from tests import logins
from tests.clock import EngineClock, on_night, set_session_clock
from tests.core.desk_helpers import VENUE, Conn, counts, insert_booking, one, quiet_friday, scalar

NIGHT_STATUSES = ["arrived", "seated", "completed", "no_show"]
#: From each night status's test booking status: one step before it.
BEFORE = {
    "arrived": "confirmed",
    "seated": "arrived",
    "completed": "seated",
    "no_show": "confirmed",
}


@pytest.fixture
def staff(demo_db_url: str) -> Iterator[dict[str, Conn]]:
    """Superuser connections carrying Priya's (host), Alex's (host) and
    Sam's (manager) sessions, at the engine's clock of each test."""
    conns = {
        name: psycopg.connect(demo_db_url, autocommit=True) for name in ("Priya", "Alex", "Sam")
    }
    yield conns
    for conn in conns.values():
        conn.close()


def sign_in_all(staff: dict[str, Conn], instant: datetime) -> None:
    pins = {"Priya": "2468", "Alex": "3579", "Sam": "1357"}
    for name, conn in staff.items():
        set_session_clock(conn, instant)
        logins.sign_in(conn, VENUE, name, pins[name], f"DESK-{name}")


def window(conn: Conn, night: date) -> tuple[datetime, datetime]:
    row = one(
        conn, "SELECT lower(w), upper(w) FROM private.fd_status_window(%s, %s) w", [VENUE, night]
    )
    return row[0], row[1]


def set_status(conn: Conn, booking: UUID, status: str) -> tuple[Any, ...]:
    return one(conn, "SELECT * FROM set_booking_status(%s, %s)", [booking, status])


def revert(conn: Conn, booking: UUID) -> tuple[Any, ...]:
    return one(conn, "SELECT * FROM revert_status(%s)", [booking])


def status_of(conn: Conn, booking: UUID) -> str:
    value: str = scalar(conn, "SELECT status FROM bookings WHERE id = %s", [booking])
    return value


# ---- when --------------------------------------------------------------------


def test_the_window_runs_from_two_hours_before_opening_to_six_after_close(
    demo_conn: Conn,
) -> None:
    night = quiet_friday(demo_conn)
    opens, closes = one(
        demo_conn, "SELECT lower(s), upper(s) FROM private.fd_night_span(%s, %s) s", [VENUE, night]
    )
    assert window(demo_conn, night) == (opens - timedelta(hours=2), closes + timedelta(hours=6))


@pytest.mark.parametrize("status", NIGHT_STATUSES)
def test_the_nights_statuses_are_refused_before_the_night(demo_conn: Conn, status: str) -> None:
    # Monday, for Friday's booking: refused with a sentence saying when.
    night = quiet_friday(demo_conn)
    set_session_clock(demo_conn, on_night(night - timedelta(days=4), "14:00"))
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status=BEFORE[status])
    reference = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [booking])
    before = counts(demo_conn)
    ok, code, message, was = set_status(demo_conn, booking, status)
    assert (ok, code, was) == (False, "NOT_TONIGHT", BEFORE[status])
    assert message.startswith(f"Booking {reference} is for ")
    assert "only while that night is on, from 19:00 that evening until 10:00" in message
    assert status_of(demo_conn, booking) == BEFORE[status]
    assert counts(demo_conn) == before


@pytest.mark.parametrize("status", ["confirmed", "cancelled"])
def test_confirming_and_cancelling_are_for_any_night(demo_conn: Conn, status: str) -> None:
    night = quiet_friday(demo_conn)
    set_session_clock(demo_conn, on_night(night - timedelta(days=4), "14:00"))
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="pending")
    assert set_status(demo_conn, booking, status)[:2] == (True, None)


def test_the_nights_statuses_are_accepted_inside_the_window_only(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    first, last = window(demo_conn, night)
    minute = timedelta(minutes=1)
    cases = [(first - minute, False), (first, True), (last - minute, True), (last, False)]
    tables = ["Booth 3", "Booth 4", "Booth 5", "Booth 6"]
    bookings = [insert_booking(demo_conn, [t], night, "22:00", "00:30") for t in tables]
    for booking, (instant, accepted) in zip(bookings, cases, strict=True):
        set_session_clock(demo_conn, instant)
        row = set_status(demo_conn, booking, "arrived")
        assert row[0] is accepted, (instant, row)


def test_the_night_plans_transitions_follow_the_window(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    query = "SELECT private.fd_status_transitions_json(%s, %s)::jsonb"
    set_session_clock(demo_conn, on_night(night - timedelta(days=4), "14:00"))
    early = scalar(demo_conn, query, [VENUE, night])
    assert early["confirmed"] == ["cancelled"]
    assert early["pending"] == ["confirmed", "cancelled"]
    assert early["seated"] == []
    set_session_clock(demo_conn, on_night(night, "22:30"))
    on = scalar(demo_conn, query, [VENUE, night])
    assert on["confirmed"] == ["arrived", "seated", "cancelled", "no_show"]
    assert on["seated"] == ["completed"]


# ---- putting a status back ---------------------------------------------------------


def no_show_by(conn: Conn, staff: dict[str, Conn], night: date, who: str = "Priya") -> UUID:
    booking = insert_booking(conn, ["Booth 3"], night, "22:00", "00:30")
    assert set_status(staff[who], booking, "no_show")[:2] == (True, None)
    return booking


def test_the_host_puts_her_own_no_show_back_and_it_is_audited(
    demo_conn: Conn, staff: dict[str, Conn]
) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "22:40"))
    booking = no_show_by(demo_conn, staff, night)
    assert not scalar(
        demo_conn, "SELECT bool_or(is_active) FROM booking_tables WHERE booking_id = %s", [booking]
    )
    assert revert(staff["Priya"], booking) == (True, None, None, "confirmed")
    assert status_of(demo_conn, booking) == "confirmed"
    assert scalar(
        demo_conn, "SELECT bool_and(is_active) FROM booking_tables WHERE booking_id = %s", [booking]
    )
    trail = demo_conn.execute(
        "SELECT old_values ->> 'status', new_values ->> 'status', staff_name FROM audit_logs "
        "WHERE record_id = %s AND table_name = 'bookings' AND operation = 'UPDATE' ORDER BY id",
        [booking],
    ).fetchall()
    assert trail[-2:] == [("confirmed", "no_show", "Priya"), ("no_show", "confirmed", "Priya")]


def test_a_correction_is_not_corrected_again(demo_conn: Conn, staff: dict[str, Conn]) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "22:40"))
    booking = no_show_by(demo_conn, staff, night)
    assert revert(staff["Priya"], booking)[0]
    before = counts(demo_conn)
    ok, code, message, now = revert(staff["Sam"], booking)
    assert (ok, code, now) == (False, "NOTHING_TO_REVERT", "confirmed")
    assert "already put back to confirmed" in message
    assert counts(demo_conn) == before
    # a new status is a transition again, and can be put back again
    assert set_status(staff["Priya"], booking, "arrived")[0]
    assert revert(staff["Priya"], booking)[:2] == (True, None)


def test_a_booking_never_changed_has_nothing_to_put_back(
    demo_conn: Conn, staff: dict[str, Conn]
) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "22:40"))
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    assert revert(staff["Sam"], booking)[:2] == (False, "NOTHING_TO_REVERT")
    assert revert(staff["Sam"], UUID(int=7))[:2] == (False, "UNKNOWN_BOOKING")


def test_another_host_may_not_put_it_back_a_manager_may(
    demo_conn: Conn, staff: dict[str, Conn]
) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "22:40"))
    booking = no_show_by(demo_conn, staff, night)
    ok, code, message, now = revert(staff["Alex"], booking)
    assert (ok, code, now) == (False, "NOT_ALLOWED", "no_show")
    assert message.startswith("Priya marked booking ")
    assert "only they (within 10 minutes) or a manager" in message
    assert revert(staff["Sam"], booking) == (True, None, None, "confirmed")


def test_after_ten_minutes_only_a_manager_may(demo_conn: Conn, staff: dict[str, Conn]) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "22:40"))
    booking = no_show_by(demo_conn, staff, night)
    # the audit's time is the transaction's: eleven minutes ago, as written
    demo_conn.execute(
        "UPDATE audit_logs SET changed_at = changed_at - interval '11 minutes' "
        "WHERE record_id = %s",
        [booking],
    )
    ok, code, message, _now = revert(staff["Priya"], booking)
    assert (ok, code) == (False, "NOT_ALLOWED")
    assert "more than 10 minutes ago; only a manager" in message
    assert revert(staff["Sam"], booking)[:2] == (True, None)


def test_a_no_show_whose_table_was_taken_stays_a_no_show(
    demo_conn: Conn, staff: dict[str, Conn]
) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "22:40"))
    booking = no_show_by(demo_conn, staff, night)
    insert_booking(demo_conn, ["Booth 3"], night, "23:00", "01:00", customer=1)
    before = counts(demo_conn)
    ok, code, message, now = revert(staff["Priya"], booking)
    assert (ok, code, now) == (False, "TABLE_UNAVAILABLE", "no_show")
    assert "Booth 3" in message
    assert counts(demo_conn) == before


def test_a_cancellation_can_be_put_back_and_a_completion_too(
    demo_conn: Conn, staff: dict[str, Conn]
) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "23:30"))
    cancelled = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    assert set_status(staff["Priya"], cancelled, "cancelled")[0]
    assert revert(staff["Priya"], cancelled) == (True, None, None, "confirmed")
    seated = insert_booking(demo_conn, ["Booth 4"], night, "22:00", "00:30", status="seated")
    assert set_status(staff["Priya"], seated, "completed")[0]
    assert revert(staff["Priya"], seated) == (True, None, None, "seated")


def test_nobody_signed_in_may_not_put_anything_back(
    demo_conn: Conn, staff: dict[str, Conn], demo_db_url: str, login_url: Any
) -> None:
    night = quiet_friday(demo_conn)
    sign_in_all(staff, on_night(night, "22:40"))
    booking = no_show_by(demo_conn, staff, night)
    with psycopg.connect(login_url(demo_db_url, "desk"), autocommit=True) as desk:
        assert revert(desk, booking)[:2] == (False, "NOT_SIGNED_IN")
    assert status_of(demo_conn, booking) == "no_show"


def test_the_desk_puts_a_status_back(
    demo_conn: Conn, demo_db_url: str, engine_clock: EngineClock
) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    engine_clock.set(demo_db_url, on_night(night, "22:40"))
    db = Database(demo_db_url, staff=StaffContext(terminal="DESK-1", staff_name="Priya"))
    try:
        desk = Desk.first_venue(db, wait=lambda _s: None)
        desk.sign_in("Priya", "2468")
        assert desk.set_status(booking, Status.NO_SHOW) is Status.CONFIRMED
        assert desk.revert_status(booking) is Status.CONFIRMED
        with pytest.raises(Refused) as refused:
            desk.revert_status(booking)
        assert refused.value.code == "NOTHING_TO_REVERT"
    finally:
        db.close()
