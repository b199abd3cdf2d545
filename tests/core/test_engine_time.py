"""Nights past midnight and the two clock-change nights, measured in real instants.

Europe/London: on Sunday 28 March 2027 at 01:00 GMT clocks go to 02:00 BST
(local 01:00-02:00 does not exist); on Sunday 31 October 2027 at 02:00 BST
they go back to 01:00 GMT (local 01:00-02:00 happens twice).  The nights are
the Saturdays before.  The venue opens 21:00-04:00 and books 400 days ahead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

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
SPRING_FORWARD = date(2027, 3, 27)
FALL_BACK = date(2027, 10, 30)


@pytest.fixture
def venue(conn: Conn) -> Venue:
    return make_venue(conn, max_days_ahead=400)


def _bookable(venue: Venue, night: date) -> None:
    if not venue.today < night <= venue.today + timedelta(days=399):
        pytest.skip(f"{night} is not within the next 400 days any more")


def _span(conn: Conn, booking_id: object) -> tuple[datetime, datetime]:
    row = conn.execute(
        "SELECT starts_at, ends_at FROM bookings WHERE id = %s", [booking_id]
    ).fetchone()
    assert row is not None
    return row["starts_at"], row["ends_at"]


def _utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


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


def test_spring_forward_night(conn: Conn, venue: Venue) -> None:
    night = SPRING_FORWARD
    _bookable(venue, night)
    span = conn.execute("SELECT private.fd_night_span(%s, %s) AS s", [venue.id, night]).fetchone()
    assert span is not None
    assert span["s"].upper - span["s"].lower == timedelta(hours=6)  # 21:00 GMT to 04:00 BST
    # 00:30 GMT to 02:30 BST: two hours on the clock, one real hour
    row = create_booking(conn, venue, night=night, start="00:30", end="02:30")
    assert row["success"], row
    starts, ends = _span(conn, row["booking_id"])
    assert (starts, ends) == (_utc(2027, 3, 28, 0, 30), _utc(2027, 3, 28, 1, 30))
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
    clash = desk_book(conn, venue, night, _utc(2027, 3, 28, 1, 0), _utc(2027, 3, 28, 1, 15))
    assert clash["error_code"] == "TABLE_UNAVAILABLE"
    assert clash["error_message"] == "T2 is booked 00:30–02:30 that night."


def test_fall_back_night(conn: Conn, venue: Venue) -> None:
    night = FALL_BACK
    _bookable(venue, night)
    span = conn.execute("SELECT private.fd_night_span(%s, %s) AS s", [venue.id, night]).fetchone()
    assert span is not None
    assert span["s"].upper - span["s"].lower == timedelta(hours=8)  # 21:00 BST to 04:00 GMT
    # 00:30 BST to 01:30 (the later, GMT one): two real hours
    row = create_booking(conn, venue, night=night, start="00:30", end="01:30")
    assert row["success"], row
    starts, ends = _span(conn, row["booking_id"])
    assert (starts, ends) == (_utc(2027, 10, 30, 23, 30), _utc(2027, 10, 31, 1, 30))
    assert ends - starts == timedelta(hours=2)
    # 01:00-02:00 happens twice; with instants the desk books each of them
    first = desk_book(
        conn, venue, night, _utc(2027, 10, 31, 0), _utc(2027, 10, 31, 1), tables=venue.t("T3")
    )  # 01:00-02:00 BST
    second = desk_book(
        conn, venue, night, _utc(2027, 10, 31, 1), _utc(2027, 10, 31, 2), tables=venue.t("T3")
    )  # 01:00-02:00 GMT
    assert first["success"] and second["success"], (first, second)
    # a third one inside the second hour clashes with the GMT one
    third = desk_book(
        conn,
        venue,
        night,
        _utc(2027, 10, 31, 1, 15),
        _utc(2027, 10, 31, 1, 45),
        tables=venue.t("T3"),
    )
    assert third["error_code"] == "TABLE_UNAVAILABLE"
    assert third["error_message"] == "T3 is booked 01:00–02:00 that night."
    # moving the first onto the second's hour is refused, and into the free 02:00 GMT slot works
    moved = move_booking(
        conn, first["booking_id"], None, _utc(2027, 10, 31, 1, 30), _utc(2027, 10, 31, 2, 30)
    )
    assert moved["error_code"] == "TABLE_UNAVAILABLE"
    moved = move_booking(
        conn, first["booking_id"], None, _utc(2027, 10, 31, 2), _utc(2027, 10, 31, 4)
    )
    assert moved["success"], moved
    assert _span(conn, first["booking_id"]) == (_utc(2027, 10, 31, 2), _utc(2027, 10, 31, 4))
    # and past the real close (04:00 GMT) is outside the hours
    late = move_booking(
        conn, first["booking_id"], None, _utc(2027, 10, 31, 2), _utc(2027, 10, 31, 4, 30)
    )
    assert late["error_code"] == "OUTSIDE_HOURS"


def test_suggestions_on_the_fall_back_night_see_real_overlaps(conn: Conn, venue: Venue) -> None:
    night = FALL_BACK
    _bookable(venue, night)
    assert desk_book(
        conn, venue, night, _utc(2027, 10, 31, 1), _utc(2027, 10, 31, 2), tables=venue.t("T2")
    )["success"]
    # the first 01:00-02:00 (BST) does not overlap it: T2 is offered
    rows = conn.execute(
        "SELECT table_names FROM desk_suggestions(%s, %s, %s, %s, 4)",
        [venue.id, night, _utc(2027, 10, 31, 0), _utc(2027, 10, 31, 1)],
    ).fetchall()
    assert ["T2"] in [r["table_names"] for r in rows]
    rows = conn.execute(
        "SELECT table_names FROM desk_suggestions(%s, %s, %s, %s, 4)",
        [venue.id, night, _utc(2027, 10, 31, 1), _utc(2027, 10, 31, 2)],
    ).fetchall()
    assert ["T2"] not in [r["table_names"] for r in rows]
    assert instant(conn, venue, night, "01:30") == _utc(2027, 10, 31, 1, 30)  # the later one
