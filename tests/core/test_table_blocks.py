"""Table blocks (sql/engine/31_blocks.sql, 58_setup.sql): a table out of
service for a night or part of one.  Every path that books avoids them by
the same guarantee as double bookings, an exclusion constraint (the seed's
contract, the desk, plain SQL), and a block is never placed over a booking."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests import logins
from tests.clock import EngineClock, on_night
from tests.core.engine_helpers import (
    Conn,
    Venue,
    create_booking,
    desk_book,
    instant,
    move_booking,
    night_ahead,
    snapshot,
    walk_in,
)
from tests.core.setup_helpers import add_staff, block, references, state

CHECK_SQL = "SELECT check_table_availability(%s, %s, %s::time, %s::time) AS free"


def free(conn: Conn, table: UUID, night: date, start: str, end: str) -> bool:
    row = conn.execute(CHECK_SQL, [table, night, start, end]).fetchone()
    assert row is not None
    return bool(row["free"])


def value(conn: Conn, query: str, params: Any = None) -> Any:
    row = conn.execute(query.encode(), params).fetchone()
    assert row is not None
    return row["v"]


def suggested(conn: Conn, venue: Venue, night: date, start: str, end: str, party: int) -> set[str]:
    names = {v: k for k, v in venue.tables.items()}
    rows = conn.execute(
        "SELECT table_ids FROM get_optimal_table_combinations(%s, %s, %s, %s, %s)",
        [venue.id, night, start, end, party],
    ).fetchall()
    return {"+".join(names[t] for t in r["table_ids"]) for r in rows}


def plain_booking(conn: Conn, venue: Venue, table: str, night: date, start: str, end: str) -> None:
    """A booking written with plain SQL, as a manager's psql would."""
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at, ends_at,"
            " party_size) VALUES (%s, 'BR-000000-PLAIN2', %s, %s, %s, %s, 2) RETURNING id",
            [
                venue.id,
                venue.adult,
                night,
                instant(conn, venue, night, start),
                instant(conn, venue, night, end),
            ],
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [row["id"], venue.tables[table]],
        )


@pytest.fixture
def blocked(conn: Conn, venue: Venue) -> tuple[date, dict[str, Any]]:
    """T2 out of service 22:00-01:00 on a night a fortnight ahead."""
    night = night_ahead(venue)
    row = block(
        conn,
        venue.id,
        venue.tables["T2"],
        night,
        instant(conn, venue, night, "22:00"),
        instant(conn, venue, night, "01:00"),
    )
    assert row["success"], row
    return night, row


def test_a_block_stops_bookings_from_every_path(
    conn: Conn, venue: Venue, blocked: tuple[date, dict[str, Any]]
) -> None:
    night, _ = blocked
    words = "T2 is out of service 22:00–01:00 that night (Broken booth)."
    before = snapshot(conn)
    # the seed's contract (the website, the phone)
    row = create_booking(conn, venue, night=night, start="23:00", end="02:00")
    assert (row["success"], row["error_code"], row["error_message"]) == (
        False,
        "TABLE_UNAVAILABLE",
        words,
    )
    # the desk
    row = desk_book(
        conn,
        venue,
        night,
        instant(conn, venue, night, "21:00"),
        instant(conn, venue, night, "22:30"),
    )
    assert (row["error_code"], row["error_message"]) == ("TABLE_UNAVAILABLE", words)
    # a party of two tables, one of them blocked
    row = create_booking(conn, venue, night=night, tables=venue.t("T2", "T3"), party=6)
    assert row["error_code"] == "TABLE_UNAVAILABLE"
    # a hold
    conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-1', false)")
    held = conn.execute(
        "SELECT success, error_code FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            venue.id,
            venue.t("T2"),
            night,
            instant(conn, venue, night, "00:00"),
            instant(conn, venue, night, "00:30"),
        ],
    ).fetchone()
    assert held == {"success": False, "error_code": "TABLE_UNAVAILABLE"}
    assert snapshot(conn) == before
    # plain SQL meets the constraint
    with pytest.raises(psycopg.errors.ExclusionViolation):
        plain_booking(conn, venue, "T2", night, "00:30", "02:00")
    assert snapshot(conn) == before
    # around it, the table is free
    assert create_booking(conn, venue, night=night, start="21:00", end="22:00")["success"]
    assert create_booking(conn, venue, night=night, start="01:00", end="03:00")["success"]
    assert create_booking(conn, venue, night=night + timedelta(days=1), start="23:00")["success"]


