"""The Guest data dialog's erasure confirmation: what goes, what stays, and
the guest's name typed before Erase is enabled (``ui.guest_rights_dialog``
asks it through its replaceable ``confirm_erase``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk import guest_rights
from frontdesk.guest_rights import Held


def confirm_erase(parent: QWidget, held: Held) -> bool:
    """Ask (modally) to confirm erasing ``held``; True when Erase was pressed."""
    return EraseConfirmation(held, parent).exec() == QDialog.DialogCode.Accepted


class EraseConfirmation(QDialog):
    """'Erase Oliver Green?': what goes, what stays, and the guest's name
    typed to confirm (case and spacing aside) before Erase is enabled."""

    def __init__(self, held: Held, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = held.name
        self.setWindowTitle("Erase guest")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        title = QLabel(f"Erase {held.name}?", self)
        title.setObjectName("ResultTitle")
        layout.addWidget(title)
        for words in (
            f"This removes {guest_rights.REMOVED}.",
            f"It keeps {guest_rights.KEPT}.",
            "It cannot be undone.",
        ):
            label = QLabel(words, self)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.typed = QLineEdit(self)
        self.typed.setPlaceholderText(held.name)
        self.typed.setAccessibleName("The guest's name, to confirm")
        form = QFormLayout()
        form.addRow("Type the guest's name to confirm", self.typed)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.erase_button = buttons.addButton("Erase", QDialogButtonBox.ButtonRole.AcceptRole)
        self.erase_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.typed.textChanged.connect(self._typed_changed)
        self.typed.setFocus()

    def _typed_changed(self, typed: str) -> None:
        self.erase_button.setEnabled(guest_rights.names_match(typed, self._name))

    def accept(self) -> None:
        if guest_rights.names_match(self.typed.text(), self._name):
            super().accept()
