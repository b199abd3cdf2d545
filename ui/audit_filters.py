"""The audit log window's filter bar: the days (venue time), staff,
terminal, a booking's reference (or its start) and the kind of change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QGridLayout, QLabel, QLineEdit, QWidget

from frontdesk import audit_log
from frontdesk.audit_log import AuditFilter
from frontdesk.desk import StaffMember

#: The staff box's choice for everybody; the website's name in the audit.
ANYONE = "Anyone"
WEBSITE = "Website"

#: The kind box: (label, kinds).  None: every kind.
KIND_CHOICES: list[tuple[str, frozenset[str] | None]] = [
    ("All changes but holds", audit_log.WITHOUT_HOLDS),
    ("Everything", None),
    *audit_log.KIND_FILTERS,
]


class AuditFilterBar(QWidget):
    """The filters, captioned, in a row.  ``changed`` when any is edited;
    ``submitted`` on Return in the terminal or booking box."""

    changed = Signal()
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = _date_edit(self, "From")
        self.last = _date_edit(self, "To")
        self.staff = QComboBox(self)
        self.staff.setEditable(True)
        self.staff.addItems([ANYONE, WEBSITE])
        self.staff.setAccessibleName("Staff")
        self.terminal = QLineEdit(self)
        self.terminal.setPlaceholderText("Any terminal")
        self.terminal.setAccessibleName("Terminal")
        self.booking = QLineEdit(self)
        self.booking.setPlaceholderText("Reference, e.g. BR-261204-")
        self.booking.setClearButtonEnabled(True)
        self.booking.setAccessibleName("Booking reference")
        self.kind = QComboBox(self)
        self.kind.addItems([label for label, _ in KIND_CHOICES])
        self.kind.setAccessibleName("Kind of change")
        self._lay_out()
        for edit in (self.first, self.last):
            edit.dateChanged.connect(self._edited)
        for box in (self.staff, self.kind):
            box.currentIndexChanged.connect(self._edited)
        self.staff.editTextChanged.connect(self._edited)
        for line in (self.terminal, self.booking):
            line.textChanged.connect(self._edited)
            line.returnPressed.connect(self.submitted)

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, (label, widget) in enumerate(
            (
                ("From", self.first),
                ("To", self.last),
                ("Staff", self.staff),
                ("Terminal", self.terminal),
                ("Booking", self.booking),
                ("Kind of change", self.kind),
            )
        ):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            grid.addWidget(caption, 0, column)
            grid.addWidget(widget, 1, column)
        grid.setColumnStretch(4, 1)

    def _edited(self) -> None:
        self.changed.emit()

    def set_days(self, first: date, last: date) -> None:
        """Show these days without announcing a change."""
        for edit, day in ((self.first, first), (self.last, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def set_staff_names(self, people: Sequence[StaffMember]) -> None:
        """Offer these people's names, keeping what is typed."""
        typed = self.staff.currentText()
        self.staff.blockSignals(True)
        self.staff.clear()
        self.staff.addItems([ANYONE, *(p.name for p in people), WEBSITE])
        self.staff.setCurrentText(typed)
        self.staff.blockSignals(False)

    def current_filter(self, zone: ZoneInfo) -> AuditFilter:
        """The filters as the engine takes them: whole days in ``zone``."""
        first, last = _py_date(self.first.date()), _py_date(self.last.date())
        if last < first:
            first, last = last, first
        staff = self.staff.currentText().strip()
        return AuditFilter(
            since=datetime.combine(first, time(0), zone),
            until=datetime.combine(last + timedelta(days=1), time(0), zone),
            staff=None if staff in ("", ANYONE) else staff,
            terminal=self.terminal.text().strip() or None,
            booking=self.booking.text().strip() or None,
            kinds=KIND_CHOICES[max(0, self.kind.currentIndex())][1],
        )


def _date_edit(parent: QWidget, name: str) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd d MMM yyyy")
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(9998, 12, 31))
    edit.setAccessibleName(name)
    return edit


def _py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
