"""Plain SQL writers in every order: no two active bookings ever hold a table
at overlapping instants, and booking_tables' copies of its booking's period
and status never go stale, whoever writes (a manager's psql, the functions).

Each test steps two sessions in a fixed order, in the style of PostgreSQL's
isolation tests: the first leaves its transaction open, the second must wait
for it (proved by watching pg_stat_activity, never by sleeping), then the
first commits and the second finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from uuid import UUID

import pytest

from tests.core.engine_helpers import (
    Conn,
    Venue,
    connect,
    create_booking,
    night_ahead,
    overlapping_active_pairs,
    wait_until,
    waits_on_lock,
)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as ex:
        yield ex


def stale_copies(conn: Conn) -> int:
    """booking_tables rows whose night, period or activity differ from their booking's."""
    row = conn.execute(
        "SELECT count(*) AS n FROM booking_tables bt JOIN bookings b ON b.id = bt.booking_id"
        " WHERE (bt.night, bt.period, bt.is_active)"
        "       IS DISTINCT FROM (b.night, b.period, private.fd_status_holds_table(b.status))"
    ).fetchone()
    assert row is not None
    return int(row["n"])


def true_overlaps(conn: Conn) -> int:
    """Active bookings sharing a table at overlapping instants, by the bookings' own periods."""
    row = conn.execute(
        "SELECT count(*) AS n FROM booking_tables x JOIN bookings a ON a.id = x.booking_id"
        "  JOIN booking_tables y ON y.table_id = x.table_id AND y.booking_id > x.booking_id"
        "  JOIN bookings b ON b.id = y.booking_id"
        " WHERE a.period && b.period"
        "   AND private.fd_status_holds_table(a.status) AND private.fd_status_holds_table(b.status)"
    ).fetchone()
    assert row is not None
    return int(row["n"])


def assert_sound(conn: Conn) -> None:
    assert stale_copies(conn) == 0
    assert true_overlaps(conn) == 0
    assert overlapping_active_pairs(conn) == 0


def waiting(
    pool: ThreadPoolExecutor, monitor: Conn, session: Conn, sql: str, params: Any
) -> Future[Any]:
    """Run ``sql`` on ``session`` in a thread; return once it waits for a lock."""
    future = pool.submit(session.execute, sql, params)
    pid = session.info.backend_pid
    wait_until(lambda: future.done() or waits_on_lock(monitor, pid), timeout=10, what="a lock wait")
    assert not future.done(), "the second writer went ahead without waiting"
    return future


def _booking(conn: Conn, venue: Venue, **kw: Any) -> UUID:
    row = create_booking(conn, venue, **kw)
    assert row["success"], row
    booking: UUID = row["booking_id"]
    return booking


Step = Callable[[Conn, UUID, Venue], Any]


def shift_an_hour(conn: Conn, booking: UUID, venue: Venue) -> Any:
    return conn.execute(
        "UPDATE bookings SET starts_at = starts_at + interval '1 hour',"
        " ends_at = ends_at + interval '1 hour' WHERE id = %s",
        [booking],
    )


def move_an_hour(conn: Conn, booking: UUID, venue: Venue) -> Any:
    row = conn.execute(
        "SELECT * FROM move_booking(%s, NULL, (SELECT starts_at + interval '1 hour' FROM bookings"
        " WHERE id = %s), (SELECT ends_at + interval '1 hour' FROM bookings WHERE id = %s))",
        [booking, booking, booking],
    ).fetchone()
    assert row is not None and row["success"], row
    return row


def add_t3(conn: Conn, booking: UUID, venue: Venue) -> Any:
    return conn.execute(
        "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
        [booking, venue.tables["T3"]],
    )


