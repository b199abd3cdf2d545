"""The rules hold for plain SQL too (a manager's psql, a client's bug).

trigger_validate_booking_constraints refuses rows that break a rule with
check_violation, a host-readable message and the refusal code in DETAIL; the
deferred triggers on booking_tables check the tables at commit.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests.core.engine_helpers import (
    Conn,
    Venue,
    connect,
    create_booking,
    make_venue,
    night_ahead,
)

INSERT = """
    INSERT INTO bookings (id, venue_id, reference, customer_id, night, starts_at, ends_at,
                          party_size)
    VALUES (%(id)s, %(venue)s, %(ref)s, %(customer)s, %(night)s,
            private.fd_night_instant(%(venue)s, %(night)s, %(start)s::time),
            private.fd_night_instant(%(venue)s, %(night)s, %(end)s::time), %(party)s)
"""


def _insert(conn: Conn, venue: Venue, **kw: Any) -> uuid.UUID:
    params: dict[str, Any] = {
        "id": uuid.uuid4(),
        "venue": venue.id,
        "ref": "BR-000000-" + uuid.uuid4().hex[:6].upper().translate(str.maketrans("01", "AB")),
        "customer": venue.adult,
        "night": night_ahead(venue),
        "start": "22:00",
        "end": "23:00",
        "party": 2,
    }
    params.update(kw)
    conn.execute(INSERT, params)
    return uuid.UUID(str(params["id"]))


def _refused(code: str, raised: pytest.ExceptionInfo[psycopg.errors.CheckViolation]) -> None:
    assert raised.value.sqlstate == "23514"
    assert raised.value.diag.message_detail == code
    assert raised.value.diag.message_primary


@pytest.mark.parametrize(
    ("code", "kw"),
    [
        ("PAST_DATE", {"night_days": -3}),
        ("TOO_FAR_AHEAD", {"night_days": 450}),
        ("OUTSIDE_HOURS", {"start": "21:00", "end": "04:30"}),
        ("INVALID_TIME", {"start": "20:00", "end": "21:30"}),  # 20:00 is after midnight
        ("OUTSIDE_HOURS", {"start": "03:00", "end": "05:00"}),
        ("INVALID_TIME", {"start": "23:00", "end": "22:00"}),
        ("PARTY_SIZE", {"party": 0}),
        ("PARTY_SIZE", {"party": 51}),
        ("UNDER_AGE", {"customer": "teen"}),
    ],
)
def test_direct_insert_is_refused(conn: Conn, venue: Venue, code: str, kw: dict[str, Any]) -> None:
    if "night_days" in kw:
        kw["night"] = night_ahead(venue, kw.pop("night_days"))
    if kw.get("customer") == "teen":
        kw["customer"] = venue.teen
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        _insert(conn, venue, **kw)
    _refused(code, raised)


def test_direct_insert_on_a_closed_night_is_refused(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue, 20)
    conn.execute(
        "INSERT INTO nights (venue_id, night, is_closed) VALUES (%s, %s, true)", [venue.id, night]
    )
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        _insert(conn, venue, night=night)
    _refused("VENUE_CLOSED", raised)


def test_direct_updates_are_checked_when_they_touch_a_rule(conn: Conn, venue: Venue) -> None:
    bid = _insert(conn, venue)
    for sql, code in [
        (
            "UPDATE bookings SET ends_at = ends_at + interval '6 hours' WHERE id = %s",
            "OUTSIDE_HOURS",
        ),
        ("UPDATE bookings SET party_size = 99 WHERE id = %s", "PARTY_SIZE"),
        (
            "UPDATE bookings SET night = night - 30, starts_at = starts_at - interval '30 days', "
            "ends_at = ends_at - interval '30 days' WHERE id = %s",
            "PAST_DATE",
        ),
        (
            "UPDATE bookings SET customer_id = (SELECT id FROM customers WHERE name = 'Tim Teen') "
            "WHERE id = %s",
            "UNDER_AGE",
        ),
    ]:
        with pytest.raises(psycopg.errors.CheckViolation) as raised:
            conn.execute(sql, [bid])
        _refused(code, raised)
    conn.execute("UPDATE bookings SET party_size = 3, special_requests = 'x' WHERE id = %s", [bid])


def test_a_past_booking_can_still_change_status_but_not_time(conn: Conn, venue: Venue) -> None:
    past = venue.today - timedelta(days=3)
    conn.execute("ALTER TABLE bookings DISABLE TRIGGER trigger_validate_booking_constraints")
    try:
        bid = _insert(conn, venue, night=past)
        conn.execute(
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [bid, venue.tables["T2"]],
        )
    finally:
        conn.execute("ALTER TABLE bookings ENABLE TRIGGER trigger_validate_booking_constraints")
    conn.execute("UPDATE bookings SET status = 'seated' WHERE id = %s", [bid])
    conn.execute(
        "UPDATE bookings SET status = 'completed', special_requests = 'paid' WHERE id = %s", [bid]
    )
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        conn.execute("UPDATE bookings SET party_size = 3 WHERE id = %s", [bid])
    _refused("PAST_DATE", raised)
    row = conn.execute("SELECT status, party_size FROM bookings WHERE id = %s", [bid]).fetchone()
    assert row is not None and (row["status"], row["party_size"]) == ("completed", 2)


def test_the_tables_must_seat_the_party_at_commit(db_url: str, venue: Venue) -> None:
    with connect(db_url, autocommit=False) as tx:
        # a booking is written before its tables: fine within one transaction
        bid = _insert(tx, venue, party=7)
        tx.execute(
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s), (%s, %s)",
            [bid, venue.tables["T2"], bid, venue.tables["T3"]],
        )
        tx.commit()
        bid = _insert(tx, venue, party=7, start="23:00", end="00:00")
        tx.execute(
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [bid, venue.tables["T4"]],
        )
        with pytest.raises(psycopg.errors.CheckViolation) as raised:
            tx.commit()
        _refused("OVER_CAPACITY", raised)
        assert str(raised.value.diag.message_primary) == "Party of 7 is more than T4 seats (6)."
        # growing the party past the tables, by update
        row = tx.execute("SELECT id FROM bookings").fetchone()
        assert row is not None
        tx.execute("UPDATE bookings SET party_size = 9 WHERE id = %s", [row["id"]])
        with pytest.raises(psycopg.errors.CheckViolation) as raised:
            tx.commit()
        _refused("OVER_CAPACITY", raised)


def test_the_tables_must_be_the_venues(conn: Conn, venue: Venue) -> None:
    other = make_venue(conn, name="Elsewhere")
    bid = _insert(conn, venue)
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        conn.execute(
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [bid, other.tables["T2"]],
        )
    _refused("UNKNOWN_TABLE", raised)
    conn.execute("UPDATE venue_tables SET is_active = false WHERE id = %s", [venue.tables["T3"]])
    with pytest.raises(psycopg.errors.CheckViolation) as raised:
        conn.execute(
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [bid, venue.tables["T3"]],
        )
    _refused("UNKNOWN_TABLE", raised)
    # a table taken out of service later does not stop its bookings from changing
    conn.execute(
        "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
        [bid, venue.tables["T2"]],
    )
    conn.execute("UPDATE venue_tables SET is_active = false WHERE id = %s", [venue.tables["T2"]])
    conn.execute(
        "UPDATE bookings SET starts_at = starts_at + interval '15 minutes' WHERE id = %s", [bid]
    )
    conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", [bid])


def test_the_engines_mark_spares_no_write_but_its_own(db_url: str, venue: Venue) -> None:
    """create_booking_atomic marks its own new booking so that the triggers do not check
    its rules twice.  The mark spares nothing else: a mark set by hand before the call
    changes no answer, and a later write to that booking in the same transaction is
    checked in full.  (Only the owner, who may switch the triggers off anyway, writes these
    tables; test_grants proves no other login does.)"""
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as tx:
        tx.execute("UPDATE venue_tables SET is_active = false WHERE id = %s", [venue.tables["T4"]])
        guessed = uuid.uuid4()
        tx.execute("SELECT set_config('frontdesk.rules_checked', %s, true)", [str(guessed)])
        row = create_booking(tx, venue, night=night, party=7, start="22:00", end="23:00")
        assert row["error_code"] == "OVER_CAPACITY", row  # T2 seats 4
        row = create_booking(tx, venue, night=night, start="22:00", end="23:00")
        assert row["success"], row
        mark = tx.execute("SELECT current_setting('frontdesk.rules_checked') AS m").fetchone()
        assert mark == {"m": ""}
        with pytest.raises(psycopg.errors.CheckViolation) as raised:
            tx.execute(
                "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
                [row["booking_id"], venue.tables["T4"]],
            )
        _refused("UNKNOWN_TABLE", raised)
        tx.rollback()


def test_the_demo_venue_loads_through_the_trigger(demo_conn: psycopg.Connection[Any]) -> None:
    row = demo_conn.execute("SELECT count(*), min(night) FROM bookings").fetchone()
    assert row is not None and row[0] >= 50
    assert isinstance(row[1], date)
