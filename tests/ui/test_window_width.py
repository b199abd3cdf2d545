# mypy: disable-error-code="no-untyped-call"
"""The window works from 1,024 px wide: every toolbar command shows, none in an overflow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot

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
