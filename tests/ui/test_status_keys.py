# mypy: disable-error-code="no-untyped-call"
"""Statuses at the window: keys with a modifier, typing goes to the find box,
a no-show asks and can be undone through the engine, the menu offers only
what the engine allows, and the night's statuses wait for the night.

"Tonight" is the engine's clock on Friday evening (tests/clock.py), never
the real hour.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.plan import Status
from tests.clock import EngineClock, on_night
from tests.ui.conftest import Conn
from ui.composition import Desktop
from ui.grid_model import Block

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def tonight(friday: date) -> datetime:
    return on_night(friday, "22:30")


@pytest.fixture
def on_the_night(
    desk_url: str,
    open_desktop: Callable[..., Desktop],
    friday: date,
    engine_clock: EngineClock,
    tonight: datetime,
) -> Desktop:
    """The window with Priya signed in, on Friday at 22:30 by the engine's clock."""
    engine_clock.set(desk_url, tonight)
    desktop = open_desktop(desk_url, friday)
    desktop.window.set_clock(lambda: tonight)
    return desktop


def status_of(conn: Conn, booking_id: UUID) -> str:
    row = conn.execute("SELECT status FROM bookings WHERE id = %s", [booking_id]).fetchone()
    assert row is not None
    status: str = row[0]
    return status


def a_confirmed_booking(desktop: Desktop) -> Block:
    window = desktop.window
    block = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    window.grid.select_booking(block.booking.id)
    window.grid.setFocus()
    return block


def test_status_keys_need_ctrl_shift_and_undo_puts_the_status_back(
    qtbot: QtBot, on_the_night: Desktop, conn: Conn
) -> None:
    window = on_the_night.window
    booking = a_confirmed_booking(on_the_night).booking
    qtbot.keyClick(window.grid, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(lambda: status_of(conn, booking.id) == "arrived")
    qtbot.waitUntil(lambda: window.model.booking(booking.id).status is Status.ARRIVED)  # type: ignore[union-attr]
    qtbot.keyClick(window.grid, Qt.Key.Key_S, CTRL_SHIFT)
    qtbot.waitUntil(lambda: status_of(conn, booking.id) == "seated")
    stack = window.booking_actions.undo_stack
    qtbot.waitUntil(lambda: stack.count() == 2 and window.act_undo.isEnabled())
    assert stack.undoText() == f"Seat: {booking.customer_name}"
    window.act_undo.trigger()  # through the engine's revert_status
    qtbot.waitUntil(lambda: status_of(conn, booking.id) == "arrived")
    qtbot.waitUntil(lambda: window.act_redo.isEnabled())
    window.act_redo.trigger()
    qtbot.waitUntil(lambda: status_of(conn, booking.id) == "seated")


def test_typing_on_the_grid_starts_the_find_box_and_changes_nothing(
    qtbot: QtBot, on_the_night: Desktop, conn: Conn
) -> None:
    window = on_the_night.window
    booking = a_confirmed_booking(on_the_night).booking
    window.search.setText("an old search")
    for key in "asc":  # arrived, seated, completed, once
        qtbot.keyClick(window.grid, key)
    assert window.search.text() == "asc"
    qtbot.keyClicks(window.search, "n")
    assert window.search.text() == "ascn"
    qtbot.wait(50)  # nothing is on its way to the database
    assert not window.ops.busy
    assert status_of(conn, booking.id) == "confirmed"
    assert window.booking_actions.undo_stack.count() == 0


def test_a_no_show_asks_then_undo_brings_it_back(
    qtbot: QtBot, on_the_night: Desktop, conn: Conn
) -> None:
    window = on_the_night.window
    block = a_confirmed_booking(on_the_night)
    booking = block.booking
    qtbot.keyClick(window.grid, Qt.Key.Key_N, CTRL_SHIFT)
    box = window.status_menu.question
    assert box is not None and booking.customer_name in box.text()
    assert status_of(conn, booking.id) == "confirmed"  # nothing until the host says so
    yes = box.button(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(conn, booking.id) == "no_show")
    qtbot.waitUntil(lambda: not window.model.blocks_of(booking.id))  # its table is free
    qtbot.waitUntil(lambda: window.act_undo.isEnabled())
    assert "Ctrl+Z puts it back" in window.statusBar().currentMessage()
    # The question has gone: the window is the active one again (offscreen
    # does not hand activation back by itself), so its shortcuts reach it.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: status_of(conn, booking.id) == "confirmed")
    qtbot.waitUntil(lambda: [b.row for b in window.model.blocks_of(booking.id)] == [block.row])
    assert window.statusBar().currentMessage() == f"Undone: Mark no-show: {booking.customer_name}"
    audit = conn.execute(
        "SELECT new_values ->> 'status', staff_name FROM audit_logs WHERE record_id = %s "
        "AND table_name = 'bookings' ORDER BY id DESC LIMIT 1",
        [booking.id],
    ).fetchone()
    assert audit == ("confirmed", "Priya")


def test_the_menu_offers_only_what_the_engine_allows(qtbot: QtBot, on_the_night: Desktop) -> None:
    window = on_the_night.window
    a_confirmed_booking(on_the_night)
    menu = window.status_menu.menu_for([window.act_open])
    labels = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert labels == [
        "Open booking…",
        "Arrived",
        "Seated",
        "Cancel…",
        "No-show…",
        "Put back status…",
    ]
    assert all(a.isEnabled() for a in menu.actions() if a.text() != "Put back status…")
    menu.deleteLater()
    assert not window.status_actions[Status.COMPLETED].isEnabled()


def test_fridays_arrivals_wait_for_friday(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    # The real clock is before the next Friday (tomorrow at the earliest):
    # the engine refuses, whatever the window offers.
    window = desktop.window
    booking = a_confirmed_booking(desktop).booking
    action = window.status_actions[Status.ARRIVED]
    if action.isEnabled():  # a plan that does not yet send tonight's transitions
        action.trigger()
        qtbot.waitUntil(
            lambda: "only while that night is on" in window.statusBar().currentMessage()
        )
    else:
        assert not any(a.text() == "Arrived" for a in window.status_menu.menu_for([]).actions())
    assert status_of(conn, booking.id) == "confirmed"
    for menu in window.findChildren(QMenu):
        menu.deleteLater()
