"""Who is at the desk: the sign-in screen over the window, locking, switching.

Nobody works the desk without signing in: the window opens under the
sign-in screen, shows the night once someone has, locks itself (Ctrl+L, or
after the venue's idle time) with the night dimmed behind a PIN prompt, and
asks again whenever the engine says the session has ended.  Dialogs open
when the desk locks are hidden, not closed, and come back as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QWidget

from frontdesk.desk import SignedIn
from ui.booking_dialog import BookingDialog

if TYPE_CHECKING:
    from ui.actions import BookingActions
    from ui.block_dialog import TableBlockActions
    from ui.grid_view import NightGridView
    from ui.manager_menu import ManagerActions
    from ui.night import NightController
    from ui.runsheet import RunSheetActions
    from ui.session import DeskSession, IdleWatch, SetAside
    from ui.signin import SignInScreen

    _Base = QMainWindow
else:
    _Base = object


class DeskCover(_Base):
    """Signing in, locking and signing out (mixed into MainWindow)."""

    session: DeskSession
    sign_in_screen: SignInScreen
    idle: IdleWatch
    set_aside: SetAside
    booking_actions: BookingActions
    night: NightController
    run_sheet: RunSheetActions
    manager: ManagerActions
    table_blocks: TableBlockActions
    grid: NightGridView
    who_label: QLabel
    _covered: bool
    _focus_before: QWidget | None
    _night_started: bool
    _last_who: SignedIn | None

    if TYPE_CHECKING:  # the window's own

        def _update_actions(self) -> None: ...
        def _show_first_night(self) -> None: ...
        def say(self, message: str) -> None: ...

    @property
    def locked(self) -> bool:
        """The sign-in screen is over the window (locked, or nobody signed in)."""
        return self._covered

    def lock(self) -> None:
        """Lock the desk (Ctrl+L, or idle): the night stays visible behind a
        prompt for the same person's PIN; open dialogs wait, hidden."""
        who = self.session.who
        if who is None or self._covered:
            return
        self._cover()
        self.sign_in_screen.ask_pin_of(who)

    def switch_person(self) -> None:
        """Someone else signs in; whoever is signed in stays until they do."""
        if self.session.who is None or self._covered:
            return
        self._cover()
        self.sign_in_screen.ask_anyone()
        self.session.list_staff()

    def sign_out(self) -> None:
        if self.session.who is None:
            return
        self._cover()
        self.session.sign_out()
        self._show_who(None)
        self.sign_in_screen.ask_anyone("Signed out. The next person signs in here.")
        self.session.list_staff()

    def _session_ended(self, message: str) -> None:
        """The engine said the session is over (expired, or ended elsewhere)."""
        before = self._last_who
        self._show_who(None)
        self._cover()
        self.sign_in_screen.ask_anyone(
            f"{message} Everything you typed is kept.",
            preselect=before.staff_name if before is not None else "",
        )
        self.session.list_staff()

    def _signed_in(self, who: SignedIn) -> None:
        before = self._last_who
        self._show_who(who)
        self.sign_in_screen.signed_in()
        if (before is None or before.staff_id != who.staff_id) and not self.booking_actions.busy:
            # Undo is for the person who did it.
            self.booking_actions.undo_stack.clear()
        self._uncover()
        for dialog in self.findChildren(BookingDialog):
            dialog.resume()  # holds and reads refused while nobody was signed in
        if not self._night_started:
            self._show_first_night()
        elif self.night.night is not None:
            self.night.reload()  # a load may have been refused meanwhile
        self.say(f"Signed in: {who.staff_name}")

    def _show_who(self, who: SignedIn | None) -> None:
        if who is not None:
            self._last_who = who
        self.who_label.setText(f"{who.staff_name} · {who.role}" if who else "Nobody signed in")
        self.who_label.setToolTip(
            f"Signed in until {who.expires_at:%H:%M}. Lock the desk with Ctrl+L." if who else ""
        )
        manager = who is not None and who.is_manager
        self.run_sheet.set_staff(who.staff_name if who else "", manager=manager)
        self.manager.set_staff(who.staff_name if who else "", manager=manager)
        self.table_blocks.set_manager(manager)
        self._update_actions()

    def _list_staff_if_needed(self) -> None:
        if self._covered and not self.sign_in_screen.staff_names:
            self.session.list_staff()

    def _cover(self) -> None:
        """The sign-in screen over everything; open dialogs hidden, not closed."""
        if self._covered:
            return
        self._covered = True
        self.idle.stop()
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        focused = QApplication.focusWidget()
        self._focus_before = focused if focused is not None and self.isAncestorOf(focused) else None
        self.set_aside.hide([d for d in self.findChildren(QDialog) if d.isVisible()])
        self.menuBar().setEnabled(False)
        self.activateWindow()  # a hidden dialog had the keyboard
        self.sign_in_screen.cover()
        self._update_actions()

    def _uncover(self) -> None:
        if not self._covered:
            return
        self._covered = False
        self.sign_in_screen.hide()
        self.menuBar().setEnabled(True)
        focus, self._focus_before = self._focus_before, None
        if focus is not None and shiboken6.isValid(focus):
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        self.set_aside.restore()
        self.idle.start()
        self._update_actions()
