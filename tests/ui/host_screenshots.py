# mypy: disable-error-code="no-untyped-call"
"""Screenshots of the host's floor, for docs/ and the host guide.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/ui/host_screenshots.py \\
        --basetemp=/tmp/bt-shots

Not collected with the suite (the name has no ``test_``): run it by name.
Each screen is the window on a fresh demo database on the next La Fiesta
Friday at 23:20, by the engine's clock and the window's, grabbed offscreen;
a dialog or question is drawn over the dimmed window where it would open.
Saves docs/screenshot-1024.png, docs/screenshot-1600.png,
docs/screenshot-drag-minimum.png, docs/screenshot-reverted-no-show.png and
the guide's pictures in resources/help/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.plan import Status
from tests.clock import EngineClock, on_night
from tests.ui.conftest import Conn
from tests.ui.test_grid_drag import drag_to_a_higher_minimum
from ui import theme
from ui.composition import Desktop

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
HELP = REPO / "resources" / "help"


@pytest.fixture(autouse=True)
def styled() -> Iterator[None]:
    """The desk's style sheet and palette, as the app runs (ui/app.py)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    sheet, palette, font, style = app.styleSheet(), app.palette(), app.font(), app.style().name()
    theme.apply(app, theme.LIGHT)
    yield
    app.setStyleSheet(sheet)
    app.setPalette(palette)
    app.setFont(font)
    app.setStyle(style)


@pytest.fixture
def at_2320(
    desk_url: str,
    open_desktop: Callable[..., Desktop],
    friday: date,
    engine_clock: EngineClock,
    conn: Conn,
) -> Desktop:
    now: datetime = on_night(friday, "23:20")
    engine_clock.set(desk_url, now)
    desktop = open_desktop(desk_url, friday)
    desktop.window.set_clock(lambda: now)
    return desktop


def settle_paint(qtbot: QtBot, window: QWidget) -> None:
    QApplication.processEvents()
    qtbot.wait(300)  # the throttled repaint and the status bar


def over(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window dimmed, the dialog drawn where it opens (centred)."""
    shot = window.grab()
    box = dialog.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 70))
    x = (shot.width() - box.width()) // 2
    y = max(40, (shot.height() - box.height()) // 3)
    painter.drawPixmap(x, y, box)
    painter.end()
    return shot


def save(pixmap: QPixmap, path: Path, width: int | None = None) -> None:
    if width is not None and pixmap.width() > width:
        pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
    assert pixmap.save(str(path)), path


def test_the_window_at_1600_and_1024(qtbot: QtBot, at_2320: Desktop) -> None:
    window = at_2320.window
    seated = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    window.grid.select_booking(seated.booking.id)
    for width, height, name in (
        (1600, 1000, "screenshot-1600.png"),
        (1024, 768, "screenshot-1024.png"),
    ):
        window.resize(width, height)
        qtbot.waitUntil(lambda width=width: window.width() == width)  # type: ignore[misc]
        settle_paint(qtbot, window)
        save(window.grab(), DOCS / name)
        if width == 1600:
            save(window.grab(), HELP / "tonight.png", width=1200)
    window.banner.set_reason("connection refused")
    window.banner.show()
    window.resize(1200, 760)
    settle_paint(qtbot, window)
    save(window.grab(), HELP / "offline.png", width=1000)
    window.banner.hide()


def test_a_drag_onto_a_higher_minimum(qtbot: QtBot, at_2320: Desktop) -> None:
    window = at_2320.window
    drag_to_a_higher_minimum(qtbot, at_2320)
    box = window.grid.drag.question
    assert box is not None
    settle_paint(qtbot, window)
    shot = over(window, box)
    save(shot, DOCS / "screenshot-drag-minimum.png")
    save(shot, HELP / "moving.png", width=1200)
    box.button(QMessageBox.StandardButton.No).click()


def test_a_reverted_no_show(qtbot: QtBot, at_2320: Desktop, conn: Conn) -> None:
    window = at_2320.window
    block = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    booking = block.booking
    window.grid.select_booking(booking.id)
    window.grid.setFocus()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.grid, Qt.Key.Key_N, ctrl_shift)
    box = window.status_menu.question
    assert box is not None
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.model.blocks_of(booking.id))
    qtbot.waitUntil(window.act_undo.isEnabled)
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: [b.row for b in window.model.blocks_of(booking.id)] == [block.row])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Undone"))
    window.grid.select_booking(booking.id)
    qtbot.waitUntil(lambda: len(window.activity.lines()) >= 2 and window.night.settled)
    settle_paint(qtbot, window)
    save(window.grab(), DOCS / "screenshot-reverted-no-show.png")


def test_a_walk_in_and_a_phone_booking(qtbot: QtBot, at_2320: Desktop) -> None:
    window = at_2320.window
    model = window.model
    now = window._clock()
    free = next(
        row
        for row in range(model.rowCount())
        if model.table_at(row) is not None
        and model.is_free(
            row, model.column_for(now), min(model.columnCount() - 1, model.column_for(now) + 8)
        )
    )
    window.grid.setCurrentIndex(model.index(free, model.column_for(now)))
    dialog = window.walk_in()
    assert dialog is not None
    dialog.party.setValue(3)
    settle_paint(qtbot, window)
    save(over(window, dialog), HELP / "walk-in.png", width=1200)
    dialog.reject()
    table = model.table_at(free)
    assert table is not None
    slots = model.slots
    booking = window.new_booking_at(table.id, slots[-12].starts_at, slots[-4].starts_at)
    assert booking is not None
    booking.resize(1100, 720)
    qtbot.waitUntil(lambda: booking.when.ends.count() > 0)
    booking.guest.search.setText("amelia")
    booking.guest.search_changed.emit("amelia")
    qtbot.waitUntil(lambda: booking.guest.results.count() > 0, timeout=10_000)
    booking.guest.results.itemClicked.emit(booking.guest.results.item(0))
    booking.when.party.setValue(4)
    settle_paint(qtbot, booking)
    save(booking.grab(), HELP / "booking.png", width=1000)
    booking.reject()
