"""The manager's reports window: a range of nights, its figures by night,
weekday and source as tables and charts, and CSV.

The figures are the database's (``frontdesk.reports.load_report``), read
off the UI thread through ``Ops``; the window only lays them out.  The
engine refuses anyone but a manager (the menu offers the window to managers
only, but that is not what keeps hosts out): a refusal is shown in the
window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk import reports
from frontdesk.desk import Desk
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from frontdesk.reports import Figures, Report
from ui.charts import ALERT_RED, BarChart, ChartData, Series
from ui.ops import Ops

Index = QModelIndex | QPersistentModelIndex

#: The ranges offered first: (label, a function of today giving first, last).
PRESETS: list[tuple[str, Callable[[date], tuple[date, date]]]] = [
    ("Last 7 nights", lambda today: (today - timedelta(days=7), today - timedelta(days=1))),
    ("Last 30 nights", lambda today: (today - timedelta(days=30), today - timedelta(days=1))),
    ("This month", lambda today: (today.replace(day=1), today)),
    ("Last 12 months", lambda today: (today - timedelta(days=365), today - timedelta(days=1))),
    ("This year", lambda today: (today.replace(month=1, day=1), today)),
    (
        "Last year",
        lambda today: (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    ),
]
CUSTOM = "Chosen dates"

#: The tables' columns after the first: (header, how a Figures reads).
COLUMNS: list[tuple[str, Callable[[Figures, str], str]]] = [
    ("Nights", lambda f, c: f"{f.nights:,}"),
    ("Bookings", lambda f, c: f"{f.bookings:,}"),
    ("Covers", lambda f, c: f"{f.covers:,}"),
    ("Walk-ins", lambda f, c: f"{f.walk_ins:,}"),
    ("Cancelled", lambda f, c: f"{f.cancellations:,}"),
    ("No-shows", lambda f, c: f"{f.no_shows:,}"),
    ("No-show rate", lambda f, c: reports.rate_text(f.no_show_rate)),
    ("Deposits", lambda f, c: reports.money_text(f.deposits, c)),
    ("Min spend committed", lambda f, c: reports.money_text(f.min_spend, c)),
]
#: The tabs: (title, the first column's header and CSV name, the report's rows).
TABS: list[tuple[str, str, Callable[[Report], Sequence[Figures]]]] = [
    ("By night", "night", lambda r: r.by_night),
    ("By weekday", "weekday", lambda r: r.by_weekday),
    ("By source", "source", lambda r: r.by_source),
]


class FiguresModel(QAbstractTableModel):
    """A report's rows and, last, its total (in bold)."""

    def __init__(self, first_header: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first = first_header
        self._rows: list[Figures] = []
        self._currency = "GBP"

    def set_rows(self, rows: Sequence[Figures], total: Figures | None, currency: str) -> None:
        self.beginResetModel()
        self._rows = [*rows, *([total] if total is not None else [])]
        self._currency = currency
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._first.capitalize() if section == 0 else COLUMNS[section - 1][0]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        figures = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return figures.label
            return COLUMNS[index.column() - 1][1](figures, self._currency)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() == len(self._rows) - 1:
            font = QFont()
            font.setBold(True)
            return font
        return None


class _Tab(QWidget):
    def __init__(self, first_header: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        title = "Bookings per night" if first_header == "night" else f"Bookings by {first_header}"
        self.chart = BarChart(title, self)
        layout.addWidget(self.chart, 2)
        self.model = FiguresModel(first_header, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(90)
        self.table.setColumnHidden(1, first_header == "night")  # one night each
        self.table.setAccessibleName(f"Figures {first_header}")
        layout.addWidget(self.table, 3)

    def show_rows(self, rows: Sequence[Figures], total: Figures, currency: str) -> None:
        self.model.set_rows(rows, total, currency)
        self.chart.set_data(chart_data(rows, short=len(rows) > 14))


def chart_data(rows: Sequence[Figures], *, short: bool = False) -> ChartData:
    """Bookings as bars, those cancelled or no-shows drawn over them in red,
    covers as a line on its own scale."""
    labels = [_short_label(f) if short else f.label for f in rows]
    return ChartData(
        labels=labels,
        bars=(
            Series("Bookings", [f.bookings for f in rows]),
            Series(
                "Cancelled or no-show",
                [f.cancellations + f.no_shows for f in rows],
                colour=ALERT_RED,
            ),
        ),
        line=Series("Covers", [f.covers for f in rows], colour="#2a9d57"),
        notes=[f.label for f in rows] if short else (),
    )


def _short_label(f: Figures) -> str:
    if f.night is not None:
        return f"{f.night.day} {f.night:%b}"
    return f.label[:3]


class ReportsWindow(QDialog):
    """Choose nights, Show, read; Export CSV… saves the tab on show."""

    def __init__(
        self,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._clock = clock or _utc_now
        self._seq = 0
        self._setting_range = False
        self.report: Report | None = None
        self.ask_save_path: Callable[[QWidget, str, str, str], str] = ask_save_path
        self.folder = Path.home()
        self.setWindowTitle("Reports")
        self.setMinimumSize(980, 680)
        self._build()
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.first.dateChanged.connect(self._dates_typed)
        self.last.dateChanged.connect(self._dates_typed)
        self.show_button.clicked.connect(self.run)
        self.export_button.clicked.connect(self.export_csv)
        self.close_button.clicked.connect(self.reject)
        self._preset_chosen(self.preset.currentIndex())

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.preset = QComboBox(self)
        self.preset.addItems([label for label, _ in PRESETS] + [CUSTOM])
        self.preset.setAccessibleName("Range")
        self.first = _date_edit(self, "First night")
        self.last = _date_edit(self, "Last night")
        self.show_button = QPushButton("Show", self)
        self.show_button.setObjectName("Primary")
        row.addWidget(self.preset)
        row.addSpacing(12)
        row.addWidget(QLabel("From", self))
        row.addWidget(self.first)
        row.addWidget(QLabel("to", self))
        row.addWidget(self.last)
        row.addWidget(self.show_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.totals = QLabel("", self)
        self.totals.setObjectName("SummaryFigures")
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.totals)
        self.tabs = QTabWidget(self)
        self.tab_pages = [_Tab(first, self.tabs) for _, first, _ in TABS]
        for (title, _, _), page in zip(TABS, self.tab_pages, strict=True):
            self.tabs.addTab(page, title)
        layout.addWidget(self.tabs, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setEnabled(False)
        self.close_button = QPushButton("Close", self)
        for button in (self.export_button, self.close_button):
            button.setAutoDefault(False)
        self.show_button.setDefault(True)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    # ---- the range ---------------------------------------------------------

    def today(self) -> date:
        return self._clock().astimezone(self._ops.desk.time_zone).date()

    def set_range(self, first: date, last: date) -> None:
        self._setting_range = True
        self.first.setDate(QDate(first.year, first.month, first.day))
        self.last.setDate(QDate(last.year, last.month, last.day))
        self._setting_range = False

    def chosen_range(self) -> tuple[date, date]:
        return _py_date(self.first.date()), _py_date(self.last.date())

    def _preset_chosen(self, index: int) -> None:
        if 0 <= index < len(PRESETS):
            self.set_range(*PRESETS[index][1](self.today()))

    def _dates_typed(self) -> None:
        if not self._setting_range:
            self.preset.setCurrentIndex(len(PRESETS))  # "Chosen dates"

    # ---- reading -----------------------------------------------------------

    def run(self) -> None:
        """Read the report for the chosen nights (off the UI thread)."""
        first, last = self.chosen_range()
        try:
            reports.check_range(first, last)
        except InvalidInput as exc:
            self._say(exc.message)
            return
        self._seq += 1
        self._say("Reading…")
        self.show_button.setEnabled(False)
        self._ops.query(
            partial(_load, first, last),
            owner=self,
            done=partial(self._show, self._seq),
            failed=partial(self._failed, self._seq),
        )

    def _show(self, seq: int, report: Report) -> None:
        if seq != self._seq:
            return
        self.show_button.setEnabled(True)
        self.report = report
        for (_, _, rows_of), page in zip(TABS, self.tab_pages, strict=True):
            page.show_rows(rows_of(report), report.total, report.currency)
        self.totals.setText(totals_text(report))
        self.export_button.setEnabled(True)
        self._say("")

    def _failed(self, seq: int, exc: Exception) -> None:
        if seq != self._seq:
            return
        self.show_button.setEnabled(True)
        self._say(_failure_words(exc))

    # ---- CSV ---------------------------------------------------------------

    def export_csv(self) -> None:
        report = self.report
        if report is None:
            return
        title, first_header, rows_of = TABS[self.tabs.currentIndex()]
        name = f"report-{first_header}-{report.first.isoformat()}-{report.last.isoformat()}.csv"
        chosen = self.ask_save_path(
            self, f"Export report {title.lower()}", str(self.folder / name), "CSV (*.csv)"
        )
        if not chosen:
            return
        path = Path(chosen)
        self.folder = path.parent
        try:
            count = reports.write_report_csv(path, first_header, rows_of(report), report.total)
        except OSError as exc:
            self._say(f"Couldn't save {path.name}: {exc.strerror or exc}")
            return
        self._say(f"Saved {count} rows to {path}")

    def _say(self, words: str) -> None:
        self.message.setText(words)


def totals_text(report: Report) -> str:
    t = report.total
    money = report.currency
    return (
        f"{reports.range_text(report.first, report.last)} · {t.nights:,} nights · "
        f"{t.bookings:,} bookings · {t.covers:,} covers · {t.walk_ins:,} walk-ins · "
        f"{t.cancellations:,} cancelled · {t.no_shows:,} no-shows "
        f"({reports.rate_text(t.no_show_rate)}) · deposits {reports.money_text(t.deposits, money)}"
        f" · minimum spend committed {reports.money_text(t.min_spend, money)}"
    )


def _failure_words(exc: Exception) -> str:
    if isinstance(exc, (Refused, InvalidInput)):
        return exc.message
    if isinstance(exc, ServerUnavailable):
        return "The database cannot be reached just now; try again when it is back."
    return f"Something went wrong ({type(exc).__name__}); it has been logged."


def _load(first: date, last: date, desk: Desk) -> Report:
    return reports.load_report(desk, first, last)


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


def _utc_now() -> datetime:
    return datetime.now(UTC)


def ask_save_path(parent: QWidget, caption: str, suggested: str, filter_: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filter_)
    return path


def open_reports_window(
    parent: QWidget, ops: Ops, *, clock: Callable[[], datetime] | None = None
) -> ReportsWindow:
    """Open the Reports window (not modal; deleted when closed) and read the
    first range offered (the last 7 nights)."""
    window = ReportsWindow(ops, parent, clock=clock)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    window.tabs.setFocus()
    window.run()
    return window
