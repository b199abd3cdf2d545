"""``run(settings, url)``: the Qt application around the desk.

High-DPI, the light or dark theme (following the system, or
``FRONTDESK_THEME=light|dark``), the app icon, a qasync event loop, the
window; then everything closed in order.
"""

from __future__ import annotations

import asyncio
import os
import sys

import qasync
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.logs import setup_logging
from frontdesk.settings import Settings
from ui import theme
from ui.composition import Desktop

THEME_ENV = "FRONTDESK_THEME"


def chosen_theme() -> theme.Theme:
    wanted = os.environ.get(THEME_ENV, "").lower()
    if wanted in ("light", "dark"):
        return theme.DARK if wanted == "dark" else theme.LIGHT
    return theme.DARK if theme.system_prefers_dark() else theme.LIGHT


def make_application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(sys.argv[:1])
    app.setApplicationName("frontdesk")
    app.setOrganizationName("frontdesk")
    app.setWindowIcon(theme.app_icon())
    return app


class _SchemeFollower(QObject):
    """Switches the theme when the system does (unless one was chosen)."""

    def __init__(self, app: QApplication, desktop: Desktop) -> None:
        super().__init__(app)
        self._app = app
        self._desktop = desktop

    def follow(self, _scheme: Qt.ColorScheme) -> None:
        if os.environ.get(THEME_ENV):
            return
        colours = chosen_theme()
        theme.apply(self._app, colours)
        self._desktop.window.apply_theme(colours)


def run(settings: Settings, url: str) -> int:
    setup_logging(settings)
    app = make_application()
    colours = chosen_theme()
    theme.apply(app, colours)
    try:
        desktop = Desktop(settings, url, colours=colours)
    except (ServerUnavailable, Refused) as problem:
        QMessageBox.critical(None, "frontdesk", f"The desk cannot start: {problem}")
        return 1
    follower = _SchemeFollower(app, desktop)
    app.styleHints().colorSchemeChanged.connect(follower.follow)
    desktop.start()

    async def until_quit() -> None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        await closed.wait()

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            loop.run_until_complete(until_quit())
    finally:
        desktop.close()
    return 0
