"""set_booking_status: the allowed transitions, refusals that write nothing."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from frontdesk.desk import parse_night_plan
from frontdesk.plan import Status
from tests.clock import on_night, set_session_clock
from tests.core.desk_helpers import Conn, counts, insert_booking, one, quiet_friday, scalar

#: The product's rule: pending -> confirmed -> arrived -> seated -> completed;
#: cancelled and no-show from the open states (pending, confirmed, arrived).
NEXT_STATUSES: dict[Status, tuple[Status, ...]] = {
    Status.PENDING: (Status.CONFIRMED, Status.ARRIVED, Status.CANCELLED, Status.NO_SHOW),
    Status.CONFIRMED: (Status.ARRIVED, Status.SEATED, Status.CANCELLED, Status.NO_SHOW),
    Status.ARRIVED: (Status.SEATED, Status.CANCELLED, Status.NO_SHOW),
    Status.SEATED: (Status.COMPLETED,),
    Status.COMPLETED: (),
    Status.CANCELLED: (),
    Status.NO_SHOW: (),
}
ALLOWED = [(a, b) for a, nexts in NEXT_STATUSES.items() for b in nexts]
REFUSED = [(a, b) for a in Status for b in Status if b not in NEXT_STATUSES[a]]


def on_the_night(conn: Conn, night: date) -> None:
    """The engine's clock on this connection at the evening of ``night``:
    arrived, seated, completed and no-show are only for the night in progress."""
    set_session_clock(conn, on_night(night, "19:30"))


def test_the_night_plan_sends_the_engines_transitions(demo_conn: Conn) -> None:
    # The app offers what the night plan says; the engine enforces the same table.
    night = quiet_friday(demo_conn)
    on_the_night(demo_conn, night)
    data = scalar(demo_conn, "SELECT night_plan(id, %s) FROM venues LIMIT 1", [night])
    plan = parse_night_plan(data)
    assert {s: plan.next_statuses(s) for s in Status} == NEXT_STATUSES


def _status(conn: Conn, booking: object) -> str:
    value: str = scalar(conn, "SELECT status FROM bookings WHERE id = %s", [booking])
    return value


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=[f"{a}-{b}" for a, b in ALLOWED])
def test_each_allowed_transition_changes_the_status(
    demo_conn: Conn, old: Status, new: Status
) -> None:
    night = quiet_friday(demo_conn)
    on_the_night(demo_conn, night)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status=old.value)
    row = one(demo_conn, "SELECT * FROM set_booking_status(%s, %s)", [booking, new.value])
    assert row == (True, None, None, old.value)
    assert _status(demo_conn, booking) == new.value
    active = scalar(
        demo_conn,
        "SELECT bool_and(is_active) FROM booking_tables WHERE booking_id = %s",
        [booking],
    )
    assert active is new.holds_table


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{a}-{b}" for a, b in REFUSED])
def test_refused_transitions_write_nothing(demo_conn: Conn, old: Status, new: Status) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status=old.value)
    reference = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [booking])
    before = counts(demo_conn)
    ok, code, message, was = one(
        demo_conn, "SELECT * FROM set_booking_status(%s, %s)", [booking, new.value]
    )
    assert (ok, code, was) == (False, "INVALID_TRANSITION", old.value)
    assert reference in message
    if old is new:
        assert "already" in message
    else:
        assert "can't be marked" in message
    assert _status(demo_conn, booking) == old.value
    assert counts(demo_conn) == before


def test_the_refusal_reads_like_a_host_would_say_it(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="completed")
    reference = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [booking])
    row = one(demo_conn, "SELECT * FROM set_booking_status(%s, 'arrived')", [booking])
    assert row[2] == f"Booking {reference} is completed; it can't be marked arrived."
    row = one(demo_conn, "SELECT * FROM set_booking_status(%s, 'no_show')", [booking])
    assert row[2] == f"Booking {reference} is completed; it can't be marked a no-show."


def test_unknown_booking_and_unknown_status_are_refusals(demo_conn: Conn) -> None:
    before = counts(demo_conn)
    row = one(demo_conn, "SELECT * FROM set_booking_status(gen_random_uuid(), 'seated')")
    assert row[:2] == (False, "UNKNOWN_BOOKING")
    booking = insert_booking(demo_conn, ["Booth 3"], quiet_friday(demo_conn), "22:00", "00:30")
    before = counts(demo_conn)
    row = one(demo_conn, "SELECT * FROM set_booking_status(%s, 'partying')", [booking])
    assert row[:2] == (False, "INVALID_TRANSITION")
    row = one(demo_conn, "SELECT * FROM set_booking_status(%s, NULL)", [booking])
    assert row[:2] == (False, "INVALID_TRANSITION")
    assert counts(demo_conn) == before


@pytest.mark.parametrize("freeing", ["cancelled", "no_show"])
def test_cancel_and_no_show_free_the_table(demo_conn: Conn, freeing: str) -> None:
    night = quiet_friday(demo_conn)
    on_the_night(demo_conn, night)
    first = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    with pytest.raises(psycopg.errors.ExclusionViolation), demo_conn.transaction():
        insert_booking(demo_conn, ["Booth 3"], night, "23:00", "01:00")
    assert one(demo_conn, "SELECT * FROM set_booking_status(%s, %s)", [first, freeing])[0]
    second = insert_booking(demo_conn, ["Booth 3"], night, "23:00", "01:00")
    assert _status(demo_conn, second) == "confirmed"


def test_completed_keeps_the_table_for_its_booked_time(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    on_the_night(demo_conn, night)
    first = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    assert one(demo_conn, "SELECT * FROM set_booking_status(%s, 'completed')", [first])[0]
    with pytest.raises(psycopg.errors.ExclusionViolation), demo_conn.transaction():
        insert_booking(demo_conn, ["Booth 3"], night, "23:00", "01:00")
