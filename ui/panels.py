"""The side panel: the selected booking with its actions, and the night's live activity."""

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
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.plan import Booking, Change, NightPlan
from ui import text
from ui.guest_card import GuestCard
from ui.spend_dialog import money_lines
from ui.theme import LIGHT, Theme


def _heading(label: str) -> QLabel:
    heading = QLabel(label.upper())
    heading.setObjectName("PanelHeading")
    return heading


class BookingPanel(QWidget):
    """The selected booking, in full, with buttons for what can be done next."""

    #: Whether a booking is shown (False: only the hint to click one).
    shown = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self._booking: Booking | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(_heading("Selected booking"))
        self._empty = QLabel("Click a booking to see it here.\nSelect empty cells to book.")
        self._empty.setObjectName("Hint")
        self._empty.setWordWrap(True)
        layout.addWidget(self._empty)
        self._details = QWidget(self)
        details = QVBoxLayout(self._details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(6)
        top = QHBoxLayout()
        self.guest = QLabel()
        self.guest.setObjectName("GuestName")
        self.guest.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("StatusPill")
        self.status.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        top.addWidget(self.guest, 1)
        top.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        details.addLayout(top)
        # The guest's card and the fields scroll when the window is short
        # (1,024 x 768, the waitlist open): a line is never squeezed out of
        # sight, and the buttons below stay in view.
        self.fields_area = QScrollArea(self._details)
        self.fields_area.setObjectName("BookingFields")
        self.fields_area.setWidgetResizable(True)
        self.fields_area.setFrameShape(QFrame.Shape.NoFrame)
        self.fields_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields_area.viewport().setAutoFillBackground(False)
        fields = QWidget(self.fields_area)
        inner = QVBoxLayout(fields)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(6)
        self.guest_card = GuestCard(fields)  # tags, history, notes (ui.guest_card)
        inner.addWidget(self.guest_card)
        self._form = QFormLayout()
        inner.addLayout(self._form)
        inner.addStretch(1)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setHorizontalSpacing(12)
        self._form.setVerticalSpacing(2)
        self._fields: dict[str, QLabel] = {}
        for key in (
            "When",
            "Tables",
            "Party",
            "Phone",
            "Date of birth",
            "Deposit",
            "Min spend",
            "Spend",
            "Left to min",
            "Reference",
            "Occasion",
            "Requests",
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._fields[key] = value
            label = QLabel(key)
            label.setObjectName("Hint")
            self._form.addRow(label, value)
        self.fields_area.setWidget(fields)
        fields.setAutoFillBackground(False)  # setWidget turns it on: the panel's colour
        details.addWidget(self.fields_area, 1)
        self._buttons = QGridLayout()
        self._buttons.setSpacing(6)
        details.addLayout(self._buttons)
        layout.addWidget(self._details, 1)
        self._details.hide()

    def add_actions(self, actions: list[QAction]) -> None:
        """Buttons that trigger (and follow the state of) the window's actions."""
        for i, action in enumerate(actions):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(34)
            self._buttons.addWidget(button, i // 2, i % 2)

    def add_money_actions(self, actions: list[QAction]) -> None:
        """Buttons for the booking's money (record spend, deposit), under its
        money lines: they scroll with the details, so the status buttons
        below keep their room at 1,024 x 768."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 4, 0, 4)
        row.setSpacing(6)
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(30)
            row.addWidget(button)
        # after the money lines ("Left to min" is the last of them)
        index = list(self._fields).index("Left to min")
        self._form.insertRow(index + 1, row)

    def field_labels(self) -> dict[str, QLabel]:
        """The detail lines' values by their label ("When", "Date of birth"...)."""
        return dict(self._fields)

    @property
    def booking(self) -> Booking | None:
        return self._booking

    def show_booking(self, booking: Booking | None, tables: list[str], zone: ZoneInfo) -> None:
        self._booking = booking
        self._details.setVisible(booking is not None)
        self._empty.setVisible(booking is None)
        self.shown.emit(booking is not None)
        if booking is None:
            return
        colours = self.theme.status(booking.status)
        self.guest.setText(booking.customer_name)
        self.guest_card.show_guest(booking.customer_id)
        self.status.setText(text.status_text(booking.status))
        self.status.setStyleSheet(
            f"background: {colours.fill}; color: {colours.text};"
            f" border: 1px solid {colours.border};"
        )
        f = self._fields
        f["When"].setText(text.span(booking.starts_at, booking.ends_at, zone))
        f["Tables"].setText(", ".join(tables))
        f["Party"].setText(text.party(booking.party_size))
        f["Phone"].setText(text.phone(booking.customer_phone) or "—")
        born = booking.customer_date_of_birth
        f["Date of birth"].setText(f"{born:%d/%m/%Y}" if born else "—")
        deposit, spent, left = money_lines(booking)
        f["Deposit"].setText(deposit)
        f["Min spend"].setText(text.money(booking.min_spend))
        f["Spend"].setText(spent)
        f["Left to min"].setText(left)
        f["Reference"].setText(booking.reference)
        f["Occasion"].setText(booking.occasion or "—")
        f["Requests"].setText(booking.special_requests or "—")


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
