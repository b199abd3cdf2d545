"""Every refusal of the booking functions: a code, words for the host, nothing written.

Each case checks that the call answered (no exception), that bookings,
booking_tables, customers and holds are exactly as before, and that the one
write allowed on refusal happened: a booking_attempts row with the code.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.core.engine_helpers import (
    TEEN_EMAIL,
    Conn,
    Row,
    Venue,
    attempt_count,
    connect,
    create_booking,
    desk_book,
    instant,
    last_attempt,
    make_venue,
    move_booking,
    night_ahead,
    snapshot,
    walk_in,
)


def assert_refused(
    conn: Conn, call: Callable[[], Row], code: str, source: str | None = None
) -> Row:
    before = snapshot(conn)
    attempts = attempt_count(conn)
    row = call()
    assert row["success"] is False, row
    assert row["error_code"] == code, row
    assert row["error_message"], row
    assert row.get("booking_id") is None and row.get("booking_reference") is None
    assert snapshot(conn) == before, "a refusal wrote something"
    assert attempt_count(conn) == attempts + 1
    attempt = last_attempt(conn)
    assert attempt["success"] is False and attempt["error_code"] == code
    assert attempt["duration_ms"] is not None and attempt["duration_ms"] >= 0
    if source is not None:
        assert attempt["source"] == source
    return row


# ---------------------------------------------------------------------------
# create_booking_atomic

Setup = Callable[[Conn, Venue], dict[str, Any]]


def _closed_night(conn: Conn, v: Venue) -> dict[str, Any]:
    night = night_ahead(v, 15)
    conn.execute(
        "INSERT INTO nights (venue_id, night, is_closed, event_name) "
        "VALUES (%s, %s, true, 'Private hire')",
        [v.id, night],
    )
    return {"night": night}


def _other_venue_table(conn: Conn, v: Venue) -> dict[str, Any]:
    other = make_venue(conn, name="Elsewhere")
    return {"tables": other.t("T2")}


def _inactive_table(conn: Conn, v: Venue) -> dict[str, Any]:
    conn.execute("UPDATE venue_tables SET is_active = false WHERE id = %s", [v.tables["T2"]])
    return {}


def _other_venue_customer(conn: Conn, v: Venue) -> dict[str, Any]:
    other = make_venue(conn, name="Elsewhere")
    return {"customer": other.adult}


def _booked(conn: Conn, v: Venue) -> dict[str, Any]:
    first = create_booking(conn, v, start="22:00", end="00:30")
    assert first["success"], first
    return {"start": "23:00", "end": "01:00"}


def _held_elsewhere(conn: Conn, v: Venue) -> dict[str, Any]:
    night = night_ahead(v)
    conn.execute(
        "INSERT INTO holds (venue_id, table_id, night, period, terminal, expires_at) "
        "VALUES (%s, %s, %s, tstzrange(private.fd_night_instant(%s, %s, '23:30'), "
        "private.fd_night_instant(%s, %s, '00:30')), 'DESK-2', now() + interval '10 minutes')",
        [v.id, v.tables["T2"], night, v.id, night, v.id, night],
    )
    return {}


CASES: list[tuple[str, str, dict[str, Any], Setup | None]] = [
    ("null venue", "UNKNOWN_VENUE", {"venue": None}, None),
    ("unknown venue", "UNKNOWN_VENUE", {"venue": uuid.uuid4()}, None),
    ("end before start, night rule", "INVALID_TIME", {"start": "02:00", "end": "23:00"}, None),
    ("end equals start", "INVALID_TIME", {"start": "22:00", "end": "22:00"}, None),
    ("null start", "INVALID_TIME", {"start": None}, None),
    ("null end", "INVALID_TIME", {"end": None}, None),
    ("null night", "INVALID_TIME", {"night": None}, None),
    ("past night", "PAST_DATE", {"night_days": -2}, None),
    ("too far ahead", "TOO_FAR_AHEAD", {"night_days": 402}, None),
    ("closed night", "VENUE_CLOSED", {}, _closed_night),
    ("after closing", "OUTSIDE_HOURS", {"start": "03:30", "end": "04:30"}, None),
    ("zero party", "PARTY_SIZE", {"party": 0}, None),
    ("party over the venue's maximum", "PARTY_SIZE", {"party": 51}, None),
    ("null party", "PARTY_SIZE", {"party": None}, None),
    ("party over the table", "OVER_CAPACITY", {"party": 5}, None),
    ("under age by email", "UNDER_AGE", {"email": TEEN_EMAIL, "name": "Tim"}, None),
    ("empty table list", "UNKNOWN_TABLE", {"tables": []}, None),
    ("null table list", "UNKNOWN_TABLE", {"tables": None}, None),
    ("unknown table", "UNKNOWN_TABLE", {"tables": [uuid.uuid4()]}, None),
    ("null table in the list", "UNKNOWN_TABLE", {"tables": [None]}, None),
    ("another venue's table", "UNKNOWN_TABLE", {}, _other_venue_table),
    ("table out of service", "UNKNOWN_TABLE", {}, _inactive_table),
    ("tables not joined", "TABLES_NOT_JOINABLE", {"table_names": ("T1", "T3")}, None),
    ("a lone table with another", "TABLES_NOT_JOINABLE", {"table_names": ("T4", "T5")}, None),
    ("not an email", "INVALID_CUSTOMER", {"email": "not-an-email"}, None),
    ("not a phone", "INVALID_CUSTOMER", {"email": None, "phone": "call me"}, None),
    ("phone too short", "INVALID_CUSTOMER", {"email": None, "phone": "0123"}, None),
    ("no contact at all", "INVALID_CUSTOMER", {"email": None, "phone": None}, None),
    ("blank contacts", "INVALID_CUSTOMER", {"email": "  ", "phone": ""}, None),
    ("new customer, no name", "INVALID_CUSTOMER", {"email": "new@x.example", "name": " "}, None),
    ("unknown customer id", "INVALID_CUSTOMER", {"customer": uuid.uuid4()}, None),
    ("another venue's customer", "INVALID_CUSTOMER", {}, _other_venue_customer),
    ("table booked", "TABLE_UNAVAILABLE", {}, _booked),
    (
        "held at another desk",
        "TABLE_BEING_BOOKED",
        {"start": "23:00", "end": "01:00"},
        _held_elsewhere,
    ),
]


@pytest.mark.parametrize(
    ("code", "kwargs", "setup"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_create_booking_atomic_refuses_without_writing(
    conn: Conn, venue: Venue, code: str, kwargs: dict[str, Any], setup: Setup | None
) -> None:
    kw = dict(kwargs)
    if setup is not None:
        kw.update(setup(conn, venue))
    if "night_days" in kw:
        kw["night"] = night_ahead(venue, kw.pop("night_days"))
    if "table_names" in kw:
        kw["tables"] = venue.t(*kw.pop("table_names"))
    assert_refused(conn, lambda: create_booking(conn, venue, **kw), code, source="web")


def test_refusal_messages_read_aloud(conn: Conn, venue: Venue) -> None:
    assert create_booking(conn, venue, start="22:00", end="00:30")["success"]
    clash = create_booking(conn, venue, start="23:00", end="01:00")
    assert clash["error_message"] == "T2 is booked 22:00–00:30 that night."
    over = create_booking(conn, venue, tables=venue.t("T3", "T4"), party=14)
    assert over["error_message"] == "Party of 14 is more than T3 and T4 seat (10)."
    single = create_booking(conn, venue, tables=venue.t("T3"), party=5)
    assert single["error_message"] == "Party of 5 is more than T3 seats (4)."
    hours = create_booking(conn, venue, start="03:30", end="04:30")
    assert "21:00–04:00" in hours["error_message"]
    joins = create_booking(conn, venue, tables=venue.t("T1", "T3"))
    assert joins["error_message"] == "T1 and T3 cannot be joined."


def test_phone_lock_of_another_session_refuses_at_once(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    with connect(db_url) as desk:
        got = desk.execute(
            "SELECT acquire_booking_lock(%s, %s, '23:45') AS ok", [venue.tables["T2"], night]
        ).fetchone()
        assert got is not None and got["ok"] is True
        row = assert_refused(conn, lambda: create_booking(conn, venue), "TABLE_BEING_BOOKED")
        assert "T2" in row["error_message"]


def test_only_a_refusal_that_wrote_nothing_skips_the_wait_for_the_disk(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    """A refusal's attempt row is committed without waiting for the disk (a release
    burst is mostly refusals), but never a transaction that made a booking."""

    def synchronous(tx: Conn) -> str:
        row = tx.execute("SELECT current_setting('synchronous_commit') AS s").fetchone()
        assert row is not None
        return str(row["s"])

    assert create_booking(conn, venue, start="22:00", end="00:30")["success"]
    with connect(db_url, autocommit=False) as tx:
        tx.execute("SET synchronous_commit = on")  # the session's own (the test server's is off)
        tx.commit()
        assert synchronous(tx) == "on"
        assert create_booking(tx, venue, start="23:00", end="01:00")["error_code"] == (
            "TABLE_UNAVAILABLE"
        )
        assert synchronous(tx) == "off"
        tx.commit()
        assert synchronous(tx) == "on"  # for that transaction only
        booked = create_booking(tx, venue, tables=venue.t("T3"), start="22:00", end="23:00")
        assert booked["success"], booked
        clash = create_booking(tx, venue, tables=venue.t("T3"), start="22:30", end="23:30")
        assert clash["error_code"] == "TABLE_UNAVAILABLE", clash
        assert synchronous(tx) == "on"
        tx.commit()
    assert last_attempt(conn)["error_code"] == "TABLE_UNAVAILABLE"


# ---------------------------------------------------------------------------
# desk_book (instants)


def test_desk_book_refusals(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")
    other = make_venue(conn, name="Elsewhere")
    cases: list[tuple[str, dict[str, Any]]] = [
        ("INVALID_CUSTOMER", {"customer": None}),
        ("INVALID_CUSTOMER", {"customer": other.adult}),
        ("UNDER_AGE", {"customer": venue.teen}),
        ("INVALID_TIME", {"starts": e, "ends": s}),
        ("INVALID_TIME", {"starts": None}),
        ("OUTSIDE_HOURS", {"starts": s - timedelta(hours=2)}),
        # instants of another night than the one named
        ("OUTSIDE_HOURS", {"night": night + timedelta(days=1)}),
        ("PARTY_SIZE", {"party": -1}),
        ("OVER_CAPACITY", {"party": 9, "tables": venue.t("T1", "T2")}),
        ("UNKNOWN_TABLE", {"tables": [venue.tables["T2"], uuid.uuid4()]}),
        ("UNKNOWN_TABLE", {"tables": other.t("T2")}),
        ("UNKNOWN_VENUE", {"venue": None}),
        ("TABLES_NOT_JOINABLE", {"tables": venue.t("T2", "T4")}),
    ]
    for code, kw in cases:

        def call(kw: dict[str, Any] = kw) -> Row:
            return desk_book(conn, venue, night, s, e, **kw)

        assert_refused(conn, call, code, source="desk")
    assert desk_book(conn, venue, night, s, e)["success"]
    assert_refused(
        conn,
        lambda: desk_book(
            conn,
            venue,
            night,
            s + timedelta(minutes=59),
            e + timedelta(hours=1),
            tables=venue.t("T3", "T2"),
            party=6,
            source="phone",
        ),
        "TABLE_UNAVAILABLE",
        source="phone",
    )


def test_desk_book_refuses_an_unknown_source(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    s, e = instant(conn, venue, night, "22:00"), instant(conn, venue, night, "23:00")
    row = desk_book(conn, venue, night, s, e, source="fax")
    assert (row["success"], row["error_code"]) == (False, "INVALID_INPUT"), row


# ---------------------------------------------------------------------------
# move_booking


def _booking(
    conn: Conn,
    venue: Venue,
    tables: tuple[str, ...] = ("T2",),
    start: str = "22:00",
    end: str = "23:00",
    party: int = 2,
) -> str:
    row = create_booking(conn, venue, tables=venue.t(*tables), start=start, end=end, party=party)
    assert row["success"], row
    return str(row["booking_id"])


def test_move_booking_refusals(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)

    def at(hhmm: str) -> datetime:
        return instant(conn, venue, night, hhmm)

    mine = _booking(conn, venue)
    _booking(conn, venue, tables=("T3",), start="22:00", end="23:00")
    conn.execute(
        "INSERT INTO holds (venue_id, table_id, night, period, terminal, expires_at) "
        "VALUES (%s, %s, %s, tstzrange(%s, %s), 'DESK-2', now() + interval '5 minutes')",
        [venue.id, venue.tables["T1"], night, at("22:00"), at("23:00")],
    )
    cases: list[tuple[str, tuple[Any, ...]]] = [
        ("UNKNOWN_BOOKING", (uuid.uuid4(), None, None, None)),
        ("UNKNOWN_BOOKING", (None, None, None, None)),
        ("TABLE_UNAVAILABLE", (mine, venue.t("T3"), None, None)),
        ("TABLE_BEING_BOOKED", (mine, venue.t("T1"), None, None)),
        ("OUTSIDE_HOURS", (mine, None, at("03:00"), at("05:00"))),
        ("INVALID_TIME", (mine, None, at("23:00"), at("22:00"))),
        ("OVER_CAPACITY", (mine, None, None, None, 5)),
        ("PARTY_SIZE", (mine, None, None, None, 0)),
        ("UNKNOWN_TABLE", (mine, [], None, None)),
        ("UNKNOWN_TABLE", (mine, [uuid.uuid4()], None, None)),
        ("TABLES_NOT_JOINABLE", (mine, venue.t("T2", "T5"), None, None)),
    ]
    for code, args in cases:

        def move(args: tuple[Any, ...] = args) -> Row:
            return move_booking(conn, *args)

        assert_refused(conn, move, code, source="move")
    for status in ("cancelled", "no_show", "completed"):
        other = _booking(conn, venue, tables=("T5",), start="01:00", end="02:00")
        conn.execute("UPDATE bookings SET status = %s WHERE id = %s", [status, other])

        def move_other(o: str = other) -> Row:
            return move_booking(conn, o, venue.t("T4"), None, None)

        assert_refused(conn, move_other, "INVALID_TRANSITION", source="move")


# ---------------------------------------------------------------------------
# walk_in


def test_walk_in_refusals(conn: Conn, venue: Venue) -> None:
    closed = make_venue(conn, name="Never open", opens=None, closes=None)
    assert_refused(conn, lambda: walk_in(conn, None, venue.t("T2"), 2), "UNKNOWN_VENUE")
    assert_refused(conn, lambda: walk_in(conn, uuid.uuid4(), venue.t("T2"), 2), "UNKNOWN_VENUE")
    assert_refused(
        conn, lambda: walk_in(conn, closed, closed.t("T2"), 2), "VENUE_CLOSED", source="walk_in"
    )
    allday = make_venue(conn, name="All day", opens="00:00", closes="00:00")
    assert_refused(
        conn, lambda: walk_in(conn, allday, allday.t("T2"), 2, minutes=0), "INVALID_TIME"
    )
    assert_refused(conn, lambda: walk_in(conn, allday, allday.t("T2"), 0), "PARTY_SIZE")
    assert_refused(conn, lambda: walk_in(conn, allday, allday.t("T2"), None), "PARTY_SIZE")
    assert_refused(conn, lambda: walk_in(conn, allday, [], 2), "UNKNOWN_TABLE")
    assert_refused(conn, lambda: walk_in(conn, allday, None, 2), "UNKNOWN_TABLE")
    assert_refused(conn, lambda: walk_in(conn, allday, allday.t("T1"), 3), "OVER_CAPACITY")
