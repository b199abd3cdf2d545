"""The selected booking with its actions (the side panel's top; ui.activity_panel
has the night's live activity and the side panel itself)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.plan import Booking
from ui import text
from ui.guest_card import GuestCard
from ui.spend_dialog import money_lines
from ui.theme import LIGHT, Theme


def _heading(label: str) -> QLabel:
    heading = QLabel(label.upper())
    heading.setObjectName("PanelHeading")
    return heading


class BookingPanel(QWidget):
    """The selected booking, in full, with buttons for what can be done next."""

    #: Whether a booking is shown (False: only the hint to click one).
    shown = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self._booking: Booking | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(_heading("Selected booking"))
        self._empty = QLabel("Click a booking to see it here.\nSelect empty cells to book.")
        self._empty.setObjectName("Hint")
        self._empty.setWordWrap(True)
        layout.addWidget(self._empty)
        self._details = QWidget(self)
        details = QVBoxLayout(self._details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(6)
        top = QHBoxLayout()
        self.guest = QLabel()
        self.guest.setObjectName("GuestName")
        self.guest.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("StatusPill")
        self.status.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        top.addWidget(self.guest, 1)
        top.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        details.addLayout(top)
        # The guest's card and the fields scroll when the window is short
        # (1,024 x 768, the waitlist open): a line is never squeezed out of
        # sight, and the buttons below stay in view.
        self.fields_area = QScrollArea(self._details)
        self.fields_area.setObjectName("BookingFields")
        self.fields_area.setWidgetResizable(True)
        self.fields_area.setFrameShape(QFrame.Shape.NoFrame)
        self.fields_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields_area.viewport().setAutoFillBackground(False)
        fields = QWidget(self.fields_area)
        inner = QVBoxLayout(fields)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(6)
        self.guest_card = GuestCard(fields)  # tags, history, notes (ui.guest_card)
        inner.addWidget(self.guest_card)
        self._form = QFormLayout()
        inner.addLayout(self._form)
        inner.addStretch(1)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setHorizontalSpacing(12)
        self._form.setVerticalSpacing(2)
        self._fields: dict[str, QLabel] = {}
        for key in (
            "When",
            "Tables",
            "Party",
            "Phone",
            "Date of birth",
            "Deposit",
            "Min spend",
            "Spend",
            "Left to min",
            "Reference",
            "Occasion",
            "Requests",
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._fields[key] = value
            label = QLabel(key)
            label.setObjectName("Hint")
            self._form.addRow(label, value)
        self.fields_area.setWidget(fields)
        fields.setAutoFillBackground(False)  # setWidget turns it on: the panel's colour
        details.addWidget(self.fields_area, 1)
        self._buttons = QGridLayout()
        self._buttons.setSpacing(6)
        details.addLayout(self._buttons)
        layout.addWidget(self._details, 1)
        self._details.hide()

    def add_actions(self, actions: list[QAction]) -> None:
        """Buttons that trigger (and follow the state of) the window's actions."""
        for i, action in enumerate(actions):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(34)
            self._buttons.addWidget(button, i // 2, i % 2)

    def add_money_actions(self, actions: list[QAction]) -> None:
        """Buttons for the booking's money (record spend, deposit), under its
        money lines: they scroll with the details, so the status buttons
        below keep their room at 1,024 x 768."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 4, 0, 4)
        row.setSpacing(6)
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(30)
            row.addWidget(button)
        # after the money lines ("Left to min" is the last of them)
        index = list(self._fields).index("Left to min")
        self._form.insertRow(index + 1, row)

    def field_labels(self) -> dict[str, QLabel]:
        """The detail lines' values by their label ("When", "Date of birth"...)."""
        return dict(self._fields)

    @property
    def booking(self) -> Booking | None:
        return self._booking

    def show_booking(self, booking: Booking | None, tables: list[str], zone: ZoneInfo) -> None:
        self._booking = booking
        self._details.setVisible(booking is not None)
        self._empty.setVisible(booking is None)
        self.shown.emit(booking is not None)
        if booking is None:
            return
        colours = self.theme.status(booking.status)
        self.guest.setText(booking.customer_name)
        self.guest_card.show_guest(booking.customer_id)
        self.status.setText(text.status_text(booking.status))
        self.status.setStyleSheet(
            f"background: {colours.fill}; color: {colours.text};"
            f" border: 1px solid {colours.border};"
        )
        f = self._fields
        f["When"].setText(text.span(booking.starts_at, booking.ends_at, zone))
        f["Tables"].setText(", ".join(tables))
        f["Party"].setText(text.party(booking.party_size))
        f["Phone"].setText(text.phone(booking.customer_phone) or "—")
        born = booking.customer_date_of_birth
        f["Date of birth"].setText(f"{born:%d/%m/%Y}" if born else "—")
        deposit, spent, left = money_lines(booking)
        f["Deposit"].setText(deposit)
        f["Min spend"].setText(text.money(booking.min_spend))
        f["Spend"].setText(spent)
        f["Left to min"].setText(left)
        f["Reference"].setText(booking.reference)
        f["Occasion"].setText(booking.occasion or "—")
        f["Requests"].setText(booking.special_requests or "—")
