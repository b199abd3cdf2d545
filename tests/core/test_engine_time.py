"""Nights past midnight and the two clock-change nights, measured in real instants.

Europe/London: on the last Sunday of March at 01:00 GMT clocks go to 02:00
BST (local 01:00-02:00 does not exist); on the last Sunday of October at
02:00 BST they go back to 01:00 GMT (local 01:00-02:00 happens twice), both
at 01:00 UTC.  The nights are the Saturdays before: the next ones after
today, found with zoneinfo (tests/clock.py).  The venue opens 21:00-04:00
and books 400 days ahead, so both are always bookable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import clock
from tests.core.engine_helpers import (
    Conn,
    Venue,
    create_booking,
    desk_book,
    instant,
    make_venue,
    move_booking,
)

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def venue(conn: Conn) -> Venue:
    return make_venue(conn, max_days_ahead=400)


@pytest.fixture
def changes(venue: Venue) -> clock.ClockChanges:
    """The venue's next clock-change nights, both within its booking window."""
    found = clock.clock_changes(venue.today, LONDON)
    for change in (found.spring_forward, found.fall_back):
        assert venue.today < change.night <= venue.today + timedelta(days=399)
        # the instants below are written for London's rule: 01:00 UTC on the Sunday
        assert change.at == _utc(change.night, 1)
        assert change.night.isoweekday() == 6
    return found


def _span(conn: Conn, booking_id: object) -> tuple[datetime, datetime]:
    row = conn.execute(
        "SELECT starts_at, ends_at FROM bookings WHERE id = %s", [booking_id]
    ).fetchone()
    assert row is not None
    return row["starts_at"], row["ends_at"]


def _utc(night: date, h: int, mi: int = 0) -> datetime:
    """``h:mi`` UTC on the morning after ``night`` (``h`` may be negative: the evening)."""
    morning = datetime.combine(night + timedelta(days=1), time(0), UTC)
    return morning + timedelta(hours=h, minutes=mi)


def test_a_friday_booking_past_midnight_ends_on_saturday(conn: Conn, venue: Venue) -> None:
    friday = venue.today + timedelta(days=7 + (4 - venue.today.weekday()) % 7)
    assert friday.isoweekday() == 5
    row = create_booking(conn, venue, night=friday, start="23:00", end="02:00")
    assert row["success"], row
    starts, ends = _span(conn, row["booking_id"])
    local_s, local_e = starts.astimezone(LONDON), ends.astimezone(LONDON)
    assert (local_s.date(), local_s.hour) == (friday, 23)
    assert (local_e.date(), local_e.hour) == (friday + timedelta(days=1), 2)
    assert ends - starts == timedelta(hours=3)
    # the same table at 01:00-03:00 that night clashes, and says so in local time
    clash = create_booking(conn, venue, night=friday, start="01:00", end="03:00")
    assert clash["error_code"] == "TABLE_UNAVAILABLE"
    assert clash["error_message"] == "T2 is booked 23:00–02:00 that night."
    # Saturday's own 23:00 is another night, and free
    assert create_booking(
        conn, venue, night=friday + timedelta(days=1), start="23:00", end="02:00"
    )["success"]


def test_spring_forward_night(conn: Conn, venue: Venue, changes: clock.ClockChanges) -> None:
    night = changes.spring_forward.night
    span = conn.execute("SELECT private.fd_night_span(%s, %s) AS s", [venue.id, night]).fetchone()
    assert span is not None
    assert span["s"].upper - span["s"].lower == timedelta(hours=6)  # 21:00 GMT to 04:00 BST
    # 00:30 GMT to 02:30 BST: two hours on the clock, one real hour
    row = create_booking(conn, venue, night=night, start="00:30", end="02:30")
    assert row["success"], row
    starts, ends = _span(conn, row["booking_id"])
    assert (starts, ends) == (_utc(night, 0, 30), _utc(night, 1, 30))
    assert ends - starts == timedelta(hours=1)
    # 01:30 does not exist: it moves forward by the gap, to 02:30 BST, so 01:30-02:30
    # is no time at all
    gone = create_booking(
        conn, venue, night=night, start="01:30", end="02:30", tables=venue.t("T3")
    )
    assert gone["error_code"] == "INVALID_TIME"
    # back to back in real time on one table: 23:30-00:30 GMT, then the one above
    before = create_booking(conn, venue, night=night, start="23:30", end="00:30")
    assert before["success"], before
    # 02:30 BST onwards is free; 02:00 BST (01:00 UTC) is not
    assert create_booking(conn, venue, night=night, start="02:30", end="03:30")["success"]
    clash = desk_book(conn, venue, night, _utc(night, 1, 0), _utc(night, 1, 15))
    assert clash["error_code"] == "TABLE_UNAVAILABLE"
    assert clash["error_message"] == "T2 is booked 00:30–02:30 that night."
    # the tests' wall clock (tests/clock.py) follows the engine's rule for the gap
    assert instant(conn, venue, night, "01:30") == clock.on_night(night, "01:30")
    assert clock.on_night(night, "01:30") == _utc(night, 1, 30)


