"""Money on a booking, from the side panel: "Record spend…" and "Deposit…".

``SpendDialog`` records an amount (and a note) against the booking's
minimum; a manager may enter a negative correction.  ``DepositDialog``
marks the deposit paid with its payment reference, or (a manager's)
refunded, forfeited or due again.  Both call the engine through ``Ops``
(never on the UI thread), stay open with what was typed when it refuses,
and send the booking's change so every grid repaints.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk import money
from frontdesk.desk import Desk
from frontdesk.errors import Refused
from frontdesk.plan import Booking, Change, DepositStatus
from ui import text
from ui.ops import Ops
from ui.setup_common import message_label, show_message


def money_lines(booking: Booking) -> tuple[str, str, str]:
    """The panel's three money lines: the deposit (with its status and
    reference), the spend so far, and what is left to the minimum."""
    if booking.deposit_status is DepositStatus.NONE or booking.deposit == 0:
        deposit = "None"
    else:
        deposit = f"{text.money(booking.deposit)} · {booking.deposit_status.label.lower()}"
        if booking.deposit_reference and booking.deposit_status is not DepositStatus.DUE:
            deposit += f" ({booking.deposit_reference})"
    spent = text.money(booking.spend_total)
    if booking.min_spend <= 0:
        left = "No minimum"
    elif booking.balance == 0:
        over = booking.achieved - booking.min_spend
        left = "Minimum reached" + (f" (+{text.money(over)})" if over > 0 else "")
    else:
        left = f"{text.money(booking.balance)} of {text.money(booking.min_spend)}"
    return deposit, spent, left


class _MoneyDialog(QDialog):
    def __init__(self, title: str, booking: Booking, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.booking = booking
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.layout_ = QVBoxLayout(self)
        intro = QLabel(f"{booking.customer_name} · {booking.reference}", self)
        intro.setObjectName("Hint")
        self.layout_.addWidget(intro)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.message = message_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("Primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.message)
        self.layout_.addWidget(self.buttons)

    def refused(self, exc: Exception) -> None:
        self.ok.setEnabled(True)
        show_message(self.message, exc.message if isinstance(exc, Refused) else str(exc))


class SpendDialog(_MoneyDialog):
    """Amount and note; Record.  ``recorded`` gives the booking's new total."""

    recorded = Signal(object)  # Decimal

    def __init__(
        self, ops: Ops, booking: Booking, change: Change, parent: QWidget | None = None
    ) -> None:
        super().__init__("Record spend", booking, parent)
        self._ops = ops
        self._change = change
        manager = bool(ops.desk.signed_in and ops.desk.signed_in.is_manager)
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText("-20.00 to correct" if manager else "45.50")
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("Two bottles, table 3's tab…")
        self.note.setMaxLength(500)
        so_far = QLabel(
            f"{text.money(booking.spend_total)} so far · minimum {text.money(booking.min_spend)}"
        )
        so_far.setObjectName("Hint")
        self.form.addRow("Amount", self.amount)
        self.form.addRow("Note", self.note)
        self.form.addRow("", so_far)
        if manager:
            hint = QLabel("A negative amount corrects spend recorded by mistake.")
            hint.setObjectName("Hint")
            hint.setWordWrap(True)
            self.form.addRow("", hint)
        self.ok.setText("Record")
        self.finish_layout()
        self.amount.setFocus()

    def accept(self) -> None:
        try:
            amount = money.parse_amount(self.amount.text())
        except Refused as exc:
            self.refused(exc)
            self.amount.setFocus()
            return
        self.ok.setEnabled(False)
        show_message(self.message, "")
        self._ops.mutate(
            partial(_record, self.booking, amount, self.note.text()),
            owner=self,
            changes=lambda _total: self._change,
            done=self._recorded,
            failed=self.refused,
        )

    def _recorded(self, total: Decimal) -> None:
        self.recorded.emit(total)
        super().accept()


def _record(booking: Booking, amount: Decimal, note: str, desk: Desk) -> Decimal:
    return money.record_spend(desk, booking.id, amount, note)


#: What a deposit may be made, and who may (the engine checks again).
DEPOSIT_CHOICES = (
    (DepositStatus.PAID, "Paid", False),
    (DepositStatus.REFUNDED, "Refunded", True),
    (DepositStatus.FORFEITED, "Forfeited (kept by the venue)", True),
    (DepositStatus.DUE, "Due (not paid)", True),
)


class DepositDialog(_MoneyDialog):
    """The deposit's status, with the payment's reference when paid."""

    changed = Signal(object)  # DepositStatus

    def __init__(
        self, ops: Ops, booking: Booking, change: Change, parent: QWidget | None = None
    ) -> None:
        super().__init__("Deposit", booking, parent)
        self._ops = ops
        self._change = change
        manager = bool(ops.desk.signed_in and ops.desk.signed_in.is_manager)
        now = QLabel(f"{text.money(booking.deposit)} · {booking.deposit_status.label.lower()}")
        self.form.addRow("Now", now)
        self.status = QComboBox(self)
        for status, label, managers_only in DEPOSIT_CHOICES:
            if status is booking.deposit_status and status is not DepositStatus.PAID:
                continue
            self.status.addItem(
                label + (" — managers only" if managers_only and not manager else ""),
                status.value,
            )
            model = self.status.model()
            item = getattr(model, "item", None)
            allowed = manager or (
                status is DepositStatus.PAID and booking.deposit_status is DepositStatus.DUE
            )
            if item is not None:
                item(self.status.count() - 1).setEnabled(allowed)
        self.reference = QLineEdit(booking.deposit_reference or "", self)
        self.reference.setPlaceholderText("Card receipt or payment id")
        self.reference.setMaxLength(200)
        self.form.addRow("Make it", self.status)
        self.form.addRow("Reference", self.reference)
        self.status.currentIndexChanged.connect(self._status_chosen)
        self.ok.setText("Save")
        self.finish_layout()
        self._status_chosen()

    def _status_chosen(self) -> None:
        self.reference.setEnabled(self.status.currentData() == DepositStatus.PAID.value)

    def accept(self) -> None:
        chosen = self.status.currentData()
        if not isinstance(chosen, str):
            return
        status = DepositStatus(chosen)
        self.ok.setEnabled(False)
        show_message(self.message, "")
        self._ops.mutate(
            partial(_deposit, self.booking, status, self.reference.text()),
            owner=self,
            changes=lambda _status: self._change,
            done=self._saved,
            failed=self.refused,
        )

    def _saved(self, status: DepositStatus) -> None:
        self.changed.emit(status)
        super().accept()


def _deposit(booking: Booking, status: DepositStatus, reference: str, desk: Desk) -> DepositStatus:
    return money.set_deposit_status(desk, booking.id, status, reference or None)
