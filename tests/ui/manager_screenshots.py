"""Screenshots of the manager's windows, for docs/manager-guide.md.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.manager_screenshots \\
        [--out docs] [--url postgresql://admin...]

A fresh database (the demo venue; a private embedded server unless --url
names one), then:

- a year of history before today (30,000 bookings, as the report
  benchmark loads it) for the report;
- an afternoon of work at the desks through the engine's functions, each as
  its person and terminal (Priya at DESK-1, Dan at DESK-2, Alex at DESK-3,
  Sam in the OFFICE, the website): bookings, arrivals, a move to another
  table, a cancellation, a party grown, a payment reference, a guest's new
  phone.  Every change of one transaction happened at one instant; the
  instants are then spread over the last three hours (keeping each
  transaction's rows together, and their order), and the demo's own
  loading is moved a month back, so the log reads like a real afternoon;
- booking attempts through the day (what the booking functions record:
  outcome and duration), busier towards now, with a run of conflicts
  around the busiest hour, so one figure is over its threshold.

and saves ``screenshot-audit.png``, ``screenshot-monitoring.png`` and
``screenshot-report.png`` (the last 30 nights, by night), offscreen, in the
light theme.  Everything shown is read from the database by the windows.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from tests.benchmarks.customer_search import VENUE, fresh_database
from tests.benchmarks.report_time import load_year
from tests.logins import as_login

Conn = psycopg.Connection[tuple[Any, ...]]


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    from PySide6.QtTest import QTest

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle")
        QTest.qWait(20)


def _as(conn: Conn, staff: str, terminal: str) -> None:
    conn.execute(
        "SELECT set_config('frontdesk.staff_name', %s, false), "
        "set_config('frontdesk.terminal', %s, false)",
        [staff, terminal],
    )


def _one(conn: Conn, query: str, params: Any = None) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None, query
    return row


def _table(conn: Conn, name: str) -> UUID:
    table: UUID = _one(
        conn, "SELECT id FROM venue_tables WHERE venue_id = %s AND name = %s", [VENUE, name]
    )[0]
    return table


def _at(conn: Conn, night: Any, hhmm: str) -> datetime:
    instant: datetime = _one(
        conn, "SELECT private.fd_night_instant(%s, %s, %s::time)", [VENUE, night, hhmm]
    )[0]
    return instant


def _confirmed(conn: Conn, night: Any) -> list[tuple[Any, ...]]:
    """The night's confirmed bookings (id, party, starts, ends), by time and table."""
    return conn.execute(
        "SELECT b.id, b.party_size, b.starts_at, b.ends_at FROM bookings b "
        "JOIN booking_tables bt ON bt.booking_id = b.id "
        "JOIN venue_tables t ON t.id = bt.table_id "
        "WHERE b.venue_id = %s AND b.night = %s AND b.status = 'confirmed' "
        "ORDER BY b.starts_at, t.grid_order",
        [VENUE, night],
    ).fetchall()


def _ok(conn: Conn, query: str, params: Any) -> bool:
    row = _one(conn, query, params)
    return bool(row[0])