@pytest.mark.parametrize("change_period", [shift_an_hour, move_an_hour], ids=["psql", "move"])
def test_a_table_added_while_the_period_changes_gets_the_new_period(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor, change_period: Step
) -> None:
    # S1 moves booking X an hour later (open); S2 adds T3 to X: S2 waits for
    # S1, and T3's row carries X's new time.  Then T3 at X's new time is taken.
    night = night_ahead(venue)
    x = _booking(conn, venue, tables=venue.t("T2"), night=night, start="22:00", end="23:00")
    with connect(db_url, autocommit=False) as s1, connect(db_url, autocommit=False) as s2:
        change_period(s1, x, venue)
        pending = waiting(
            pool,
            conn,
            s2,
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [x, venue.tables["T3"]],
        )
        s1.commit()
        pending.result(timeout=10)
        s2.commit()
    assert_sound(conn)
    rival = create_booking(
        conn, venue, tables=venue.t("T3"), night=night, start="23:15", end="23:45", email="r@x.io"
    )
    assert rival["error_code"] == "TABLE_UNAVAILABLE", rival
    assert_sound(conn)


@pytest.mark.parametrize("change_period", [shift_an_hour, move_an_hour], ids=["psql", "move"])
def test_a_period_changed_while_a_table_is_added_moves_the_new_table_too(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor, change_period: Step
) -> None:
    night = night_ahead(venue)
    x = _booking(conn, venue, tables=venue.t("T2"), night=night, start="22:00", end="23:00")
    with connect(db_url, autocommit=False) as s1, connect(db_url, autocommit=False) as s2:
        add_t3(s2, x, venue)
        pending = pool.submit(change_period, s1, x, venue)
        pid = s1.info.backend_pid
        wait_until(lambda: pending.done() or waits_on_lock(conn, pid), timeout=10, what="wait")
        s2.commit()
        pending.result(timeout=10)
        s1.commit()
    assert_sound(conn)
    rival = create_booking(
        conn, venue, tables=venue.t("T3"), night=night, start="23:15", end="23:45", email="r@x.io"
    )
    assert rival["error_code"] == "TABLE_UNAVAILABLE", rival


def test_a_table_added_while_a_cancelled_booking_comes_back_is_active(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    night = night_ahead(venue)
    x = _booking(conn, venue, tables=venue.t("T2"), night=night, start="22:00", end="23:00")
    conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", [x])
    with connect(db_url, autocommit=False) as s1, connect(db_url, autocommit=False) as s2:
        s1.execute("UPDATE bookings SET status = 'confirmed' WHERE id = %s", [x])
        pending = waiting(
            pool,
            conn,
            s2,
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [x, venue.tables["T3"]],
        )
        s1.commit()
        pending.result(timeout=10)
        s2.commit()
    assert_sound(conn)
    rival = create_booking(
        conn, venue, tables=venue.t("T3"), night=night, start="22:15", end="22:45", email="r@x.io"
    )
    assert rival["error_code"] == "TABLE_UNAVAILABLE", rival


def test_a_cancellation_while_a_table_is_added_frees_the_new_table_too(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    night = night_ahead(venue)
    x = _booking(conn, venue, tables=venue.t("T2"), night=night, start="22:00", end="23:00")
    with connect(db_url, autocommit=False) as s1, connect(db_url, autocommit=False) as s2:
        s1.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", [x])
        pending = waiting(
            pool,
            conn,
            s2,
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [x, venue.tables["T3"]],
        )
        s1.commit()
        pending.result(timeout=10)
        s2.commit()
    assert_sound(conn)
    free = create_booking(
        conn, venue, tables=venue.t("T3"), night=night, start="22:15", end="22:45", email="r@x.io"
    )
    assert free["success"], free


def test_a_table_removed_while_the_period_changes(
    db_url: str, conn: Conn, venue: Venue, pool: ThreadPoolExecutor
) -> None:
    night = night_ahead(venue)
    x = _booking(
        conn, venue, tables=venue.t("T2", "T3"), night=night, start="22:00", end="23:00", party=6
    )
    with connect(db_url, autocommit=False) as s1, connect(db_url, autocommit=False) as s2:
        shift_an_hour(s1, x, venue)  # its sync trigger locks X's booking_tables rows
        pending = waiting(
            pool,
            conn,
            s2,
            "DELETE FROM booking_tables WHERE booking_id = %s AND table_id = %s",
            [x, venue.tables["T3"]],
        )
        s1.commit()
        pending.result(timeout=10)
        s2.commit()
    assert_sound(conn)
    assert [
        r["table_id"]
        for r in conn.execute(
            "SELECT table_id FROM booking_tables WHERE booking_id = %s", [x]
        ).fetchall()
    ] == [venue.tables["T2"]]
