"""Table models over the setup document's lists: floors, tables, opening hours
and nights.  Each reads the ``SetupDocument`` and turns a cell edit into one
undoable edit of it; a cell the checks (or the engine's last answer) found
wrong is tinted, its message in the tooltip."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from frontdesk.venue_setup import WEEKDAYS
from ui.setup_document import Doc, Path, SetupDocument, hours_words, problems

Index = QModelIndex | QPersistentModelIndex

DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
PROBLEM_TINT = QColor(255, 80, 80, 60)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, int, money, bool, floor, joins, time, factor, date
    tip: str = ""


class _DocModel(QAbstractTableModel):
    section = ""
    columns: tuple[Column, ...] = ()

    def __init__(self, document: SetupDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._rows = 0
        self._problems: dict[Path, str] = {}
        document.changed.connect(self.refresh)
        self.refresh()

    # ---- reading ----------------------------------------------------------

    def items(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.document.doc.get(self.section) or []
        return found

    def refresh(self) -> None:
        """The document changed: a reset when rows come or go, else one dataChanged
        (the keyboard's place in the table is kept)."""
        rows = self.rowCount()
        found = problems(self.document.doc)
        if self.document.server_problem is not None:
            path, message = self.document.server_problem
            found.setdefault(path, message)
        self._problems = found
        if rows != self._rows:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
        elif rows:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, len(self.columns) - 1))

    def path(self, row: int, column: int) -> Path:
        return (self.section, str(row), self.columns[column].key)

    def problem(self, row: int, column: int) -> str | None:
        return self._problems.get(self.path(row, column))

    def value(self, item: dict[str, Any], column: Column) -> Any:
        return item.get(column.key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].label
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.columns[section].tip or None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.columns[index.column()].kind == "bool":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items()):
            return None
        item, column = self.items()[index.row()], self.columns[index.column()]
        value = self.value(item, column)
        if role == Qt.ItemDataRole.CheckStateRole and column.kind == "bool":
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column.kind == "bool":
                return None
            if column.kind == "joins":
                return ", ".join(value or [])
            return "" if value is None else str(value)
        problem = self.problem(index.row(), index.column())
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return PROBLEM_TINT
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or column.tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("int", "money", "factor"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # ---- editing ----------------------------------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row, column = index.row(), self.columns[index.column()]
        if role == Qt.ItemDataRole.CheckStateRole and column.kind == "bool":
            parsed: Any = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role == Qt.ItemDataRole.EditRole:
            parsed = parse(column.kind, value)
        else:
            return False
        label = f"{column.label} of {self.row_name(row)}"

        def change(doc: Doc) -> None:
            self.apply(doc, row, column, parsed)

        self.document.edit(label, change)
        return True

    def apply(self, doc: Doc, row: int, column: Column, value: Any) -> None:
        item = doc[self.section][row]
        if value is None or value == "":
            item.pop(column.key, None)
        else:
            item[column.key] = value

    def row_name(self, row: int) -> str:
        item = self.items()[row]
        return str(item.get("name") or item.get("date") or row + 1)


def parse(kind: str, value: Any) -> Any:
    """A typed cell as the document keeps it: a whole number stays text when it
    is not one (the check then says so), money and factors as text."""
    typed = " ".join(str(value).split())
    if kind == "int":
        return int(typed) if typed.isdigit() else typed
    if kind == "joins":
        return [n.strip() for n in typed.split(",") if n.strip()]
    if kind == "money":
        return typed.lstrip("£€$")
    if kind == "time" and len(typed) == 4 and typed[1] == ":":
        return f"0{typed}"  # 9:00 is 09:00
    return typed


class FloorsModel(_DocModel):
    section = "floors"
    columns = (Column("name", "Floor", tip="In the order the grid shows them"),)

    def apply(self, doc: Doc, row: int, column: Column, value: Any) -> None:
        old = doc["floors"][row].get("name")
        super().apply(doc, row, column, value)
        for table in doc.get("tables", []):  # its tables go with it
            if table.get("floor") == old:
                table["floor"] = value


class TablesModel(_DocModel):
    section = "tables"
    columns = (
        Column("name", "Table"),
        Column("floor", "Floor", "floor"),
        Column("capacity", "Seats", "int"),
        Column("min_spend", "Minimum spend", "money"),
        Column("deposit", "Deposit", "money"),
        Column("premium", "Premium", "bool"),
        Column("grid_order", "Grid order", "int", "Where the grid shows it on its floor"),
        Column("retired", "Retired", "bool", "Kept for past bookings, out of service"),
        Column("joins", "Joins with", "joins", "Neighbours on its floor it may be joined with"),
    )

    def apply(self, doc: Doc, row: int, column: Column, value: Any) -> None:
        old = doc["tables"][row].get("name")
        super().apply(doc, row, column, value)
        if column.key == "name":
            for table in doc["tables"]:  # joins name tables
                table["joins"] = [value if j == old else j for j in table.get("joins", [])]


class HoursModel(_DocModel):
    """One row a weekday: open or not, opening, closing, and how it reads."""

    section = "hours"
    columns = (
        Column("day", "Day"),
        Column("open", "Open", "bool"),
        Column("opens", "Opens", "time"),
        Column("closes", "Closes", "time", "At or before opening: after midnight"),
        Column("shown", "The night"),
    )
    DEFAULT: ClassVar[dict[str, str]] = {"opens": "21:00", "closes": "03:00"}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(WEEKDAYS)

    def path(self, row: int, column: int) -> Path:
        return ("hours", WEEKDAYS[row], self.columns[column].key)

    def row_name(self, row: int) -> str:
        return DAY_NAMES[WEEKDAYS[row]]

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        key = self.columns[index.column()].key if index.isValid() else ""
        hours = (self.document.doc.get("hours") or {}).get(WEEKDAYS[index.row()])
        if key in ("day", "shown") or (key in ("opens", "closes") and hours is None):
            return flags & ~Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        day = WEEKDAYS[index.row()]
        hours = (self.document.doc.get("hours") or {}).get(day)
        key = self.columns[index.column()].key
        if key == "day" and role == Qt.ItemDataRole.DisplayRole:
            return DAY_NAMES[day]
        if key == "open" and role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if hours else Qt.CheckState.Unchecked
        if key == "shown" and role == Qt.ItemDataRole.DisplayRole:
            return hours_words(hours["opens"], hours["closes"]) if hours else "Closed"
        if key in ("opens", "closes") and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
        ):
            return hours.get(key, "") if hours else ""
        problem = self._problems.get(("hours", day, key))
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return PROBLEM_TINT
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or self.columns[index.column()].tip or None
        return None

    def apply(self, doc: Doc, row: int, column: Column, value: Any) -> None:
        day = WEEKDAYS[row]
        hours = doc.setdefault("hours", {})
        if column.key == "open":
            if value:
                hours[day] = dict(self._neighbour_hours(hours, row))
            else:
                hours.pop(day, None)
        elif day in hours:
            hours[day][column.key] = value

    def _neighbour_hours(self, hours: dict[str, Any], row: int) -> dict[str, str]:
        """A day opened takes the hours of the nearest open day before it."""
        for back in range(1, 7):
            found = hours.get(WEEKDAYS[(row - back) % 7])
            if found:
                return {"opens": found["opens"], "closes": found["closes"]}
        return self.DEFAULT


