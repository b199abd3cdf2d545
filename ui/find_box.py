"""Find a guest or a booking: the toolbar's search box.

Enter searches upcoming bookings (from yesterday on) by name, phone, email
or reference; one match jumps to it (``jump_wanted``), several open a menu.
Typing on the grid starts here (``type_from_grid``), as in most desktop
apps: a name typed on the grid becomes a search, never a shortcut.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget

from frontdesk.desk import BookingMatch, Desk
from ui import text, theme
from ui.ops import Ops


class FindBox(QObject):
    jump_wanted = Signal(object)  # BookingMatch
    message = Signal(str)  # for the status bar

    def __init__(self, ops: Ops, colours: theme.Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self._ops = ops
        self._parent = parent
        self._from_grid = ""  # what typing on the grid has put in the box so far
        self.search = QLineEdit(parent)
        self.search.setPlaceholderText("Find a guest or a booking reference")
        self.search.setToolTip("Name, phone, email or booking reference; Enter to search")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(380)
        self.search.addAction(
            theme.icon("search", colours.muted), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search.returnPressed.connect(self.find)

    def set_reference_prefix(self, prefix: str) -> None:
        self.search.setPlaceholderText(f"Find a guest or a {prefix}- reference")

    def focus(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def type_from_grid(self, typed: str) -> None:
        """A key typed on the grid: start (or carry on) a search with it."""
        if self.search.text() != self._from_grid:
            self.search.clear()  # an earlier search: this is a new one
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search.end(False)
        self.search.insert(typed)
        self._from_grid = self.search.text()

    def find(self) -> None:
        typed = self.search.text().strip()
        self._from_grid = ""
        if not typed:
            return
        desk = self._ops.desk
        since = datetime.now(desk.time_zone).date() - timedelta(days=1)
        self._ops.query(
            partial(_find_bookings, typed, since),
            owner=self,
            done=partial(self._found, typed),
        )

    def _found(self, typed: str, matches: list[BookingMatch]) -> None:
        if not matches:
            self.message.emit(f"No upcoming booking for “{typed}”.")
            return
        if len(matches) == 1:
            self.jump_wanted.emit(matches[0])
            return
        menu = QMenu(self._parent)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        zone = self._ops.desk.time_zone
        for m in matches[:20]:
            label = (
                f"{m.night:%a %d %b} {text.clock(m.starts_at, zone)} · {m.customer_name} · "
                f"{text.party(m.party_size)} · {', '.join(m.table_names)} · {m.status.label}"
            )
            action = menu.addAction(label)
            action.setData(m)
        menu.triggered.connect(self._chosen)
        menu.popup(self.search.mapToGlobal(QPoint(0, self.search.height())))

    def _chosen(self, action: QAction) -> None:
        match = action.data()
        if isinstance(match, BookingMatch):
            self.jump_wanted.emit(match)


def _find_bookings(typed: str, since: date, desk: Desk) -> list[BookingMatch]:
    return desk.find_bookings(typed, from_night=since, limit=30)
