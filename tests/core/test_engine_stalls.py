"""Nobody stalls the engine: not an outsider taking lock keys, not a frozen
desk mid-booking, not a frozen phone lock, not a dead or false relay.

Each case waits for nothing by sleeping: a blocked call runs in a thread and
must come back by itself; the bounds asserted are generous (the engine's own
bound is 2 s) and a stalled engine would never come back at all."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from frontdesk import migrations
from frontdesk.listener import Listener, ListenerState
from frontdesk.plan import Change
from tests import pg
from tests.clock import engine_now, set_session_clock
from tests.core.engine_helpers import (
    Conn,
    Venue,
    connect,
    create_booking,
    instant,
    night_ahead,
    wait_until,
)
from tests.core.setup_helpers import save

PASSWORD = "stall-test-pw"

#: The engine answers within its 2 s bound; a stalled engine never does.
BOUND = 8.0


@pytest.fixture
def outsider(db_url: str, conn: Conn) -> Iterator[Conn]:
    """A login that may connect to the database and has no other right."""
    name = f"fd_test_outsider_{uuid.uuid4().hex[:8]}"
    conn.execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(PASSWORD)
        )
    )
    conn.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(conn.info.dbname), sql.Identifier(name)
        )
    )
    try:
        with psycopg.connect(db_url, user=name, password=PASSWORD, autocommit=True) as c:
            yield c
    finally:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def _timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_an_outsider_cannot_take_the_engines_lock_keys(
    conn: Conn, venue: Venue, outsider: Conn
) -> None:
    night = night_ahead(venue)
    table = venue.tables["T2"]
    # The old keys were hashtext(table || '/' || night): computable by anyone.
    old_key = outsider.execute(
        "SELECT hashtext(%s::text || '/' || %s::text)", [table, night]
    ).fetchone()
    assert old_key is not None
    for namespace in (1, 2):
        assert outsider.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", [namespace, old_key[0]]
        ).fetchone() == (True,)
    assert outsider.execute("SELECT pg_try_advisory_lock(3, 0)").fetchone() == (True,)
    row, took = _timed(lambda: create_booking(conn, venue, night=night))
    assert row["success"], row
    assert took < BOUND
    # ...nor read the keys off the engine or off a session holding one.
    for query in (
        "SELECT secret FROM private.engine_secret",
        "SELECT private.fd_lock_key(gen_random_uuid(), current_date)",
        "SELECT count(*) FROM pg_locks",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            outsider.execute(query)


def test_a_login_without_rights_cannot_even_connect(admin_url: str) -> None:
    with pg.fresh_database(admin_url, "template1") as url:
        migrations.upgrade(url)
        name = f"fd_test_nobody_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(PASSWORD)
                )
            )
        try:
            with pytest.raises(psycopg.OperationalError, match="permission denied"):
                psycopg.connect(url, user=name, password=PASSWORD).close()
        finally:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def test_a_frozen_desk_mid_booking_delays_an_overlapping_booking_by_seconds_only(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as frozen:
        first = create_booking(frozen, venue, night=night)  # booked, never committed
        assert first["success"], first
        row, took = _timed(
            lambda: create_booking(conn, venue, night=night, start="23:00", email="b@x.io")
        )
        assert row["error_code"] == "TABLE_BEING_BOOKED", row
        assert took < BOUND
        frozen.rollback()
    assert create_booking(conn, venue, night=night, start="23:00", email="b@x.io")["success"]


def test_a_managers_open_psql_insert_delays_a_booking_by_seconds_only(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    # A plain SQL writer takes no advisory lock: the booking meets its row at
    # the exclusion constraint, which waits for that transaction to end.
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as manager:
        manager.execute(
            "WITH b AS (INSERT INTO bookings (venue_id, reference, customer_id, night,"
            " starts_at, ends_at, party_size) VALUES (%s, 'BR-000000-AAAAAA', %s, %s, %s, %s, 2)"
            " RETURNING id) INSERT INTO booking_tables (booking_id, table_id)"
            " SELECT id, %s FROM b",
            [
                venue.id,
                venue.adult,
                night,
                instant(conn, venue, night, "22:00"),
                instant(conn, venue, night, "23:00"),
                venue.tables["T2"],
            ],
        )
        # The check before the lock cannot see the uncommitted row; the
        # write meets it and would wait for the manager's COMMIT forever.
        row, took = _timed(lambda: create_booking(conn, venue, night=night, email="b@x.io"))
        assert row["error_code"] == "TABLE_BEING_BOOKED", row
        assert took < BOUND
        manager.rollback()


def test_a_frozen_setup_save_delays_a_booking_by_seconds_only(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    # A save of the venue's setup holds the venue's setup turn alone until it
    # commits; a desk frozen before its COMMIT must not stall the website.
    night = night_ahead(venue)
    with connect(db_url, autocommit=False) as manager:
        saved = save(manager, venue.id, {"policy": {"min_age": 18}})  # never committed
        assert saved["success"], saved
        row, took = _timed(lambda: create_booking(conn, venue, night=night, email="b@x.io"))
        assert row["error_code"] == "TABLE_BEING_BOOKED", row
        assert row["error_message"] == "T2 is being booked at another desk; try again in a moment."
        assert took < BOUND
        manager.rollback()
    assert create_booking(conn, venue, night=night, email="b@x.io")["success"]


def test_a_frozen_phone_lock_is_not_honoured_after_the_hold_time(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    with connect(db_url) as frozen_desk, connect(db_url) as web:
        got = frozen_desk.execute(
            "SELECT acquire_booking_lock(%s, %s, '22:00') AS ok", [venue.tables["T2"], night]
        ).fetchone()
        assert got is not None and got["ok"]
        assert create_booking(web, venue, night=night)["error_code"] == "TABLE_BEING_BOOKED"
        # The venue's hold time (10 minutes) later, the desk still has not let go.
        set_session_clock(web, engine_now(web) + timedelta(minutes=11))
        row = create_booking(web, venue, night=night)
        assert row["success"], row


def test_a_renewed_phone_lock_keeps_the_table(db_url: str, conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    table = venue.tables["T2"]
    with connect(db_url) as desk, connect(db_url) as web:
        set_session_clock(desk, engine_now(desk) + timedelta(minutes=9))
        desk.execute("SELECT acquire_booking_lock(%s, %s, '22:00')", [table, night])
        desk.execute("SELECT acquire_booking_lock(%s, %s, '22:00')", [table, night])
        set_session_clock(web, engine_now(web) + timedelta(minutes=11))  # 2 min after renewal
        assert create_booking(web, venue, night=night)["error_code"] == "TABLE_BEING_BOOKED"


class _Inbox:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.states: list[ListenerState] = []

    def on_changes(self, changes: list[Change]) -> None:
        self.changes.extend(changes)

    def on_state(self, state: ListenerState) -> None:
        self.states.append(state)


@pytest.mark.parametrize("relay", ["impostor", "frozen"])
def test_the_desks_hear_changes_when_the_relay_is_frozen_or_an_impostor(
    db_url: str, conn: Conn, venue: Venue, outsider: Conn, relay: str
) -> None:
    night = night_ahead(venue)
    if relay == "impostor":  # a login holding the old, guessable election key
        assert outsider.execute("SELECT pg_try_advisory_lock(3, 0)").fetchone() == (True,)
    with connect(db_url) as elected:
        if relay == "frozen":  # an app elected, then frozen: it never relays
            row = elected.execute("SELECT relay_elect() AS ok").fetchone()
            assert row is not None and row["ok"]
        inbox = _Inbox()
        listener = Listener(db_url, venue.id, on_changes=inbox.on_changes, on_state=inbox.on_state)
        listener.start()
        try:
            wait_until(lambda: listener.state == ListenerState.LIVE, timeout=BOUND, what="live")
            assert listener.is_relay is (relay == "impostor")
            booked = create_booking(conn, venue, night=night)
            assert booked["success"], booked
            wait_until(
                lambda: any(booked["booking_id"] in c.booking_ids for c in inbox.changes),
                timeout=BOUND,
                what="the booking to reach the desk",
            )
        finally:
            listener.stop()


def test_relay_serialisation_waits_seconds_at_most(db_url: str, conn: Conn, venue: Venue) -> None:
    # A relay frozen inside relay_changes (its transaction open) must not
    # stop the next one for longer than the engine's bound.
    with connect(db_url, autocommit=False) as frozen, ThreadPoolExecutor(1) as pool:
        frozen.execute("SELECT relay_changes()")
        moved, took = _timed(
            lambda: (
                pool.submit(conn.execute, "SELECT relay_changes() AS n")
                .result(timeout=30)
                .fetchone()
            )
        )
        assert moved == {"n": 0}
        assert took < BOUND
        frozen.rollback()
