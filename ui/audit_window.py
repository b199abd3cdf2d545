"""The manager's audit log window: who changed what, when and where, with
filters, a page at a time, and CSV.

Filters: the days (venue time), staff, terminal, a booking's reference (or
its start) and the kind of change.  The database filters and pages
(``frontdesk.audit_log``, keyset pages of 100, newest first); the window
reads off the UI thread through ``Ops`` and shows each change as the fields
that changed, in words ("status confirmed → seated", "table Booth 3 →
Booth 14", "£45 — bottle of Grey Goose", "Tag VIP added").  Export CSV…
writes every change the filters match, not only the page on show.  The
engine refuses anyone but a manager; a refusal is shown in the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk import audit_log
from frontdesk.audit_log import AuditFilter, AuditPage, PageKey
from frontdesk.desk import Desk, StaffMember
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from ui.audit_filters import KIND_CHOICES, AuditFilterBar
from ui.audit_model import AuditModel
from ui.ops import Ops

# The filter bar and the table model have their own modules; importable from here too.
__all__ = ["KIND_CHOICES", "AuditModel", "AuditWindow", "ask_save_path", "open_audit_window"]

#: Typing pauses this long before the filters apply.
FILTER_MS = 400


class AuditWindow(QDialog):
    """Filters on top, the page in the middle, Newer/Older and Export CSV…."""

    def __init__(
        self,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        page_size: int = audit_log.PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._clock = clock or _utc_now
        self._page_size = page_size
        self._seq = 0
        #: Where each page shown so far starts (None: the newest).
        self._starts: list[PageKey | None] = [None]
        self._next: PageKey | None = None
        self.ask_save_path: Callable[[QWidget, str, str, str], str] = ask_save_path
        self.folder = Path.home()
        self.setWindowTitle("Audit log")
        self.setMinimumSize(1100, 640)
        self._build()
        today = self.today()
        self.set_days(today - timedelta(days=1), today)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_MS)
        self._filter_timer.timeout.connect(self.refresh)
        self.filters.changed.connect(self._filters_changed)
        self.filters.submitted.connect(self.refresh)
        self.newer_button.clicked.connect(self.newer)
        self.older_button.clicked.connect(self.older)
        self.export_button.clicked.connect(self.export_csv)
        self.close_button.clicked.connect(self.reject)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.filters = AuditFilterBar(self)
        self.first, self.last = self.filters.first, self.filters.last
        self.staff, self.terminal = self.filters.staff, self.filters.terminal
        self.booking, self.kind = self.filters.booking, self.filters.kind
        layout.addWidget(self.filters)
        self.model = AuditModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Changes")
        layout.addWidget(self.table, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.newer_button = QPushButton("‹ Newer", self)
        self.older_button = QPushButton("Older ›", self)
        self.page_label = QLabel("", self)
        self.export_button = QPushButton("Export CSV…", self)
        self.close_button = QPushButton("Close", self)
        for button in (self.newer_button, self.older_button, self.export_button, self.close_button):
            button.setAutoDefault(False)  # Return in a filter box reads, it closes nothing
            button.setMinimumWidth(button.sizeHint().width() + 24)
        row.addWidget(self.newer_button)
        row.addWidget(self.page_label)
        row.addWidget(self.older_button)
        row.addStretch(1)
        row.addWidget(self.export_button)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.newer_button.setEnabled(False)
        self.older_button.setEnabled(False)

    # ---- filters -----------------------------------------------------------

    def today(self) -> date:
        return self._clock().astimezone(self._ops.desk.time_zone).date()

    def set_days(self, first: date, last: date) -> None:
        self.filters.set_days(first, last)

    def set_staff_names(self, people: Sequence[StaffMember]) -> None:
        self.filters.set_staff_names(people)

    def current_filter(self) -> AuditFilter:
        """The filters as the engine takes them: whole days in the venue's time."""
        return self.filters.current_filter(self._ops.desk.time_zone)

    def _filters_changed(self) -> None:
        self._filter_timer.start()

    # ---- pages -------------------------------------------------------------

    def refresh(self) -> None:
        """Read the first (newest) page for the filters."""
        self._filter_timer.stop()
        self._starts = [None]
        self._read()

    def older(self) -> None:
        if self._next is not None:
            self._starts.append(self._next)
            self._read()

    def newer(self) -> None:
        if len(self._starts) > 1:
            self._starts.pop()
            self._read()

    @property
    def page_number(self) -> int:
        return len(self._starts)

    def _read(self) -> None:
        try:
            wanted = self.current_filter()
            audit_log.booking_query(wanted.booking)
        except InvalidInput as exc:
            self._say(exc.message)
            return
        self._seq += 1
        self._say("Reading…")
        self.newer_button.setEnabled(False)
        self.older_button.setEnabled(False)
        self._ops.query(
            partial(_page, wanted, self._starts[-1], self._page_size),
            owner=self,
            done=partial(self._show, self._seq),
            failed=partial(self._failed, self._seq),
        )

    def _show(self, seq: int, page: AuditPage) -> None:
        if seq != self._seq:
            return  # the filters changed meanwhile
        self.model.set_changes(page.changes)
        self._next = page.next_key
        self.newer_button.setEnabled(self.page_number > 1)
        self.older_button.setEnabled(page.next_key is not None)
        first = (self.page_number - 1) * self._page_size + 1
        if page.changes:
            shown = f"changes {first:,}–{first + len(page.changes) - 1:,}"
        else:
            shown = "no changes"
        self.page_label.setText(f"Page {self.page_number} · {shown}")
        self._say("" if page.changes else "No change matches these filters.")
        self.table.scrollToTop()

    def _failed(self, seq: int, exc: Exception) -> None:
        if seq == self._seq:
            self.newer_button.setEnabled(self.page_number > 1)
            self._say(_failure_words(exc))

    # ---- CSV ---------------------------------------------------------------

    def export_csv(self) -> None:
        """Every change the filters match (not only this page), as CSV."""
        try:
            wanted = self.current_filter()
            audit_log.booking_query(wanted.booking)
        except InvalidInput as exc:
            self._say(exc.message)
            return
        name = f"audit-{wanted.since:%Y-%m-%d}-to-{wanted.until - timedelta(days=1):%Y-%m-%d}.csv"
        chosen = self.ask_save_path(
            self, "Export audit log", str(self.folder / name), "CSV (*.csv)"
        )
        if not chosen:
            return
        path = Path(chosen)
        self.folder = path.parent
        self._say("Exporting…")
        self._ops.query(
            partial(_export, wanted, path),
            owner=self,
            done=partial(self._exported, path),
            failed=self._export_failed,
        )

    def _exported(self, path: Path, count: int) -> None:
        self._say(f"Saved {count:,} changes to {path}")

    def _export_failed(self, exc: Exception) -> None:
        if isinstance(exc, OSError):
            self._say(f"Couldn't save: {exc.strerror or exc}")
        else:
            self._say(_failure_words(exc))

    def _say(self, words: str) -> None:
        self.message.setText(words)

    def done(self, result: int) -> None:
        self._filter_timer.stop()
        super().done(result)


