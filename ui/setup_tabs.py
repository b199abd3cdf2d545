"""The Setup window's pages: the venue and its booking policy, floors and
tables, opening hours, nights.  Each page edits the ``SetupDocument``
(every change one undoable edit) and shows it again when it changes."""

from __future__ import annotations

import zoneinfo
from typing import Any

from PySide6.QtCore import (
    QRegularExpression,
    QSignalBlocker,
    Qt,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.setup_common import message_label, show_message
from ui.setup_document import Doc, SetupDocument, problems
from ui.setup_models import FloorsModel, HoursModel, NightsModel, TablesModel
from ui.setup_money_policy import DEPOSIT_RULES, MONEY_POLICY, money_policy_box
from ui.setup_widgets import CountBox, FloorDelegate, table_view

#: (key, label, low, high, unit for one, unit for any other number, what it means)
POLICY = (
    (
        "max_days_ahead",
        "Book up to",
        0,
        730,
        " day ahead",
        " days ahead",
        "How far ahead bookings are taken",
    ),
    ("min_party_size", "Smallest party", 1, 100, " guest", " guests", ""),
    ("max_party_size", "Largest party", 1, 500, " guest", " guests", ""),
    ("min_age", "Minimum age", 0, 99, " year", " years", "When a guest's date of birth is known"),
    (
        "default_booking_minutes",
        "Usual booking",
        15,
        1440,
        " minute",
        " minutes",
        "A new booking's length",
    ),
    (
        "hold_minutes",
        "Hold tables for",
        1,
        120,
        " minute",
        " minutes",
        "While a desk takes a booking",
    ),
    ("idle_lock_minutes", "Lock an idle desk after", 1, 240, " minute", " minutes", "Behind a PIN"),
)
VENUE_FIELDS = (
    ("name", "Venue &name", r".{1,100}", "The Backroom Leeds"),
    ("currency", "&Currency", r"[A-Za-z]{0,3}", "GBP"),
    ("phone_country", "&Phone country", r"[A-Za-z]{0,2}", "GB: how numbers without +44 are read"),
    ("reference_prefix", "&Reference prefix", r"[A-Za-z]{0,4}", "BR: BR-261204-K7QX2M"),
)


class VenuePage(QWidget):
    """Name, time zone, currency, phone country, reference prefix; the policy."""

    def __init__(self, document: SetupDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label, pattern, hint in VENUE_FIELDS:
            edit = QLineEdit(self)
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), edit))
            edit.setPlaceholderText(hint)
            edit.editingFinished.connect(self._field_done)
            edit.setProperty("key", key)
            self.fields[key] = edit
            form.addRow(label, edit)
            if key == "name":
                self.zone = QComboBox(self)
                self.zone.setEditable(True)
                self.zone.addItems(sorted(zoneinfo.available_timezones()))
                completer = self.zone.completer()
                if completer is not None:
                    completer.setFilterMode(Qt.MatchFlag.MatchContains)
                    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
                self.zone.setToolTip("The venue's clock: nights, hours and bookings are in it")
                self.zone.activated.connect(self._zone_chosen)
                form.addRow("&Time zone", self.zone)
        self.problem = message_label(self)
        policy_box = QGroupBox("Booking policy", self)
        policy = QFormLayout(policy_box)
        self.policy: dict[str, QSpinBox] = {}
        for key, label, low, high, one, many, tip in POLICY:
            spin = CountBox(one, many, self)
            spin.setRange(low, high)
            spin.setToolTip(tip)
            spin.setProperty("key", key)
            spin.valueChanged.connect(self._policy_changed)
            self.policy[key] = spin
            policy.addRow(label, spin)
        money_box, self.deposit_rules = money_policy_box(
            self, self.policy, self._policy_changed, self._rule_chosen
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(policy_box)
        layout.addWidget(money_box)
        layout.addStretch(1)
        document.changed.connect(self.show_document)

    def _rule_chosen(self) -> None:
        combo = self.sender()
        if isinstance(combo, QComboBox):
            key = str(combo.property("key"))
            label = dict(DEPOSIT_RULES)[key]
            self.document.set(
                ("policy", key), combo.currentData(), f"{label}: {combo.currentText().lower()}"
            )

    def _field_done(self) -> None:
        edit = self.sender()
        if isinstance(edit, QLineEdit):
            key = str(edit.property("key"))
            value = " ".join(edit.text().split())
            if key != "name":
                value = value.upper()
            label = dict((k, lbl) for k, lbl, _p, _h in VENUE_FIELDS)[key].replace("&", "")
            self.document.set((key,), value or None, f"{label}: {value}")

    def _zone_chosen(self) -> None:
        zone = self.zone.currentText().strip()
        if zone in zoneinfo.available_timezones():
            self.document.set(("time_zone",), zone, f"Time zone: {zone}")

    def _policy_changed(self, value: int) -> None:
        spin = self.sender()
        if isinstance(spin, QSpinBox):
            key = str(spin.property("key"))
            self.document.set(("policy", key), value, f"{_policy_label(key)}: {value}")

    def show_document(self) -> None:
        doc = self.document.doc
        for key, edit in self.fields.items():
            with QSignalBlocker(edit):
                edit.setText(str(doc.get(key) or ""))
        with QSignalBlocker(self.zone):
            self.zone.setCurrentText(str(doc.get("time_zone") or ""))
        for key, spin in self.policy.items():
            with QSignalBlocker(spin):
                spin.setValue(int((doc.get("policy") or {}).get(key, spin.minimum())))
        for key, combo in self.deposit_rules.items():
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(0, combo.findData((doc.get("policy") or {}).get(key))))
        found = problems(doc)
        said = [found[(k,)] for k in ("name", "currency", "phone_country") if (k,) in found]
        show_message(self.problem, " ".join(said))


