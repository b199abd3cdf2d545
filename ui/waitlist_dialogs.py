"""The waitlist's two dialogs: a party added at the door, and seating a
party on tables free now (the suggestions read off the UI thread)."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk import waitlist
from frontdesk.desk import Desk, Suggestion
from frontdesk.errors import InvalidInput
from frontdesk.plan import Change
from frontdesk.waitlist import WaitlistEntry
from ui import text
from ui.booking_form import mark_invalid
from ui.ops import Ops

ADD = "Add"


class AddToWaitlistDialog(QDialog):
    """Name, party, phone, the wait quoted, notes.  Add writes it and the
    dialog closes once the engine has it; a refusal, a phone that is not a
    number or a lost connection is said in the dialog, with what was typed
    still there to put right or try again."""

    added = Signal(object)  # the entry's id

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._busy = False
        self.setWindowTitle("Add to the waitlist")
        self.setMinimumWidth(440)  # room for a refusal's words under the fields
        form = QFormLayout(self)
        self.name = QLineEdit(self)
        self.party = QSpinBox(self)
        self.party.setRange(1, 50)
        self.party.setValue(2)
        self.phone = QLineEdit(self)
        self.phone.setPlaceholderText("07700 900123 (optional)")
        self.quoted = QSpinBox(self)
        self.quoted.setRange(0, 600)
        self.quoted.setSingleStep(5)
        self.quoted.setValue(15)
        self.quoted.setSuffix(" min")
        self.notes = QLineEdit(self)
        form.addRow("&Name", self.name)
        form.addRow("&Party", self.party)
        form.addRow("P&hone", self.phone)
        form.addRow("&Quoted wait", self.quoted)
        form.addRow("N&otes", self.notes)
        self.message = QLabel(self)
        self.message.setObjectName("MessageArea")
        self.message.setProperty("kind", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        form.addRow(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.add_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText(ADD)
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for field in (self.name, self.phone):  # typed again: no longer marked
            field.textEdited.connect(lambda _text, f=field: mark_invalid(f, False))

    def add(self) -> None:
        if self._busy:
            return
        if not self.name.text().strip():
            self.name.setFocus()
            return
        self._busy = True
        self.add_button.setEnabled(False)
        self.add_button.setText("Adding…")
        self.message.hide()
        self._ops.mutate(
            partial(
                _add,
                self.name.text(),
                self.party.value(),
                self.phone.text(),
                self.quoted.value(),
                self.notes.text(),
            ),
            owner=self,
            changes=_change,
            done=self._added,
            failed=self._refused,
        )

    def _added(self, result: tuple[UUID, Change]) -> None:
        self._busy = False
        self.added.emit(result[0])
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._busy = False
        self.add_button.setEnabled(True)
        self.add_button.setText(ADD)
        if isinstance(exc, InvalidInput):
            field = self.phone if exc.field == "phone" else self.name
            mark_invalid(field, True)
            field.setFocus()
            self.say(exc.message)
        else:
            self.say(text.not_done("Not added", exc))

    def say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))
        self.adjustSize()  # the words in full, not cut to the old height

    def reject(self) -> None:
        if not self._busy:  # an add under way: its answer is waited for
            super().reject()


def _add(
    name: str, party: int, phone: str, quoted: int, notes: str, desk: Desk
) -> tuple[UUID, Change]:
    entry_id = waitlist.add(
        desk, name, party, phone=phone or None, quoted_minutes=quoted, notes=notes or None
    )
    change = Change(
        venue_id=desk.venue_id, night=desk.current_night(), kinds=frozenset({"waitlist"})
    )
    return entry_id, change


class SeatDialog(QDialog):
    """Tables free now for the party, best first; Seat books the one chosen."""

    seated = Signal(str, str)  # the party's name, the walk-in's reference

    def __init__(self, ops: Ops, entry: WaitlistEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.entry = entry
        self.setWindowTitle(f"Seat {entry.name}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{entry.name} · {text.party(entry.party_size)} — free now:"))
        self.tables = QListWidget(self)
        self.tables.itemActivated.connect(self._seat_chosen)
        layout.addWidget(self.tables)
        self.message = QLabel(self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.seat_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.seat_button.setText("Seat")
        self.seat_button.setEnabled(False)
        self.buttons.accepted.connect(self.seat)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.result_reference: str | None = None
        self.load()

    def load(self) -> None:
        self._ops.query(
            partial(_suggestions, self.entry.id),
            owner=self,
            done=self._show,
            failed=self._failed,
        )

    def _show(self, suggestions: list[Suggestion]) -> None:
        self.tables.clear()
        for s in suggestions:
            label = f"{' + '.join(s.table_names)} · {s.capacity} seats"
            if s.min_spend:
                label += f" · min {text.money(s.min_spend)}"
            if s.is_optimal:
                label = f"★ {label} (best fit)"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, s.table_ids)
            self.tables.addItem(item)
        if suggestions:
            self.tables.setCurrentRow(0)
            self.seat_button.setEnabled(True)
        else:
            self.say("No table is free for this party now.")
        self.tables.setFocus()

    def chosen_tables(self) -> tuple[UUID, ...]:
        item = self.tables.currentItem()
        return tuple(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ()

    def _seat_chosen(self, _item: QListWidgetItem) -> None:
        self.seat()

    def seat(self) -> None:
        tables = self.chosen_tables()
        if not tables:
            return
        self.seat_button.setEnabled(False)
        self._ops.mutate(
            partial(_seat, self.entry.id, tables),
            owner=self,
            # the walk-in reaches the grid (and the list) by the one path,
            # as this desk's change, before the feed says it again
            changes=_change,
            done=self._seated,
            failed=self._failed,
        )

    def _seated(self, result: tuple[str, Change]) -> None:
        self.result_reference = result[0]
        self.seated.emit(self.entry.name, result[0])
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.say(getattr(exc, "message", None) or str(exc))
        self.seat_button.setEnabled(self.tables.count() > 0)
        self.load()  # what is free now

    def say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))


def _suggestions(entry_id: UUID, desk: Desk) -> list[Suggestion]:
    return waitlist.suggestions(desk, entry_id)


def _seat(entry_id: UUID, tables: tuple[UUID, ...], desk: Desk) -> tuple[str, Change]:
    result = waitlist.seat(desk, entry_id, tables)
    change = Change(
        venue_id=desk.venue_id,
        night=desk.current_night(),
        table_ids=frozenset(tables),
        booking_ids=frozenset({result.booking_id}),
        kinds=frozenset({"booked", "waitlist"}),
    )
    return result.reference, change


def _change(result: tuple[object, Change]) -> Change:
    """The change a write made, from its (answer, change) result."""
    return result[1]
