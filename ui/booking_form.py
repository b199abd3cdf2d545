"""The booking dialog's parts: the guest, the time and party, the tables.

Plain widgets that show values and say when the host changed something;
the dialog (``ui.booking_dialog``) asks the desk.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import Customer, Suggestion
from frontdesk.plan import NightPlan, TableRow
from ui import text
from ui.timeline import Slot, after, elapsed

DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y")


def parse_date(typed: str) -> date | None:
    """A date of birth as typed: 14/02/1990, 1990-02-14...  None if blank.
    Raises ValueError when it is not a date."""
    typed = typed.strip()
    if not typed:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(typed, fmt).date()
        except ValueError:
            continue
    raise ValueError(typed)


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    widget.setProperty("invalid", "true" if invalid else "false")
    widget.style().unpolish(widget)
    widget.style().polish(widget)


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
        self.new_guest_button = QPushButton("New guest", self)
        self.new_guest_button.setCheckable(True)
        self.new_guest_button.setAutoDefault(False)
        self.new_guest_button.toggled.connect(self._new_guest_toggled)
        layout.addWidget(self.new_guest_button)
        self.new_guest = QWidget(self)
        form = QFormLayout(self.new_guest)
        form.setContentsMargins(0, 0, 0, 0)
        self.name = QLineEdit(self.new_guest)
        self.phone = QLineEdit(self.new_guest)
        self.phone.setPlaceholderText("07700 900123")
        self.email = QLineEdit(self.new_guest)
        self.email.setPlaceholderText("name@example.com")
        self.date_of_birth = QLineEdit(self.new_guest)
        self.date_of_birth.setPlaceholderText("DD/MM/YYYY (optional)")
        form.addRow("Name", self.name)
        form.addRow("Phone", self.phone)
        form.addRow("Email", self.email)
        form.addRow("Date of birth", self.date_of_birth)
        for field in (self.name, self.phone, self.email, self.date_of_birth):
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
        self.guest_chosen.emit(customer)

    def clear_contacts(self, fields: Sequence[str]) -> None:
        """Empty the new guest's "phone" and/or "email"; the cursor goes to the first."""
        boxes = [{"phone": self.phone, "email": self.email}[f] for f in fields]
        for box in boxes:
            box.clear()
        if boxes:
            boxes[0].setFocus()

    def lock(self, customer_name: str, contact: str) -> None:
        """Editing a booking: the guest is fixed."""
        self.search.hide()
        self.results.hide()
        self.new_guest_button.hide()
        self.chosen.setText(f"{customer_name}" + (f"\n{contact}" if contact else ""))
        self.chosen.show()

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