def an_afternoon_at_the_desks(conn: Conn, website: Conn) -> None:
    """Real changes through the engine, each as its person and terminal
    (``website``: the venue's website's own login)."""
    mark = _one(conn, "SELECT coalesce(max(id), 0) FROM audit_logs")[0]
    night = _one(
        conn,
        "SELECT min(night) FROM nights WHERE venue_id = %s AND event_name = 'La Fiesta' "
        "AND night > (now() AT TIME ZONE 'Europe/London')::date",
        [VENUE],
    )[0]
    booked = _confirmed(conn, night)

    def status(booking: UUID, *steps: str) -> None:
        for step in steps:
            assert _ok(conn, "SELECT success FROM set_booking_status(%s, %s)", [booking, step])

    website.execute(
        "SELECT * FROM create_booking_atomic(%s, 'grace.hughes@example.com', '+447700900321', "
        "'Grace Hughes', %s, %s, '22:30', '01:00', 5, NULL, 'Birthday cake at midnight', "
        "'Birthday')",
        [VENUE, [_table(conn, "Booth 4")], night],
    )
    _as(conn, "Priya", "DESK-1")
    starts, ends = _at(conn, night, "23:00"), _at(conn, night, "01:30")
    free = _one(
        conn,
        "SELECT table_ids FROM desk_suggestions(%s, %s, %s, %s, 6) LIMIT 1",
        [VENUE, night, starts, ends],
    )[0]
    assert _ok(
        conn,
        "SELECT success FROM desk_book(%s, NULL, %s, %s, %s, %s, 6, 'Near the DJ please', "
        "NULL, NULL, 'phone', 'Tom Baker', '+447700900456')",
        [VENUE, free, night, starts, ends],
    )
    status(booked[0][0], "arrived")
    _as(conn, "Dan", "DESK-2")
    moving, party, starts, ends = booked[2]
    later = (starts + timedelta(minutes=30), ends + timedelta(minutes=30))
    target = _one(
        conn,
        "SELECT table_ids FROM desk_suggestions(%s, %s, %s, %s, %s) "
        "WHERE combination_type = 'single' LIMIT 1",
        [VENUE, night, *later, party],
    )[0]
    assert _ok(conn, "SELECT success FROM move_booking(%s, %s, %s, %s)", [moving, target, *later])
    status(booked[3][0], "cancelled")
    _as(conn, "Sam", "OFFICE")
    conn.execute(
        "UPDATE bookings SET stripe_payment_intent_id = 'pi_3QhT7c2eZvKYlo2C' WHERE id = %s",
        [booked[4][0]],
    )
    _as(conn, "Alex", "DESK-3")
    grown, party, starts, ends = booked[5]
    if not _ok(
        conn,
        "SELECT success FROM move_booking(%s, NULL, %s, %s, %s)",
        [grown, starts, ends, party + 1],
    ):
        assert _ok(
            conn,
            "SELECT success FROM move_booking(%s, NULL, %s, %s, %s)",
            [grown, starts, ends, max(1, party - 1)],
        )
    guest = _one(conn, "SELECT customer_id FROM bookings WHERE id = %s", [grown])[0]
    row = _one(
        conn, "SELECT name, email, date_of_birth, notes FROM customers WHERE id = %s", [guest]
    )
    assert _ok(
        conn,
        "SELECT success FROM update_customer(%s, %s, %s, '+447700900987', %s, %s, %s)",
        [VENUE, guest, row[0], row[1], row[2], "Prefers the upstairs booths"],
    )
    _as(conn, "Priya", "DESK-1")
    status(booked[1][0], "arrived", "seated")
    website.execute(
        "SELECT * FROM create_booking_atomic(%s, 'ravi.shah@example.com', '+447700900654', "
        "'Ravi Shah', %s, %s, '21:30', '23:30', 4)",
        [VENUE, [_table(conn, "Booth 9")], night],
    )
    _spread(conn, mark)


def _spread(conn: Conn, mark: int) -> None:
    """The afternoon's transactions over the last three hours, in order;
    the demo's loading a month back."""
    instants = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT changed_at FROM audit_logs WHERE id > %s ORDER BY 1", [mark]
        ).fetchall()
    ]
    now: datetime = _one(conn, "SELECT now()")[0]
    rng = random.Random(4)
    at = now - timedelta(hours=3)
    for instant in instants:
        at += timedelta(minutes=rng.randint(6, 22), seconds=rng.randint(0, 59))
        conn.execute(
            "UPDATE audit_logs SET changed_at = %s WHERE id > %s AND changed_at = %s",
            [min(at, now - timedelta(minutes=2)), mark, instant],
        )
    conn.execute(
        "UPDATE audit_logs SET changed_at = changed_at - interval '30 days' WHERE id <= %s",
        [mark],
    )


