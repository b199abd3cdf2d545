"""The door's waitlist, live on every desk: a tab beside the live activity.

Each waiting party with how long it has waited against the wait quoted
(over the quote: red, and marked "over" in words), the night's average
wait, and Add… (Insert), Seat… (Enter: tables free now, then a walk-in
booking), Left (Delete).  The list is the engine's (frontdesk.waitlist):
read off the UI thread, and read again when the change feed says the
waitlist changed at any desk (``apply_changes``, the same path as the grid).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk import waitlist
from frontdesk.desk import Desk
from frontdesk.plan import Change
from frontdesk.waitlist import WaitlistEntry, WaitlistNight
from ui.ops import Ops
from ui.waitlist_dialogs import AddToWaitlistDialog, SeatDialog

if TYPE_CHECKING:
    from ui.mainwindow import MainWindow

OVER_COLOUR = QColor("#b3261e")
COLUMNS = ("Name", "Party", "Waited", "Notes")  # "Waited": minutes waited / quoted


def waited_text(entry: WaitlistEntry, now: datetime) -> str:
    minutes = int(entry.waited(now).total_seconds() // 60)
    if entry.quoted_minutes is None:
        return f"{minutes} min"
    if entry.over_quote(now):
        over = max(1, minutes - entry.quoted_minutes)
        return f"{minutes} / {entry.quoted_minutes} min · over by {over}"
    return f"{minutes} / {entry.quoted_minutes} min"


class WaitlistModel(QAbstractTableModel):
    """The waiting parties, first come first."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.clock = clock
        self.entries: list[WaitlistEntry] = []

    def set_entries(self, entries: Iterable[WaitlistEntry]) -> None:
        self.beginResetModel()
        self.entries = sorted(
            (e for e in entries if e.is_waiting), key=lambda e: (e.added_at, e.name)
        )
        self.endResetModel()

    def tick(self) -> None:
        if self.entries:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self.entries) - 1, 2))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        e, now = self.entries[index.row()], self.clock()
        if role == Qt.ItemDataRole.DisplayRole:
            return (e.name, str(e.party_size), waited_text(e, now), e.notes or "")[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and e.over_quote(now):
            return QBrush(OVER_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and (e.phone or e.notes):
            return "\n".join(x for x in (e.phone, e.notes) if x)
        if role == Qt.ItemDataRole.UserRole:
            return e
        return None


class WaitlistPanel(QWidget):
    """The list, the average wait, and the buttons."""

    message = Signal(str)
    #: How many parties are waiting, whenever the list is shown again.
    waiting_changed = Signal(int)

    def __init__(
        self,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("WaitlistPanel")
        self._ops = ops
        # Waits are counted on the engine's clock (its "now" when the list
        # was read, plus the time since), not this PC's: a desk whose clock
        # is a few minutes off still says who is over their quote.
        self.clock: Callable[[], datetime] = clock or self._engine_now
        self.night: WaitlistNight | None = None
        self._read_at = time.monotonic()
        self._loading = False
        self._stale = False
        self.loads = 0
        self.model = WaitlistModel(lambda: self.clock())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.summary = QLabel("", self)
        self.summary.setObjectName("Hint")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # In the side panel's width: the name and the party in full, the wait
        # in what is left (red when over the quote, whatever fits of the
        # words); the notes and the phone show when the pointer rests on the
        # party.
        header = self.table.horizontalHeader()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # "… · over by 15" goes to a second line rather than out of sight
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnHidden(3, True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.doubleClicked.connect(self.seat_selected)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add…", self)
        self.seat_button = QPushButton("&Seat…", self)
        self.left_button = QPushButton("&Left", self)
        for button, slot, tip in (
            (self.add_button, self.add_party, "Put a party on the waitlist (Insert)"),
            (self.seat_button, self.seat_selected, "Seat the party chosen at a free table (Enter)"),
            (self.left_button, self.mark_left, "The party chosen has gone (Delete)"),
        ):
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        for key, slot in (
            ("Ins", self.add_party),
            ("Return", self.seat_selected),
            ("Del", self.mark_left),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.table.addAction(action)
        self.confirm_left: Callable[[WaitlistEntry], bool] = self._ask_left
        self.add_dialog: Callable[[], AddToWaitlistDialog] = self._new_add_dialog
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self._show_summary()

    # ---- reading ---------------------------------------------------------

    def reload(self) -> None:
        if self._loading:
            self._stale = True
            return
        self._loading, self._stale = True, False
        self._ops.query(_night, owner=self, done=self._loaded, failed=self._failed)

    def _loaded(self, night: WaitlistNight) -> None:
        self._loading = False
        self.loads += 1
        selected = self.selected()
        self.night, self._read_at = night, time.monotonic()
        self.model.set_entries(night.entries)
        if selected is not None:
            self.select(selected.id)
        self._show_summary()
        if self._stale:
            self.reload()

    def _failed(self, exc: Exception) -> None:
        self._loading = False
        self.message.emit(getattr(exc, "message", None) or str(exc))

    def apply_changes(self, changes: Iterable[Change], _initiator: object = None) -> None:
        """A change at any desk: read the list again when it is the waitlist's."""
        if any("waitlist" in c.kinds for c in changes):
            self.reload()

    def tick(self) -> None:
        self.model.tick()
        self._show_summary()

    def _engine_now(self) -> datetime:
        if self.night is None:
            return _utc_now()
        return self.night.now + timedelta(seconds=time.monotonic() - self._read_at)

    def _show_summary(self) -> None:
        night = self.night
        waiting = len(self.model.entries)
        over = sum(1 for e in self.model.entries if e.over_quote(self.clock()))
        parts = [f"{waiting} waiting" if waiting else "Nobody waiting"]
        if over:
            parts.append(f"{over} over their quote")
        if night is not None and night.average_wait_minutes is not None:
            parts.append(f"average wait tonight {night.average_wait_minutes} min")
        self.summary.setText(" · ".join(parts))
        self.waiting_changed.emit(waiting)

    # ---- the selection -----------------------------------------------------

    def selected(self) -> WaitlistEntry | None:
        index = self.table.currentIndex()
        entry = self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None
        return entry if isinstance(entry, WaitlistEntry) else None

    def select(self, entry_id: UUID) -> None:
        for row, e in enumerate(self.model.entries):
            if e.id == entry_id:
                self.table.selectRow(row)

    # ---- doing -----------------------------------------------------------

    def add_party(self) -> None:
        """The Add dialog, open beside the list; it closes once the party is
        on it, and keeps what was typed when it is not."""
        dialog = self.add_dialog()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(lambda _id: self.reload())
        dialog.open()

    def seat_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        dialog = SeatDialog(self._ops, entry, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.seated.connect(self._seated)
        dialog.open()

    def _seated(self, name: str, reference: str) -> None:
        self.message.emit(f"{name} seated — {reference}")
        self.reload()

    def mark_left(self) -> None:
        entry = self.selected()
        if entry is None or not self.confirm_left(entry):
            return
        self._ops.mutate(
            partial(_left, entry.id),
            owner=self,
            changes=self._changed,
            done=lambda _none: self.reload(),
            failed=self._failed,
        )

    def _changed(self, _result: object) -> Change:
        return Change(
            venue_id=self._ops.desk.venue_id,
            night=self.night.night if self.night else None,
            kinds=frozenset({"waitlist"}),
        )

    def _new_add_dialog(self) -> AddToWaitlistDialog:
        return AddToWaitlistDialog(self._ops, self)

    def _ask_left(self, entry: WaitlistEntry) -> bool:
        answer = QMessageBox.question(self, "Left", f"{entry.name} has left the waitlist?")
        return answer == QMessageBox.StandardButton.Yes


def install_waitlist(window: MainWindow) -> WaitlistPanel:
    """The waitlist as a tab beside the live activity in ``window``'s side
    panel (its title counts the parties waiting), wired to its changes, its
    live feed and its sign-in; Ctrl+Shift+L shows it and puts the cursor
    in it."""
    panel = WaitlistPanel(window.ops, window)
    tabs = window.side.tabs
    tabs.addTab(panel, "Waitlist")

    def count_in_title(waiting: int) -> None:
        tabs.setTabText(tabs.indexOf(panel), f"Waitlist · {waiting}" if waiting else "Waitlist")

    panel.waiting_changed.connect(count_in_title)
    toggle = QAction("Waitlist", window)
    toggle.setShortcut(QKeySequence("Ctrl+Shift+L"))

    def show_and_focus() -> None:
        tabs.setCurrentWidget(panel)
        panel.table.setFocus()

    toggle.triggered.connect(show_and_focus)
    window.addAction(toggle)
    # In the Night menu too: every command is in a menu, and F1's sheet of
    # keys is read from the menus.
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu) and top.text().replace("&", "") == "Night":
            menu.addSeparator()
            menu.addAction(toggle)
    window.ops.changed.connect(panel.apply_changes)
    if window.live is not None:
        window.live.changes_arrived.connect(panel.apply_changes)
    window.session.signed_in.connect(lambda _who: panel.reload())
    window.connectivity.back_online.connect(panel.reload)
    panel.message.connect(window.say)
    window.waitlist = panel
    return panel


def _night(desk: Desk) -> WaitlistNight:
    return waitlist.night(desk)


def _left(entry_id: UUID, desk: Desk) -> None:
    waitlist.left(desk, entry_id)


def _utc_now() -> datetime:
    return datetime.now(UTC)
