"""The page a new booking turns to once booked: the reference and the
deposit, big, to read back to the guest, the booking in one line, and Done.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from frontdesk.desk import BookingResult
from ui import text


class BookingResultPage(QWidget):
    """What was booked, to read back; ``done_button`` is the dialog's to connect."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.setSpacing(14)
        layout.addStretch(1)
        centre = Qt.AlignmentFlag.AlignHCenter

        def label(words: str, name: str) -> QLabel:
            shown = QLabel(words, self)
            shown.setObjectName(name)
            layout.addWidget(shown, 0, centre)
            return shown

        label("✓ Booked — read this back to the guest", "ResultTitle")
        label("Reference", "Hint")
        self.reference_label = label("", "ResultReference")
        self.reference_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label("Deposit", "Hint")
        self.deposit_label = label("", "ResultDeposit")
        self.result_details = QLabel(self)
        self.result_details.setWordWrap(True)
        self.result_details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.result_details)
        layout.addStretch(1)
        self.done_button = QPushButton("Done", self)
        self.done_button.setObjectName("Primary")
        self.done_button.setMinimumWidth(180)
        layout.addWidget(self.done_button, 0, centre)

    def show_booking(self, result: BookingResult, details: str | None) -> None:
        """Show the reference and deposit, and ``details`` (who, when, which
        tables) when the dialog knows them."""
        self.reference_label.setText(result.reference)
        self.deposit_label.setText(text.money(result.deposit))
        if details is not None:
            self.result_details.setText(details)