class NightsModel(_DocModel):
    """Closures (a reason) and events (a name, optional hours and price factors)."""

    section = "nights"
    columns = (
        Column("date", "Night", "date", "YYYY-MM-DD: the date the night opens"),
        Column("closed", "Closed", "bool"),
        Column("name", "Event, or why closed"),
        Column("opens", "Opens", "time", "Optional: the event's own hours (both or neither)"),
        Column("closes", "Closes", "time"),
        Column("min_spend_factor", "Minimum spend ×", "factor", "1.25: a quarter more"),
        Column("deposit_factor", "Deposit ×", "factor"),
        Column("notes", "Notes"),
    )
    EVENT_ONLY = ("opens", "closes", "min_spend_factor", "deposit_factor")

    def path(self, row: int, column: int) -> Path:
        key = self.columns[column].key
        if key == "name":
            closed = bool(self.items()[row].get("closed")) if row < len(self.items()) else False
            key = "reason" if closed else "event"
        return ("nights", str(row), key)

    def value(self, item: dict[str, Any], column: Column) -> Any:
        if column.key == "name":
            return item.get("reason") if item.get("closed") else item.get("event")
        return item.get(column.key)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not index.isValid() or index.row() >= len(self.items()):
            return flags
        if self.items()[index.row()].get("closed") and self.columns[index.column()].key in (
            self.EVENT_ONLY
        ):
            return flags & ~Qt.ItemFlag.ItemIsEditable & ~Qt.ItemFlag.ItemIsEnabled
        return flags

    def apply(self, doc: Doc, row: int, column: Column, value: Any) -> None:
        night = doc["nights"][row]
        if column.key == "closed":
            name = night.get("reason") if night.get("closed") else night.get("event")
            kept = {k: night[k] for k in ("date", "notes") if k in night}
            doc["nights"][row] = (
                {**kept, "closed": True, "reason": name or ""}
                if value
                else {**kept, "event": name or ""}
            )
            return
        if column.key == "name":
            column = Column("reason" if night.get("closed") else "event", column.label)
        super().apply(doc, row, column, value)
