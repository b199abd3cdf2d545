"""Screenshots of the desk on a busy Friday, for the docs.

    python -m ui.screenshot [--out docs] [--theme light|dark]

Starts a private PostgreSQL in a temporary folder, loads the demo venue
(The Backroom Leeds), sets the scene on the next La Fiesta Friday — a few
parties arrived or seated, another desk on the phone about a booth, a
booking from the website — and saves, offscreen:

- ``screenshot-signin.png``: the window as it opens, Priya typing her PIN;
- ``screenshot-friday.png``: the main window at 23:20 that night;
- ``screenshot-locked.png``: the desk locked, the night dimmed behind;
- ``screenshot-booking.png``: the booking dialog taking a phone booking;
- ``screenshot-booked.png``: the reference and deposit to read back.

The engine's clock (tests/clock.py, so run it from the repo) and the
window's are set to that Friday night, so that statuses can be set and the
now-line shows; every other figure is what the database says.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

VENUE = "b4c12000-0000-4000-8000-000000000001"
Conn = psycopg.Connection[tuple[Any, ...]]


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    from PySide6.QtTest import QTest

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle")
        QTest.qWait(20)


def next_friday(conn: Conn) -> date:
    row = conn.execute(
        "SELECT min(night) FROM nights WHERE venue_id = %s AND event_name = 'La Fiesta' "
        "AND night > (now() AT TIME ZONE 'Europe/London')::date",
        [VENUE],
    ).fetchone()
    assert row is not None and row[0] is not None
    night: date = row[0]
    return night


def set_the_scene(conn: Conn, night: date) -> None:
    """Early parties arrived, seated or done, as another desk would have marked
    them, and what the seated ones have spent."""
    conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-2', false)")
    conn.execute("SELECT set_config('frontdesk.staff_name', 'Dan', false)")
    rows = conn.execute(
        "SELECT b.id FROM bookings b JOIN booking_tables bt ON bt.booking_id = b.id "
        "JOIN venue_tables t ON t.id = bt.table_id "
        "WHERE b.venue_id = %s AND b.night = %s AND b.status = 'confirmed' "
        "ORDER BY b.starts_at, t.grid_order",
        [VENUE, night],
    ).fetchall()
    plan = ["seated", "seated", "arrived", "seated", "completed", "seated", "arrived", "seated"]
    for (booking_id,), status in zip(rows, plan, strict=False):
        steps = {
            "arrived": ["arrived"],
            "seated": ["arrived", "seated"],
            "completed": ["arrived", "seated", "completed"],
        }[status]
        for step in steps:
            conn.execute("SELECT * FROM set_booking_status(%s, %s)", [booking_id, step])
    # what the seated tables have spent so far, towards their minimum
    conn.execute(
        "INSERT INTO booking_spend (venue_id, booking_id, amount, note, source)"
        " SELECT venue_id, id,"
        "        round(total_min_spend * (0.4 + (ascii(right(reference, 1)) %% 8) / 10.0), 2),"
        "        'Bar tab', 'desk'"
        "   FROM bookings WHERE venue_id = %s AND night = %s"
        "    AND status IN ('seated', 'completed') AND total_min_spend > 0",
        [VENUE, night],
    )


def live_changes(conn: Conn, night: date) -> list[Callable[[], object]]:
    """What arrives while the window is open: a web booking, a hold, an arrival."""
    conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-2', false)")

    def table(name: str) -> Any:
        row = conn.execute(
            "SELECT id FROM venue_tables WHERE venue_id = %s AND name = %s", [VENUE, name]
        ).fetchone()
        assert row is not None
        return row[0]

    def web_booking() -> object:
        return conn.execute(
            "SELECT * FROM create_booking_atomic(%s, 'grace.hughes@example.com', "
            "'+447700900321', 'Grace Hughes', ARRAY[%s]::uuid[], %s, '22:30', '01:00', 5, "
            "NULL, 'Birthday cake at midnight', 'Birthday')",
            [VENUE, table("Booth 3"), night],
        )

    def another_desk_on_the_phone() -> object:
        return conn.execute(
            "SELECT * FROM hold_tables(%s, ARRAY[%s]::uuid[], %s, "
            "private.fd_night_instant(%s, %s, '23:30'), private.fd_night_instant(%s, %s, '02:00'))",
            [VENUE, table("Booth 14"), night, VENUE, night, VENUE, night],
        )

    def an_arrival() -> object:
        row = conn.execute(
            "SELECT id FROM bookings WHERE venue_id = %s AND night = %s "
            "AND status = 'confirmed' AND starts_at > private.fd_night_instant(%s, %s, '23:00') "
            "ORDER BY starts_at LIMIT 1",
            [VENUE, night, VENUE, night],
        ).fetchone()
        assert row is not None
        return conn.execute("SELECT * FROM set_booking_status(%s, 'arrived')", [row[0]])

    return [an_arrival, another_desk_on_the_phone, web_booking]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--theme", choices=["light", "dark"], default="light")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from frontdesk import migrations, server

    with tempfile.TemporaryDirectory(prefix="frontdesk-shots-") as tmp:
        pgdata = Path(tmp) / "pg"
        # a throwaway database on a throwaway server, so the engine's clock
        # can be set to that Friday night (tests/clock.py: run from the repo)
        url = server.ensure_running(pgdata, database="fd_test_screenshots")
        try:
            migrations.upgrade(url)
            migrations.load_demo(url)
            return _shoot(url, Path(tmp), args.out, args.theme)
        finally:
            server.stop(pgdata)


def _shoot(url: str, tmp: Path, out: Path, theme_name: str) -> int:
    from PySide6.QtCore import QSettings

    from frontdesk.listener import ListenerState
    from frontdesk.settings import Settings
    from ui import theme
    from ui.app import make_application
    from ui.composition import Desktop
    from ui.timeline import after

    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    colours = theme.DARK if theme_name == "dark" else theme.LIGHT
    theme.apply(app, colours)
    suffix = "" if theme_name == "light" else "-dark"
    from tests.clock import set_engine_clock

    with psycopg.connect(url, autocommit=True) as conn:
        night = next_friday(conn)
        zone = ZoneInfo("Europe/London")
        now = datetime.combine(night, clock_time(23, 20), zone)
        # the engine's "now" that night: statuses are set while a night is on
        set_engine_clock(url, url, now, conn)
        set_the_scene(conn, night)
        settings = Settings(url, tmp, tmp / "logs", terminal="DESK-1", staff_name="")
        store = QSettings(str(tmp / "window.ini"), QSettings.Format.IniFormat)
        desktop = Desktop(settings, url, store=store, colours=colours)
        window = desktop.window
        window.set_clock(lambda: now)
        window.resize(1720, 1080)
        desktop.start()
        screen = window.sign_in_screen
        assert desktop.live is not None
        live = desktop.live
        wait_until(lambda: screen.staff_list.count() > 0 and live.state is ListenerState.LIVE)
        screen.choose("Priya")
        screen.pin.setText("24")  # half typed
        app.processEvents()
        window.grab().save(str(out / f"screenshot-signin{suffix}.png"))
        screen.pin.setText("2468")
        screen.submit()
        wait_until(lambda: not window.locked)
        window.night.show_night(night)
        wait_until(lambda: live.state is ListenerState.LIVE and window.night.night == night)
        wait_until(lambda: window.night.settled and window.model.plan is not None)
        for n, change in enumerate(live_changes(conn, night), start=1):
            change()
            wait_until(lambda n=n: window.activity.rowCount() >= n)  # type: ignore[misc]
        wait_until(lambda: window.night.settled)
        guest = next(b for b in window.model.blocks() if b.booking.customer_name == "Grace Hughes")
        window.grid.select_booking(guest.booking.id)
        wait_until(lambda: window.booking_panel.booking is not None)
        wait_until(lambda: window.booking_panel.guest_card.profile is not None)
        app.processEvents()
        window.grab().save(str(out / f"screenshot-friday{suffix}.png"))

        window.lock()
        screen.pin.setText("24")
        app.processEvents()
        window.grab().save(str(out / f"screenshot-locked{suffix}.png"))
        screen.pin.setText("2468")
        screen.submit()
        wait_until(lambda: not window.locked)

        booth = next(t for t in window.model.plan.tables if t.name == "Booth 4")  # type: ignore[union-attr]
        slots = window.model.slots
        start = next(s for s in slots if s.label == "21:30")
        dialog = window.new_booking_at(
            booth.id, start.starts_at, after(start.starts_at, timedelta(hours=2))
        )
        assert dialog is not None
        dialog.resize(1260, 800)
        dialog.guest.search.setText("amelia")
        dialog.guest.search_changed.emit("amelia")
        wait_until(lambda: dialog.guest.results.count() > 0)
        dialog.guest.results.itemClicked.emit(dialog.guest.results.item(0))
        dialog.when.party.setValue(4)
        dialog.tables.suggested_button.setChecked(True)
        wait_until(lambda: dialog.tables.suggestions.topLevelItemCount() > 0)
        best = dialog.tables.suggestions.topLevelItem(0)
        assert best is not None
        best.setSelected(True)
        dialog.occasion.setCurrentText("Birthday")
        dialog.requests.setPlainText("Sparkler with the bottle at 23:00, please")
        wait_until(lambda: "Held for you" in dialog.tables.note.text())
        dialog.guest.search.clearFocus()
        app.processEvents()
        dialog.grab().save(str(out / f"screenshot-booking{suffix}.png"))
        dialog.submit()
        wait_until(lambda: dialog.result_value is not None)
        app.processEvents()
        dialog.grab().save(str(out / f"screenshot-booked{suffix}.png"))
        dialog.accept()
        desktop.close()
        app.processEvents()
    print(f"saved screenshots of {night:%A %d %B %Y} in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
