"""The window's money commands: "Record spend…" and "Deposit…" for the
selected booking (the side panel's buttons and the Booking menu), and
"Import till spend…" for the night on screen (the Night menu).

Made once by the window, which tells it the selected booking and whether
the desk can work (``show_booking``, ``set_state``); each command opens its
dialog, which calls the engine through ``Ops``.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

from frontdesk.plan import Booking, Change, DepositStatus
from ui import text
from ui.grid_model import NightGridModel
from ui.ops import Ops
from ui.pos_import_dialog import PosImportDialog
from ui.spend_dialog import DepositDialog, SpendDialog


class MoneyActions(QObject):
    message = Signal(str)  # for the status bar

    def __init__(self, ops: Ops, model: NightGridModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._ops = ops
        self._model = model
        self._parent = parent
        self._booking: Booking | None = None
        self._working = False
        self.dialog: QDialog | None = None
        self.act_record_spend = QAction("Record spend…", parent)
        self.act_record_spend.setToolTip("Spend against the booking's minimum")
        self.act_deposit = QAction("Deposit…", parent)
        self.act_deposit.setToolTip("Mark the deposit paid; a manager refunds or forfeits")
        self.act_import_till = QAction("Import till spend…", parent)
        self.act_import_till.setToolTip("Spend from the till's CSV export, matched to bookings")
        self.act_record_spend.triggered.connect(self.record_spend)
        self.act_deposit.triggered.connect(self.deposit)
        self.act_import_till.triggered.connect(self.import_till)

    @property
    def actions(self) -> list[QAction]:
        """The selected booking's commands (for the side panel)."""
        return [self.act_record_spend, self.act_deposit]

    def show_booking(self, booking: Booking | None) -> None:
        self._booking = booking
        self._update()

    def set_state(self, working: bool) -> None:
        self._working = working
        self._update()

    def _update(self) -> None:
        b = self._booking
        active = b is not None and b.status.holds_table
        self.act_record_spend.setEnabled(self._working and active)
        self.act_deposit.setEnabled(
            self._working and b is not None and b.deposit_status is not DepositStatus.NONE
        )
        self.act_import_till.setEnabled(self._working and bool(self._model.slots))

    def _change(self, booking: Booking) -> Change | None:
        plan = self._model.plan
        if plan is None:
            return None
        return Change(
            venue_id=plan.venue_id,
            night=plan.night,
            table_ids=frozenset(booking.table_ids),
            booking_ids=frozenset({booking.id}),
            kinds=frozenset({"spend"}),
        )

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()
        self.dialog = dialog
        dialog.open()
        return dialog

    def record_spend(self) -> SpendDialog | None:
        booking = self._booking
        change = self._change(booking) if booking is not None else None
        if booking is None or change is None or not self.act_record_spend.isEnabled():
            return None
        dialog = SpendDialog(self._ops, booking, change, self._parent)
        dialog.recorded.connect(self._recorded)
        self._open(dialog)
        return dialog

    def deposit(self) -> DepositDialog | None:
        booking = self._booking
        change = self._change(booking) if booking is not None else None
        if booking is None or change is None or not self.act_deposit.isEnabled():
            return None
        dialog = DepositDialog(self._ops, booking, change, self._parent)
        dialog.changed.connect(self._deposit_changed)
        self._open(dialog)
        return dialog

    def import_till(self) -> PosImportDialog | None:
        plan = self._model.plan
        if plan is None or not self.act_import_till.isEnabled():
            return None
        dialog = PosImportDialog(self._ops, plan, self._parent)
        dialog.imported.connect(self.message)
        self._open(dialog)
        return dialog

    def _recorded(self, total: object) -> None:
        if self._booking is not None:
            self.message.emit(
                f"Spend recorded: {self._booking.customer_name} now {text.money(total)}"  # type: ignore[arg-type]
            )

    def _deposit_changed(self, status: DepositStatus) -> None:
        if self._booking is not None:
            self.message.emit(f"Deposit of {self._booking.customer_name}: {status.label.lower()}")