def attempts_through_the_day(conn: Conn) -> None:
    """Booking attempts from the start of today (or the night's opening) to
    now: busier towards now, conflicts around the busiest hour."""
    since = _one(conn, "SELECT series_since, measured_at FROM monitoring_now(%s)", [VENUE])
    start, now = since
    rng = random.Random(11)
    rows = []
    steps = max(1, int((now - start).total_seconds() // 900))
    for step in range(steps):
        bucket = start + timedelta(minutes=15 * step)
        busy = 0.3 + 0.7 * (step / steps) ** 2
        for _ in range(int(6 + 40 * busy * rng.uniform(0.7, 1.3))):
            at = bucket + timedelta(seconds=rng.uniform(0, 899))
            peak = abs(step - int(steps * 0.8)) <= 2
            roll = rng.random()
            code = (
                "TABLE_UNAVAILABLE"
                if roll < (0.06 if peak else 0.006)
                else "TABLE_BEING_BOOKED"
                if roll < (0.075 if peak else 0.009)
                else None
            )
            duration = rng.lognormvariate(2.7, 0.35) * (2.2 if peak else 1.0)
            source = rng.choice(("web", "web", "web", "phone", "desk"))
            rows.append((VENUE, at, code is None, code, duration, source))
    with conn.cursor().copy(
        "COPY booking_attempts (venue_id, attempted_at, success, error_code, duration_ms, source)"
        " FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def website_login(url: str) -> Iterator[str]:
    """The venue's website's login (``backroom_site``, in frontdesk_web) for
    the scene; dropped afterwards."""
    name = "backroom_site"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {name}")
        admin.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'shots' IN ROLE frontdesk_web")
    try:
        yield as_login(url, name, "shots")
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                [name],
            )
            admin.execute(f"DROP ROLE IF EXISTS {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--url", help="an admin URL of a server to use (default: embedded)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with fresh_database(args.url) as url:
        load_year(url, 30_000, datetime.now(UTC), audit=False)
        with (
            psycopg.connect(url, autocommit=True) as conn,
            website_login(url) as web_url,
            psycopg.connect(web_url, autocommit=True) as website,
        ):
            an_afternoon_at_the_desks(conn, website)
            attempts_through_the_day(conn)
        return _shoot(url, args.out)


def _shoot(url: str, out: Path) -> int:
    from PySide6.QtWidgets import QWidget

    from frontdesk.database import Database, StaffContext
    from frontdesk.desk import Desk
    from ui import theme
    from ui.app import make_application
    from ui.audit_window import open_audit_window
    from ui.monitoring_panel import open_monitoring_panel
    from ui.ops import Ops
    from ui.reports_window import open_reports_window

    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    theme.apply(app, theme.LIGHT)
    db = Database(url, staff=StaffContext(terminal="OFFICE", staff_name="Sam"))
    ops = Ops(Desk(db, VENUE))
    parent = QWidget()
    try:
        audit = open_audit_window(parent, ops)
        audit.resize(1560, 900)
        wait_until(lambda: audit.model.rowCount() > 0 and audit.message.text() == "")
        audit.table.resizeRowsToContents()
        app.processEvents()
        audit.grab().save(str(out / "screenshot-audit.png"))
        audit.close()

        panel = open_monitoring_panel(parent, ops)
        panel.resize(1000, 960)
        wait_until(lambda: panel.shown is not None)
        app.processEvents()
        panel.grab().save(str(out / "screenshot-monitoring.png"))
        panel.close()

        window = open_reports_window(parent, ops)
        window.resize(1440, 940)
        window.preset.setCurrentIndex(1)  # the last 30 nights
        window.run()
        wait_until(lambda: window.report is not None and window.message.text() == "")
        wait_until(
            lambda: (
                window.report is not None and (window.report.last - window.report.first).days == 29
            )
        )
        app.processEvents()
        window.grab().save(str(out / "screenshot-report.png"))
        window.close()
    finally:
        ops.shutdown()
        db.close()
    print(f"saved the manager's screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
