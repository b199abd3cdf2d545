"""Table suggestions: get_optimal_table_combinations and desk_suggestions.

The venue: T1 (2 seats, 50 min spend), T2 (4, 100), T3 (4, 100), T4 (6, 200,
premium), T5 (8, 300).  Joins: T1-T2-T3-T4 in a line; T5 alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.core.engine_helpers import (
    Conn,
    Venue,
    create_booking,
    instant,
    night_ahead,
)


def suggest(
    conn: Conn,
    venue: Venue,
    party: int | None,
    start: str = "22:00",
    end: str = "00:30",
    days: int = 14,
) -> list[dict[str, Any]]:
    return conn.execute(
        "SELECT * FROM get_optimal_table_combinations(%s, %s, %s::time, %s::time, %s::int)",
        [venue.id, night_ahead(venue, days), start, end, party],
    ).fetchall()


def names(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [r["table_names"] for r in rows]


def test_a_party_of_four_gets_the_fitting_singles_first(conn: Conn, venue: Venue) -> None:
    rows = suggest(conn, venue, 4)
    # no waste: T2, T3 (equal spend: grid order); then T4 (2 spare), T5 (4 spare).  T1+T2
    # is never offered: T2 alone seats them.
    assert names(rows) == [["T2"], ["T3"], ["T4"], ["T5"]]
    assert [r["combination_id"] for r in rows] == [1, 2, 3, 4]
    assert [r["is_optimal"] for r in rows] == [True, False, False, False]
    assert {r["combination_type"] for r in rows} == {"single"}
    assert [r["includes_premium"] for r in rows] == [False, False, True, False]
    assert rows[0]["table_ids"] == venue.t("T2")
    assert (rows[0]["total_capacity"], rows[0]["total_min_spend"], rows[0]["total_deposit"]) == (
        4,
        Decimal("100.00"),
        Decimal("20.00"),
    )


def test_ties_on_waste_go_to_the_lower_minimum_spend_then_fewer_tables(
    conn: Conn, venue: Venue
) -> None:
    rows = suggest(conn, venue, 10)
    # both seat exactly 10: T1+T2+T3 (spend 250) before T3+T4 (300, fewer tables)
    assert names(rows)[:2] == [["T1", "T2", "T3"], ["T3", "T4"]]
    assert rows[0]["is_optimal"] and rows[0]["combination_type"] == "combination"
    assert rows[0]["total_min_spend"] == Decimal("250.00")
    assert rows[1]["includes_premium"] is True
    # only joined tables combine: T4+T5 (14) and T2+T5 never appear; every set is
    # connected; and no set carries a table it does not need
    for r in rows:
        assert "T5" not in r["table_names"] or r["table_names"] == ["T5"]
        assert r["total_capacity"] >= 10
    assert sum(r["is_optimal"] for r in rows) == 1
    # equal waste and spend: fewer tables first
    conn.execute("UPDATE venue_tables SET min_spend = 0 WHERE venue_id = %s", [venue.id])
    rows = suggest(conn, venue, 10)
    assert names(rows)[:2] == [["T3", "T4"], ["T1", "T2", "T3"]]


def test_three_tables_when_nothing_smaller_fits(conn: Conn, venue: Venue) -> None:
    rows = suggest(conn, venue, 12)
    assert names(rows) == [["T2", "T3", "T4"]]
    assert rows[0]["total_capacity"] == 14 and rows[0]["is_optimal"]


def test_no_rows_when_nothing_fits_or_nothing_could_be_booked(conn: Conn, venue: Venue) -> None:
    assert suggest(conn, venue, 15) == []
    assert suggest(conn, venue, 0) == []
    assert suggest(conn, venue, None) == []
    assert suggest(conn, venue, 4, start="03:30", end="05:00") == []  # outside the hours
    assert suggest(conn, venue, 4, start="02:00", end="23:00") == []  # ends before it starts
    assert suggest(conn, venue, 4, days=-3) == []  # past
    conn.execute(
        "INSERT INTO nights (venue_id, night, is_closed) VALUES (%s, %s, true)",
        [venue.id, night_ahead(venue, 14)],
    )
    assert suggest(conn, venue, 4) == []  # closed


def test_booked_and_held_tables_are_never_suggested(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    assert create_booking(conn, venue, tables=venue.t("T3"), start="23:45", end="01:00")["success"]
    rows = suggest(conn, venue, 4)
    assert names(rows) == [["T2"], ["T4"], ["T5"]]
    # another desk holds T2 for part of the time; an expired hold on T4 counts for nothing
    conn.execute(
        "INSERT INTO holds (venue_id, table_id, night, period, terminal, expires_at) VALUES "
        "(%s, %s, %s, tstzrange(%s, %s), 'DESK-2', now() + interval '10 minutes'), "
        "(%s, %s, %s, tstzrange(%s, %s), 'DESK-2', now() - interval '1 second')",
        [
            venue.id,
            venue.tables["T2"],
            night,
            instant(conn, venue, night, "00:00"),
            instant(conn, venue, night, "00:15"),
            venue.id,
            venue.tables["T4"],
            night,
            instant(conn, venue, night, "22:00"),
            instant(conn, venue, night, "23:00"),
        ],
    )
    assert names(suggest(conn, venue, 4)) == [["T4"], ["T5"]]
    # at that desk, its own hold does not hide the table
    with conn.transaction():
        conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-2', true)")
        assert names(suggest(conn, venue, 4)) == [["T2"], ["T4"], ["T5"]]
    # for 8: every combination runs through the booked T3 or the held T2; only T5 is left
    assert names(suggest(conn, venue, 8)) == [["T5"]]
    # after the booking, T3 is free again
    assert ["T3"] in names(suggest(conn, venue, 4, start="01:00", end="02:00"))


def test_event_nights_price_the_suggestions(conn: Conn, venue: Venue) -> None:
    conn.execute(
        "INSERT INTO nights (venue_id, night, event_name, min_spend_factor, deposit_factor) "
        "VALUES (%s, %s, 'Shhh!', 1.25, 2)",
        [venue.id, night_ahead(venue)],
    )
    top = suggest(conn, venue, 4)[0]
    assert (top["total_min_spend"], top["total_deposit"]) == (Decimal("125.00"), Decimal("40.00"))


def test_desk_suggestions_take_instants_and_agree(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "00:30")
    desk = conn.execute(
        "SELECT * FROM desk_suggestions(%s, %s, %s, %s, 10)", [venue.id, night, s, e]
    ).fetchall()
    assert desk == suggest(conn, venue, 10)
    assert len(suggest(conn, venue, 1)) <= 10
