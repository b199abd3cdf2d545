"""Walk-in: one small step — how many, which table — and they're seated now."""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import Signal
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

from frontdesk.plan import TableRow


class WalkInDialog(QDialog):
    walk_in_wanted = Signal(object, int, str)  # table ids, party size, name

    def __init__(
        self,
        tables: tuple[TableRow, ...],
        parent: QWidget | None = None,
        *,
        table_id: UUID | None = None,
        party_limits: tuple[int, int] = (1, 50),
    ) -> None:
        """``party_limits``: the venue's smallest and largest party."""
        super().__init__(parent)
        self.setWindowTitle("Walk-in")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel("Seat a party now, until the table's next booking or closing.")
        intro.setObjectName("Hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.party = QSpinBox(self)
        self.party.setRange(*party_limits)
        self.party.setValue(2)
        self.party.setSuffix(" guests")
        self.table = QComboBox(self)
        for t in sorted(tables, key=lambda t: t.grid_order):
            self.table.addItem(f"{t.name} — {t.capacity} seats", t.id)
            if t.id == table_id:
                self.table.setCurrentIndex(self.table.count() - 1)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("Walk-in")
        form.addRow("Party", self.party)
        form.addRow("Table", self.table)
        form.addRow("Name", self.name)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Seat now")
        ok.setObjectName("Primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.party.setFocus()
        self.party.selectAll()

    def accept(self) -> None:
        table_id = self.table.currentData()
        if table_id is not None:
            name = self.name.text().strip() or "Walk-in"
            self.walk_in_wanted.emit((table_id,), self.party.value(), name)
        super().accept()