def _policy_label(key: str) -> str:
    return next(label for k, label, *_rest in (*POLICY, *MONEY_POLICY) if k == key)


class TablesPage(QWidget):
    """Floors (in order) beside the tables: seats, prices, grid order, joins."""

    def __init__(self, document: SetupDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.floors_model = FloorsModel(document, self)
        self.tables_model = TablesModel(document, self)
        self.floors = table_view(self.floors_model, self)
        self.floors.setFixedWidth(230)
        self.tables = table_view(self.tables_model, self)
        self.tables.setItemDelegateForColumn(1, FloorDelegate(document, self.tables))
        self.add_floor = QPushButton("Add floor", self)
        self.remove_floor = QPushButton("Remove", self)
        self.remove_floor.setToolTip("A floor with tables on it stays")
        self.floor_up = QPushButton("Up", self)
        self.floor_down = QPushButton("Down", self)
        self.add_table = QPushButton("Add table", self)
        self.add_table.setToolTip("Tables are never deleted: retire one instead")
        left = QVBoxLayout()
        left.addWidget(QLabel("Floors, top to bottom", self))
        left.addWidget(self.floors, 1)
        for pair in ((self.add_floor, self.remove_floor), (self.floor_up, self.floor_down)):
            buttons = QHBoxLayout()
            for b in pair:
                buttons.addWidget(b)
            left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(
            QLabel(
                "Tables — joins name the neighbours on the same floor a party may spread to", self
            )
        )
        right.addWidget(self.tables, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_table)
        row.addStretch(1)
        right.addLayout(row)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)
        self.add_floor.clicked.connect(self.new_floor)
        self.remove_floor.clicked.connect(self.drop_floor)
        self.floor_up.clicked.connect(self.floor_up_clicked)
        self.floor_down.clicked.connect(self.floor_down_clicked)
        self.add_table.clicked.connect(self.new_table)

    def floor_up_clicked(self) -> None:
        self.move_floor(-1)

    def floor_down_clicked(self) -> None:
        self.move_floor(1)

    def _floor_row(self) -> int:
        return self.floors.currentIndex().row()

    def new_floor(self) -> None:
        names = {f["name"] for f in self.document.doc.get("floors", [])}
        name = next(f"Floor {n}" for n in range(1, 100) if f"Floor {n}" not in names)

        def change(doc: Doc) -> None:
            doc.setdefault("floors", []).append({"name": name})

        if self.document.edit(f"Add {name}", change):
            row = len(self.document.doc["floors"]) - 1
            self.floors.setCurrentIndex(self.floors_model.index(row, 0))
            self.floors.edit(self.floors_model.index(row, 0))

    def drop_floor(self) -> None:
        row = self._floor_row()
        floors = self.document.doc.get("floors", [])
        if not 0 <= row < len(floors):
            return
        name = floors[row]["name"]
        if any(t.get("floor") == name for t in self.document.doc.get("tables", [])):
            self.floors_model.document.server_problem = (
                ("floors", str(row), "name"),
                f"{name} has tables: move them to another floor first.",
            )
            self.floors_model.refresh()
            return

        def change(doc: Doc) -> None:
            del doc["floors"][row]

        self.document.edit(f"Remove {name}", change)

    def move_floor(self, step: int) -> None:
        row = self._floor_row()
        floors = self.document.doc.get("floors", [])
        to = row + step
        if not (0 <= row < len(floors) and 0 <= to < len(floors)):
            return

        def change(doc: Doc) -> None:
            f = doc["floors"]
            f[row], f[to] = f[to], f[row]

        if self.document.edit(f"Move {floors[row]['name']}", change):
            self.floors.setCurrentIndex(self.floors_model.index(to, 0))

    def new_table(self) -> None:
        doc = self.document.doc
        tables = doc.get("tables", [])
        names = {t["name"] for t in tables}
        name = next(f"Table {n}" for n in range(1, 1000) if f"Table {n}" not in names)
        floors = doc.get("floors", [])
        row = self._floor_row()
        floor = (
            floors[row]["name"]
            if 0 <= row < len(floors)
            else (floors[-1]["name"] if floors else "")
        )
        order = max((int(t.get("grid_order") or 0) for t in tables), default=0) + 1
        table: dict[str, Any] = {
            "name": name,
            "floor": floor,
            "capacity": 4,
            "min_spend": "0.00",
            "deposit": "0.00",
            "premium": False,
            "grid_order": order,
            "retired": False,
            "joins": [],
        }

        def change(d: Doc) -> None:
            d.setdefault("tables", []).append(table)

        if self.document.edit(f"Add {name}", change):
            index = self.tables_model.index(len(self.document.doc["tables"]) - 1, 0)
            self.tables.setCurrentIndex(index)
            self.tables.setFocus()
            self.tables.edit(index)


