"""Bad input: refused with a code and words naming the field, nothing written, nothing raised.

Texts have limits (sql/engine/28_input.sql); a name of nothing but
whitespace, any Unicode space included, is no name; nights outside the years
2000 to 9999 and infinite times are INVALID_TIME before any instant is
computed; a time tonight that has already ended is past for a new booking;
and no function a caller may use raises for any value it can send.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests import clock
from tests.core.engine_helpers import (
    ADULT_EMAIL,
    Conn,
    Row,
    Venue,
    attempt_count,
    connect,
    create_booking,
    desk_book,
    instant,
    last_attempt,
    move_booking,
    night_ahead,
    snapshot,
    walk_in,
)

HUGE = "x" * 10_000


def refused(conn: Conn, call: Callable[[], Row], code: str, message: str | None = None) -> Row:
    """The call answers success = false with this code (and message), writes
    nothing but one booking_attempts row, and raises nothing."""
    before, attempts = snapshot(conn), attempt_count(conn)
    row = call()
    assert row["success"] is False, row
    assert (row["error_code"], bool(row["error_message"])) == (code, True), row
    if message is not None:
        assert row["error_message"] == message
    assert row.get("booking_id") is None and row.get("starts_at") is None
    assert snapshot(conn) == before, "a refusal wrote something"
    assert attempt_count(conn) == attempts + 1
    assert last_attempt(conn)["error_code"] == code
    return row


def _customers(conn: Conn) -> int:
    row = conn.execute("SELECT count(*) AS n FROM customers").fetchone()
    assert row is not None
    return int(row["n"])


# ---------------------------------------------------------------------------
# Texts


#: (what, the booking's arguments, the field's words, its limit)
TOO_LONG: list[tuple[str, dict[str, Any], str, int]] = [
    ("name", {"name": HUGE, "email": "new@x.example"}, "The name is", 200),
    ("name of 201", {"name": "n" * 201, "email": "new@x.example"}, "The name is", 200),
    ("email", {"email": "a" * 3000 + "@x.example"}, "The email is", 254),
    ("phone", {"email": None, "phone": "7" * 41}, "The phone number is", 40),
    ("special requests", {"requests": HUGE}, "The special requests are", 1000),
    ("occasion", {"occasion": HUGE}, "The occasion is", 100),
    ("payment reference", {"payment": HUGE}, "The payment reference is", 100),
]


@pytest.mark.parametrize(
    ("kw", "field", "limit"), [c[1:] for c in TOO_LONG], ids=[c[0] for c in TOO_LONG]
)
def test_create_booking_atomic_refuses_texts_too_long(
    conn: Conn, venue: Venue, kw: dict[str, Any], field: str, limit: int
) -> None:
    message = f"{field} too long ({limit:,} characters at most)."
    refused(conn, lambda: create_booking(conn, venue, **kw), "INVALID_INPUT", message)


def test_texts_at_their_limits_are_booked_and_kept_whole(conn: Conn, venue: Venue) -> None:
    name = "N" * 200
    row = create_booking(
        conn,
        venue,
        name=name,
        email="e" * 240 + "@x.example",  # 250 characters
        phone="+44 (0) 7700 900 002" + " " * 20,  # 40
        requests="r" * 1000,
        occasion="o" * 100,
        payment="p" * 100,
    )
    assert row["success"], row
    kept = conn.execute(
        "SELECT c.name, b.special_requests, b.occasion, b.stripe_payment_intent_id AS payment "
        "FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.id = %s",
        [row["booking_id"]],
    ).fetchone()
    assert kept is not None
    assert (kept["name"], kept["special_requests"], kept["occasion"], kept["payment"]) == (
        name,
        "r" * 1000,
        "o" * 100,
        "p" * 100,
    )


def test_desk_book_and_walk_in_refuse_texts_too_long(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")
    for kw, field in [
        ({"requests": HUGE}, "special requests are"),
        ({"occasion": HUGE}, "occasion is"),
        ({"payment": HUGE}, "payment reference is"),
    ]:

        def book(kw: dict[str, Any] = kw) -> Row:
            return desk_book(conn, venue, night, s, e, **kw)

        row = refused(conn, book, "INVALID_INPUT")
        assert row["error_message"].startswith(f"The {field} too long")
    refused(
        conn,
        lambda: walk_in(conn, venue, venue.t("T2"), 2, name=HUGE),
        "INVALID_INPUT",
        "The name is too long (200 characters at most).",
    )


BLANK_NAMES = ["\t\n", "\r\n\t ", "\u00a0", "\u2003\u2003", "\u3000", " \u00a0\u2028\u202f\u205f "]


@pytest.mark.parametrize("name", BLANK_NAMES, ids=[repr(n) for n in BLANK_NAMES])
def test_a_name_of_whitespace_is_no_name(conn: Conn, venue: Venue, name: str) -> None:
    refused(
        conn,
        lambda: create_booking(conn, venue, name=name, email="new@x.example"),
        "INVALID_CUSTOMER",
        "We need the guest's name.",
    )


def test_names_are_tidied_of_every_kind_of_space(conn: Conn, venue: Venue) -> None:
    row = create_booking(conn, venue, name="\u3000Bea\t\u00a0New\n", email="bea@x.example")
    assert row["success"], row
    stored = conn.execute(
        "SELECT c.name FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.id = %s",
        [row["booking_id"]],
    ).fetchone()
    assert stored is not None and stored["name"] == "Bea New"
    # a walk-in whose name is only spaces is the venue's Walk-in party
    seated = walk_in_now(conn, venue, name="\u2003\t")
    assert seated["success"], seated
    named = conn.execute(
        "SELECT c.name FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.id = %s",
        [seated["booking_id"]],
    ).fetchone()
    assert named is not None and named["name"] == "Walk-in"


def walk_in_now(conn: Conn, venue: Venue, **kw: Any) -> Row:
    """A walk-in on T2 at 23:30 on a night ahead (the engine's clock moved there)."""
    clock.set_session_clock(conn, clock.on_night(night_ahead(venue, 3), "23:30"))
    return walk_in(conn, venue, venue.t("T2"), 2, **kw)


def test_an_unknown_source_is_refused_not_raised(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")
    row = refused(conn, lambda: desk_book(conn, venue, night, s, e, source="fax"), "INVALID_INPUT")
    assert row["error_message"] == (
        'There is no booking source "fax": it is desk, phone, web or walk_in.'
    )
    assert last_attempt(conn)["source"] is None
    refused(conn, lambda: desk_book(conn, venue, night, s, e, source=HUGE), "INVALID_INPUT")


@pytest.mark.parametrize("born", ["294000-01-01", "infinity", "-infinity", "1850-01-01"])
def test_a_date_of_birth_that_cannot_be_is_refused(conn: Conn, venue: Venue, born: str) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")

    def book() -> Row:
        row: Row | None = conn.execute(
            "SELECT * FROM desk_book(%s, NULL, %s, %s, %s, %s, 2, NULL, NULL, NULL, 'desk', "
            "'Bob New', NULL, 'bob@x.example', %s::date)",
            [venue.id, venue.t("T2"), night, s, e, born],
        ).fetchone()
        assert row is not None
        return row

    refused(
        conn, book, "INVALID_INPUT", "The date of birth must be a real one: from 1900 to today."
    )


# ---------------------------------------------------------------------------
# Nights and times


BAD_NIGHTS = [
    "300000-01-01",
    "infinity",
    "-infinity",
    "1999-12-31",
    "0044-03-15 BC",
    "5874897-12-31",
]
NIGHT_MESSAGE = "The night must be a date in the years 2000 to 9999."


@pytest.mark.parametrize("night", BAD_NIGHTS)
def test_a_night_outside_the_sane_window_is_an_invalid_time(
    conn: Conn, venue: Venue, night: Any
) -> None:
    refused(conn, lambda: create_booking(conn, venue, night=night), "INVALID_TIME", NIGHT_MESSAGE)
    refused(
        conn,
        lambda: desk_book(conn, venue, night, "2030-01-01 22:00Z", "2030-01-01 23:00Z"),
        "INVALID_TIME",
        NIGHT_MESSAGE,
    )
    for query in (
        "SELECT check_table_availability(%(table)s, %(night)s::date, '22:00', '23:00') AS v",
        "SELECT count(*) > 0 AS v FROM get_optimal_table_combinations("
        "%(venue)s, %(night)s::date, '22:00', '23:00', 2)",
        "SELECT night_plan(%(venue)s, %(night)s::date) IS NOT NULL AS v",
    ):
        got = conn.execute(
            query, {"table": venue.tables["T2"], "night": night, "venue": venue.id}
        ).fetchone()
        assert got is not None and got["v"] is False, query


@pytest.mark.parametrize(
    ("starts", "ends"), [("-infinity", "infinity"), ("2030-01-01 22:00Z", "infinity")]
)
def test_infinite_instants_are_an_invalid_time(
    conn: Conn, venue: Venue, starts: str, ends: str
) -> None:
    night = night_ahead(venue)
    row = refused(conn, lambda: desk_book(conn, venue, night, starts, ends), "INVALID_TIME")
    assert "infinity" in row["error_message"]
    mine = create_booking(conn, venue, start="22:00", end="23:00")
    assert mine["success"], mine
    moved = refused(
        conn, lambda: move_booking(conn, mine["booking_id"], None, starts, ends), "INVALID_TIME"
    )
    assert moved["error_message"] == row["error_message"]


# ---------------------------------------------------------------------------
# A time tonight that has already ended


@pytest.fixture
def at_2330(conn: Conn, venue: Venue) -> date:
    """The engine's clock at 23:30 on a night three days ahead: that night is tonight."""
    night = night_ahead(venue, 3)
    clock.set_session_clock(conn, clock.on_night(night, "23:30"))
    return night


def test_a_website_booking_for_a_time_already_gone_is_past(
    conn: Conn, venue: Venue, at_2330: date
) -> None:
    night = at_2330
    gone = "That time has already passed tonight."
    for start, end in [("22:00", "23:00"), ("22:00", "23:30")]:

        def book(start: str = start, end: str = end) -> Row:
            return create_booking(conn, venue, night=night, start=start, end=end)

        refused(conn, book, "PAST_DATE", gone)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")
    refused(conn, lambda: desk_book(conn, venue, night, s, e), "PAST_DATE", gone)
    # still going at 23:30: bookable, and so is a walk-in, which starts now
    ok = create_booking(conn, venue, night=night, start="23:00", end="00:30")
    assert ok["success"], ok
    seated = walk_in(conn, venue, venue.t("T3"), 2)
    assert seated["success"], seated
    assert seated["starts_at"] == clock.on_night(night, "23:30")


def test_availability_is_false_wherever_the_website_would_be_refused_the_time(
    conn: Conn, venue: Venue, at_2330: date
) -> None:
    tonight = at_2330
    closed = tonight + timedelta(days=2)
    conn.execute(
        "INSERT INTO nights (venue_id, night, is_closed) VALUES (%s, %s, true)", [venue.id, closed]
    )
    cases: list[tuple[date | str, str, str, str | None]] = [
        (tonight, "23:45", "01:00", None),  # free and bookable
        (tonight, "22:00", "23:00", "PAST_DATE"),  # already over
        (tonight - timedelta(days=2), "23:00", "01:00", "PAST_DATE"),
        (closed, "22:00", "23:00", "VENUE_CLOSED"),
        (tonight + timedelta(days=1), "12:00", "13:00", "OUTSIDE_HOURS"),
        (tonight + timedelta(days=1), "02:00", "23:00", "INVALID_TIME"),
        (tonight + timedelta(days=401), "22:00", "23:00", "TOO_FAR_AHEAD"),
        ("300000-01-01", "22:00", "23:00", "INVALID_TIME"),
    ]
    for night, start, end, code in cases:
        free = conn.execute(
            "SELECT check_table_availability(%s, %s::date, %s, %s) AS free",
            [venue.tables["T4"], night, start, end],
        ).fetchone()
        offered = conn.execute(
            "SELECT count(*) AS n FROM get_optimal_table_combinations(%s, %s::date, %s, %s, 2)",
            [venue.id, night, start, end],
        ).fetchone()
        assert free is not None and offered is not None
        assert free["free"] is (code is None), (night, start, end)
        assert (offered["n"] > 0) is (code is None), (night, start, end)
        if code is not None:
            row = create_booking(
                conn, venue, night=night, start=start, end=end, tables=venue.t("T4")
            )
            assert row["error_code"] == code, (night, start, end, row)


def test_a_hold_for_a_time_already_gone_is_refused(conn: Conn, venue: Venue, at_2330: date) -> None:
    night = at_2330
    conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-1', false)")
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")
    row = conn.execute(
        "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)", [venue.id, venue.t("T2"), night, s, e]
    ).fetchone()
    assert row is not None and (row["success"], row["error_code"]) == (False, "PAST_DATE")


# ---------------------------------------------------------------------------
# A lock wait that runs out of lock_timeout (the engine's writing functions
# wait 2 s at most) is "being booked", not an error.  A manager's open psql
# insert is tests/core/test_engine_stalls.py's.


BEING_BOOKED = "T2 is being booked at another desk; try again in a moment."


def _blocked(db_url: str, hold: Callable[[Conn], None], call: Callable[[], Row]) -> Row:
    """``call``'s answer while another transaction, frozen, does ``hold``."""
    with connect(db_url, autocommit=False) as other:
        hold(other)
        try:
            return call()
        finally:
            other.rollback()


def test_a_frozen_turn_on_the_table_is_being_booked(db_url: str, conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")

    def turn_of_t2(other: Conn) -> None:
        other.execute(
            "SELECT pg_advisory_xact_lock(2, private.fd_lock_key(%s, %s))",
            [venue.tables["T2"], night],
        )

    def website() -> Row:
        return refused(conn, lambda: create_booking(conn, venue), "TABLE_BEING_BOOKED")

    def holding() -> Row:
        conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-1', false)")
        row: Row | None = conn.execute(
            "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)", [venue.id, venue.t("T2"), night, s, e]
        ).fetchone()
        assert row is not None
        return row

    assert _blocked(db_url, turn_of_t2, website)["error_message"] == BEING_BOOKED
    held = _blocked(db_url, turn_of_t2, holding)
    assert (held["success"], held["error_code"]) == (False, "TABLE_BEING_BOOKED")


def test_a_move_waiting_on_a_frozen_row_is_being_booked(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    mine = create_booking(conn, venue)
    assert mine["success"], mine

    def lock_row(other: Conn) -> None:
        other.execute("SELECT 1 FROM bookings WHERE id = %s FOR UPDATE", [mine["booking_id"]])

    def move() -> Row:
        return move_booking(conn, mine["booking_id"], None, None, None, 3)

    row = _blocked(db_url, lock_row, lambda: refused(conn, move, "TABLE_BEING_BOOKED"))
    assert row["error_message"] == BEING_BOOKED


# ---------------------------------------------------------------------------
# Nothing raises, whatever a caller sends


TEXTS: list[Any] = [None, "", " \t\u3000", HUGE * 10, "'; DROP TABLE bookings; --", "ø\u200b"]
DATES: list[Any] = [None, "infinity", "-infinity", "4713-01-01 BC", "0001-01-01", "1999-12-31",
                    "9999-12-31", "300000-01-01", "5874897-12-31"]  # fmt: skip
TIMES: list[Any] = [None, "00:00", "24:00", "23:59:59.999999", "12:00"]
INSTANTS: list[Any] = [None, "infinity", "-infinity", "4713-01-01 00:00Z BC",
                       "294276-12-31 23:59:59Z", "2000-01-01 00:00Z"]  # fmt: skip
INTS: list[Any] = [None, -2147483648, -1, 0, 1, 2147483647]
UUIDS: list[Any] = [None, uuid.UUID(int=0)]
TABLE_LISTS: list[Any] = [None, [], [None], [uuid.UUID(int=0)], [uuid.UUID(int=0)] * 1000]

#: function, its arguments as (SQL type, default, bad values), and how many rows it answers
CALLS: list[tuple[str, list[tuple[str, str, list[Any]]]]] = [
    ("create_booking_atomic", [
        ("uuid", "venue", UUIDS), ("text", "email", TEXTS), ("text", "phone", TEXTS),
        ("text", "name", TEXTS), ("uuid[]", "tables", TABLE_LISTS), ("date", "night", DATES),
        ("time", "start", TIMES), ("time", "end", TIMES), ("int", "party", INTS),
        ("uuid", "customer", UUIDS), ("text", "requests", TEXTS), ("text", "occasion", TEXTS),
        ("text", "payment", TEXTS)]),
    ("desk_book", [
        ("uuid", "venue", UUIDS), ("uuid", "customer", UUIDS), ("uuid[]", "tables", TABLE_LISTS),
        ("date", "night", DATES), ("timestamptz", "starts", INSTANTS),
        ("timestamptz", "ends", INSTANTS), ("int", "party", INTS), ("text", "requests", TEXTS),
        ("text", "occasion", TEXTS), ("text", "payment", TEXTS), ("text", "source", TEXTS),
        ("text", "name", TEXTS), ("text", "phone", TEXTS), ("text", "email", TEXTS),
        ("date", "born", DATES)]),
    ("walk_in", [
        ("uuid", "venue", UUIDS), ("uuid[]", "tables", TABLE_LISTS), ("int", "party", INTS),
        ("text", "name", TEXTS), ("int", "minutes", INTS)]),
    ("desk_suggestions", [
        ("uuid", "venue", UUIDS), ("date", "night", DATES), ("timestamptz", "starts", INSTANTS),
        ("timestamptz", "ends", INSTANTS), ("int", "party", INTS)]),
    ("get_optimal_table_combinations", [
        ("uuid", "venue", UUIDS), ("date", "night", DATES), ("time", "start", TIMES),
        ("time", "end", TIMES), ("int", "party", INTS)]),
    ("check_table_availability", [
        ("uuid", "table", UUIDS), ("date", "night", DATES), ("time", "start", TIMES),
        ("time", "end", TIMES), ("uuid", "customer", UUIDS)]),
    ("hold_tables", [
        ("uuid", "venue", UUIDS), ("uuid[]", "tables", TABLE_LISTS), ("date", "night", DATES),
        ("timestamptz", "starts", INSTANTS), ("timestamptz", "ends", INSTANTS)]),
    ("night_plan", [("uuid", "venue", UUIDS), ("date", "night", DATES)]),
    ("move_booking", [
        ("uuid", "booking", UUIDS), ("uuid[]", "tables", TABLE_LISTS),
        ("timestamptz", "starts", INSTANTS), ("timestamptz", "ends", INSTANTS),
        ("int", "party", INTS)]),
]  # fmt: skip


@pytest.mark.parametrize(("function", "arguments"), CALLS, ids=[c[0] for c in CALLS])
def test_no_value_a_caller_can_send_raises(
    conn: Conn, venue: Venue, function: str, arguments: list[tuple[str, str, list[Any]]]
) -> None:
    """Each argument in turn takes every awkward value, the others a good booking's."""
    night = night_ahead(venue)
    mine = create_booking(conn, venue, tables=venue.t("T5"), start="23:00", end="01:00")
    assert mine["success"], mine
    conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-1', false)")
    good: dict[str, Any] = {
        "venue": venue.id,
        "email": ADULT_EMAIL,
        "phone": None,
        "name": "Ada Adult",
        "tables": venue.t("T2"),
        "night": night,
        "start": "22:00",
        "end": "00:30",
        "starts": instant(conn, venue, night, "22:00"),
        "ends": instant(conn, venue, night, "00:30"),
        "party": 2,
        "customer": None,
        "requests": None,
        "occasion": None,
        "payment": None,
        "source": "desk",
        "born": None,
        "minutes": 60,
        "table": venue.tables["T2"],
        "booking": mine["booking_id"],
    }
    placeholders = ", ".join(f"%({name})s::{kind}" for kind, name, _ in arguments)
    query = f"SELECT * FROM {function}({placeholders})"
    calls = 0
    for _kind, name, values in arguments:
        for value in values:
            with conn.transaction(force_rollback=True):  # nothing one call books stays
                rows = conn.execute(query, {**good, name: value}).fetchall()
            calls += 1
            if function in ("create_booking_atomic", "desk_book", "walk_in", "hold_tables"):
                assert len(rows) == 1 and rows[0]["success"] in (True, False), (name, value)
                assert rows[0]["success"] or rows[0]["error_code"], (name, value, rows)
    assert calls == sum(len(v) for _k, _n, v in arguments)


def test_every_booking_function_returns_the_instants_it_booked(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    row = create_booking(conn, venue, night=night, start="22:00", end="00:30")
    columns = list(row)
    assert columns == [
        "booking_id",
        "booking_reference",
        "total_deposit",
        "success",
        "error_message",
        "error_code",
        "starts_at",
        "ends_at",
    ]
    stored = conn.execute(
        "SELECT starts_at, ends_at FROM bookings WHERE id = %s", [row["booking_id"]]
    ).fetchone()
    assert stored is not None
    assert (row["starts_at"], row["ends_at"]) == (stored["starts_at"], stored["ends_at"])
    assert row["starts_at"] == clock.on_night(night, "22:00")
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")
    desk = desk_book(conn, venue, night, s, e, tables=venue.t("T3"))
    assert list(desk)[-2:] == ["starts_at", "ends_at"]
    assert (desk["starts_at"], desk["ends_at"]) == (s, e)
    seated = walk_in_now(conn, venue)
    assert list(seated)[-2:] == ["starts_at", "ends_at"]
    assert seated["ends_at"] - seated["starts_at"] == timedelta(minutes=150)
    assert isinstance(seated["starts_at"], datetime)
