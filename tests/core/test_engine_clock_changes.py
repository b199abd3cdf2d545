"""Clock changes, honestly: a local time that does not exist is refused, not moved;
a repeated local time is the later one, and messages say which.

The nights are the venue's next spring-forward and fall-back nights in
Europe/London after its today, found with zoneinfo (tests/clock.py); the
engine test venue books 400 days ahead, so both are always in reach.  The
expected local times come from zoneinfo too: the gap is from the wall-clock
time just before the change to the one just after.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests import clock
from tests.core.engine_helpers import (
    Conn,
    Row,
    Venue,
    attempt_count,
    create_booking,
    desk_book,
    snapshot,
)


@pytest.fixture
def changes(venue: Venue) -> clock.ClockChanges:
    found = clock.clock_changes(venue.today, clock.LONDON)
    for change in (found.spring_forward, found.fall_back):
        assert venue.today < change.night <= venue.today + timedelta(days=399)
    return found


def _wall(at: datetime, offset: timedelta) -> datetime:
    """The wall-clock time (naive) of an instant under a UTC offset."""
    return (at + offset).replace(tzinfo=None)


def _hhmm(at: datetime) -> str:
    return at.strftime("%H:%M")


def _gap(change: clock.ClockChange) -> tuple[datetime, datetime]:
    """The spring-forward gap's wall-clock start and end (01:00 and 02:00)."""
    return _wall(change.at, change.before), _wall(change.at, change.after)


def _refused_writing_nothing(conn: Conn, row: Row, before: dict[str, object]) -> None:
    assert row["success"] is False and row["booking_id"] is None
    assert (row["starts_at"], row["ends_at"]) == (None, None)
    assert snapshot(conn) == before


# ---------------------------------------------------------------------------
# Spring forward


def test_a_time_that_does_not_exist_is_refused_saying_so(
    conn: Conn, venue: Venue, changes: clock.ClockChanges
) -> None:
    change = changes.spring_forward
    night = change.night
    gap_from, gap_to = _gap(change)
    assert gap_to - gap_from == change.after - change.before
    inside = gap_from + (gap_to - gap_from) / 2  # 01:30
    words = "{} does not exist that night: the clocks go forward from {} to {}."
    for start, end, missing in [
        (inside, gap_to + timedelta(hours=1), inside),  # 01:30-03:00
        (gap_from, gap_to + timedelta(hours=1), gap_from),  # 01:00, the first missing minute
        (gap_from - timedelta(hours=1), inside, inside),  # 00:30-01:30: the end is missing
        (inside, inside + timedelta(minutes=15), inside),  # both: the start is named
    ]:
        before, attempts = snapshot(conn), attempt_count(conn)
        row = create_booking(conn, venue, night=night, start=_hhmm(start), end=_hhmm(end))
        assert row["error_code"] == "INVALID_TIME", (start, end, row)
        assert row["error_message"] == words.format(_hhmm(missing), _hhmm(gap_from), _hhmm(gap_to))
        _refused_writing_nothing(conn, row, before)
        assert attempt_count(conn) == attempts + 1


def test_the_minutes_either_side_of_the_gap_are_booked_in_real_time(
    conn: Conn, venue: Venue, changes: clock.ClockChanges
) -> None:
    change = changes.spring_forward
    gap_from, gap_to = _gap(change)
    start = gap_from - timedelta(minutes=30)  # 00:30 GMT
    row = create_booking(conn, venue, night=change.night, start=_hhmm(start), end=_hhmm(gap_to))
    assert row["success"], row
    # 00:30 to 02:00 on the clock is half an hour: the instants say so
    assert (row["starts_at"], row["ends_at"]) == (change.at - timedelta(minutes=30), change.at)
    last = create_booking(
        conn,
        venue,
        night=change.night,
        start=_hhmm(gap_from - timedelta(minutes=1)),  # 00:59 exists
        end=_hhmm(gap_to + timedelta(minutes=1)),
        tables=venue.t("T3"),
    )
    assert last["success"], last
    assert last["ends_at"] - last["starts_at"] == timedelta(minutes=2)


