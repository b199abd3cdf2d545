"""Rows by name: a result column (or night plan key) missing or renamed fails
at once, naming it and the call, and is logged as a bug, instead of quietly
becoming a default."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any
from uuid import uuid4

import pytest

from frontdesk import plan
from frontdesk.database import ColumnMismatch, Database, StaffContext
from frontdesk.desk import Desk, parse_night_plan
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    at,
    insert_booking,
    quiet_friday,
    scalar,
    table_id,
)


@dataclass(frozen=True)
class Probe:
    id: int
    name: str


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext("DESK-1", "Priya", uuid4()))
    yield database
    database.close()


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk(db, VENUE, wait=lambda _seconds: None)


# --- Database.call_rows ---------------------------------------------------------------


def test_rows_come_as_the_dataclass_in_the_writers_transaction(db: Database) -> None:
    rows = db.call_rows(
        "SELECT n AS id, current_setting('frontdesk.terminal') || '/' || %(tag)s AS name "
        "FROM generate_series(1, 2) n",
        {"tag": "x"},
        row=Probe,
        what="probe",
    )
    assert rows == [Probe(1, "DESK-1/x"), Probe(2, "DESK-1/x")]


def test_the_right_columns_and_no_rows_is_no_rows(db: Database) -> None:
    query = "SELECT 1 AS id, 'Booth 3' AS name WHERE false"
    assert db.call_rows(query, row=Probe, what="probe_rows") == []


@pytest.mark.parametrize(
    ("query", "missing", "unexpected"),
    [
        ("SELECT 1 AS id", ("name",), ()),
        ("SELECT 1 AS id, 'Booth 3' AS table_name", ("name",), ("table_name",)),
        ("SELECT 1 AS id, 'Booth 3' AS name, 2 AS id", (), ("id",)),
        ("SELECT 1 AS id WHERE false", ("name",), ()),  # checked before any row
        ("SELECT", ("id", "name"), ()),
    ],
)
def test_a_column_missing_or_renamed_fails_naming_it(
    db: Database,
    caplog: pytest.LogCaptureFixture,
    query: str,
    missing: tuple[str, ...],
    unexpected: tuple[str, ...],
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="frontdesk.database"),
        pytest.raises(ColumnMismatch) as caught,
    ):
        db.call_rows(query, {"name": "Amelia Secret"}, row=Probe, what="probe_rows")
    error = caught.value
    assert (error.what, error.missing, error.unexpected) == ("probe_rows", missing, unexpected)
    for column in missing + unexpected:
        assert repr(column) in str(error)
    assert str(error).startswith("probe_rows returned ") and "Probe" in str(error)
    # logged as a bug, with the call and the column, without personal data
    assert "probe_rows" in caplog.text and str(error) in caplog.text
    assert "Amelia Secret" not in caplog.text
    assert db.call("SELECT 1 AS one", what="after") == [{"one": 1}]


# --- the desk over engine functions of the wrong shape ------------------------------------


def test_walk_in_without_its_deposit_column_fails_naming_it(
    desk: Desk, demo_conn: Conn, caplog: pytest.LogCaptureFixture
) -> None:
    """The bug this fixes: walk_in once sent no total_deposit, and every
    walk-in was reported with a deposit of 0."""
    demo_conn.execute("DROP FUNCTION walk_in")
    demo_conn.execute(
        "CREATE FUNCTION walk_in(venue_id uuid, table_ids uuid[], party_size integer, "
        "customer_name text DEFAULT 'Walk-in', minutes integer DEFAULT NULL) "
        "RETURNS TABLE (success boolean, error_code text, error_message text, "
        "booking_id uuid, booking_reference text, starts_at timestamptz, ends_at timestamptz)"
        " LANGUAGE sql AS $$ SELECT true, NULL::text, NULL::text, gen_random_uuid(),"
        " 'BR-000000-AAAAAA', now(), now() + interval '1 hour' $$"
    )
    with (
        caplog.at_level(logging.ERROR, logger="frontdesk.database"),
        pytest.raises(ColumnMismatch) as caught,
    ):
        desk.walk_in([table_id(demo_conn, "Booth 1")], 3)
    assert caught.value.what == "walk_in" and caught.value.missing == ("total_deposit",)
    assert "walk_in returned no column 'total_deposit'" in str(caught.value)
    assert "walk_in returned no column 'total_deposit'" in caplog.text


def test_a_night_plan_key_renamed_fails_naming_it(
    desk: Desk, demo_conn: Conn, caplog: pytest.LogCaptureFixture
) -> None:
    night = quiet_friday(demo_conn)
    demo_conn.execute("ALTER FUNCTION night_plan RENAME TO night_plan_engine")
    demo_conn.execute(
        "CREATE FUNCTION night_plan(venue_id uuid, night date) RETURNS json LANGUAGE sql "
        "AS $$ SELECT (night_plan_engine($1, $2)::jsonb - 'event_name' "
        "|| jsonb_build_object('event', 'La Fiesta'))::json $$"
    )
    with (
        caplog.at_level(logging.ERROR, logger="frontdesk.desk"),
        pytest.raises(ColumnMismatch) as caught,
    ):
        desk.night_plan(night)
    assert caught.value.what == "night_plan" and caught.value.missing == ("event_name",)
    assert "night_plan returned no key 'event_name'" in caplog.text


# --- parse_night_plan -----------------------------------------------------------------


@pytest.fixture
def plan_json(demo_conn: Conn) -> dict[str, Any]:
    """The engine's JSON for a quiet night with a booking and another desk's hold."""
    night = quiet_friday(demo_conn)
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    demo_conn.execute(
        "INSERT INTO holds (venue_id, table_id, night, period, terminal, expires_at) "
        "VALUES (%s, %s, %s, tstzrange(%s, %s), 'DESK-9', now() + interval '5 minutes')",
        [
            VENUE,
            table_id(demo_conn, "Booth 4"),
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    value: dict[str, Any] = scalar(demo_conn, "SELECT night_plan(%s, %s)", [VENUE, night])
    assert all(value[name] for name in ("floors", "tables", "bookings", "holds"))
    return value


#: The plan's objects and the types they become: every field is a key the desk reads.
_READ = {
    "plan": plan.NightPlan,
    "floors": plan.Floor,
    "tables": plan.TableRow,
    "bookings": plan.Booking,
    "holds": plan.Hold,
}


def _object(data: dict[str, Any], where: str) -> dict[str, Any]:
    """The plan itself, or the first object of one of its lists."""
    value: dict[str, Any] = data if where == "plan" else data[where][0]
    return value


def test_every_key_the_desk_reads_is_required(plan_json: dict[str, Any]) -> None:
    parse_night_plan(plan_json)
    for where, kind in _READ.items():
        for key in (f.name for f in fields(kind)):
            assert key in _object(plan_json, where), (where, key)
            broken = copy.deepcopy(plan_json)
            del _object(broken, where)[key]
            with pytest.raises(KeyError) as caught:
                parse_night_plan(broken)
            assert caught.value.args == (key,), (where, key)


def test_values_the_engine_may_leave_null_stay_null(plan_json: dict[str, Any]) -> None:
    data = copy.deepcopy(plan_json)
    for key in ("event_name", "opens_at", "closes_at"):
        data[key] = None
    booking = data["bookings"][0]
    for key in ("customer_phone", "customer_email", "occasion", "special_requests", "payment_ref"):
        booking[key] = None
    parsed = parse_night_plan(data)
    assert (parsed.event_name, parsed.opens_at, parsed.closes_at) == (None, None, None)
    (b,) = parsed.bookings
    assert (b.customer_phone, b.customer_email, b.occasion, b.special_requests) == (None,) * 4
    assert b.payment_ref is None
