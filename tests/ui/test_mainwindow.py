# mypy: disable-error-code="no-untyped-call"
"""The main window on a real demo database: what it shows, keys, remembering."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.plan import Status
from tests.ui.conftest import Conn
from ui.composition import Desktop


def test_the_window_shows_the_friday(desktop: Desktop, friday: date) -> None:
    window = desktop.window
    assert window.windowTitle() == "frontdesk — The Backroom Leeds"
    plan = window.model.plan
    assert plan is not None and plan.night == friday
    assert window.summary.event_name.text() == "La Fiesta"
    total = window.summary.card_texts()[-1]
    active = [b for b in plan.bookings if b.status.holds_table]
    assert total.startswith("ALL FLOORS: ")
    assert f"{len(active)} bookings" in total
    assert window.live_indicator.text() == "● Live"
    assert window.banner.isHidden()
    assert window.date_picker.date().toPython() == friday


def test_next_and_previous_night(qtbot: QtBot, desktop: Desktop, friday: date) -> None:
    window = desktop.window
    window.act_next.trigger()
    qtbot.waitUntil(
        lambda: (
            window.model.plan is not None and window.model.plan.night == friday + timedelta(days=1)
        )
    )
    assert window.summary.event_name.text() == "Shhh!"
    window.act_prev.trigger()
    window.act_prev.trigger()
    qtbot.waitUntil(
        lambda: (
            window.model.plan is not None and window.model.plan.night == friday - timedelta(days=1)
        )
    )


def _booking_at(conn: Conn, booking_id: UUID) -> tuple[str, ...]:
    row = conn.execute("SELECT status FROM bookings WHERE id = %s", [booking_id]).fetchone()
    assert row is not None
    return tuple(row)


def test_keys_change_the_selected_booking(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    block = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    window.grid.select_booking(block.booking.id)
    window.grid.setFocus()
    assert window.booking_panel.booking == block.booking
    qtbot.keyClick(window.grid, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: _booking_at(conn, block.booking.id) == ("arrived",))
    qtbot.waitUntil(lambda: window.model.booking(block.booking.id).status is Status.ARRIVED)  # type: ignore[union-attr]
    qtbot.keyClick(window.grid, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: _booking_at(conn, block.booking.id) == ("seated",))
