"""Fixtures for the window's tests: a desk on a fresh demo database, and nights.

The window connects as a desk's login (a member of frontdesk_desk), as a
real desk does, and somebody signs in through the sign-in screen before the
night is shown (the engine reads no guest's name for a desk nobody has
signed in at).  Data a test sets up goes through ``conn``, a superuser's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.listener import ListenerState
from frontdesk.settings import Settings
from tests.conftest import DEMO_VENUE_ID
from ui.composition import Desktop

# Headless unless told otherwise (set before pytest-qt makes the QApplication).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TERMINAL = "TEST-DESK"
#: The demo venue's staff and their PINs.
PINS = {"Sam": "1357", "Priya": "2468", "Alex": "3579"}
Conn = psycopg.Connection[tuple[Any, ...]]


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext(terminal=TERMINAL, staff_name="Priya"))
    yield database
    database.close()


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk.first_venue(db, wait=lambda _s: None)


@pytest.fixture
def conn(demo_db_url: str) -> Iterator[Conn]:
    """Another connection, as another desk or the website would have."""
    with psycopg.connect(demo_db_url, autocommit=True) as c:
        yield c


def first_event_night(conn: Conn, event: str = "La Fiesta", *, min_days_ahead: int = 1) -> date:
    row = conn.execute(
        "SELECT min(night) FROM nights WHERE venue_id = %s AND event_name = %s "
        "AND night >= (private.fd_now() AT TIME ZONE 'Europe/London')::date + %s",
        [DEMO_VENUE_ID, event, min_days_ahead],
    ).fetchone()
    assert row is not None and row[0] is not None
    night: date = row[0]
    return night


@pytest.fixture
def friday(conn: Conn) -> date:
    """The next La Fiesta Friday (tomorrow at the earliest): busy with demo bookings."""
    return first_event_night(conn)


# The offscreen platform says this whenever a window's size limits change, or
# a window is raised; it is harmless there and never appears on a real desktop.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


def make_settings(url: str, folder: Path, terminal: str = TERMINAL) -> Settings:
    return Settings(
        database_url=url,
        data_dir=folder,
        log_dir=folder / "logs",
        terminal=terminal,
        staff_name="Priya",
    )


def window_store(folder: Path) -> QSettings:
    return QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)


def settle(qtbot: QtBot, desktop: Desktop, timeout: int = 15_000) -> None:
    """Wait until the window shows what the database holds, and is live."""
    window = desktop.window

    def ready() -> bool:
        live = desktop.live is None or desktop.live.state is ListenerState.LIVE
        return live and window.night.night is not None and window.night.settled

    qtbot.waitUntil(ready, timeout=timeout)


def sign_in(qtbot: QtBot, desktop: Desktop, name: str = "Priya", pin: str | None = None) -> None:
    """Sign ``name`` in on the sign-in screen (the staff list, the PIN, Enter)
    and wait until the window is theirs."""
    window = desktop.window
    screen = window.sign_in_screen
    assert screen.isVisible()
    if screen.mode == screen.SIGN_IN:
        qtbot.waitUntil(lambda: name in screen.staff_names, timeout=15_000)
        assert screen.choose(name)
    screen.pin.setText(PINS[name] if pin is None else pin)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]

    def theirs() -> bool:
        who = desktop.desk.signed_in
        return who is not None and who.staff_name == name and not window.locked

    qtbot.waitUntil(theirs, timeout=15_000)


@pytest.fixture
def open_desktop(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Desktop]]:
    """Opens desks (a window each, on a database URL), signs someone in
    (``staff``; None: nobody, the sign-in screen stays up), shows ``night``;
    closes them afterwards."""
    opened: list[Desktop] = []

    def open_(
        url: str,
        night: date | None = None,
        *,
        terminal: str = TERMINAL,
        staff: str | None = "Priya",
        idle_lock_ms: int | None = None,
    ) -> Desktop:
        folder = tmp_path / f"desk{len(opened)}"
        desktop = Desktop(
            make_settings(url, folder, terminal),
            url,
            store=window_store(folder),
            idle_lock_ms=idle_lock_ms,
        )
        opened.append(desktop)
        desktop.window.resize(1600, 1000)
        desktop.start()
        qtbot.waitExposed(desktop.window)
        if staff is None:
            return desktop
        sign_in(qtbot, desktop, staff)
        if night is not None:
            desktop.window.night.show_night(night)
        settle(qtbot, desktop)
        return desktop

    yield open_
    for desktop in opened:
        desktop.close()
    QApplication.processEvents()


@pytest.fixture
def desk_url(demo_db_url: str, login_url: Callable[[str, str | None], str]) -> str:
    """A desk's login on a fresh demo database."""
    return login_url(demo_db_url, "desk")


# (desk_url first: the database and the login are made before the window and
# dropped after it has closed.)


@pytest.fixture
def desktop(desk_url: str, open_desktop: Callable[..., Desktop], friday: date) -> Desktop:
    """The window on a fresh demo database, as a desk's login, Priya (a host)
    signed in, showing the next La Fiesta Friday."""
    return open_desktop(desk_url, friday)


@pytest.fixture
def manager_desktop(desk_url: str, open_desktop: Callable[..., Desktop], friday: date) -> Desktop:
    """The same with Sam, a manager, signed in."""
    return open_desktop(desk_url, friday, staff="Sam")
