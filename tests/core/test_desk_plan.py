"""night_plan and night_summary against the demo venue."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

from frontdesk import plan
from frontdesk.desk import parse_night_plan
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    as_desk,
    at,
    event_night,
    insert_booking,
    one,
    quiet_friday,
    scalar,
    table_id,
)


def _plan(conn: Conn, night: date) -> dict[str, Any]:
    value: dict[str, Any] = scalar(conn, "SELECT night_plan(%s, %s)", [VENUE, night])
    return value


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def to_night_plan(data: dict[str, Any]) -> plan.NightPlan:
    """The JSON as frontdesk.plan types: every field, nothing more, each typed."""
    assert set(data) == {f.name for f in fields(plan.NightPlan)}
    assert all(set(t) == {f.name for f in fields(plan.TableRow)} for t in data["tables"])
    assert all(set(b) == {f.name for f in fields(plan.Booking)} for b in data["bookings"])
    assert all(set(h) == {f.name for f in fields(plan.Hold)} for h in data["holds"])
    assert all(set(k) == {f.name for f in fields(plan.TableBlock)} for k in data["blocks"])
    return plan.NightPlan(
        venue_id=UUID(data["venue_id"]),
        venue_name=data["venue_name"],
        time_zone=data["time_zone"],
        night=date.fromisoformat(data["night"]),
        is_closed=data["is_closed"],
        event_name=data["event_name"],
        night_notes=data["night_notes"],
        opens_at=_instant(data["opens_at"]),
        closes_at=_instant(data["closes_at"]),
        default_booking_minutes=data["default_booking_minutes"],
        currency=data["currency"],
        phone_country=data["phone_country"],
        reference_prefix=data["reference_prefix"],
        min_party_size=data["min_party_size"],
        max_party_size=data["max_party_size"],
        spend_flag_from=_instant(data["spend_flag_from"]),
        status_transitions={
            plan.Status(k): tuple(plan.Status(x) for x in v)
            for k, v in data["status_transitions"].items()
        },
        floors=tuple(plan.Floor(UUID(f["id"]), f["name"], f["sort_order"]) for f in data["floors"]),
        tables=tuple(
            plan.TableRow(
                id=UUID(t["id"]),
                floor_id=UUID(t["floor_id"]),
                name=t["name"],
                capacity=t["capacity"],
                min_spend=Decimal(t["min_spend"]),
                deposit=Decimal(t["deposit"]),
                is_premium=t["is_premium"],
                grid_order=t["grid_order"],
            )
            for t in data["tables"]
        ),
        bookings=tuple(
            plan.Booking(
                id=UUID(b["id"]),
                reference=b["reference"],
                table_ids=tuple(UUID(t) for t in b["table_ids"]),
                starts_at=_instant(b["starts_at"]),  # type: ignore[arg-type]
                ends_at=_instant(b["ends_at"]),  # type: ignore[arg-type]
                party_size=b["party_size"],
                status=plan.Status(b["status"]),
                customer_id=UUID(b["customer_id"]),
                customer_name=b["customer_name"],
                customer_phone=b["customer_phone"],
                customer_email=b["customer_email"],
                deposit=Decimal(b["deposit"]),
                min_spend=Decimal(b["min_spend"]),
                source=b["source"],
                occasion=b["occasion"],
                special_requests=b["special_requests"],
                payment_ref=b["payment_ref"],
                customer_notes=b["customer_notes"],
                customer_date_of_birth=(
                    date.fromisoformat(b["customer_date_of_birth"])
                    if b["customer_date_of_birth"] is not None
                    else None
                ),
                spend_total=Decimal(b["spend_total"]),
                deposit_status=plan.DepositStatus(b["deposit_status"]),
                deposit_reference=b["deposit_reference"],
                guest_tags=tuple(plan.BookingTag(t["name"], t["kind"]) for t in b["guest_tags"]),
            )
            for b in data["bookings"]
        ),
        holds=tuple(
            plan.Hold(
                id=UUID(h["id"]),
                table_id=UUID(h["table_id"]),
                starts_at=_instant(h["starts_at"]),  # type: ignore[arg-type]
                ends_at=_instant(h["ends_at"]),  # type: ignore[arg-type]
                terminal=h["terminal"],
                expires_at=_instant(h["expires_at"]),  # type: ignore[arg-type]
            )
            for h in data["holds"]
        ),
    )


def test_a_friday_plan_has_the_venue_its_floors_tables_event_and_bookings(
    demo_conn: Conn,
) -> None:
    night = event_night(demo_conn, "La Fiesta")  # a Friday with demo bookings
    # One of them cancelled: the desk still sees it.
    cancelled = scalar(
        demo_conn,
        "SELECT id FROM bookings WHERE venue_id = %s AND night = %s ORDER BY starts_at LIMIT 1",
        [VENUE, night],
    )
    demo_conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", [cancelled])
    p = to_night_plan(_plan(demo_conn, night))

    assert (p.venue_id, p.venue_name, p.time_zone) == (VENUE, "The Backroom Leeds", "Europe/London")
    assert p.night == night and night.isoweekday() == 5
    assert (p.is_closed, p.event_name, p.default_booking_minutes) == (False, "La Fiesta", 150)
    assert p.opens_at == at(demo_conn, night, "21:00")
    assert p.closes_at == at(demo_conn, night, "04:00")
    assert [f.name for f in p.floors] == ["Downstairs", "Upstairs"]
    assert len(p.tables) == 16
    assert [t.name for t in p.tables[:2]] == ["Booth 1", "Booth 2"]
    dj = next(t for t in p.tables if t.name == "DJ Booth")
    assert (dj.capacity, dj.min_spend, dj.deposit, dj.is_premium) == (
        12,
        Decimal("1000.00"),
        Decimal("200.00"),
        True,
    )

    expected = demo_conn.execute(
        """
        SELECT b.id, b.reference, b.status, c.name, c.phone, c.email, b.starts_at, b.ends_at,
               b.party_size, b.total_deposit, b.total_min_spend,
               array(SELECT table_id FROM booking_tables WHERE booking_id = b.id)
          FROM bookings b JOIN customers c ON c.id = b.customer_id
         WHERE b.venue_id = %s AND b.night = %s
         ORDER BY b.starts_at, b.reference
        """,
        [VENUE, night],
    ).fetchall()
    assert len(expected) >= 10
    got = [
        (
            b.id,
            b.reference,
            b.status.value,
            b.customer_name,
            b.customer_phone,
            b.customer_email,
            b.starts_at,
            b.ends_at,
            b.party_size,
            b.deposit,
            b.min_spend,
            list(b.table_ids),
        )
        for b in p.bookings
    ]
    assert got == [tuple(r) for r in expected]
    assert plan.Status.CANCELLED in {b.status for b in p.bookings}
    assert p.holds == ()


def test_money_and_instants_are_exact(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["DJ Booth"], night, "23:15", "02:45", party=9)
    demo_conn.execute(
        "UPDATE bookings SET total_deposit = 123.45, stripe_payment_intent_id = 'pi_123', "
        "occasion = 'Birthday', special_requests = 'Cake at midnight' WHERE id = %s",
        [booking],
    )
    raw = _plan(demo_conn, night)["bookings"]
    assert len(raw) == 1
    b = raw[0]
    assert (b["deposit"], b["min_spend"]) == ("123.45", "1000.00")  # strings, not floats
    assert b["starts_at"].endswith("+00:00") and "T23:15:00" in b["starts_at"]
    p = to_night_plan(_plan(demo_conn, night))
    only = p.bookings[0]
    assert only.starts_at == at(demo_conn, night, "23:15")
    assert only.length.total_seconds() == 3.5 * 3600
    assert (only.payment_ref, only.occasion, only.special_requests) == (
        "pi_123",
        "Birthday",
        "Cake at midnight",
    )
    assert only.table_ids == (table_id(demo_conn, "DJ Booth"),)


def test_a_guests_date_of_birth_is_in_the_plan_and_none_where_unknown(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    known = insert_booking(demo_conn, ["Booth 1"], night, "22:00", "23:00", customer=0)
    unknown = insert_booking(demo_conn, ["Booth 2"], night, "22:00", "23:00", customer=1)
    for booking, born in ((known, date(1990, 5, 17)), (unknown, None)):
        demo_conn.execute(
            "UPDATE customers SET date_of_birth = %s"
            " WHERE id = (SELECT customer_id FROM bookings WHERE id = %s)",
            [born, booking],
        )
    raw = {b["id"]: b for b in _plan(demo_conn, night)["bookings"]}
    assert raw[str(known)]["customer_date_of_birth"] == "1990-05-17"
    assert raw[str(unknown)]["customer_date_of_birth"] is None
    for p in (to_night_plan(_plan(demo_conn, night)), parse_night_plan(_plan(demo_conn, night))):
        births = {b.id: b.customer_date_of_birth for b in p.bookings}
        assert births == {known: date(1990, 5, 17), unknown: None}


def test_tables_carry_the_nights_prices_as_the_engine_charges_them(demo_conn: Conn) -> None:
    # "Shhh!" Saturdays scale minimum spends by 1.25: the grid and the
    # dialog show what a booking there will really commit the guest to.
    saturday = event_night(demo_conn, "Shhh!")
    friday = event_night(demo_conn, "La Fiesta")
    booth = {t["name"]: t for t in _plan(demo_conn, saturday)["tables"]}["Booth 3"]
    plain = {t["name"]: t for t in _plan(demo_conn, friday)["tables"]}["Booth 3"]
    charged = one(
        demo_conn,
        "SELECT deposit::text, min_spend::text"
        " FROM private.fd_tables_price(%s, %s, ARRAY[%s]::uuid[])",
        [VENUE, saturday, table_id(demo_conn, "Booth 3")],
    )
    assert (booth["deposit"], booth["min_spend"]) == charged == ("50.00", "187.50")
    assert (plain["deposit"], plain["min_spend"]) == ("50.00", "150.00")


def test_summer_instants_carry_the_summer_offset_whatever_the_callers_zone(
    demo_conn: Conn,
) -> None:
    demo_conn.execute("SET TimeZone = 'America/New_York'")
    raw = _plan(demo_conn, date(2027, 7, 2))  # a Friday in British Summer Time
    assert raw["opens_at"] == "2027-07-02T21:00:00+01:00"
    assert raw["closes_at"] == "2027-07-03T04:00:00+01:00"
    # The plan's own zone is for the call only: the caller's is untouched.
    assert one(demo_conn, "SHOW TimeZone") == ("America/New_York",)


def test_the_fall_back_night_opens_in_summer_time_and_closes_in_winter_time(
    demo_conn: Conn,
) -> None:
    p = to_night_plan(_plan(demo_conn, date(2026, 10, 24)))  # last Saturday of October 2026
    raw = _plan(demo_conn, date(2026, 10, 24))
    assert (raw["opens_at"], raw["closes_at"]) == (
        "2026-10-24T21:00:00+01:00",
        "2026-10-25T04:00:00+00:00",
    )
    assert p.opens_at is not None and p.closes_at is not None
    assert (p.closes_at - p.opens_at).total_seconds() == 8 * 3600


def test_other_desks_holds_show_and_the_desks_own_do_not(demo_db_url: str, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1")
    booth = table_id(demo_conn, "Booth 5")
    row = one(
        demo_conn,
        "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
        [VENUE, [booth], night, at(demo_conn, night, "22:00"), at(demo_conn, night, "23:00")],
    )
    assert row[0], row
    assert _plan(demo_conn, night)["holds"] == []
    with psycopg.connect(demo_db_url, autocommit=True) as other:
        as_desk(other, "DESK-2")
        p = to_night_plan(_plan(other, night))
    assert [(h.table_id, h.terminal) for h in p.holds] == [(booth, "DESK-1")]
    assert p.holds[0].starts_at == at(demo_conn, night, "22:00")
    assert p.holds[0].expires_at == row[4]


def test_a_blocked_table_shows_with_its_span_and_reason(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "OFFICE", "Sam")
    booth = table_id(demo_conn, "Booth 6")
    row = one(
        demo_conn,
        "SELECT success, error_code FROM block_table(%s, %s, %s, %s, %s, 'Broken booth')",
        [VENUE, booth, night, at(demo_conn, night, "22:00"), at(demo_conn, night, "01:00")],
    )
    assert row == (True, None)
    whole = table_id(demo_conn, "Booth 7")
    assert one(
        demo_conn,
        "SELECT success FROM block_table(%s, %s, %s, NULL, NULL, 'Private area')",
        [VENUE, whole, night],
    ) == (True,)
    data = _plan(demo_conn, night)
    to_night_plan(data)  # every key where the types say
    p = parse_night_plan(data)
    blocks = {b.table_id: b for b in p.blocks}
    assert set(blocks) == {booth, whole}
    assert blocks[booth].reason == "Broken booth" and not blocks[booth].whole_night
    assert blocks[booth].starts_at == at(demo_conn, night, "22:00")
    assert blocks[booth].ends_at == at(demo_conn, night, "01:00")
    assert blocks[whole].whole_night
    assert (blocks[whole].starts_at, blocks[whole].ends_at) == (p.opens_at, p.closes_at)


def test_a_closed_night_and_an_unknown_venue(demo_conn: Conn) -> None:
    closed = scalar(demo_conn, "SELECT night FROM nights WHERE is_closed LIMIT 1")
    p = to_night_plan(_plan(demo_conn, closed))
    assert (p.is_closed, p.event_name, p.opens_at, p.closes_at) == (
        True,
        "Private hire",
        None,
        None,
    )
    assert len(p.tables) == 16
    monday = closed + timedelta(days=8 - closed.isoweekday())  # no opening hours on Mondays
    assert to_night_plan(_plan(demo_conn, monday)).is_closed
    assert scalar(demo_conn, "SELECT night_plan(gen_random_uuid(), %s)", [closed]) is None


def _summary(conn: Conn, night: date) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT floor_name, bookings, covers, deposits, min_spend FROM night_summary(%s, %s)",
        [VENUE, night],
    ).fetchall()


def test_the_summary_adds_up_per_floor_like_plain_sql(demo_conn: Conn) -> None:
    night = event_night(demo_conn, "Shhh!")
    demo_conn.execute(
        "UPDATE bookings SET status = 'no_show' WHERE id = (SELECT id FROM bookings "
        "WHERE night = %s AND status = 'confirmed' ORDER BY reference LIMIT 1)",
        [night],
    )
    expected = demo_conn.execute(
        """
        SELECT f.name, count(b.id)::int, coalesce(sum(b.party_size), 0)::int,
               coalesce(sum(b.total_deposit), 0), coalesce(sum(b.total_min_spend), 0)
          FROM floors f
          LEFT JOIN (venue_tables t JOIN booking_tables bt ON bt.table_id = t.id
                     JOIN bookings b ON b.id = bt.booking_id AND b.night = %(n)s
                                    AND b.status NOT IN ('cancelled', 'no_show'))
                 ON t.floor_id = f.id
         WHERE f.venue_id = %(v)s
         GROUP BY f.name, f.sort_order ORDER BY f.sort_order
        """,
        {"v": VENUE, "n": night},
    ).fetchall()
    total = one(
        demo_conn,
        "SELECT 'All floors', count(*)::int, sum(party_size)::int, sum(total_deposit), "
        "sum(total_min_spend) FROM bookings WHERE venue_id = %s AND night = %s "
        "AND status NOT IN ('cancelled', 'no_show')",
        [VENUE, night],
    )
    got = _summary(demo_conn, night)
    assert got == [*expected, total]
    assert total[1] > 0
    s = plan.NightSummary(
        night=night,
        event_name="Shhh!",
        floors=tuple(plan.FloorSummary(*r) for r in got[:-1]),
        total=plan.FloorSummary(*got[-1]),
    )
    assert s.total.covers == sum(f.covers for f in s.floors)


def test_a_booking_over_two_floors_counts_once_on_its_first_tables_floor(
    demo_conn: Conn,
) -> None:
    night = quiet_friday(demo_conn)
    assert [r[1] for r in _summary(demo_conn, night)] == [0, 0, 0]
    # Booth 9 (upstairs, grid 9) and Booth 7 (downstairs, grid 7): plain SQL
    # may do what the desk would not.
    insert_booking(demo_conn, ["Booth 9", "Booth 7"], night, "22:00", "23:00", party=12)
    insert_booking(demo_conn, ["Booth 10"], night, "22:00", "23:00", party=3)
    cancelled = insert_booking(demo_conn, ["Booth 1"], night, "22:00", "23:00", party=4)
    demo_conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", [cancelled])
    assert _summary(demo_conn, night) == [
        ("Downstairs", 1, 12, Decimal("125.00"), Decimal("500.00")),
        ("Upstairs", 1, 3, Decimal("25.00"), Decimal("100.00")),
        ("All floors", 2, 15, Decimal("150.00"), Decimal("600.00")),
    ]
    assert (
        scalar(demo_conn, "SELECT count(*) FROM night_summary(gen_random_uuid(), %s)", [night]) == 0
    )
