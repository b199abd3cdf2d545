"""Small helpers for the desk tests (0003): nights, tables, bookings by plain SQL.

Plain-SQL bookings go through every trigger (validation, audit, feed) but
not through the engine's functions: they set up a scene, they are not what
is under test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from tests.conftest import DEMO_VENUE_ID

Conn = psycopg.Connection[tuple[Any, ...]]
Row = dict[str, Any]
VENUE = UUID(DEMO_VENUE_ID)


def one(conn: Conn, query: str, params: Any = None) -> tuple[Any, ...]:
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row


def scalar(conn: Conn, query: str, params: Any = None) -> Any:
    return one(conn, query, params)[0]


def call(conn: Conn, query: str, params: Any = None) -> Row:
    """The one row a function call answers, by column name."""
    row = conn.cursor(row_factory=dict_row).execute(query, params).fetchone()
    assert row is not None, query
    return row


def desk_book(
    conn: Conn,
    owner: Conn,
    customer: UUID,
    night: date,
    table: str = "Booth 3",
    start: str = "22:00",
    end: str = "00:30",
) -> Row:
    """desk_book for a party of 2 on ``conn``; the instants and table read by ``owner``."""
    return call(
        conn,
        "SELECT success, error_code, error_message, booking_id "
        "FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
        [
            VENUE,
            customer,
            [table_id(owner, table)],
            night,
            at(owner, night, start),
            at(owner, night, end),
        ],
    )


def table_id(conn: Conn, name: str) -> UUID:
    tid: UUID = scalar(
        conn, "SELECT id FROM venue_tables WHERE venue_id = %s AND name = %s", [VENUE, name]
    )
    return tid


def event_night(conn: Conn, event: str = "La Fiesta", *, min_days_ahead: int = 0) -> date:
    """The first night of this event at least ``min_days_ahead`` days from today."""
    night: date = scalar(
        conn,
        "SELECT min(night) FROM nights WHERE venue_id = %s AND event_name = %s "
        "AND night >= (private.fd_now() AT TIME ZONE 'Europe/London')::date + %s",
        [VENUE, event, min_days_ahead],
    )
    assert night is not None
    return night


def quiet_friday(conn: Conn) -> date:
    """A La Fiesta night past the demo's bookings (which cover two weeks)."""
    return event_night(conn, min_days_ahead=21)


def at(conn: Conn, night: date, hhmm: str) -> datetime:
    """The instant of a local time on a night (after midnight belongs to it)."""
    instant: datetime = scalar(
        conn, "SELECT private.fd_night_instant(%s, %s, %s::time)", [VENUE, night, hhmm]
    )
    return instant


def a_customer(conn: Conn, n: int = 0) -> UUID:
    cid: UUID = scalar(
        conn,
        "SELECT id FROM customers WHERE venue_id = %s ORDER BY email OFFSET %s LIMIT 1",
        [VENUE, n],
    )
    return cid


def move_with_a_forged_mark(conn: Conn, booking: UUID, tables: list[str]) -> None:
    """Move ``booking`` to ``tables`` after setting, by hand, the mark the booking core
    sets on its own new booking (frontdesk.rules_checked) to that booking's id, as a
    client out to hide the move's table rows from the checks, audit and feed would."""
    with conn.transaction():
        conn.execute("SELECT set_config('frontdesk.rules_checked', %s, true)", [str(booking)])
        moved = one(
            conn,
            "SELECT * FROM move_booking(%s, %s, NULL, NULL)",
            [booking, [table_id(conn, name) for name in tables]],
        )
        assert moved[0], moved


def insert_booking(
    conn: Conn,
    tables: list[str],
    night: date,
    start: str,
    end: str,
    *,
    party: int = 2,
    status: str = "confirmed",
    customer: int = 0,
) -> UUID:
    """A booking written with plain SQL (as a manager's psql would), the
    booking and its tables in one transaction, as every real writer does.
    On an autocommit connection that is a transaction of its own; otherwise
    the caller's open transaction holds both, uncommitted until it commits."""
    if not conn.autocommit:
        return _insert_booking(conn, tables, night, start, end, party, status, customer)
    with conn.transaction():
        return _insert_booking(conn, tables, night, start, end, party, status, customer)


def _insert_booking(
    conn: Conn,
    tables: list[str],
    night: date,
    start: str,
    end: str,
    party: int,
    status: str,
    customer: int,
) -> UUID:
    bid: UUID = scalar(
        conn,
        """
        INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at, ends_at,
                              party_size, status, total_deposit, total_min_spend)
        SELECT %(v)s,
               'BR-' || to_char(%(n)s::date, 'YYMMDD') || '-'
                     || translate(upper(substr(md5(gen_random_uuid()::text), 1, 6)), '01', 'AB'),
               %(c)s, %(n)s, private.fd_night_instant(%(v)s, %(n)s, %(s)s::time),
               private.fd_night_instant(%(v)s, %(n)s, %(e)s::time), %(p)s, %(st)s,
               (SELECT sum(deposit) FROM venue_tables
                 WHERE venue_id = %(v)s AND name = ANY (%(t)s)),
               (SELECT sum(min_spend) FROM venue_tables
                 WHERE venue_id = %(v)s AND name = ANY (%(t)s))
        RETURNING id
        """,
        {
            "v": VENUE,
            "n": night,
            "s": start,
            "e": end,
            "p": party,
            "st": status,
            "c": a_customer(conn, customer),
            "t": tables,
        },
    )
    conn.execute(
        "INSERT INTO booking_tables (booking_id, table_id) "
        "SELECT %s, id FROM venue_tables WHERE venue_id = %s AND name = ANY (%s)",
        [bid, VENUE, tables],
    )
    return bid


def as_desk(
    conn: Conn, terminal: str | None, staff_name: str | None = None, staff_id: str | None = None
) -> None:
    """Say who this (autocommit) session is, for the rest of the session."""
    conn.execute(
        "SELECT set_config('frontdesk.terminal', %s, false), "
        "       set_config('frontdesk.staff_name', %s, false), "
        "       set_config('frontdesk.staff_id', %s, false)",
        [terminal or "", staff_name or "", staff_id or ""],
    )


def counts(conn: Conn) -> tuple[int, ...]:
    """Row counts of everything a refusal must not write to."""
    return one(
        conn,
        "SELECT (SELECT count(*) FROM bookings), (SELECT count(*) FROM booking_tables), "
        "(SELECT count(*) FROM holds), (SELECT count(*) FROM audit_logs), "
        "(SELECT count(*) FROM change_outbox), (SELECT count(*) FROM customers)",
    )


def pid(conn: Conn) -> int:
    value: int = scalar(conn, "SELECT pg_backend_pid()")
    return value


def wait_until_blocked(observer: Conn, blocked_pid: int, timeout: float = 10.0) -> None:
    """Poll until ``blocked_pid`` waits for a lock (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = observer.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)",
            [blocked_pid],
        ).fetchone()
        if row and row[0]:
            return
        time.sleep(0.005)  # polling interval, not a wait for an outcome
    raise AssertionError(f"session {blocked_pid} never blocked")


class InThread:
    """Run one blocking call in a thread; collect its result or exception."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self.result = fn()
        except BaseException as exc:
            self.error = exc

    def join(self, timeout: float = 30.0) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the blocked call never finished"
        if self.error is not None:
            raise self.error
        return self.result