class HoursPage(QWidget):
    def __init__(self, document: SetupDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HoursModel(document, self)
        self.view = table_view(self.model, self)
        note = QLabel(
            "A night runs from opening to closing; closing at or before opening is after "
            "midnight (21:00 → 03:00 next day). An unticked day is closed.",
            self,
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)


class NightsPage(QWidget):
    def __init__(self, document: SetupDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model = NightsModel(document, self)
        self.view = table_view(self.model, self)
        note = QLabel(
            "Nights that are not their weekday's usual: closed (with the reason guests are "
            "told), or an event with its own name, hours and prices (the tables' minimum spend "
            "and deposit times a factor).",
            self,
        )
        note.setWordWrap(True)
        self.add_event = QPushButton("Add event", self)
        self.add_closure = QPushButton("Add closure", self)
        self.remove = QPushButton("Remove", self)
        self.remove.setToolTip("The night goes back to its weekday's hours")
        buttons = QHBoxLayout()
        for b in (self.add_event, self.add_closure, self.remove):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.add_event.clicked.connect(self.add_event_clicked)
        self.add_closure.clicked.connect(self.add_closure_clicked)
        self.remove.clicked.connect(self.drop_night)

    def add_event_clicked(self) -> None:
        self.new_night(closed=False)

    def add_closure_clicked(self) -> None:
        self.new_night(closed=True)

    def new_night(self, *, closed: bool, night: str = "") -> None:
        item: dict[str, Any] = (
            {"date": night, "closed": True, "reason": ""}
            if closed
            else {"date": night, "event": ""}
        )

        def change(doc: Doc) -> None:
            doc.setdefault("nights", []).append(item)

        self.document.edit("Add closure" if closed else "Add event", change)
        index = self.model.index(len(self.document.doc["nights"]) - 1, 0)
        self.view.setCurrentIndex(index)
        self.view.setFocus()
        self.view.edit(index)

    def drop_night(self) -> None:
        row = self.view.currentIndex().row()
        nights = self.document.doc.get("nights", [])
        if not 0 <= row < len(nights):
            return

        def change(doc: Doc) -> None:
            del doc["nights"][row]

        self.document.edit(f"Remove {nights[row].get('date') or 'night'}", change)
