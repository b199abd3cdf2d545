"""One price per table per night, rounded once: suggestions, the deposit
charged, the night plan and the desk's totals agree to the penny."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from frontdesk.desk import parse_night_plan
from tests.core.engine_helpers import (
    Conn,
    Venue,
    create_booking,
    instant,
    make_venue,
    night_ahead,
)

#: Two neighbours at £33.33 deposit and £55.55 minimum spend each.
TABLES = {"A": (4, 55, 33, False), "B": (4, 55, 33, False)}


def _event_venue(conn: Conn) -> tuple[Venue, date]:
    venue = make_venue(conn, tables=TABLES, joins=[("A", "B")])
    venue.tables["T2"] = venue.tables["A"]  # create_booking's default table
    conn.execute(
        "UPDATE venue_tables SET deposit = 33.33, min_spend = 55.55 WHERE venue_id = %s",
        [venue.id],
    )
    night = night_ahead(venue, 10)
    conn.execute(
        "INSERT INTO nights (venue_id, night, event_name, deposit_factor, min_spend_factor)"
        " VALUES (%s, %s, 'Price test', 1.1, 1.1)",
        [venue.id, night],
    )
    return venue, night


def test_a_tables_price_is_rounded_once_and_every_total_is_a_sum_of_them(conn: Conn) -> None:
    venue, night = _event_venue(conn)
    # 33.33 x 1.1 = 36.663 -> 36.66 a table; two tables: 73.32 (not 73.33).
    row = conn.execute("SELECT night_plan(%s, %s) AS p", [venue.id, night]).fetchone()
    assert row is not None
    plan = parse_night_plan(row["p"])
    assert {t.name: (t.deposit, t.min_spend) for t in plan.tables} == {
        "A": (Decimal("36.66"), Decimal("61.11")),
        "B": (Decimal("36.66"), Decimal("61.11")),
    }
    pair = conn.execute(
        "SELECT total_deposit, total_min_spend FROM desk_suggestions(%s, %s, %s, %s, 8)",
        [
            venue.id,
            night,
            instant(conn, venue, night, "22:00"),
            instant(conn, venue, night, "00:00"),
        ],
    ).fetchall()
    assert [(r["total_deposit"], r["total_min_spend"]) for r in pair] == [
        (Decimal("73.32"), Decimal("122.22"))
    ]
    booked = create_booking(
        conn, venue, tables=venue.t("A", "B"), night=night, party=8, start="22:00", end="00:00"
    )
    assert booked["success"] is True
    assert booked["total_deposit"] == Decimal("73.32")
    stored = conn.execute(
        "SELECT total_deposit, total_min_spend FROM bookings WHERE id = %s",
        [booked["booking_id"]],
    ).fetchone()
    assert stored == {"total_deposit": Decimal("73.32"), "total_min_spend": Decimal("122.22")}
    # What the dialog adds up from the plan's per-table prices is what was charged.
    assert sum(t.deposit for t in plan.tables) == booked["total_deposit"]
