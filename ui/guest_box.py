"""The booking dialogs' guest: found as you type, a new guest's details, or
(changing a booking) the guest's own details to correct; and the two ways
on when a typed phone or email is another guest's.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import BookingDetails, Customer
from ui import text
from ui.booking_form import mark_invalid
from ui.guest_card import GuestCard


class GuestBox(QGroupBox):
    """Find the guest as you type, or take a new guest's details."""

    search_changed = Signal(str)
    guest_chosen = Signal(object)  # Customer | None
    details_edited = Signal()  # the host typed in the new guest's details, or switched them

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Guest", parent)
        self._customer: Customer | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search name, phone or email")
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(self.search_changed)
        layout.addWidget(self.search)
        self.results = QListWidget(self)
        self.results.setMinimumHeight(150)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.itemActivated.connect(self._result_chosen)
        self.results.itemClicked.connect(self._result_chosen)
        layout.addWidget(self.results, 1)
        self.chosen = QLabel(self)
        self.chosen.setObjectName("ChosenGuest")
        self.chosen.setWordWrap(True)
        self.chosen.hide()
        layout.addWidget(self.chosen)
        # Who the chosen guest is to the venue: tags, history, notes.
        self.card = GuestCard(self)
        layout.addWidget(self.card)
        self.new_guest_button = QPushButton("New guest", self)
        self.new_guest_button.setCheckable(True)
        self.new_guest_button.setAutoDefault(False)
        self.new_guest_button.toggled.connect(self._new_guest_toggled)
        layout.addWidget(self.new_guest_button)
        self.new_guest = QWidget(self)
        form = QFormLayout(self.new_guest)
        form.setContentsMargins(0, 0, 0, 0)
        # Labels above the fields: an email or a note fits the narrow column.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.name = QLineEdit(self.new_guest)
        self.phone = QLineEdit(self.new_guest)
        self.phone.setPlaceholderText("07700 900123")
        self.email = QLineEdit(self.new_guest)
        self.email.setPlaceholderText("name@example.com")
        self.date_of_birth = QLineEdit(self.new_guest)
        self.date_of_birth.setPlaceholderText("DD/MM/YYYY (optional)")
        # The guest's own notes ("Nut allergy"): kept on the guest, shown
        # when changing a booking (a new guest's booking has the requests).
        self.notes = QLineEdit(self.new_guest)
        self.notes.setPlaceholderText("About the guest (optional)")
        form.addRow("Name", self.name)
        form.addRow("Phone", self.phone)
        form.addRow("Email", self.email)
        form.addRow("Date of birth", self.date_of_birth)
        form.addRow("Notes", self.notes)
        form.setRowVisible(self.notes, False)
        self._form = form
        for field in (self.name, self.phone, self.email, self.date_of_birth, self.notes):
            field.textEdited.connect(self.details_edited)
        self.new_guest.hide()
        layout.addWidget(self.new_guest)

    @property
    def customer(self) -> Customer | None:
        return self._customer

    @property
    def is_new_guest(self) -> bool:
        return self.new_guest_button.isChecked()

    def show_results(self, customers: list[Customer]) -> None:
        self.results.clear()
        for c in customers:
            contact = " · ".join(x for x in (text.phone(c.phone), c.email) if x)
            item = QListWidgetItem(f"{c.name}\n{contact}" if contact else c.name)
            item.setData(Qt.ItemDataRole.UserRole, c)
            self.results.addItem(item)
        if not customers and self.search.text().strip():
            item = QListWidgetItem("No match — add them as a new guest")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)

    def choose(self, customer: Customer | None) -> None:
        self._customer = customer
        if customer is not None:
            with QSignalBlocker(self.new_guest_button):
                self.new_guest_button.setChecked(False)
            self.new_guest.hide()
            e = html.escape
            lines = [f"<b>✓ {e(customer.name)}</b>", e(text.phone(customer.phone))]
            if customer.email:
                lines.append(f"<small>{e(customer.email)}</small>")
            self.chosen.setText("<br>".join(line for line in lines if line))
        self.chosen.setVisible(customer is not None)
        self.card.show_guest(customer.id if customer is not None else None)
        self.guest_chosen.emit(customer)

    def point_at(self, field: str) -> None:
        """Mark the box of a field the data layer found unusable
        (``InvalidInput.field``: name, phone, email, date_of_birth) and put
        the cursor there."""
        box = {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "date_of_birth": self.date_of_birth,
        }.get(field)
        if box is not None:
            mark_invalid(box, True)
            box.setFocus()

    def clear_contacts(self, fields: Sequence[str]) -> None:
        """Empty the new guest's "phone" and/or "email"; the cursor goes to the first."""
        boxes = [{"phone": self.phone, "email": self.email}[f] for f in fields]
        for box in boxes:
            box.clear()
        if boxes:
            boxes[0].setFocus()

    def edit(self, details: BookingDetails) -> None:
        """Changing a booking: the guest is fixed; their details are shown,
        to be corrected."""
        self.search.hide()
        self.results.hide()
        self.new_guest_button.hide()
        self.chosen.hide()
        self.setTitle("Guest — correct a typo here")
        self._form.setRowVisible(self.notes, True)
        self.name.setText(details.name)
        self.phone.setText(text.phone(details.phone))
        self.email.setText(details.email or "")
        self.date_of_birth.setText(
            f"{details.date_of_birth:%d/%m/%Y}" if details.date_of_birth else ""
        )
        self.notes.setText(details.notes or "")
        self.new_guest.show()

    def _result_chosen(self, item: QListWidgetItem) -> None:
        customer = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(customer, Customer):
            self.choose(customer)

    def _new_guest_toggled(self, on: bool) -> None:
        self.new_guest.setVisible(on)
        if on:
            self.choose(None)
            typed = self.search.text().strip()
            if (
                typed
                and not self.name.text()
                and not any(ch.isdigit() or ch == "@" for ch in typed)
            ):
                self.name.setText(typed.title())
            self.name.setFocus()
        self.details_edited.emit()