def test_nothing_offers_a_time_that_does_not_exist(
    conn: Conn, venue: Venue, changes: clock.ClockChanges
) -> None:
    change = changes.spring_forward
    gap_from, gap_to = _gap(change)
    inside, after = _hhmm(gap_from + timedelta(minutes=30)), _hhmm(gap_to + timedelta(hours=1))
    free = conn.execute(
        "SELECT check_table_availability(%s, %s, %s, %s) AS free",
        [venue.tables["T2"], change.night, inside, after],
    ).fetchone()
    assert free is not None and free["free"] is False
    offered = conn.execute(
        "SELECT count(*) AS n FROM get_optimal_table_combinations(%s, %s, %s, %s, 2)",
        [venue.id, change.night, inside, after],
    ).fetchone()
    assert offered is not None and offered["n"] == 0
    # from the end of the gap, both say yes
    free = conn.execute(
        "SELECT check_table_availability(%s, %s, %s, %s) AS free",
        [venue.tables["T2"], change.night, _hhmm(gap_to), after],
    ).fetchone()
    assert free is not None and free["free"] is True


# ---------------------------------------------------------------------------
# Fall back


def test_a_repeated_time_is_the_later_one_and_comes_back_as_such(
    conn: Conn, venue: Venue, changes: clock.ClockChanges
) -> None:
    change = changes.fall_back
    repeated = _wall(change.at, change.after)  # 01:00, shown twice
    start = repeated - timedelta(minutes=30)  # 00:30 BST, shown once
    end = repeated + timedelta(minutes=30)  # 01:30: the second one (GMT)
    row = create_booking(conn, venue, night=change.night, start=_hhmm(start), end=_hhmm(end))
    assert row["success"], row
    assert row["starts_at"] == change.at - (change.before - change.after) - timedelta(minutes=30)
    assert row["ends_at"] == change.at + timedelta(minutes=30)
    assert row["ends_at"] - row["starts_at"] == timedelta(hours=2)


def _clash(conn: Conn, venue: Venue, night: date, starts: datetime, ends: datetime) -> str:
    first = desk_book(conn, venue, night, starts, ends, tables=venue.t("T4"))
    assert first["success"], first
    again = desk_book(conn, venue, night, starts, ends, tables=venue.t("T4"))
    assert again["error_code"] == "TABLE_UNAVAILABLE", again
    message: str = again["error_message"]
    conn.execute("DELETE FROM bookings WHERE id = %s", [first["booking_id"]])
    return message


def test_messages_say_which_of_a_repeated_time_they_mean(
    conn: Conn, venue: Venue, changes: clock.ClockChanges
) -> None:
    change = changes.fall_back
    night, at = change.night, change.at  # at: 01:00 GMT, a moment after 01:59 BST
    quarter = timedelta(minutes=15)
    # 01:15 BST to 01:15 GMT: once read as '01:15–01:15'
    assert _clash(conn, venue, night, at - timedelta(hours=1) + quarter, at + quarter) == (
        "T4 is booked 01:15 BST–01:15 GMT that night."
    )
    # the GMT hour: both ends in GMT, said once
    assert _clash(conn, venue, night, at, at + timedelta(hours=1)) == (
        "T4 is booked 01:00–02:00 GMT that night."
    )
    # the BST hour, from 00:30 (not repeated) into the repeated hour
    assert _clash(conn, venue, night, at - timedelta(hours=1, minutes=30), at - quarter) == (
        "T4 is booked 00:30–01:45 BST that night."
    )
    # away from the repeated hour, no zone names
    evening = clock.on_night(night, "22:00")
    assert _clash(conn, venue, night, evening, evening + timedelta(hours=2)) == (
        "T4 is booked 22:00–00:00 that night."
    )


def test_naming_the_zone_leaves_the_callers_time_zone_alone(
    conn: Conn, venue: Venue, changes: clock.ClockChanges
) -> None:
    conn.execute("SET TimeZone = 'America/New_York'")
    at = changes.fall_back.at
    message = _clash(conn, venue, changes.fall_back.night, at, at + timedelta(hours=1))
    assert message.endswith("GMT that night.")
    zone = conn.execute("SELECT current_setting('TimeZone') AS z").fetchone()
    assert zone is not None and zone["z"] == "America/New_York"
