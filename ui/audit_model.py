"""The audit log window's table: a page of changes, one row each, the
Changes column listing the fields that changed ("status confirmed → seated")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from frontdesk.audit_log import AuditChange

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("When", "Staff", "Terminal", "What", "Booking", "Guest", "Changes")


class AuditModel(QAbstractTableModel):
    """A page of changes; the Changes column lists the fields that changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._changes: list[AuditChange] = []

    @property
    def changes(self) -> list[AuditChange]:
        return list(self._changes)

    def set_changes(self, changes: Sequence[AuditChange]) -> None:
        self.beginResetModel()
        self._changes = list(changes)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._changes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        change = self._changes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(change, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(change.changes) if index.column() == 6 else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None


def _day(night: date) -> str:
    return f"{night:%a} {night.day} {night:%b}"


def cell_text(change: AuditChange, column: int) -> str:
    if column == 0:
        return f"{change.changed_at:%a} {change.changed_at.day} {change.changed_at:%b %H:%M:%S}"
    if column == 1:
        return change.who
    if column == 2:
        return change.terminal or "—"
    if column == 3:
        return change.what
    if column == 4:
        if change.reference and change.night:
            return f"{change.reference}\n{_day(change.night)}"
        if change.night:
            return _day(change.night)
        return change.reference or ""
    if column == 5:
        return change.guest_name or ""
    return "\n".join(change.changes)
