"""Fixtures for the window's tests: a desk on a fresh demo database, and nights."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from PySide6.QtCore import QSettings
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


# The offscreen platform says this whenever a window's size limits change;
# it is harmless there and never appears on a real desktop.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


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


@pytest.fixture
def open_desktop(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., Desktop]]:
    """Opens desks (a window each, on a database URL); closes them afterwards."""
    opened: list[Desktop] = []

    def open_(url: str, night: date | None = None, *, terminal: str = TERMINAL) -> Desktop:
        folder = tmp_path / f"desk{len(opened)}"
        desktop = Desktop(make_settings(url, folder, terminal), url, store=window_store(folder))
        opened.append(desktop)
        desktop.window.resize(1600, 1000)
        desktop.start()
        if night is not None:
            desktop.window.night.show_night(night)
        qtbot.waitExposed(desktop.window)
        settle(qtbot, desktop)
        return desktop

    yield open_
    for desktop in opened:
        desktop.close()
    QApplication.processEvents()


@pytest.fixture
def desktop(open_desktop: Callable[..., Desktop], demo_db_url: str, friday: date) -> Desktop:
    """The window on a fresh demo database, showing the next La Fiesta Friday."""
    return open_desktop(demo_db_url, friday)
