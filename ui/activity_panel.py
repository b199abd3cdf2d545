"""The night's live activity, and the side panel: the selected booking above,
the live activity and the waitlist (ui.waitlist_panel) in tabs below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QFrame,
    QListView,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.plan import Change, NightPlan
from ui import text
from ui.panels import BookingPanel

# ---- live activity ---------------------------------------------------------

KIND_WORDS: dict[str, str] = {
    "booked": "New booking",
    "moved": "Moved",
    "status": "Status",
    "updated": "Details updated",
    "deleted": "Deleted",
    "tables": "Tables changed",
    "hold": "Being booked",
    "released": "Hold released",
    "spend": "Spend recorded",
    "waitlist": "Waitlist changed",
    "blocked": "Table blocked",
    "unblocked": "Table unblocked",
}
_KIND_ORDER = [
    "booked",
    "moved",
    "status",
    "deleted",
    "updated",
    "spend",
    "tables",
    "hold",
    "released",
    "blocked",
    "unblocked",
    "waitlist",
]


@dataclass
class Activity:
    """One change as it arrived, and its line once the night read after it
    has named it (a line never changes after that: history stays as it was)."""

    at: datetime
    change: Change
    line: str | None = None


Lookup = Callable[[UUID], str | None]


class ActivityModel(QAbstractListModel):
    """Changes to the night on screen, newest first, one line per change,
    with the time it arrived.  Every night's lines are kept while the window
    is open: going to another night and back shows them again."""

    LIMIT = 200

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._nights: dict[date, list[Activity]] = {}
        self._night: date | None = None
        self._items: list[Activity] = []  # the night on screen's, newest first
        self._zone = ZoneInfo("Europe/London")
        self._plan: NightPlan | None = None

    def add(self, change: Change, at: datetime | None = None) -> None:
        """Note ``change`` (of any night); its line is written when that night is next read."""
        if change.night is None:
            return  # the venue's layout: not a night's activity
        items = self._nights.setdefault(change.night, [])
        shown = change.night == self._night
        if shown:
            self.beginInsertRows(QModelIndex(), 0, 0)
        items.insert(0, Activity(at or datetime.now(UTC), change))
        if shown:
            self.endInsertRows()
        if len(items) > self.LIMIT:
            if shown:
                self.beginRemoveRows(QModelIndex(), self.LIMIT, len(items) - 1)
            del items[self.LIMIT :]
            if shown:
                self.endRemoveRows()

    def show_night(self, night: date) -> None:
        """The lines of ``night``: the night now on screen."""
        if night == self._night:
            return
        self.beginResetModel()
        self._night = night
        self._items = self._nights.setdefault(night, [])
        self._plan = None
        self.endResetModel()

    def clear(self) -> None:
        """Forget the night on screen's lines."""
        self.beginResetModel()
        self._items.clear()
        self.endResetModel()

    def set_plan(self, plan: NightPlan, *, settled: bool = True) -> None:
        """The night as read.  ``settled`` (no change arrived while it was
        read): the lines still to be written are written from it, and stay."""
        self.show_night(plan.night)
        self._plan = plan
        self._zone = ZoneInfo(plan.time_zone)
        pending = [a for a in self._items if a.line is None]
        if not pending or not settled:
            if self._items:
                self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1))
            return
        named: set[UUID] = set()
        for activity in pending:  # newest first
            activity.line = self._describe(activity.change, plan, named)
            if "status" in activity.change.kinds:
                named |= activity.change.booking_ids
        self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1))

    def describe(self, activity: Activity) -> str:
        if activity.line is not None:
            return activity.line
        return self._describe(activity.change, self._plan, set())

    def _describe(self, change: Change, plan: NightPlan | None, named: set[UUID]) -> str:
        """``change`` in a line.  A status says what the booking is now, unless a
        later change in the same read already did (``named``): then just
        "Status changed", never the later status twice."""
        kinds = [k for k in _KIND_ORDER if k in change.kinds]
        if "booked" in kinds or "moved" in kinds:
            # a booking's own hold taken and let go on the way
            kinds = [k for k in kinds if k not in ("tables", "hold", "released")]
        words = []
        bookings = {b.id: b for b in plan.bookings} if plan else {}
        for kind in kinds[:2]:
            word = KIND_WORDS.get(kind, kind)
            if kind == "status" and len(change.booking_ids) == 1:
                booking_id = next(iter(change.booking_ids))
                b = bookings.get(booking_id)
                if b is not None and booking_id not in named:
                    word = f"Now {b.status.label.lower()}"
                else:
                    word = "Status changed"
            words.append(word)
        tables = {t.id: t.name for t in plan.tables} if plan else {}
        guests = [bookings[i].customer_name for i in change.booking_ids if i in bookings]
        where = sorted(tables[t] for t in change.table_ids if t in tables)
        parts = [" · ".join(words) or "Changed"]
        if guests:
            more = f" +{len(guests) - 2}" if len(guests) > 2 else ""
            parts.append(", ".join(sorted(guests)[:2]) + more)
        if where:
            more = f" +{len(where) - 3}" if len(where) > 3 else ""
            parts.append(", ".join(where[:3]) + more)
        return " — ".join(parts)

    def lines(self) -> list[str]:
        """The night on screen's lines, newest first (as shown, without times)."""
        return [self.describe(a) for a in self._items]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        activity = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{text.clock(activity.at, self._zone)}   {self.describe(activity)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            kinds = ", ".join(sorted(activity.change.kinds))
            return f"{activity.at.astimezone(self._zone):%H:%M:%S} · {kinds}"
        return None


class ActivityPanel(QWidget):
    def __init__(self, model: ActivityModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.list = QListView(self)
        self.list.setObjectName("ActivityList")
        self.list.setModel(model)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(False)
        self.list.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.list, 1)


class SidePanel(QFrame):
    def __init__(
        self, booking: BookingPanel, activity: ActivityPanel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SidePanel")
        self.setMinimumWidth(340)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(18)
        # Below the booking: what every desk did, and the door's waitlist
        # (ui.waitlist_panel adds its tab), one at a time, so that the grid
        # keeps the window's height at 1,024 x 768.  A booking shown gets two
        # thirds of the height, whatever the tabs would like.
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("SideTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(activity, "Live activity")
        self.tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.tabs.setMinimumHeight(7 * self.fontMetrics().lineSpacing())
        layout.addWidget(booking, 0)
        layout.addWidget(self.tabs, 1)

        def share(shown: bool) -> None:  # nothing selected: the tabs take the room
            layout.setStretchFactor(booking, 2 if shown else 0)

        booking.shown.connect(share)
