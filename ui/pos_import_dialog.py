"""Night ▸ Import till spend…: the till's CSV export, previewed, then imported.

The file is read here (frontdesk.pos_import, tolerant of the till's
spelling); the engine matches each row to a booking of the night on screen
(off the UI thread, through ``Ops``).  The preview lists the matched rows
with their booking and guest, and the rows that did not match with the
reason; Import adds the matched ones as spend, once (a row imported before
adds nothing), and every grid repaints.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk import pos_import
from frontdesk.desk import Desk
from frontdesk.errors import Refused
from frontdesk.plan import Change, NightPlan
from frontdesk.pos_import import TillImport, TillMatch, TillRow
from ui import text
from ui.ops import Ops
from ui.setup_common import message_label, show_message

COLUMNS = ("Line", "Booking", "Guest", "Tables", "Amount", "")


class PosImportDialog(QDialog):
    imported = Signal(str)  # what was imported, for the status bar

    def __init__(self, ops: Ops, plan: NightPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._plan = plan
        self.rows: list[TillRow] = []
        self.matches: list[TillMatch] = []
        self.setWindowTitle("Import till spend")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Spend from the till's export for {text.night_title(plan.night)}: a CSV with a "
            "booking reference or a table, a time and an amount on each line.",
            self,
        )
        intro.setWordWrap(True)
        intro.setObjectName("Hint")
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.choose = QPushButton("Choose file…", self)
        self.choose.clicked.connect(self._choose)
        self.file_label = QLabel("No file yet", self)
        row.addWidget(self.choose)
        row.addWidget(self.file_label, 1)
        layout.addLayout(row)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(QLabel("Matched", self))
        layout.addWidget(self.table, 2)
        layout.addWidget(QLabel("Not matched (not imported)", self))
        self.unmatched = QListWidget(self)
        self.unmatched.setWordWrap(True)
        layout.addWidget(self.unmatched, 1)
        self.message = message_label(self)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("Primary")
        self.import_button.setEnabled(False)
        buttons.accepted.connect(self.start_import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # ---- reading ----------------------------------------------------------

    def _choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "The till's export", "", "CSV files (*.csv *.txt);;All files (*)"
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        try:
            content = pos_import.read_file(path)
        except OSError as exc:
            show_message(self.message, f"Cannot read {path.name}: {exc.strerror or exc}")
            return
        self.file_label.setText(path.name)
        self.load_text(content)

    def load_text(self, content: str) -> None:
        """Read the file's text and ask the engine for its matches."""
        zone = ZoneInfo(self._plan.time_zone)
        self.rows = pos_import.read_rows(content, self._plan.night, zone)
        self.import_button.setEnabled(False)
        show_message(self.message, "")
        if not self.rows:
            self.summary.setText("The file has no rows.")
            self._show([])
            return
        self.summary.setText(f"Matching {len(self.rows)} rows…")
        self._ops.query(
            partial(_match, self._plan, self.rows),
            owner=self,
            done=self._show,
            failed=self._refused,
        )

    def _show(self, matches: list[TillMatch]) -> None:
        self.matches = matches
        matched = [m for m in matches if m.matched]
        new = [m for m in matched if not m.already]
        self.table.setRowCount(len(matched))
        for i, m in enumerate(matched):
            cells = (
                str(m.line),
                m.reference or "",
                m.customer_name or "",
                m.table_names or "",
                text.money(m.amount) if m.amount is not None else "",
                "Imported before" if m.already else "",
            )
            for j, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if j in (0, 4):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.unmatched.clear()
        for m in matches:
            if not m.matched:
                self.unmatched.addItem(f"Line {m.line}: {m.reason}")
        total = sum((m.amount or Decimal(0) for m in new), start=Decimal(0))
        if matches:
            self.summary.setText(
                f"{len(new)} to import ({text.money(total)}), "
                f"{len(matched) - len(new)} imported before, "
                f"{len(matches) - len(matched)} not matched."
            )
        self.import_button.setEnabled(bool(new))
        self.import_button.setText(f"Import {len(new)}" if new else "Import")

    def _refused(self, exc: Exception) -> None:
        self.summary.setText("")
        show_message(self.message, exc.message if isinstance(exc, Refused) else str(exc))

    # ---- importing --------------------------------------------------------

    def start_import(self) -> None:
        if not self.import_button.isEnabled():
            return
        self.import_button.setEnabled(False)
        booking_ids = frozenset(m.booking_id for m in self.matches if m.booking_id is not None)
        change = Change(
            venue_id=self._plan.venue_id,
            night=self._plan.night,
            booking_ids=booking_ids,
            table_ids=frozenset(
                t for b in self._plan.bookings if b.id in booking_ids for t in b.table_ids
            ),
            kinds=frozenset({"spend"}),
        )
        self._ops.mutate(
            partial(_import, self._plan, self.rows),
            owner=self,
            changes=lambda _result: change,
            done=self._imported,
            failed=self._refused,
        )

    def _imported(self, result: TillImport) -> None:
        said = f"Till spend imported: {result.imported} rows" + (
            f", {result.already} imported before" if result.already else ""
        )
        self.imported.emit(said)
        self.accept()


def _match(plan: NightPlan, rows: list[TillRow], desk: Desk) -> list[TillMatch]:
    return pos_import.match_rows(desk, plan.night, rows)


def _import(plan: NightPlan, rows: list[TillRow], desk: Desk) -> TillImport:
    return pos_import.import_rows(desk, plan.night, rows)