def _failure_words(exc: Exception) -> str:
    if isinstance(exc, (Refused, InvalidInput)):
        return exc.message
    if isinstance(exc, ServerUnavailable):
        return "The database cannot be reached just now; try again when it is back."
    return f"Something went wrong ({type(exc).__name__}); it has been logged."


# The calls, as functions of the desk (Ops passes it), arguments bound first.


def _page(wanted: AuditFilter, after: PageKey | None, size: int, desk: Desk) -> AuditPage:
    return audit_log.fetch_page(desk, wanted, after, size)


def _export(wanted: AuditFilter, path: Path, desk: Desk) -> int:
    return audit_log.write_csv(path, audit_log.all_changes(desk, wanted))


def _staff(desk: Desk) -> list[StaffMember]:
    return desk.staff_list()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def ask_save_path(parent: QWidget, caption: str, suggested: str, filter_: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filter_)
    return path


def open_audit_window(
    parent: QWidget,
    ops: Ops,
    *,
    booking: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AuditWindow:
    """Open the Audit log (not modal; deleted when closed): yesterday and
    today, or, given a booking's reference, that booking's whole history."""
    window = AuditWindow(ops, parent, clock=clock)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if booking:
        window.booking.blockSignals(True)
        window.booking.setText(booking)
        window.booking.blockSignals(False)
        window.set_days(date(2000, 1, 1), window.today() + timedelta(days=1))
        window.kind.blockSignals(True)
        window.kind.setCurrentIndex(1)  # everything
        window.kind.blockSignals(False)
    window.show()
    window.table.setFocus()
    ops.query(_staff, owner=window, done=window.set_staff_names, failed=_ignore)
    window.refresh()
    return window


def _ignore(_exc: Exception) -> None:
    """The staff list only helps typing; the box takes any name without it."""
