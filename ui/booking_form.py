"""The booking dialogs' form: the night, times and party, and the extras
(occasion, requests, payment reference, where the booking came from).

Plain widgets that show values and say when the host changed something;
the dialogs (``ui.new_booking_dialog``, ``ui.change_booking_dialog``) ask
the desk.  The guest is ``ui.guest_box``, the tables ``ui.tables_box``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.plan import NightPlan
from ui import text
from ui.timeline import Slot, after, elapsed

OCCASIONS = ["", "Birthday", "Hen party", "Stag party", "Anniversary", "Work do", "Graduation"]
#: Where a booking came from, as the host says it, and as the engine stores it.
SOURCES = (("Phone", "phone"), ("In person", "desk"), ("Walk-in", "walk_in"))
#: What the party box takes while typing; the venue's limits are said, not imposed.
PARTY_TYPING_RANGE = (0, 999)


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
        self.event_name.setWordWrap(True)
        # A closed or past night offers the next open one.
        self.next_open = QPushButton(self)
        self.next_open.setAutoDefault(False)
        self.next_open.hide()
        self.next_open.clicked.connect(self._next_open_chosen)
        self._next_open: date | None = None
        self._party_limits = (1, 50)
        self.starts = QComboBox(self)
        self.ends = QComboBox(self)
        self.party = QSpinBox(self)
        self.party.setRange(*PARTY_TYPING_RANGE)
        self.party.setValue(2)
        self.party.setSuffix(" guests")
        form.addRow("Night", self.night)
        form.addRow("", self.event_name)
        form.addRow("", self.next_open)
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
        self._party_limits = (plan.min_party_size, plan.max_party_size)  # the venue's policy
        if plan.is_closed:
            self.event_name.setText(f"Closed — {plan.event_name}" if plan.event_name else "Closed")
        else:
            self.event_name.setText(plan.event_name or "")
        self.offer_night(None)
        self._repeated = {s.label for s in slots if s.repeated}
        with QSignalBlocker(self.starts), QSignalBlocker(self.ends):
            self.starts.clear()
            self.ends.clear()  # nothing left over from another night
            for slot in slots:
                self.starts.addItem(slot.full_label, slot.index)
        if starts_at is not None and ends_at is not None:
            self.set_span(starts_at, ends_at)
        else:
            self._fill_ends(0, None)
        self.changed.emit()

    @property
    def party_limits(self) -> tuple[int, int]:
        return self._party_limits

    def party_problem(self) -> str | None:
        """What is wrong with the party typed, for the venue; None when nothing."""
        low, high = self._party_limits
        size = self.party.value()
        if low <= size <= high:
            return None
        return f"Party: {text.party(size)}? This venue takes parties of {low} to {high}."

    def offer_night(self, night: date | None, why: str = "") -> None:
        """Say why this night cannot be booked, and offer ``night`` (None: hide the offer)."""
        self._next_open = night
        if why:
            self.event_name.setText(why)
        if night is not None:
            self.next_open.setText(f"Book {night:%a} {night.day} {night:%b} instead")
        self.next_open.setVisible(night is not None)

    def _next_open_chosen(self) -> None:
        if self._next_open is not None:
            self.set_night(self._next_open)
            self.night_changed.emit(self._next_open)

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


class ExtrasBox(QGroupBox):
    """Occasion, special requests, payment reference and the booking's source."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Extras", parent)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(form)
        outer.addStretch(1)
        self.source = QComboBox(self)
        for label, value in SOURCES:
            self.source.addItem(label, value)
        self.occasion = QComboBox(self)
        self.occasion.setEditable(True)
        self.occasion.addItems(OCCASIONS)
        self.requests = QPlainTextEdit(self)
        self.requests.setPlaceholderText("Special requests")
        self.requests.setMaximumHeight(80)
        self.payment_ref = QLineEdit(self)
        self.payment_ref.setPlaceholderText("Card payment reference (optional)")
        form.addRow("Booked by", self.source)
        form.addRow("Occasion", self.occasion)
        form.addRow("Requests", self.requests)
        form.addRow("Payment ref", self.payment_ref)
        self.source.currentIndexChanged.connect(self.edited)
        self.occasion.currentTextChanged.connect(self.edited)
        self.requests.textChanged.connect(self.edited)
        self.payment_ref.textEdited.connect(self.edited)

    def values(self) -> tuple[str | None, str | None, str | None, str]:
        """(requests, occasion, payment reference, source): blanks as None."""
        return (
            self.requests.toPlainText().strip() or None,
            self.occasion.currentText().strip() or None,
            self.payment_ref.text().strip() or None,
            str(self.source.currentData()),
        )

    def show_values(
        self, requests: str | None, occasion: str | None, payment_ref: str | None, source: str
    ) -> None:
        self.requests.setPlainText(requests or "")
        self.occasion.setCurrentText(occasion or "")
        self.payment_ref.setText(payment_ref or "")
        i = self.source.findData(source)
        if i < 0:  # "web": the website's, shown as it is
            self.source.addItem("Website", source)
            i = self.source.count() - 1
        self.source.setCurrentIndex(i)
