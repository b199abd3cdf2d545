# mypy: disable-error-code="no-untyped-call"
"""Help: F1 opens the shortcuts sheet; the host guide is there too; every command is in a menu."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from frontdesk.package_data import resources_dir
from ui.composition import Desktop
from ui.help_dialog import HelpDialog, guide_text


def test_f1_opens_the_shortcuts_sheet(qtbot: QtBot, desktop: Desktop) -> None:
    window = desktop.window
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: bool(window.findChildren(HelpDialog)))
    (dialog,) = window.findChildren(HelpDialog)
    assert dialog.isVisible() and dialog.tabs.currentWidget() is dialog.shortcuts
    sheet = dialog.shortcuts.toPlainText()
    for words in ("Walk-in", "New booking", "Undo", "Redo", "Ctrl+Y", "Lock", "Find a guest"):
        assert words in sheet, words
    dialog.close()


def test_the_host_guide_opens_from_the_help_menu_with_its_pictures(
    qtbot: QtBot, desktop: Desktop
) -> None:
    window = desktop.window
    window.act_guide.trigger()
    (dialog,) = window.findChildren(HelpDialog)
    assert dialog.tabs.currentWidget() is dialog.guide
    assert "Tonight at a glance" in dialog.guide.toPlainText()
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", guide_text())
    assert len(pictures) >= 5
    for picture in pictures:
        assert (resources_dir() / "help" / picture).is_file(), picture
    dialog.close()


def test_every_toolbar_and_shortcut_command_is_in_a_menu(desktop: Desktop) -> None:
    window = desktop.window
    in_menus: set[QAction] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            in_menus |= {a for a in menu.actions() if not a.isSeparator()}
    needed = [a for a in window.toolbar.actions() if a.text() and not a.isSeparator()]
    needed += [a for a in window.actions() if not a.shortcut().isEmpty()]
    needed += list(window.status_actions.values())
    missing = [a.text() for a in needed if a not in in_menus and a.text()]
    assert missing == []
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus[:3] == ["Desk", "Edit", "Booking"] and menus[-1] == "Help"