def test_a_booking_cannot_be_moved_onto_a_block_by_a_function_or_by_sql(
    conn: Conn, venue: Venue, blocked: tuple[date, dict[str, Any]]
) -> None:
    night, _ = blocked
    elsewhere = create_booking(
        conn, venue, night=night, tables=venue.t("T3"), start="22:00", end="23:00"
    )
    assert elsewhere["success"], elsewhere
    row = move_booking(conn, elsewhere["booking_id"], venue.t("T2"), None, None)
    assert (row["success"], row["error_code"]) == (False, "TABLE_UNAVAILABLE")
    assert "out of service" in row["error_message"]
    later = create_booking(conn, venue, night=night, start="01:00", end="02:00")
    assert later["success"], later
    with pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute(
            "UPDATE bookings SET starts_at = starts_at - interval '1 hour' WHERE id = %s",
            [later["booking_id"]],
        )
    with pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute(
            "UPDATE booking_tables SET table_id = %s WHERE booking_id = %s",
            [venue.tables["T2"], elsewhere["booking_id"]],
        )
    # a cancelled booking holds nothing, and coming back would need the table
    conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", [later["booking_id"]])
    conn.execute(
        "UPDATE bookings SET starts_at = starts_at - interval '1 hour' WHERE id = %s",
        [later["booking_id"]],
    )
    with pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute(
            "UPDATE bookings SET status = 'confirmed' WHERE id = %s", [later["booking_id"]]
        )


def test_suggestions_and_availability_leave_a_blocked_table_out(
    conn: Conn, venue: Venue, blocked: tuple[date, dict[str, Any]]
) -> None:
    night, _ = blocked
    assert not free(conn, venue.tables["T2"], night, "23:00", "23:30")
    assert free(conn, venue.tables["T2"], night, "01:00", "02:00")
    assert free(conn, venue.tables["T3"], night, "23:00", "23:30")
    during = suggested(conn, venue, night, "23:00", "00:00", 4)
    assert "T2" not in during and "T3" in during
    assert not any("T2" in s.split("+") for s in suggested(conn, venue, night, "23:00", "00:00", 7))
    assert "T2" in suggested(conn, venue, night, "01:00", "02:00", 4)


