"""Who is at this desk: signing in and out, and noticing when the desk is idle.

The database proves who is working (``Desk.sign_in`` checks the PIN and
gives a session that every later call carries); this is the window's side
of it.  ``DeskSession`` makes the calls off the UI thread and says what
happened; ``IdleWatch`` notices that nobody has touched the keyboard or the
mouse for the venue's idle time, so that the window locks itself;
``SetAside`` keeps the dialogs that were open while the desk is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget

from frontdesk.desk import Desk, SignedIn, StaffMember
from frontdesk.errors import Refused, ServerUnavailable
from ui.ops import Ops

#: What the sign-in screen says when a call could not reach the server.
UNREACHABLE = "Can't reach the booking database — check the connection, then try again."


class DeskSession(QObject):
    """Signs staff in and out at this desk; one per window."""

    staff_listed = Signal(object)  # list[StaffMember]
    staff_unavailable = Signal(str)  # why the list could not be read
    signed_in = Signal(object)  # SignedIn
    refused = Signal(str, str)  # code, a message for the host
    ended = Signal(str)  # the engine ended the session: why, for the host

    def __init__(self, ops: Ops, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._signing_in = False
        self._signing_out = False
        # A sign-in asked for while a sign-out is still on a worker: sent
        # after it, or the sign-out could forget the new session.
        self._queued: tuple[str, str] | None = None

    @property
    def who(self) -> SignedIn | None:
        """Who is signed in (as far as this desk knows)."""
        return self._ops.desk.signed_in

    @property
    def signing_in(self) -> bool:
        return self._signing_in

    def list_staff(self) -> None:
        """Read who can sign in here; ``staff_listed`` or ``staff_unavailable``."""
        self._ops.query(
            _staff_list, owner=self, done=self.staff_listed.emit, failed=self._list_failed
        )

    def sign_in(self, name: str, pin: str) -> None:
        """Sign ``name`` in with ``pin``; ``signed_in`` or ``refused``.  Ignored
        while a sign-in is on its way."""
        if self._signing_in:
            return
        self._signing_in = True
        if self._signing_out:
            self._queued = (name, pin)
            return
        self._send_sign_in(name, pin)

    def _send_sign_in(self, name: str, pin: str) -> None:
        self._ops.query(
            partial(_sign_in, name, pin), owner=self, done=self._signed_in, failed=self._refused
        )

    def sign_out(self) -> None:
        """End the session.  The desk forgets it at once (off the UI thread);
        the database is told when it can be reached."""
        self._signing_out = True
        self._ops.query(_sign_out, owner=self, done=self._signed_out, failed=self._signed_out)

    def _signed_out(self, _result: object) -> None:
        self._signing_out = False
        queued, self._queued = self._queued, None
        if queued is not None:
            self._send_sign_in(*queued)

    def session_refused(self, message: str) -> None:
        """The engine said nobody is signed in with this desk's session any more."""
        if self.who is None:
            return  # already forgotten (signed out, or nobody had signed in)
        self._ops.desk.forget_session()
        self.ended.emit(message)

    def _signed_in(self, who: SignedIn) -> None:
        self._signing_in = False
        self.signed_in.emit(who)

    def _refused(self, exc: Exception) -> None:
        self._signing_in = False
        if isinstance(exc, Refused):
            self.refused.emit(exc.code, exc.message)
            if exc.code == "UNKNOWN_STAFF":
                self.list_staff()  # disabled, or renamed, since the list was read
        elif isinstance(exc, ServerUnavailable):
            self.refused.emit("UNAVAILABLE", UNREACHABLE)
        else:
            self.refused.emit("FAILED", "Something went wrong signing in; it has been logged.")

    def _list_failed(self, exc: Exception) -> None:
        if isinstance(exc, Refused):
            self.staff_unavailable.emit(exc.message)
        else:
            self.staff_unavailable.emit(UNREACHABLE)


class IdleWatch(QObject):
    """Emits ``idle`` once nobody has pressed a key, clicked, scrolled or moved
    the mouse anywhere in the application for ``interval_ms``.  Installed on
    the application; counts only while ``start``ed."""

    idle = Signal()

    #: What counts as somebody at the desk.
    ACTIVITY = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
            QEvent.Type.TabletPress,
        }
    )

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.idle)

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_interval(self, ms: int) -> None:
        """How long the desk may be left alone (a test makes it short)."""
        self._timer.setInterval(ms)
        if self._timer.isActive():
            self._timer.start()

    @property
    def counting(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False


def _staff_list(desk: Desk) -> list[StaffMember]:
    return desk.staff_list()


def _sign_in(name: str, pin: str, desk: Desk) -> SignedIn:
    return desk.sign_in(name, pin)


def _sign_out(desk: Desk) -> None:
    desk.sign_out()


@dataclass
class _Kept:
    dialog: QDialog
    edit: QLineEdit | None  # the line the caret was in
    cursor: int = 0
    selection: tuple[int, int] | None = None


class SetAside(QObject):
    """Dialogs hidden while the desk is locked, and shown again as they were.

    Hidden, not closed: everything typed stays.  Shown again, a dialog
    gives its field the focus as if tabbed to, which selects a line's text
    (the next key would replace it): the caret and selection are put back.
    A dialog that closes itself meanwhile (an edit's move was answered)
    stays closed.  A dialog run in an event loop of its own (``exec``: the
    print and file dialogs) is cancelled instead: once hidden, its loop
    would end anyway, with nobody left to show it again."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kept: list[_Kept] = []

    @property
    def dialogs(self) -> list[QDialog]:
        return [k.dialog for k in self._kept]

    def hide(self, dialogs: list[QDialog]) -> None:
        for dialog in dialogs:
            if dialog.windowModality() == Qt.WindowModality.ApplicationModal:
                dialog.reject()
                continue
            self._kept.append(_typing(dialog))
            dialog.finished.connect(self._closed)
            dialog.hide()

    def restore(self) -> None:
        """Show them again, in the order they were opened."""
        kept, self._kept = self._kept, []
        for k in kept:
            if not shiboken6.isValid(k.dialog):
                continue
            k.dialog.finished.disconnect(self._closed)
            k.dialog.show()
            k.dialog.raise_()
            k.dialog.activateWindow()
            if k.edit is not None and shiboken6.isValid(k.edit):
                if k.selection is not None:
                    k.edit.setSelection(*k.selection)
                else:
                    k.edit.setCursorPosition(k.cursor)

    def _closed(self) -> None:
        self._kept = [k for k in self._kept if k.dialog is not self.sender()]


def _typing(dialog: QDialog) -> _Kept:
    """Where the caret is in ``dialog``: its focus field's line (a spin box's
    or an editable combo box's own), cursor and selection."""
    focus: QWidget | None = dialog.focusWidget()
    edit = focus if isinstance(focus, QLineEdit) else None
    if edit is None and focus is not None:
        edit = focus.findChild(QLineEdit)
    if edit is None:
        return _Kept(dialog, None)
    selection = (edit.selectionStart(), edit.selectionLength()) if edit.hasSelectedText() else None
    return _Kept(dialog, edit, edit.cursorPosition(), selection)
