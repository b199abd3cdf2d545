"""Booking that succeeds: references, deposits, customers, walk-ins, moves, locks."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from tests import clock
from tests.clock import EngineClock
from tests.core.engine_helpers import (
    ADULT_EMAIL,
    Conn,
    Venue,
    attempt_count,
    connect,
    create_booking,
    desk_book,
    instant,
    last_attempt,
    make_venue,
    money,
    move_booking,
    night_ahead,
    walk_in,
)

REFERENCE = re.compile(r"^BR-(\d{6})-([ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6})$")


def _customers(conn: Conn) -> int:
    row = conn.execute("SELECT count(*) AS n FROM customers").fetchone()
    assert row is not None
    return int(row["n"])


def _booking(conn: Conn, booking_id: object) -> dict[str, object]:
    row = conn.execute(
        "SELECT b.*, array_agg(t.name ORDER BY t.name) AS table_names "
        "FROM bookings b JOIN booking_tables bt ON bt.booking_id = b.id "
        "JOIN venue_tables t ON t.id = bt.table_id WHERE b.id = %s GROUP BY b.id",
        [booking_id],
    ).fetchone()
    assert row is not None
    return dict(row)


def test_a_booking_gets_a_reference_of_its_night_and_is_counted(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    row = create_booking(
        conn, venue, night=night, requests=None, occasion="Birthday", payment="pi_123"
    )
    assert row["success"] is True and row["error_code"] is None and row["error_message"] is None
    m = REFERENCE.match(row["booking_reference"])
    assert m is not None and m.group(1) == night.strftime("%y%m%d")
    b = _booking(conn, row["booking_id"])
    assert b["reference"] == row["booking_reference"]
    assert b["status"] == "confirmed" and b["source"] == "web" and b["terminal"] is None
    assert b["occasion"] == "Birthday" and b["stripe_payment_intent_id"] == "pi_123"
    assert b["table_names"] == ["T2"]
    attempt = last_attempt(conn)
    assert attempt["success"] is True and attempt["error_code"] is None
    assert attempt["venue_id"] == venue.id and attempt["source"] == "web"


def test_references_are_unique(conn: Conn, venue: Venue) -> None:
    refs = set()
    night = night_ahead(venue)
    for i in range(30):
        hour = 21 + (i % 6)
        start = f"{hour % 24:02d}:{(i // 6) * 10:02d}"
        row = create_booking(
            conn,
            venue,
            night=night,
            start=start,
            end=f"{hour % 24:02d}:{(i // 6) * 10 + 5:02d}",
            tables=venue.t("T5"),
        )
        assert row["success"], row
        refs.add(row["booking_reference"])
    assert len(refs) == 30


def test_deposit_and_min_spend_follow_event_pricing(conn: Conn, venue: Venue) -> None:
    plain, event = night_ahead(venue, 10), night_ahead(venue, 11)
    conn.execute(
        "INSERT INTO nights (venue_id, night, event_name, deposit_factor, min_spend_factor) "
        "VALUES (%s, %s, 'La Fiesta', 1.5, 1.25)",
        [venue.id, event],
    )
    a = create_booking(conn, venue, night=plain, tables=venue.t("T2", "T3"), party=6)
    b = create_booking(conn, venue, night=event, tables=venue.t("T3", "T2"), party=6)
    assert a["success"] and b["success"]
    assert money(a["total_deposit"]) == Decimal("40.00")
    assert money(b["total_deposit"]) == Decimal("60.00")
    assert money(_booking(conn, a["booking_id"])["total_min_spend"]) == Decimal("200.00")
    assert money(_booking(conn, b["booking_id"])["total_min_spend"]) == Decimal("250.00")


def test_duplicate_table_ids_count_once(conn: Conn, venue: Venue) -> None:
    row = create_booking(conn, venue, tables=venue.t("T2", "T2", "T3"), party=8)
    assert row["success"], row
    assert money(row["total_deposit"]) == Decimal("40.00")
    assert _booking(conn, row["booking_id"])["table_names"] == ["T2", "T3"]


@pytest.mark.parametrize(
    ("email", "phone"),
    [
        ("  Adult@EXAMPLE.com ", None),
        (None, "07700 900001"),
        (None, "+44 7700 900001"),
        (None, "0044 (7700) 900-001"),
        (None, "07700.900.001"),
        ("someone-else@example.com", "07700900001"),  # the phone's owner, no new customer
    ],
)
def test_an_existing_customer_is_matched_however_written(
    conn: Conn, venue: Venue, email: str | None, phone: str | None
) -> None:
    before = _customers(conn)
    row = create_booking(conn, venue, email=email, phone=phone, name="A. Adult")
    assert row["success"], row
    assert _booking(conn, row["booking_id"])["customer_id"] == venue.adult
    assert _customers(conn) == before


def test_one_guests_email_with_anothers_phone_is_refused(conn: Conn, venue: Venue) -> None:
    """Once the email's owner won silently; now neither does
    (tests/core/test_desk_guests.py has the rest of CONTACT_BELONGS_TO_OTHER)."""
    conn.execute(
        "INSERT INTO customers (venue_id, name, phone) VALUES (%s, 'Phone Only', '+447700900555')",
        [venue.id],
    )
    row = create_booking(conn, venue, email=ADULT_EMAIL, phone="07700 900555")
    assert (row["success"], row["error_code"]) == (False, "CONTACT_BELONGS_TO_OTHER")


def test_a_new_customer_is_created_normalised_then_matched(conn: Conn, venue: Venue) -> None:
    before = _customers(conn)
    first = create_booking(
        conn, venue, email=None, phone="07700 900123", name=" Bea New ", start="21:00", end="22:00"
    )
    assert first["success"], first
    assert _customers(conn) == before + 1
    cust = conn.execute(
        "SELECT c.* FROM customers c JOIN bookings b ON b.customer_id = c.id WHERE b.id = %s",
        [first["booking_id"]],
    ).fetchone()
    assert cust is not None
    assert (cust["name"], cust["phone"], cust["email"]) == ("Bea New", "+447700900123", None)
    second = create_booking(
        conn, venue, email=None, phone="+447700900123", name="B. New", start="22:00", end="23:00"
    )
    assert second["success"], second
    assert _booking(conn, second["booking_id"])["customer_id"] == cust["id"]
    assert _customers(conn) == before + 1


def test_customer_id_wins_and_the_desk_is_recorded(conn: Conn, venue: Venue) -> None:
    staff = uuid.uuid4()
    with conn.transaction():
        conn.execute(
            "SELECT set_config('frontdesk.terminal', 'DESK-1', true), "
            "set_config('frontdesk.staff_id', %s, true)",
            [str(staff)],
        )
        row = create_booking(conn, venue, customer=venue.adult, email=None, name=None)
    assert row["success"], row
    b = _booking(conn, row["booking_id"])
    assert b["customer_id"] == venue.adult
    assert (b["source"], b["terminal"], b["created_by"]) == ("phone", "DESK-1", staff)


def test_own_hold_does_not_block_and_goes_once_booked(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "00:30")
    conn.execute(
        "INSERT INTO holds (venue_id, table_id, night, period, terminal, expires_at) VALUES "
        "(%s, %s, %s, tstzrange(%s, %s), 'DESK-1', private.fd_now() + interval '10 minutes'), "
        "(%s, %s, %s, tstzrange(%s, %s), 'DESK-2', private.fd_now() - interval '1 minute')",
        [venue.id, venue.tables["T2"], night, s, e, venue.id, venue.tables["T2"], night, s, e],
    )
    with conn.transaction():
        conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-1', true)")
        row = desk_book(conn, venue, night, s, e)
    assert row["success"], row
    left = conn.execute("SELECT terminal FROM holds ORDER BY terminal").fetchall()
    assert [h["terminal"] for h in left] == ["DESK-2"]  # expired, someone else's: untouched


def test_own_phone_lock_does_not_block_own_booking(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    got = conn.execute(
        "SELECT acquire_booking_lock(%s, %s, '22:00') AS ok", [venue.tables["T2"], night]
    ).fetchone()
    assert got is not None and got["ok"]
    assert create_booking(conn, venue, night=night)["success"]


def test_desk_book_takes_instants_and_a_source(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s = instant(conn, venue, night, "22:07")
    row = desk_book(
        conn,
        venue,
        night,
        s,
        s + timedelta(minutes=73),
        source="phone",
        requests="By the window",
        occasion="Hen party",
        payment="ref-9",
    )
    assert row["success"], row
    b = _booking(conn, row["booking_id"])
    assert b["starts_at"] == s and b["ends_at"] == s + timedelta(minutes=73)
    assert (b["source"], b["special_requests"], b["occasion"], b["stripe_payment_intent_id"]) == (
        "phone",
        "By the window",
        "Hen party",
        "ref-9",
    )
    assert money(row["total_deposit"]) == Decimal("20.00")


# ---------------------------------------------------------------------------
# current_night


def test_current_night_is_today_when_no_night_is_in_progress(
    conn: Conn, db_url: str, engine_clock: EngineClock
) -> None:
    # 02:30: the small hours, when a venue open late would still be on last night
    engine_clock.set(db_url, clock.wall_clock(clock.suite_today(), "02:30"), conn)
    never = make_venue(conn, name="Never open", opens=None, closes=None)
    assert never.today == clock.suite_today()
    row = conn.execute("SELECT current_night(%s) AS n", [never.id]).fetchone()
    assert row is not None and row["n"] == never.today
    missing = conn.execute("SELECT current_night(%s) AS n", [uuid.uuid4()]).fetchone()
    assert missing is not None and missing["n"] is None


@pytest.mark.parametrize("edge", ["02:30", "23:59", "00:00", "12:00"])
def test_current_night_is_yesterday_while_last_night_runs(
    conn: Conn, db_url: str, venue: Venue, engine_clock: EngineClock, edge: str
) -> None:
    night = night_ahead(venue, 7)
    at_edge = clock.wall_clock(night + timedelta(days=1), edge)
    # the night opens at `edge` and runs until the next day at `edge`
    conn.execute(
        "INSERT INTO nights (venue_id, night, opens, closes) VALUES (%s, %s, %s, %s)",
        [venue.id, night, edge, edge],
    )
    # a minute before it closes, it is still the night in progress...
    now = engine_clock.set(db_url, at_edge - timedelta(minutes=1), conn)
    row = conn.execute("SELECT current_night(%s) AS n", [venue.id]).fetchone()
    assert row is not None and row["n"] == night
    # ...so a booking for it, now, is not in the past
    ok = desk_book(conn, venue, night, now, now + timedelta(minutes=1))
    assert ok["success"], ok
    # at its close the next date's own night is the current one, and this one is past
    engine_clock.set(db_url, at_edge, conn)
    row = conn.execute("SELECT current_night(%s) AS n", [venue.id]).fetchone()
    assert row is not None and row["n"] == night + timedelta(days=1)
    late = desk_book(conn, venue, night, now, now + timedelta(minutes=1), tables=venue.t("T3"))
    assert late["error_code"] == "PAST_DATE"


def test_tonight_stays_bookable_after_it_started(
    conn: Conn, db_url: str, engine_clock: EngineClock
) -> None:
    engine_clock.set(db_url, clock.wall_clock(clock.suite_today(), "15:00"), conn)
    allday = make_venue(conn, name="All day", opens="00:00", closes="00:00")
    span = conn.execute(
        "SELECT lower(s) AS lo, upper(s) AS hi FROM private.fd_night_span(%s, %s) s",
        [allday.id, allday.today],
    ).fetchone()
    assert span is not None
    row = desk_book(conn, allday, allday.today, span["lo"], span["hi"], tables=allday.t("T2"))
    assert row["success"], row  # starts at today's opening, already gone


# ---------------------------------------------------------------------------
# walk_in


def test_walk_ins_sit_now_on_the_current_night(
    conn: Conn, db_url: str, engine_clock: EngineClock
) -> None:
    # 22:17:42 on a night open until midnight: seated from 22:17, a usual
    # (150-minute) sitting is cut at closing, a 30-minute one is not
    now = clock.wall_clock(clock.suite_today(), "22:17:42")
    engine_clock.set(db_url, now, conn)
    allday = make_venue(conn, name="All day", opens="00:00", closes="00:00")
    before = _customers(conn)
    a = walk_in(conn, allday, allday.t("T2"), 3)
    b = walk_in(conn, allday, allday.t("T3"), 2, minutes=30)
    c = walk_in(conn, allday, allday.t("T4"), 5, name="Smith party")
    for row in (a, b, c):
        assert row["success"], row
        assert REFERENCE.match(row["booking_reference"])
    seated_at = now.replace(second=0)
    close = clock.wall_clock(allday.today + timedelta(days=1), "00:00")
    ba, bb, bc = (_booking(conn, r["booking_id"]) for r in (a, b, c))
    for bk in (ba, bb, bc):
        assert (bk["status"], bk["source"], bk["night"]) == ("seated", "walk_in", allday.today)
        assert bk["starts_at"] == seated_at
    assert ba["ends_at"] == close
    assert bb["ends_at"] == seated_at + timedelta(minutes=30)
    # 'Walk-in' parties share one contact-less customer; a named party gets its own
    assert ba["customer_id"] == bb["customer_id"] != bc["customer_id"]
    people = conn.execute(
        "SELECT name, email, phone FROM customers WHERE id IN (%s, %s) ORDER BY name",
        [ba["customer_id"], bc["customer_id"]],
    ).fetchall()
    assert [tuple(p.values()) for p in people] == [
        ("Smith party", None, None),
        ("Walk-in", None, None),
    ]
    assert _customers(conn) == before + 2
    assert last_attempt(conn)["source"] == "walk_in"


# ---------------------------------------------------------------------------
# move_booking


def test_move_re_tables_resizes_and_retimes_in_one_step(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    row = create_booking(conn, venue, night=night, start="22:00", end="23:00", party=2)
    bid = row["booking_id"]
    at = {h: instant(conn, venue, night, h) for h in ("21:30", "22:30", "23:30", "00:30")}
    # over itself: a later start overlapping its own time is fine
    moved = move_booking(conn, bid, None, at["22:30"], at["23:30"])
    assert moved["success"], moved
    b = _booking(conn, bid)
    assert (b["starts_at"], b["ends_at"], b["table_names"]) == (at["22:30"], at["23:30"], ["T2"])
    # onto two tables with a bigger party; min spend follows the tables, deposit stays
    moved = move_booking(conn, bid, venue.t("T3", "T2"), at["21:30"], at["00:30"], 7)
    assert moved["success"], moved
    b = _booking(conn, bid)
    assert (b["party_size"], b["table_names"]) == (7, ["T2", "T3"])
    assert money(b["total_min_spend"]) == Decimal("200.00")
    assert money(b["total_deposit"]) == Decimal("20.00")
    # and off one of them
    moved = move_booking(conn, bid, venue.t("T3"), None, None, 4)
    assert moved["success"], moved
    b = _booking(conn, bid)
    assert (b["party_size"], b["table_names"], b["starts_at"]) == (4, ["T3"], at["21:30"])
    # T2 is free again
    assert create_booking(conn, venue, night=night, start="22:00", end="23:00")["success"]
    attempt = last_attempt(conn)
    assert attempt["success"]
    n = attempt_count(conn)
    assert move_booking(conn, bid, None, None, None)["success"]  # nothing to change
    assert attempt_count(conn) == n + 1 and last_attempt(conn)["source"] == "move"


def test_move_into_the_time_it_frees_on_another_table(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    a = create_booking(conn, venue, night=night, tables=venue.t("T2"), start="22:00", end="23:00")
    b = create_booking(conn, venue, night=night, tables=venue.t("T3"), start="23:00", end="00:00")
    # a asks for T3 a little later, where b is: refused, and a stays where it was
    s, e = instant(conn, venue, night, "22:30"), instant(conn, venue, night, "23:30")
    refused = move_booking(conn, a["booking_id"], venue.t("T3"), s, e)
    assert refused["error_code"] == "TABLE_UNAVAILABLE"
    assert refused["error_message"] == "T3 is booked 23:00–00:00 that night."
    assert _booking(conn, a["booking_id"])["table_names"] == ["T2"]
    # b moves to T2 straight after a
    ok = move_booking(conn, b["booking_id"], venue.t("T2"), None, None)
    assert ok["success"], ok


# ---------------------------------------------------------------------------
# availability and the phone lock


def test_check_table_availability(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    t2, t3 = venue.tables["T2"], venue.tables["T3"]
    row = create_booking(conn, venue, night=night, start="22:00", end="00:30")

    def free(table: object, start: str, end: str, exclude: object = None) -> bool:
        got = conn.execute(
            "SELECT check_table_availability(%s::uuid, %s, %s::time, %s::time, %s::uuid) AS ok",
            [table, night, start, end, exclude],
        ).fetchone()
        assert got is not None
        return bool(got["ok"])

    assert not free(t2, "23:00", "01:00")
    assert free(t2, "00:30", "02:00")  # touching is not overlapping
    assert free(t2, "23:00", "01:00", row["booking_id"])
    assert free(t3, "23:00", "01:00")
    assert not free(t3, "01:00", "23:00")  # ends before it starts, under the night rule
    assert not free(uuid.uuid4(), "23:00", "01:00")
    conn.execute(
        "INSERT INTO holds (venue_id, table_id, night, period, terminal, expires_at) "
        "VALUES (%s, %s, %s, tstzrange(private.fd_night_instant(%s, %s, '01:00'), "
        "private.fd_night_instant(%s, %s, '02:00')), 'DESK-2', "
        "private.fd_now() + interval '5 minutes')",
        [venue.id, t3, night, venue.id, night, venue.id, night],
    )
    assert not free(t3, "00:00", "01:30")
    with conn.transaction():
        conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-2', true)")
        assert free(t3, "00:00", "01:30")  # its own hold


def test_phone_lock_is_per_table_and_night_and_taken_once(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    t2 = venue.tables["T2"]

    def call(c: Conn, fn: str, table: object, start: str, n: object = night) -> bool:
        got = c.execute(
            f"SELECT {fn}(%s::uuid, %s::date, %s::time) AS ok", [table, n, start]
        ).fetchone()
        assert got is not None
        return bool(got["ok"])

    with connect(db_url) as other:
        assert call(conn, "acquire_booking_lock", t2, "22:00")
        assert call(conn, "acquire_booking_lock", t2, "22:00")  # again: still one lock
        # any start time that night is the same lock; another night is not
        assert not call(other, "acquire_booking_lock", t2, "01:30")
        assert call(other, "acquire_booking_lock", t2, "01:30", night + timedelta(days=1))
        assert not call(other, "release_booking_lock", t2, "01:30")  # not its lock
        assert call(conn, "release_booking_lock", t2, "23:59")
        assert not call(conn, "release_booking_lock", t2, "22:00")  # already free
        assert call(other, "acquire_booking_lock", t2, "01:30")
        assert not call(conn, "acquire_booking_lock", uuid.uuid4(), "22:00")
        assert not call(conn, "acquire_booking_lock", t2, "22:00", None)