def test_a_block_over_a_booking_is_refused_naming_it(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    booking = create_booking(conn, venue, night=night, tables=venue.t("T2"))
    assert booking["success"], booking
    before = state(conn, venue.id)
    row = block(conn, venue.id, venue.tables["T2"], night)  # the whole night
    assert (row["success"], row["error_code"], row["block_id"]) == (
        False,
        "STRANDED_BOOKINGS",
        None,
    )
    assert references(row["stranded"]) == [booking["booking_reference"]]
    assert row["stranded"][0]["tables"] == ["T2"]
    assert row["error_message"].startswith(
        f"Blocking T2 would strand 1 booking: {booking['booking_reference']} (Ada Adult, "
    )
    assert state(conn, venue.id) == before
    # nor by plain SQL
    with pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute(
            "INSERT INTO table_blocks (venue_id, table_id, night, reason) VALUES (%s, %s, %s, 'x')",
            [venue.id, venue.tables["T2"], night],
        )
    # another time that night is fine, and once the guests are moved, the night is too
    assert block(
        conn, venue.id, venue.tables["T2"], night, instant(conn, venue, night, "01:00"), None
    )["success"]
    conn.execute("DELETE FROM table_blocks")
    moved = move_booking(conn, booking["booking_id"], venue.t("T3"), None, None)
    assert moved["success"], moved
    assert block(conn, venue.id, venue.tables["T2"], night)["success"]


def test_a_whole_night_block_follows_the_nights_hours(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    assert block(conn, venue.id, venue.tables["T5"], night, reason="Private area")["success"]
    row = create_booking(conn, venue, night=night, tables=venue.t("T5"), start="21:00", end="22:00")
    assert row["error_message"] == "T5 is out of service that night (Private area)."
    conn.execute(
        "INSERT INTO nights (venue_id, night, event_name, opens, closes)"
        " VALUES (%s, %s, 'Late one', '18:00', '06:00')",
        [venue.id, night],
    )
    for start, end in (("18:00", "19:00"), ("04:30", "05:30")):
        row = create_booking(conn, venue, night=night, tables=venue.t("T5"), start=start, end=end)
        assert row["error_code"] == "TABLE_UNAVAILABLE", row
    other = create_booking(conn, venue, night=night + timedelta(days=1), tables=venue.t("T5"))
    assert other["success"], other
    again = block(
        conn,
        venue.id,
        venue.tables["T5"],
        night,
        instant(conn, venue, night, "23:00"),
        None,
        "Another",
    )
    assert (again["error_code"], again["error_message"]) == (
        "ALREADY_BLOCKED",
        "T5 is out of service that night (Private area).",
    )


def test_the_night_plan_draws_blocks(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    add_staff(conn, venue.id, "Mo", "manager", "1357")
    logins.sign_in(conn, venue.id, "Mo", "1357", "DESK-1")
    part = block(
        conn,
        venue.id,
        venue.tables["T2"],
        night,
        instant(conn, venue, night, "22:00"),
        instant(conn, venue, night, "01:00"),
        "Leak",
    )
    whole = block(conn, venue.id, venue.tables["T5"], night, reason="Private area")
    assert part["success"] and whole["success"]
    plan = conn.execute("SELECT night_plan(%s, %s) AS p", [venue.id, night]).fetchone()
    assert plan is not None
    blocks = plan["p"]["blocks"]
    opens, closes = plan["p"]["opens_at"], plan["p"]["closes_at"]
    assert blocks == [
        {
            "id": str(whole["block_id"]),
            "table_id": str(venue.tables["T5"]),
            "starts_at": opens,
            "ends_at": closes,
            "whole_night": True,
            "reason": "Private area",
            "blocked_by": "Mo",
        },
        {
            "id": str(part["block_id"]),
            "table_id": str(venue.tables["T2"]),
            "starts_at": datetime.fromisoformat(opens).replace(hour=22).isoformat(),
            "ends_at": (
                datetime.fromisoformat(opens).replace(hour=1) + timedelta(days=1)
            ).isoformat(),
            "whole_night": False,
            "reason": "Leak",
            "blocked_by": "Mo",
        },
    ]


def test_blocks_are_a_managers_and_are_audited_and_told_on_the_feed(
    conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    add_staff(conn, venue.id, "Hana", "host", "2468")
    add_staff(conn, venue.id, "Mo", "manager", "1357")
    while value(conn, "SELECT relay_changes() AS v"):
        pass
    head = value(conn, "SELECT change_feed_head(%s) AS v", [venue.id])
    logins.sign_in(conn, venue.id, "Hana", "2468", "DESK-1")
    row = block(conn, venue.id, venue.tables["T2"], night)
    assert (row["success"], row["error_code"]) == (False, "NOT_ALLOWED")
    logins.sign_in(conn, venue.id, "Mo", "1357", "DESK-2")
    row = block(conn, venue.id, venue.tables["T2"], night)
    assert row["success"], row
    logins.sign_in(conn, venue.id, "Hana", "2468", "DESK-1")
    lift = conn.execute("SELECT * FROM unblock_table(%s)", [row["block_id"]]).fetchone()
    assert lift is not None and lift["error_code"] == "NOT_ALLOWED"
    logins.sign_in(conn, venue.id, "Mo", "1357", "DESK-2")
    lift = conn.execute("SELECT * FROM unblock_table(%s)", [row["block_id"]]).fetchone()
    assert lift == {"success": True, "error_code": None, "error_message": None}
    assert create_booking(conn, venue, night=night)["error_code"] is None  # free again

    trail = conn.execute(
        "SELECT operation, staff_name, terminal FROM audit_logs"
        " WHERE table_name = 'table_blocks' AND record_id = %s ORDER BY id",
        [row["block_id"]],
    ).fetchall()
    assert [tuple(t.values()) for t in trail] == [
        ("INSERT", "Mo", "DESK-2"),
        ("DELETE", "Mo", "DESK-2"),
    ]
    conn.execute("SELECT relay_changes()")
    fed = conn.execute(
        "SELECT night, table_ids, kind FROM change_feed WHERE venue_id = %s AND id > %s"
        " AND kind IN ('blocked', 'unblocked') ORDER BY id",
        [venue.id, head],
    ).fetchall()
    assert [tuple(f.values()) for f in fed] == [
        (night, [venue.tables["T2"]], "blocked"),
        (night, [venue.tables["T2"]], "unblocked"),
    ]


def test_a_whole_night_block_tonight_starts_now(
    db_url: str, conn: Conn, venue: Venue, engine_clock: EngineClock
) -> None:
    tonight = night_ahead(venue, 2)
    early = create_booking(
        conn, venue, night=tonight, tables=venue.t("T5"), start="21:00", end="22:00"
    )
    assert early["success"], early
    engine_clock.set(db_url, on_night(tonight, "23:10"), conn)
    conn.execute("UPDATE bookings SET status = 'completed' WHERE id = %s", [early["booking_id"]])
    row = block(conn, venue.id, venue.tables["T5"], tonight, reason="Glass everywhere")
    assert row["success"], row
    starts = conn.execute(
        "SELECT starts_at FROM table_blocks WHERE id = %s", [row["block_id"]]
    ).fetchone()
    assert starts is not None and starts["starts_at"] == on_night(tonight, "23:10")
    walked = walk_in(conn, venue, venue.t("T5"), 2)
    assert walked["error_code"] == "TABLE_UNAVAILABLE", walked
    last = conn.execute("SELECT * FROM unblock_table(%s)", [row["block_id"]]).fetchone()
    assert last is not None and last["success"]
    past = block(conn, venue.id, venue.tables["T5"], tonight - timedelta(days=1))
    assert past["error_code"] == "PAST_DATE"
