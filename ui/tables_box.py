"""The booking dialogs' tables: suggestions best fit first (the best one
chosen), or a free choice of the night's tables that says which are taken,
until when, and which another desk is booking now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from uuid import UUID

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import Suggestion
from frontdesk.plan import TableRow
from ui import text

#: Said under the suggestions when there are some.
SUGGESTIONS_NOTE = "Best fit first, in bold, and chosen · ★ premium table"
#: Said under the free choice.
CHOOSING_NOTE = "Greyed: taken at that time, and why · ★ premium table"


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
        self.table_list.setWordWrap(True)
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
        self._suggestions_note = ""  # the suggestions' note, while choosing

    @property
    def chosen(self) -> tuple[UUID, ...]:
        return self._chosen

    def show_suggestions(self, suggestions: list[Suggestion]) -> None:
        """The suggestions, best fit first.  The one chosen stays chosen when
        it is still offered; otherwise the best fit is chosen."""
        choosing = self.choose_button.isChecked()
        keep = self._chosen if not choosing else ()
        self.suggestions.setEnabled(True)
        with QSignalBlocker(self.suggestions):
            self.suggestions.clear()
            for s in sorted(suggestions, key=lambda s: (not s.is_optimal, s.rank)):
                item = self._suggestion_item(s)
                self.suggestions.addTopLevelItem(item)
            wanted = next(
                (i for i in self._items() if tuple(i.data(0, Qt.ItemDataRole.UserRole)) == keep),
                self.suggestions.topLevelItem(0),
            )
            if wanted is not None:
                self.suggestions.setCurrentItem(wanted)
                wanted.setSelected(True)
        note = (
            SUGGESTIONS_NOTE
            if suggestions
            else "No free tables for this party at that time. Try another time "
            "or choose tables yourself."
        )
        if choosing:
            self._suggestions_note = note
        else:
            self.note.setText(note)
            self._suggestion_chosen()

    def show_nothing(self, why: str) -> None:
        """No suggestions, and why (a closed or past night, a party too big)."""
        with QSignalBlocker(self.suggestions):
            self.suggestions.clear()
        self.note.setText(why)
        if not self.choose_button.isChecked():
            self._set_chosen(())

    def _items(self) -> list[QTreeWidgetItem]:
        tree = self.suggestions
        items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _suggestion_item(self, s: Suggestion) -> QTreeWidgetItem:
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
        return item

    def set_tables(self, tables: tuple[TableRow, ...], taken: Mapping[UUID, Sequence[str]]) -> None:
        """The night's tables to tick; ``taken``: why a table is not free
        then ("booked 22:00–00:30", "being booked at BAR-2"), each in full
        on a line of its own.  A taken table cannot be ticked (one ticked
        already can be unticked)."""
        ticked = set(self._chosen) if self.choose_button.isChecked() else set()
        with QSignalBlocker(self.table_list):
            self.table_list.clear()
            for t in sorted(tables, key=lambda t: t.grid_order):
                star = "  ★" if t.is_premium else ""
                label = f"{t.name}{star} — {t.capacity} seats · min {text.money(t.min_spend)}"
                why = taken.get(t.id, ())
                item = QListWidgetItem("\n".join([label, *(f"    {w}" for w in why)]))
                item.setData(Qt.ItemDataRole.UserRole, t.id)
                flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                if why and t.id not in ticked:
                    flags &= ~Qt.ItemFlag.ItemIsEnabled
                    item.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
                    item.setToolTip(f"{t.name}: " + "; ".join(why))
                item.setFlags(flags)
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
            self._suggestions_note = self.note.text()
            self.note.setText(CHOOSING_NOTE)
        else:
            self.note.setText(self._suggestions_note)
        if choosing:
            self._tables_ticked(QListWidgetItem())
        else:
            self._suggestion_chosen()

    def _set_chosen(self, table_ids: tuple[UUID, ...]) -> None:
        if table_ids != self._chosen:
            self._chosen = table_ids
            self.tables_chosen.emit(table_ids)
