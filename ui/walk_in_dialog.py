"""Walk-in: one small step — how many, which table — and they're seated now.

Walk-ins are seated while the night is on: given the night's plan and the
time, the dialog lists the tables free now first (until when), says which
are booked or being booked at another desk, and refuses to seat outside
the night's hours.  Given ``ops`` it seats the party itself and stays open
on a refusal with everything typed; ``seated`` says who was seated.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import BookingResult, Desk
from frontdesk.plan import Change, NightPlan, TableRow
from ui import text
from ui.booking_form import PARTY_TYPING_RANGE, mark_invalid
from ui.ops import Ops

SEAT_NOW = "Seat now"


def table_states(
    plan: NightPlan, now: datetime, zone: ZoneInfo, terminal: str = ""
) -> dict[UUID, tuple[bool, str]]:
    """Each table now: (free, what to say), e.g. (True, "free until 23:30"),
    (False, "booked until 01:00"), (False, "being booked at BAR-2")."""
    states: dict[UUID, tuple[bool, str]] = {}
    for t in plan.tables:
        busy = [
            b
            for b in plan.bookings
            if t.id in b.table_ids and b.status.holds_table and b.starts_at <= now < b.ends_at
        ]
        held = [
            h
            for h in plan.holds
            if h.table_id == t.id and h.terminal != terminal and h.starts_at <= now < h.ends_at
        ]
        if busy:
            until = max(b.ends_at for b in busy)
            states[t.id] = (False, f"booked until {text.clock(until, zone)}")
        elif held:
            states[t.id] = (False, f"being booked at {held[0].terminal}")
        else:
            later = [
                b.starts_at
                for b in plan.bookings
                if t.id in b.table_ids and b.status.holds_table and b.starts_at > now
            ]
            if later:
                states[t.id] = (True, f"free until {text.clock(min(later), zone)}")
            else:
                states[t.id] = (True, "free till close")
    return states


class WalkInDialog(QDialog):
    walk_in_wanted = Signal(object, int, str)  # table ids, party size, name (without ops)
    seated = Signal(object)  # BookingResult (with ops)

    def __init__(
        self,
        tables: tuple[TableRow, ...],
        parent: QWidget | None = None,
        *,
        table_id: UUID | None = None,
        party_limits: tuple[int, int] = (1, 50),
        plan: NightPlan | None = None,
        now: datetime | None = None,
        ops: Ops | None = None,
    ) -> None:
        """``party_limits``: the venue's smallest and largest party; ``plan``
        and ``now``: the night on screen and the time, to say which tables
        are free and whether the night is on."""
        super().__init__(parent)
        self._ops = ops
        self._limits = party_limits
        self._plan = plan
        self._busy = False
        self.result_value: BookingResult | None = None
        self.setWindowTitle("Walk-in")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.intro = QLabel("Seat a party now, until the table's next booking or closing.")
        self.intro.setObjectName("Hint")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.party = QSpinBox(self)
        self.party.setRange(*PARTY_TYPING_RANGE)
        self.party.setValue(2)
        self.party.setSuffix(" guests")
        self.table = QComboBox(self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("Walk-in")
        form.addRow("Party", self.party)
        form.addRow("Table", self.table)
        form.addRow("Name", self.name)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(SEAT_NOW)
        ok.setObjectName("Primary")
        # The style sheet sets Primary in bold: room for the bold words.
        bold = QFont(ok.font())
        bold.setBold(True)
        ok.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(SEAT_NOW) + 56)
        self.seat_button = ok
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._fill_tables(tables, table_id, now)
        self.party.valueChanged.connect(self._party_edited)
        self.party.setFocus()
        self.party.selectAll()

    def _fill_tables(
        self, tables: tuple[TableRow, ...], table_id: UUID | None, now: datetime | None
    ) -> None:
        plan, zone = self._plan, ZoneInfo(self._plan.time_zone) if self._plan else None
        states: dict[UUID, tuple[bool, str]] = {}
        if plan is not None and now is not None and zone is not None:
            if not (plan.opens_at and plan.closes_at and plan.opens_at <= now < plan.closes_at):
                self.intro.setText(
                    f"Walk-ins are seated while the night is on. {text.night_title(plan.night)}"
                    + (
                        f" runs {text.span(plan.opens_at, plan.closes_at, zone)}."
                        if plan.opens_at and plan.closes_at and not plan.is_closed
                        else " is closed."
                    )
                )
                self.seat_button.setEnabled(False)
            terminal = self._ops.desk.db.staff.terminal if self._ops else ""
            states = table_states(plan, now, zone, terminal)
        model = self.table.model()
        ordered = sorted(tables, key=lambda t: (not states.get(t.id, (True, ""))[0], t.grid_order))
        for t in ordered:
            free, state = states.get(t.id, (True, ""))
            label = f"{t.name} — {t.capacity} seats" + (f" · {state}" if state else "")
            self.table.addItem(label, t.id)
            if not free and isinstance(model, QStandardItemModel):
                item = model.item(self.table.count() - 1)
                item.setEnabled(False)
        wanted = self.index_of(table_id)
        if wanted >= 0 and states.get(table_id, (True, ""))[0]:  # type: ignore[arg-type]
            self.table.setCurrentIndex(wanted)
        elif states and not states.get(self.table.currentData(), (True, ""))[0]:
            self.table.setCurrentIndex(-1)

    def index_of(self, table_id: UUID | None) -> int:
        """The table's row in the list (findData does not compare uuids); -1: none."""
        rows = (i for i in range(self.table.count()) if self.table.itemData(i) == table_id)
        return next(rows, -1)

    def show_message(self, message: str) -> None:
        self.message.setText(message)
        self.message.setProperty("kind", "error")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(message))

    def _party_problem(self) -> str | None:
        low, high = self._limits
        size = self.party.value()
        if low <= size <= high:
            return None
        return f"Party: {text.party(size)}? This venue takes parties of {low} to {high}."

    def _party_edited(self, _value: int) -> None:
        problem = self._party_problem()
        mark_invalid(self.party.lineEdit(), problem is not None)
        if self.message.isVisible() and self.message.text().startswith("Party:"):
            self.show_message(problem or "")

    def accept(self) -> None:
        """Seat now: said in the dialog when something is wrong, nothing lost."""
        if self._busy or not self.seat_button.isEnabled():
            return
        table_id = self.table.currentData()
        problems = [p for p in (self._party_problem(),) if p]
        if table_id is None:
            problems.append("Choose a free table.")
        if problems:
            mark_invalid(self.party.lineEdit(), self._party_problem() is not None)
            self.show_message("\n".join(problems))
            return
        name = self.name.text().strip() or "Walk-in"
        if self._ops is None:
            self.walk_in_wanted.emit((table_id,), self.party.value(), name)
            super().accept()
            return
        self._busy = True
        self.seat_button.setText("Seating…")
        self.seat_button.setEnabled(False)
        self.show_message("")
        self._ops.mutate(
            partial(_seat_now, (table_id,), self.party.value(), name),
            owner=self,
            changes=self._change,
            done=self._seated,
            failed=self._refused,
        )

    def _change(self, result: tuple[BookingResult, Change]) -> Change:
        return result[1]

    def _seated(self, result: tuple[BookingResult, Change]) -> None:
        self._busy = False
        self.result_value = result[0]
        self.seated.emit(result[0])
        super().accept()

    def _refused(self, exc: Exception) -> None:
        self._busy = False
        self.seat_button.setText(SEAT_NOW)
        self.seat_button.setEnabled(True)
        self.show_message(text.not_done("Not seated", exc))

    def reject(self) -> None:
        if not self._busy:
            super().reject()


def _seat_now(
    table_ids: tuple[UUID, ...], party: int, name: str, desk: Desk
) -> tuple[BookingResult, Change]:
    result = desk.walk_in(table_ids, party, name=name)
    change = Change(
        venue_id=desk.venue_id,
        night=desk.current_night(),
        table_ids=frozenset(table_ids),
        booking_ids=frozenset({result.booking_id}),
        kinds=frozenset({"booked"}),
    )
    return result, change
