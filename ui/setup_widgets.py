"""Small widgets the Setup window's pages share: a table view laid out for
editing, a spin box whose unit agrees with its number, and the floor
column's list of floors."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ui.setup_document import SetupDocument


def table_view(model: Any, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
    )
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    return view


class CountBox(QSpinBox):
    """A spin box whose unit agrees with its number: "1 guest", "2 guests"."""

    def __init__(self, one: str, many: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._one, self._many = one, many
        self.valueChanged.connect(self._agree)
        self._agree(self.value())

    def setValue(self, value: int) -> None:
        # Also when the page shows the document with this box's signals blocked.
        super().setValue(value)
        self._agree(self.value())

    def _agree(self, value: int) -> None:
        unit = self._one if value == 1 else self._many
        if self.suffix() != unit:
            self.setSuffix(unit)


class FloorDelegate(QStyledItemDelegate):
    """The floor column: one of the floors, from a list."""

    def __init__(self, document: SetupDocument, parent: QWidget) -> None:
        super().__init__(parent)
        self._document = document

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems([f["name"] for f in self._document.doc.get("floors", [])])
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(
        self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
