"""The window's dialogs: a new booking, a booking changed, a walk-in; moves answered.

The dialogs are made here and connected to the window: what they book or
move reaches the grid by the one path every change takes (``Ops.changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from frontdesk.desk import BookingResult
from ui import text
from ui.booking_dialog import BookingDialog
from ui.change_booking_dialog import ChangeBookingDialog
from ui.new_booking_dialog import NewBookingDialog
from ui.walk_in_dialog import WalkInDialog

if TYPE_CHECKING:
    from ui.actions import BookingActions
    from ui.connectivity import Connectivity
    from ui.grid_model import NightGridModel
    from ui.grid_view import NightGridView
    from ui.night import NightController
    from ui.ops import Ops

    _Base = QMainWindow
else:
    _Base = object

_D = TypeVar("_D", bound=BookingDialog)


class WindowDialogs(_Base):
    """Opening the booking and walk-in dialogs (mixed into MainWindow)."""

    ops: Ops
    model: NightGridModel
    grid: NightGridView
    night: NightController
    connectivity: Connectivity
    booking_actions: BookingActions
    act_lock: QAction
    _clock: Callable[[], datetime]
    _pending_select: UUID | None

    if TYPE_CHECKING:  # the window's own

        def say(self, message: str) -> None: ...

    def _opened(self, dialog: _D) -> _D:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.addAction(self.act_lock)  # Ctrl+L locks from the dialog too
        self.connectivity.online_changed.connect(dialog.set_online)
        dialog.booked.connect(self._booked)
        dialog.move_wanted.connect(self.booking_actions.move)
        dialog.open()
        return dialog

    def new_booking(self) -> NewBookingDialog | None:
        span = self.grid.selected_span()
        if span is not None:
            return self.new_booking_at(*span)
        night = self.night.night
        if night is None:
            return None
        return self._opened(
            NewBookingDialog(
                self.ops, night, self, plan=self.model.plan, online=self.connectivity.online
            )
        )

    def new_booking_at(
        self, table_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> NewBookingDialog | None:
        night = self.night.night
        if night is None:
            return None
        return self._opened(
            NewBookingDialog(
                self.ops,
                night,
                self,
                plan=self.model.plan,
                table_ids=(table_id,),
                starts_at=starts_at,
                ends_at=ends_at,
                online=self.connectivity.online,
            )
        )

    def open_booking(self, booking_id: UUID) -> ChangeBookingDialog | None:
        booking = self.model.booking(booking_id)
        night = self.night.night
        if booking is None or night is None:
            return None
        return self._opened(
            ChangeBookingDialog(
                self.ops,
                night,
                self,
                booking=booking,
                plan=self.model.plan,
                online=self.connectivity.online,
            )
        )

    def _open_selected(self) -> None:
        booking_id = self.grid.selected_booking_id()
        if booking_id is not None:
            self.open_booking(booking_id)

    def _booked(self, result: BookingResult) -> None:
        self._pending_select = result.booking_id
        self.say(f"Booked {result.reference} — deposit {text.money(result.deposit)}")

    def walk_in(self) -> WalkInDialog | None:
        """Seat a party now: only while the night on screen is in progress."""
        plan = self.model.plan
        if plan is None or not self.connectivity.online or not self._night_is_on():
            return None
        dialog = WalkInDialog(
            plan.tables,
            self,
            table_id=self.grid.current_table_id(),
            party_limits=(plan.min_party_size, plan.max_party_size),
            plan=plan,
            now=self._clock(),
            ops=self.ops,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.addAction(self.act_lock)
        dialog.seated.connect(self._walked_in)
        dialog.open()
        return dialog

    def _night_is_on(self) -> bool:
        """The night on screen is open now (by the window's clock)."""
        plan = self.model.plan
        if plan is None or plan.is_closed or plan.opens_at is None or plan.closes_at is None:
            return False
        return plan.opens_at <= self._clock() < plan.closes_at

    def _walked_in(self, result: BookingResult) -> None:
        self._pending_select = result.booking_id
        self.grid.select_booking(result.booking_id)
        self.say(f"Walk-in seated — {result.reference}")

    def _move_settled(self, booking_id: UUID) -> None:
        self.grid.settle_move(booking_id)
        for dialog in self.findChildren(BookingDialog):
            dialog.move_answered(booking_id, None)

    def _move_blocked(self, _booking_id: UUID, why: str) -> None:
        self.say(f"Not moved: {why}")

    def _move_refused(self, booking_id: UUID, why: str) -> None:
        self.grid.spring_back(booking_id)
        for dialog in self.findChildren(BookingDialog):
            dialog.move_answered(booking_id, why)
