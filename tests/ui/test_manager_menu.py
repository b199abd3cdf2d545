"""The window's Manager menu: a host sees it disabled ("Managers only"); a
manager opens the audit log, monitoring, reports and the guest data from
it, and the monitoring alert sits in the status bar."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from ui.composition import Desktop
from ui.manager_menu import MANAGERS_ONLY


def _menu_actions(desktop: Desktop) -> dict[str, QAction]:
    menus = {a.text(): a.menu() for a in desktop.window.menuBar().actions()}
    menu = menus["&Manager"]
    assert isinstance(menu, QMenu)
    return {a.text(): a for a in menu.actions() if a.text()}


def _new_windows(before: set[int], main: QWidget) -> list[QWidget]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if id(w) not in before and w.isVisible() and w is not main
    ]


def test_a_host_finds_the_manager_menu_disabled(desktop: Desktop) -> None:
    actions = _menu_actions(desktop)
    assert set(actions) >= {"Audit log…", "Monitoring", "Reports…", "Guest data…"}
    for name in ("Audit log…", "Monitoring", "Reports…", "Guest data…"):
        action = actions[name]
        assert not action.isEnabled(), name
        assert action.toolTip() == MANAGERS_ONLY, name
    assert desktop.window.manager.alert.parent() is not None


def test_a_manager_opens_each_window_from_the_menu(qtbot: QtBot, manager_desktop: Desktop) -> None:
    actions = _menu_actions(manager_desktop)
    main = manager_desktop.window
    for name in ("Audit log…", "Monitoring", "Reports…", "Guest data…"):
        action = actions[name]
        qtbot.waitUntil(action.isEnabled, timeout=10_000)
        before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        action.trigger()

        def opened(before: set[int] = before) -> bool:
            return bool(_new_windows(before, main))

        qtbot.waitUntil(opened, timeout=10_000)
        for window in _new_windows(before, main):
            window.close()
