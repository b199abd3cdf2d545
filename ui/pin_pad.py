"""The PIN field and its pad of keys, for the sign-in screen.

The pad (digits, Clear, Enter) works by mouse or touch; its keys never take
the focus, which stays in the PIN field.  The label above the field says
whose PIN it is.  Enter on the pad is ``entered``: the screen decides what
it means.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

#: A PIN is 4 to 8 digits (the engine says so when it is not).
PIN_MAX = 8
PAD_WIDTH = 330


class PinPad(QWidget):
    """Whose PIN it is, the PIN field, and the keys 0-9, Clear and Enter."""

    entered = Signal()  # the pad's Enter key

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFixedWidth(PAD_WIDTH)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("PinField")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_MAX)
        self.pin.setValidator(
            QRegularExpressionValidator(QRegularExpression(f"[0-9]{{0,{PIN_MAX}}}"), self.pin)
        )
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.setPlaceholderText("PIN")
        self.pin.setAccessibleName("PIN")

        pad = QGridLayout()
        pad.setSpacing(8)
        self.keys: dict[str, QPushButton] = {}
        for n, key in enumerate([*"123456789", "Clear", "0", "Enter"]):
            button = QPushButton(key, self)
            button.setObjectName("Primary" if key == "Enter" else "PinKey")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the PIN field keeps it
            button.setMinimumHeight(56)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(self._key_clicked)
            self.keys[key] = button
            pad.addWidget(button, n // 3, n % 3)
        for column in range(3):  # keys of one width, "Sign in" too
            pad.setColumnStretch(column, 1)
            pad.setColumnMinimumWidth(column, (PAD_WIDTH - 2 * pad.spacing()) // 3)
        self.keys["Clear"].setToolTip("Clear the PIN (Esc)")
        self.keys["Enter"].setToolTip("Sign in (Enter)")

        self.label = QLabel(self)
        self.label.setObjectName("PinLabel")
        self.label.setBuddy(self.pin)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.label)
        layout.addWidget(self.pin)
        layout.addSpacing(2)
        layout.addLayout(pad)
        layout.addStretch(1)

    def show_whose(self, name: str | None) -> None:
        """The label: whose PIN is being typed (None: nobody chosen yet)."""
        self.label.setText(f"PIN for {name}" if name else "PIN — choose your name first")

    def focus_pin(self, *_args: object) -> None:
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def _key_clicked(self) -> None:
        button = self.sender()
        if not isinstance(button, QPushButton):
            return
        key = next((k for k, b in self.keys.items() if b is button), "")
        if key == "Clear":
            self.pin.clear()
        elif key == "Enter":
            self.entered.emit()
        elif len(self.pin.text()) < PIN_MAX:
            self.pin.setText(self.pin.text() + key)
        self.focus_pin()
