"""A booking's status at the desk: the status actions, their keys, the
right-click menu, and the questions asked before a no-show or a cancel.

Only what the engine allows is offered: the night plan sends, per status,
what it may become tonight (``NightPlan.next_statuses``), so on Friday's
grid on a Monday no arrival is offered, and a confirmed booking's menu has
no "Completed".  The keys need Ctrl+Shift (plain typing on the grid goes
to the find box); a no-show and a cancel ask first.  Every change can be
undone (``BookingActions``), and "Put back status…" asks the engine for a
correction of a status set earlier or by someone else (a manager's).
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from frontdesk.plan import Booking, Status
from ui.actions import BookingActions
from ui.grid_model import NightGridModel
from ui.grid_view import NightGridView

#: The status actions: (status, label, key).  No plain letter: typing on the
#: grid is for the find box.
STATUS_KEYS: list[tuple[Status, str, str]] = [
    (Status.ARRIVED, "Arrived", "Ctrl+Shift+A"),
    (Status.SEATED, "Seated", "Ctrl+Shift+S"),
    (Status.COMPLETED, "Completed", "Ctrl+Shift+C"),
    (Status.NO_SHOW, "No-show…", "Ctrl+Shift+N"),
    (Status.CANCELLED, "Cancel…", "Ctrl+Shift+X"),
]

#: What is asked before these take effect: (title, question, yes-button).
QUESTIONS: dict[Status, tuple[str, str, str]] = {
    Status.NO_SHOW: (
        "No-show",
        "Mark {name} a no-show? The table becomes free. (Ctrl+Z puts it back.)",
        "Mark no-show",
    ),
    Status.CANCELLED: (
        "Cancel booking",
        "Cancel {name}'s booking? The table becomes free. (Ctrl+Z puts it back.)",
        "Cancel booking",
    ),
}

#: Statuses a booking only reaches by a change: something to put back.
_CHANGED = frozenset(Status) - {Status.PENDING}


class StatusMenu(QObject):
    def __init__(
        self,
        window: QWidget,
        grid: NightGridView,
        model: NightGridModel,
        actions: BookingActions,
    ) -> None:
        super().__init__(window)
        self._window, self._grid, self._model, self._actions = window, grid, model, actions
        self.question: QMessageBox | None = None  # open while asking
        self.actions: dict[Status, QAction] = {}
        for status, label, key in STATUS_KEYS:
            action = QAction(label, window)
            action.setShortcut(QKeySequence(key))
            action.setToolTip(f"{label.rstrip('…')} ({key})")
            action.setData(status.value)
            # On the grid only: never while typing a search or in a dialog.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(self._triggered)
            grid.addAction(action)
            self.actions[status] = action
        self.act_put_back = QAction("Put back status…", window)
        self.act_put_back.setToolTip(
            "Undo a mistaken status: yours within 10 minutes, anyone's for a manager"
        )
        self.act_put_back.triggered.connect(self._put_back)

    # ---- what is allowed ----------------------------------------------------

    def selected(self) -> Booking | None:
        booking_id = self._grid.selected_booking_id()
        return self._model.booking(booking_id) if booking_id else None

    def allowed(self, booking: Booking | None) -> tuple[Status, ...]:
        """What the engine lets this booking become now (the night plan says)."""
        plan = self._model.plan
        if booking is None or plan is None:
            return ()
        return plan.next_statuses(booking.status)

    def update(self, working: bool) -> None:
        booking = self.selected()
        allowed = self.allowed(booking)
        for status, action in self.actions.items():
            action.setEnabled(working and status in allowed)
        self.act_put_back.setEnabled(working and booking is not None and booking.status in _CHANGED)

    # ---- asking and doing -----------------------------------------------------

    def _triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.want(Status(action.data()))

    def want(self, status: Status) -> None:
        """The host asked for ``status`` on the selected booking."""
        booking = self.selected()
        if booking is None or status not in self.allowed(booking):
            return
        question = QUESTIONS.get(status)
        if question is None:
            self._actions.set_status(booking.id, status)
            return
        title, words, yes = question
        box = QMessageBox(self._window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(words.format(name=booking.customer_name))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(yes)
        box.button(QMessageBox.StandardButton.No).setText("Keep it")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setProperty("booking_id", str(booking.id))
        box.setProperty("status", status.value)
        box.accepted.connect(self._confirmed)
        box.finished.connect(self._closed)
        self.question = box
        box.open()

    def _confirmed(self) -> None:
        box = self.sender()
        if isinstance(box, QMessageBox):
            booking_id = UUID(str(box.property("booking_id")))
            self._actions.set_status(booking_id, Status(str(box.property("status"))))

    def _closed(self) -> None:
        self.question = None

    def _put_back(self) -> None:
        booking = self.selected()
        if booking is not None:
            self._actions.put_back(booking.id)

    # ---- the right-click menu -------------------------------------------------

    def context_menu(self, where: QPoint, others: list[QAction]) -> QMenu:
        """Pop up the selected booking's menu (``menu_for``) at ``where``."""
        menu = self.menu_for(others)
        menu.popup(where)
        return menu

    def menu_for(self, others: list[QAction]) -> QMenu:
        """The selected booking's menu: ``others`` (open...), then only the
        statuses the engine allows, then putting one back."""
        menu = QMenu(self._window)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for action in others:
            menu.addAction(action)
        booking = self.selected()
        allowed = [s for s in self.allowed(booking) if s in self.actions]
        if allowed:
            menu.addSeparator()
            for status in allowed:
                menu.addAction(self.actions[status])
        if booking is not None and booking.status in _CHANGED:
            menu.addSeparator()
            menu.addAction(self.act_put_back)
        return menu