def test_fall_back_night(conn: Conn, venue: Venue, changes: clock.ClockChanges) -> None:
    night = changes.fall_back.night
    span = conn.execute("SELECT private.fd_night_span(%s, %s) AS s", [venue.id, night]).fetchone()
    assert span is not None
    assert span["s"].upper - span["s"].lower == timedelta(hours=8)  # 21:00 BST to 04:00 GMT
    # 00:30 BST to 01:30 (the later, GMT one): two real hours
    row = create_booking(conn, venue, night=night, start="00:30", end="01:30")
    assert row["success"], row
    starts, ends = _span(conn, row["booking_id"])
    assert (starts, ends) == (_utc(night, -1, 30), _utc(night, 1, 30))
    assert ends - starts == timedelta(hours=2)
    # 01:00-02:00 happens twice; with instants the desk books each of them
    first = desk_book(
        conn, venue, night, _utc(night, 0), _utc(night, 1), tables=venue.t("T3")
    )  # 01:00-02:00 BST
    second = desk_book(
        conn, venue, night, _utc(night, 1), _utc(night, 2), tables=venue.t("T3")
    )  # 01:00-02:00 GMT
    assert first["success"] and second["success"], (first, second)
    # a third one inside the second hour clashes with the GMT one
    third = desk_book(
        conn,
        venue,
        night,
        _utc(night, 1, 15),
        _utc(night, 1, 45),
        tables=venue.t("T3"),
    )
    assert third["error_code"] == "TABLE_UNAVAILABLE"
    assert third["error_message"] == "T3 is booked 01:00–02:00 GMT that night."  # which 01:00
    # moving the first onto the second's hour is refused, and into the free 02:00 GMT slot works
    moved = move_booking(conn, first["booking_id"], None, _utc(night, 1, 30), _utc(night, 2, 30))
    assert moved["error_code"] == "TABLE_UNAVAILABLE"
    moved = move_booking(conn, first["booking_id"], None, _utc(night, 2), _utc(night, 4))
    assert moved["success"], moved
    assert _span(conn, first["booking_id"]) == (_utc(night, 2), _utc(night, 4))
    # and past the real close (04:00 GMT) is outside the hours
    late = move_booking(conn, first["booking_id"], None, _utc(night, 2), _utc(night, 4, 30))
    assert late["error_code"] == "OUTSIDE_HOURS"


def test_suggestions_on_the_fall_back_night_see_real_overlaps(
    conn: Conn, venue: Venue, changes: clock.ClockChanges
) -> None:
    night = changes.fall_back.night
    assert desk_book(conn, venue, night, _utc(night, 1), _utc(night, 2), tables=venue.t("T2"))[
        "success"
    ]
    # the first 01:00-02:00 (BST) does not overlap it: T2 is offered
    rows = conn.execute(
        "SELECT table_names FROM desk_suggestions(%s, %s, %s, %s, 4)",
        [venue.id, night, _utc(night, 0), _utc(night, 1)],
    ).fetchall()
    assert ["T2"] in [r["table_names"] for r in rows]
    rows = conn.execute(
        "SELECT table_names FROM desk_suggestions(%s, %s, %s, %s, 4)",
        [venue.id, night, _utc(night, 1), _utc(night, 2)],
    ).fetchall()
    assert ["T2"] not in [r["table_names"] for r in rows]
    assert instant(conn, venue, night, "01:30") == _utc(night, 1, 30)  # the later one
    assert clock.on_night(night, "01:30") == _utc(night, 1, 30)


def test_clock_change_nights_are_the_saturdays_before_the_last_sundays() -> None:
    def saturday_before_last_sunday(year: int, month: int) -> date:
        last = date(year, month + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.isoweekday() % 7) + 1)

    after = clock.suite_today()
    for _ in range(12):
        found = clock.clock_changes(after, LONDON)
        spring, fall = found.spring_forward, found.fall_back
        assert spring.night == saturday_before_last_sunday(spring.night.year, 3)
        assert fall.night == saturday_before_last_sunday(fall.night.year, 10)
        assert after < min(spring.night, fall.night) <= after + timedelta(days=366)
        assert (spring.before, spring.after) == (timedelta(0), timedelta(hours=1))
        assert (fall.before, fall.after) == (timedelta(hours=1), timedelta(0))
        after = min(spring.night, fall.night)
