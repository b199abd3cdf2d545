# mypy: disable-error-code="no-untyped-call"
"""The window works from 1,024 x 768: every toolbar command shows, none in an
overflow, and every line of the selected booking can be read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QLabel, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Conn
from ui import theme
from ui.composition import Desktop


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


@pytest.mark.parametrize("width", [1024, 1280])
def test_every_toolbar_command_shows_at(qtbot: QtBot, desktop: Desktop, width: int) -> None:
    window = desktop.window
    assert window.minimumSizeHint().width() <= 1024
    window.resize(width, 768)
    qtbot.waitUntil(lambda: window.width() == width)
    bar = window.toolbar
    qtbot.waitUntil(lambda: bar.width() <= width)
    overflow = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow is None or not overflow.isVisible()
    for action in bar.actions():
        if action.isSeparator():
            continue
        widget = bar.widgetForAction(action)
        assert widget is not None and widget.isVisible(), action.text()
        right = widget.mapTo(window, widget.rect().topRight()).x()
        assert right <= width, action.text()
    status = window.statusBar()
    for widget in (window.live_indicator, window.terminal_label, window.who_label):
        assert widget.isVisible() and widget.mapTo(window, widget.rect().topRight()).x() <= width
    assert status.width() <= width
    assert window.side.width() >= window.side.minimumWidth()
    assert window.grid.width() > 400  # the night still has the room


def _shows_all_its_text(label: QLabel) -> bool:
    """Tall enough for its wrapped text at its width, and as wide as it asks."""
    return (
        label.isVisible()
        and label.height() >= label.heightForWidth(label.width())
        and label.height() >= label.minimumSizeHint().height()
    )


def _inside(widget: QWidget, frame: QWidget) -> bool:
    """Every pixel of ``widget`` is within ``frame`` (an ancestor)."""
    top_left = widget.mapTo(frame, widget.rect().topLeft())
    return frame.rect().contains(QRect(top_left, widget.size()))


def test_every_line_of_the_selected_booking_reads_at_1024_by_768(
    qtbot: QtBot,
    desk_url: str,
    open_desktop: Callable[..., Desktop],
    friday: date,
    conn: Conn,
) -> None:
    row = conn.execute(
        "SELECT id, customer_id FROM bookings WHERE night = %s AND status = 'confirmed'"
        " ORDER BY starts_at, reference LIMIT 1",
        [friday],
    ).fetchone()
    assert row is not None
    booking_id, customer_id = row
    conn.execute(
        "UPDATE bookings SET occasion = 'Birthday', special_requests = %s WHERE id = %s",
        ["A cake with candles at midnight, and the table by the DJ if it is free", booking_id],
    )
    conn.execute("UPDATE customers SET date_of_birth = '1990-05-17' WHERE id = %s", [customer_id])
    window = open_desktop(desk_url, friday).window
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1024, 768))
    assert window.grid.select_booking(booking_id)
    panel = window.booking_panel
    qtbot.waitUntil(lambda: panel.booking is not None and panel.booking.id == booking_id)
    fields = panel.field_labels()
    assert fields["Date of birth"].text() == "17/05/1990"
    assert fields["Requests"].text().startswith("A cake with candles")
    area = panel.fields_area
    viewport = area.viewport()
    assert viewport is not None
    for name, label in fields.items():
        qtbot.waitUntil(lambda label=label: _shows_all_its_text(label))  # type: ignore[misc]
        area.ensureWidgetVisible(label, 0, 0)
        assert _inside(label, viewport), name
    for button in panel.findChildren(QToolButton):
        # the money buttons scroll with the details; the status buttons stay put
        if area.isAncestorOf(button):
            area.ensureWidgetVisible(button, 0, 0)
            assert _inside(button, viewport), button.text()
        assert button.isVisible() and _inside(button, window.side), button.text()
