"""The main window's commands: its actions, the toolbar, the menus and the status bar.

Every command is in a menu, with its keys beside it, for someone who does
not know the shortcuts; the toolbar carries the few a host reaches for all
night, and fits from 1,024 px wide with nothing in an overflow.  F1 opens
the shortcuts sheet, read from these menus (ui/help_dialog.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QWidget,
)

from ui import theme
from ui.bars import LiveIndicator
from ui.help_dialog import HelpDialog

if TYPE_CHECKING:
    from frontdesk.desk import Desk
    from ui.find_box import FindBox
    from ui.grid_view import NightGridView
    from ui.manager_menu import ManagerActions
    from ui.money_actions import MoneyActions
    from ui.runsheet import RunSheetActions
    from ui.status_menu import StatusMenu

    _Base = QMainWindow
else:
    _Base = object


def redo_keys() -> list[QKeySequence]:
    """Redo: the platform's keys (Ctrl+Shift+Z on Linux) and Ctrl+Y everywhere."""
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    ctrl_y = QKeySequence("Ctrl+Y")
    return [*keys, ctrl_y] if ctrl_y not in keys else list(keys)


class WindowMenus(_Base):
    """The window's commands (mixed into MainWindow)."""

    colours: theme.Theme
    desk: Desk
    grid: NightGridView
    find_box: FindBox
    run_sheet: RunSheetActions
    manager: ManagerActions
    status_menu: StatusMenu
    money: MoneyActions

    def _action(
        self,
        label: str,
        shortcut: str | QKeySequence.StandardKey | None = None,
        icon: str | None = None,
    ) -> QAction:
        action = QAction(label, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon:
            action.setIcon(theme.icon(icon, self.colours.text))
        return action

    def _make_actions(self) -> None:
        self.act_prev = self._action("Previous night", "Alt+Left", "prev")
        self.act_next = self._action("Next night", "Alt+Right", "next")
        self.act_tonight = self._action("Tonight", "Ctrl+T", "tonight")
        self.act_pick_night = self._action("Go to a night…", "Ctrl+G")
        self.act_find = self._action("Find a guest", QKeySequence.StandardKey.Find)
        self.act_new = self._action("New booking", "Ctrl+N", "new-booking")
        self.act_walk_in = self._action("Walk-in", "Ctrl+Shift+W", "walk-in")
        self.act_open = self._action("Open booking…", None)
        self.act_undo = self._action("Undo", QKeySequence.StandardKey.Undo, "undo")
        self.act_redo = self._action("Redo", None, "redo")
        self.act_redo.setShortcuts(redo_keys())
        self.act_lock = self._action("Lock", "Ctrl+L")
        self.act_lock.setToolTip("Lock the desk: the night stays on screen behind a PIN")
        self.act_switch = self._action("Switch person…")
        self.act_sign_out = self._action("Sign out")
        self.act_connection = self._action("Connection settings…")
        self.act_guest_data = self._action("Guest data…")
        self.act_setup = self._action("Venue setup…")
        self.act_shortcuts = self._action("Shortcuts", "F1")
        self.act_guide = self._action("Host guide")
        # The walk-in key acts on the grid only, never while typing a search.
        self.act_walk_in.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.grid.addAction(self.act_walk_in)
        for action in (
            self.act_prev,
            self.act_next,
            self.act_tonight,
            self.act_pick_night,
            self.act_find,
            self.act_new,
            self.act_undo,
            self.act_redo,
            self.act_lock,
            self.act_shortcuts,
            *self.run_sheet.actions,
        ):
            self.addAction(action)

    def _make_toolbar(self) -> None:
        bar = QToolBar("Night", self)
        bar.setObjectName("NightBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(bar)
        bar.addAction(self.act_prev)
        self.date_picker = QDateEdit(self)
        self.date_picker.setObjectName("NightPicker")
        self.date_picker.setCalendarPopup(True)
        # Short, so that the toolbar fits at 1,024 px; the year is in the
        # tooltip and the calendar.
        self.date_picker.setDisplayFormat("ddd d MMM")
        self.date_picker.setToolTip("Go to a night (Ctrl+G)")
        # Until a night is shown (after sign-in): today, not Qt's year 2000.
        today = datetime.now(self.desk.time_zone).date()
        self.date_picker.setDate(QDate(today.year, today.month, today.day))
        bar.addWidget(self.date_picker)
        bar.addAction(self.act_next)
        bar.addAction(self.act_tonight)
        bar.addSeparator()
        search = self.find_box.search
        search.setMinimumWidth(130)
        search.setMaximumWidth(420)
        search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        bar.addWidget(search)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.act_undo)
        bar.addAction(self.act_redo)
        bar.addSeparator()
        bar.addAction(self.act_walk_in)
        bar.addAction(self.act_new)
        # Icons alone where the icon says it (the tooltip and the menus say the words).
        for action in (self.act_prev, self.act_next, self.act_undo, self.act_redo):
            button = bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        new_button = bar.widgetForAction(self.act_new)
        if new_button is not None:
            new_button.setObjectName("PrimaryAction")
            self.act_new.setIcon(theme.icon("new-booking", self.colours.accent_text))
        self.toolbar = bar

    def _make_menus(self) -> None:
        bar = self.menuBar()
        bar.addMenu(self._desk_menu())
        bar.addMenu(self._edit_menu())
        bar.addMenu(self._booking_menu())
        night = self.run_sheet.menu(self)
        first = night.actions()[0] if night.actions() else None
        for action in (
            self.act_prev,
            self.act_next,
            self.act_tonight,
            self.act_pick_night,
        ):
            night.insertAction(first, action)  # type: ignore[arg-type]
        night.insertSeparator(first)  # type: ignore[arg-type]
        night.insertAction(first, self.money.act_import_till)  # type: ignore[arg-type]
        night.insertSeparator(first)  # type: ignore[arg-type]
        bar.addMenu(night)
        manager_menu = self.manager.menu(self)
        manager_menu.addSeparator()
        manager_menu.addAction(self.act_setup)
        manager_menu.addAction(self.act_guest_data)
        bar.addMenu(manager_menu)
        bar.addMenu(self._help_menu())

    def _desk_menu(self) -> QMenu:
        menu = QMenu("&Desk", self)
        menu.addAction(self.act_lock)
        menu.addAction(self.act_switch)
        menu.addAction(self.act_sign_out)
        menu.addSeparator()
        menu.addAction(self.act_connection)
        return menu

    def _edit_menu(self) -> QMenu:
        menu = QMenu("&Edit", self)
        menu.addAction(self.act_undo)
        menu.addAction(self.act_redo)
        menu.addSeparator()
        menu.addAction(self.act_find)
        return menu

    def _booking_menu(self) -> QMenu:
        menu = QMenu("&Booking", self)
        menu.addAction(self.act_new)
        menu.addAction(self.act_walk_in)
        menu.addAction(self.act_open)
        menu.addSeparator()
        for action in self.status_menu.actions.values():
            menu.addAction(action)
        menu.addAction(self.status_menu.act_put_back)
        menu.addSeparator()
        for action in self.money.actions:
            menu.addAction(action)
        return menu

    def _help_menu(self) -> QMenu:
        menu = QMenu("&Help", self)
        menu.addAction(self.act_shortcuts)
        menu.addAction(self.act_guide)
        return menu

    def _make_status_bar(self, terminal: str) -> None:
        status = self.statusBar()
        self.live_indicator = LiveIndicator(self)
        status.addPermanentWidget(self.live_indicator)
        self.terminal_label = QLabel(terminal, self)
        self.terminal_label.setToolTip(f"This desk: terminal {terminal}")
        status.addPermanentWidget(self.terminal_label)
        self.who_label = QLabel(self)
        self.who_label.setObjectName("SignedIn")
        status.addPermanentWidget(self.who_label)
        status.addPermanentWidget(self.manager.alert)

    # ---- help ----------------------------------------------------------------

    def open_help(self, *, guide: bool = False) -> HelpDialog:
        """The shortcuts sheet (F1), or the host guide."""
        dialog = HelpDialog(self.menuBar(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if guide:
            dialog.show_guide()
        dialog.show()
        return dialog

    def open_shortcuts(self) -> HelpDialog:
        return self.open_help()

    def open_guide(self) -> HelpDialog:
        return self.open_help(guide=True)

    def pick_night(self) -> None:
        """Ctrl+G: the calendar under the night's date."""
        self.date_picker.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.date_picker.setCurrentSection(QDateEdit.Section.DaySection)