class WhenBox(QGroupBox):
    """The night, the start and end (the night's own slots), and the party."""

    night_changed = Signal(object)  # date
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("When and how many", parent)
        self._slots: tuple[Slot, ...] = ()
        self._repeated: set[str] = set()
        self._default_minutes = 150
        form = QFormLayout(self)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.night = QDateEdit(self)
        self.night.setCalendarPopup(True)
        self.night.setDisplayFormat("ddd d MMM yyyy")
        self.night.dateChanged.connect(self._night_edited)
        self.event_name = QLabel(self)
        self.event_name.setObjectName("Hint")
        self.starts = QComboBox(self)
        self.ends = QComboBox(self)
        self.party = QSpinBox(self)
        self.party.setRange(1, 50)
        self.party.setValue(2)
        self.party.setSuffix(" guests")
        form.addRow("Night", self.night)
        form.addRow("", self.event_name)
        form.addRow("Starts", self.starts)
        form.addRow("Ends", self.ends)
        form.addRow("Party", self.party)
        self.starts.currentIndexChanged.connect(self._start_edited)
        self.ends.currentIndexChanged.connect(self.changed)
        self.party.valueChanged.connect(self.changed)

    @property
    def chosen_night(self) -> date:
        picked = self.night.date().toPython()
        assert isinstance(picked, date)
        return picked

    def set_night(self, night: date) -> None:
        with QSignalBlocker(self.night):
            self.night.setDate(QDate(night.year, night.month, night.day))

    def set_plan(self, plan: NightPlan, slots: tuple[Slot, ...]) -> None:
        """The night's slots; keeps the chosen times when the night has them."""
        starts_at, ends_at = self.span()
        self._slots = slots
        self._default_minutes = plan.default_booking_minutes
        self.party.setRange(plan.min_party_size, plan.max_party_size)  # the venue's policy
        if plan.is_closed:
            self.event_name.setText(f"Closed — {plan.event_name}" if plan.event_name else "Closed")
        else:
            self.event_name.setText(plan.event_name or "")
        self._repeated = {s.label for s in slots if s.repeated}
        with QSignalBlocker(self.starts):
            self.starts.clear()
            for slot in slots:
                self.starts.addItem(slot.full_label, slot.index)
        if starts_at is not None and ends_at is not None:
            self.set_span(starts_at, ends_at)
        else:
            self._fill_ends(0, None)
        self.changed.emit()

    def set_span(self, starts_at: datetime, ends_at: datetime | None = None) -> None:
        """Choose the slot holding ``starts_at`` and the end nearest ``ends_at``."""
        if not self._slots:
            return
        first = next(
            (s.index for s in self._slots if s.starts_at <= starts_at < s.ends_at),
            next((s.index for s in self._slots if s.label == f"{starts_at:%H:%M}"), 0),
        )
        with QSignalBlocker(self.starts):
            self.starts.setCurrentIndex(first)
        self._fill_ends(first, ends_at)
        self.changed.emit()

    def span(self) -> tuple[datetime | None, datetime | None]:
        i, j = self.starts.currentData(), self.ends.currentData()
        if not self._slots or i is None or j is None:
            return None, None
        return self._slots[int(i)].starts_at, self._slots[int(j)].ends_at

    def _fill_ends(self, first: int, ends_at: datetime | None) -> None:
        slots = self._slots
        if not slots:
            return
        wanted = ends_at or after(slots[first].starts_at, timedelta(minutes=self._default_minutes))
        with QSignalBlocker(self.ends):
            self.ends.clear()
            best, best_gap = len(slots) - 1, None
            for s in slots[first:]:
                local = s.ends_at
                label = f"{local:%H:%M}"
                if label in self._repeated:
                    label += f" {local.tzname()}"
                length = elapsed(slots[first].starts_at, s.ends_at)
                hours, rest = divmod(int(length.total_seconds()) // 60, 60)
                self.ends.addItem(f"{label}   ({hours}h{rest:02d})", s.index)
                gap = abs(elapsed(wanted, s.ends_at).total_seconds())
                if best_gap is None or gap < best_gap:
                    best, best_gap = s.index, gap
            self.ends.setCurrentIndex(best - first)

    def _start_edited(self, _i: int) -> None:
        first = self.starts.currentData()
        if first is not None:
            self._fill_ends(int(first), None)
        self.changed.emit()

    def _night_edited(self, _d: QDate) -> None:
        self.night_changed.emit(self.chosen_night)


class TablesBox(QGroupBox):
    """Suggested tables (best fit first) or a free choice of the night's tables."""

    tables_chosen = Signal(object)  # tuple[UUID, ...]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tables", parent)
        layout = QVBoxLayout(self)
        switch = QHBoxLayout()
        self.suggested_button = QRadioButton("Suggested", self)
        self.choose_button = QRadioButton("Choose tables", self)
        self.suggested_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.suggested_button)
        group.addButton(self.choose_button)
        switch.addWidget(self.suggested_button)
        switch.addWidget(self.choose_button)
        switch.addStretch(1)
        layout.addLayout(switch)
        self.pages = QStackedWidget(self)
        self.suggestions = QTreeWidget(self)
        self.suggestions.setRootIsDecorated(False)
        self.suggestions.setHeaderLabels(["Tables", "Seats", "Min spend", "Deposit"])
        header_item = self.suggestions.headerItem()
        for col in (1, 2, 3):
            header_item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight)
        self.suggestions.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.suggestions.setAlternatingRowColors(True)
        header = self.suggestions.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.suggestions.itemSelectionChanged.connect(self._suggestion_chosen)
        self.table_list = QListWidget(self)
        self.table_list.itemChanged.connect(self._tables_ticked)
        self.pages.addWidget(self.suggestions)
        self.pages.addWidget(self.table_list)
        layout.addWidget(self.pages, 1)
        self.note = QLabel(self)
        self.note.setObjectName("Hint")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.choose_button.toggled.connect(self._mode_changed)
        self._chosen: tuple[UUID, ...] = ()

    @property
    def chosen(self) -> tuple[UUID, ...]:
        return self._chosen

    def show_suggestions(self, suggestions: list[Suggestion]) -> None:
        keep = self._chosen if not self.choose_button.isChecked() else ()
        with QSignalBlocker(self.suggestions):
            self.suggestions.clear()
            for s in sorted(suggestions, key=lambda s: (not s.is_optimal, s.rank)):
                names = " + ".join(s.table_names)
                if s.includes_premium:
                    names += "  ★"
                item = QTreeWidgetItem(
                    [names, str(s.capacity), text.money(s.min_spend), text.money(s.deposit)]
                )
                item.setData(0, Qt.ItemDataRole.UserRole, s.table_ids)
                tip = ["★ premium table"] if s.includes_premium else []
                if s.is_optimal:
                    tip.insert(0, "Best fit: fewest empty seats, then lowest minimum spend")
                    for col in range(4):
                        font = item.font(col)
                        font.setBold(True)
                        item.setFont(col, font)
                item.setToolTip(0, "\n".join(tip) or s.kind)
                for col in (1, 2, 3):
                    item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight)
                self.suggestions.addTopLevelItem(item)
                if keep and tuple(s.table_ids) == tuple(keep):
                    item.setSelected(True)
        if not suggestions:
            self.note.setText(
                "No free tables for this party at that time. Try another time "
                "or choose tables yourself."
            )
        else:
            self.note.setText("Best fit first, in bold · ★ premium table")
        if not self.choose_button.isChecked() and keep and not self.suggestions.selectedItems():
            self._set_chosen(())

    def set_tables(self, tables: tuple[TableRow, ...], busy: dict[UUID, str]) -> None:
        ticked = set(self._chosen) if self.choose_button.isChecked() else set()
        with QSignalBlocker(self.table_list):
            self.table_list.clear()
            for t in sorted(tables, key=lambda t: t.grid_order):
                star = "  ★" if t.is_premium else ""
                label = f"{t.name}{star} — {t.capacity} seats · min {text.money(t.min_spend)}"
                if t.id in busy:
                    label += f"   (booked {busy[t.id]})"
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, t.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if t.id in ticked else Qt.CheckState.Unchecked
                )
                self.table_list.addItem(item)

    def choose_tables(self, table_ids: tuple[UUID, ...]) -> None:
        """Tick these tables in the free choice (a selection made on the grid)."""
        self.choose_button.setChecked(True)
        wanted = set(table_ids)
        with QSignalBlocker(self.table_list):
            for i in range(self.table_list.count()):
                item = self.table_list.item(i)
                on = item.data(Qt.ItemDataRole.UserRole) in wanted
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._set_chosen(tuple(table_ids))

    def totals(self, tables: tuple[TableRow, ...]) -> tuple[int, Decimal, Decimal]:
        by_id = {t.id: t for t in tables}
        chosen = [by_id[i] for i in self._chosen if i in by_id]
        return (
            sum(t.capacity for t in chosen),
            sum((t.min_spend for t in chosen), Decimal(0)),
            sum((t.deposit for t in chosen), Decimal(0)),
        )

    def _suggestion_chosen(self) -> None:
        items = self.suggestions.selectedItems()
        self._set_chosen(tuple(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else ())

    def _tables_ticked(self, _item: QListWidgetItem) -> None:
        ids = []
        for i in range(self.table_list.count()):
            item = self.table_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(item.data(Qt.ItemDataRole.UserRole))
        self._set_chosen(tuple(ids))

    def _mode_changed(self, choosing: bool) -> None:
        self.pages.setCurrentIndex(1 if choosing else 0)
        if choosing:
            self._tables_ticked(QListWidgetItem())
        else:
            self._suggestion_chosen()

    def _set_chosen(self, table_ids: tuple[UUID, ...]) -> None:
        if table_ids != self._chosen:
            self._chosen = table_ids
            self.tables_chosen.emit(table_ids)