#: What the "without" button calls each contact.
CONTACT_WORDS = {"phone": "number", "email": "email"}
#: Longer names are cut short on a button (the whole name is its tooltip).
BUTTON_NAME_CHARS = 30


class ContactConflict(QWidget):
    """The two ways on when a typed phone or email is another guest's: book
    for that guest, or keep the new guest without it.

    Hidden until ``offer``; ``withdraw`` hides it again.  Alt+B chooses
    the (first) guest, Alt+W drops the contact.
    """

    book_for = Signal(object)  # Customer
    without = Signal(object)  # tuple[str, ...]: "phone" and/or "email"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ContactConflict")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addStretch(1)  # the buttons keep to the right, by Book
        self._owners: tuple[Customer, ...] = ()
        self._fields: tuple[str, ...] = ()
        # At most two guests: the phone's and the email's.
        self.book_for_buttons = (QPushButton(self), QPushButton(self))
        self.without_button = QPushButton(self)
        for button in (*self.book_for_buttons, self.without_button):
            button.setAutoDefault(False)
            layout.addWidget(button)
        self.book_for_buttons[0].clicked.connect(self._first_chosen)
        self.book_for_buttons[1].clicked.connect(self._second_chosen)
        self.without_button.clicked.connect(self._without_chosen)
        self.hide()

    @property
    def fields(self) -> tuple[str, ...]:
        return self._fields

    def offer(self, owners: Sequence[Customer], fields: Sequence[str]) -> None:
        """Offer "Book for" each of ``owners``, and "New guest without" ``fields``."""
        self._owners = tuple(owners)[: len(self.book_for_buttons)]
        self._fields = tuple(fields)
        for i, button in enumerate(self.book_for_buttons):
            owner = self._owners[i] if i < len(self._owners) else None
            if owner is not None:
                name = owner.name
                if len(name) > BUTTON_NAME_CHARS:
                    name = name[: BUTTON_NAME_CHARS - 1].rstrip() + "…"
                mnemonic = "&" if i == 0 else ""
                button.setText(f"{mnemonic}Book for {name.replace('&', '&&')}")
                button.setToolTip(f"Choose {owner.name} as the guest; then press Book")
            button.setVisible(owner is not None)
        words = " and ".join(CONTACT_WORDS[f] for f in self._fields)
        self.without_button.setText(f"New guest &without that {words}")
        self.without_button.setToolTip(f"Clear the {words}, keep everything else")
        self.without_button.setVisible(bool(self._fields))
        self.setVisible(bool(self._owners or self._fields))

    def withdraw(self) -> None:
        self._owners, self._fields = (), ()
        self.hide()

    def _first_chosen(self) -> None:
        self.book_for.emit(self._owners[0])

    def _second_chosen(self) -> None:
        self.book_for.emit(self._owners[1])

    def _without_chosen(self) -> None:
        self.without.emit(self._fields)
