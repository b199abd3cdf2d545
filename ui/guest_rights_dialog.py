"""The manager's "Guest data" dialog (UK GDPR): find a guest, see what is
held about them, export it as JSON, or erase it.

Every database call runs off the UI thread through ``Ops`` (query for the
reads, mutate for the erasure, whose bookings are then announced to the
grid like any other change); the calls themselves are a ``GuestDataCalls``,
functions of the desk, so tests hand in their own.  What an export holds
and what an erasure removes are the engine's (sql/engine/46_guest_rights.sql);
the engine also refuses anyone but a manager (the window should offer the
dialog to managers only, but it is not what keeps hosts out).

Choosing a guest reads their export at once: what the dialog shows is what
the file would hold.  "Export…" reads it afresh when the file is chosen;
"Erase…" asks for the guest's name to be typed, saying what goes and what
stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from frontdesk import guest_rights
from frontdesk.desk import Customer, Desk
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from frontdesk.guest_rights import GuestData, Held
from frontdesk.plan import Change
from ui import text
from ui.erase_confirmation import EraseConfirmation, confirm_erase
from ui.ops import Ops

# The erasure's confirmation lives in ui.erase_confirmation; importable from here too.
__all__ = [
    "AskSavePath",
    "ConfirmErase",
    "EraseConfirmation",
    "GuestDataCalls",
    "GuestRightsDialog",
    "ask_save_path",
    "confirm_erase",
    "describe",
    "open_guest_rights_dialog",
]

#: Typing pauses this long before the search runs.
SEARCH_MS = 250
SEARCH_LIMIT = 20


def _search(desk: Desk, typed: str) -> Sequence[Customer]:
    return desk.search_customers(typed, limit=SEARCH_LIMIT)


def _export(desk: Desk, customer_id: UUID) -> GuestData:
    return guest_rights.export_guest(desk.db, desk.venue_id, customer_id)


def _erase(desk: Desk, customer_id: UUID) -> None:
    guest_rights.erase_guest(desk.db, desk.venue_id, customer_id)


@dataclass(frozen=True)
class GuestDataCalls:
    """What the dialog asks the database.  Each blocks; the dialog runs them
    on ``Ops``' worker threads with its desk.  Refusals raise ``Refused``."""

    search: Callable[[Desk, str], Sequence[Customer]] = _search
    export: Callable[[Desk, UUID], GuestData] = _export
    erase: Callable[[Desk, UUID], None] = _erase


#: Asks where to save (parent, caption, suggested path, filter); "" for cancel.
AskSavePath = Callable[[QWidget, str, str, str], str]
#: Asks a person to confirm erasing this guest; True to go ahead.
ConfirmErase = Callable[[QWidget, Held], bool]


def ask_save_path(parent: QWidget, caption: str, suggested: str, filter_: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filter_)
    return path


class GuestRightsDialog(QDialog):
    """Find a guest; show what is held; Export… and Erase…."""

    def __init__(
        self, ops: Ops, calls: GuestDataCalls | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._calls = calls or GuestDataCalls()
        self._search_seq = 0
        self._shown_seq = 0
        self._held: Held | None = None
        self._data: GuestData | None = None
        #: Replaceable (tests): where to save, and the erasure's confirmation.
        self.ask_save_path: AskSavePath = ask_save_path
        self.confirm_erase: ConfirmErase = confirm_erase
        self.folder = Path.home()
        self.setWindowTitle("Guest data")
        self.setMinimumSize(560, 560)
        self._build()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_MS)
        self._search_timer.timeout.connect(self._search)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_now)
        self.results.currentItemChanged.connect(self._result_chosen)
        self.export_button.clicked.connect(self.export_chosen)
        self.erase_button.clicked.connect(self.erase_chosen)
        self.close_button.clicked.connect(self.reject)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "A guest may ask for a copy of what we hold about them, or for it to be erased.",
            self,
        )
        intro.setObjectName("Hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Phone, email or name")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a guest")
        layout.addWidget(self.search)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Guests found")
        layout.addWidget(self.results, 1)
        self.details = QLabel("Find a guest by phone, email or name.", self)
        self.details.setObjectName("GuestName")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # A guest with bookings, waitlist entries and spend notes has more
        # lines than a short window shows: they scroll, never cut off.
        held_area = QScrollArea(self)
        held_area.setWidget(self.details)
        held_area.setWidgetResizable(True)
        held_area.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(held_area, 2)  # the list of guests found gets the rest
        self.message = QLabel("", self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.export_button = QPushButton("Export…", self)
        self.erase_button = QPushButton("Erase…", self)
        self.close_button = QPushButton("Close", self)
        for button in (self.export_button, self.erase_button):
            button.setEnabled(False)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)

    # ---- finding a guest --------------------------------------------------

    def _search_now(self) -> None:
        self._search_timer.stop()
        self._search()

    def _search(self) -> None:
        typed = self.search.text()
        self._search_seq += 1
        if not typed.strip():
            self._show_results(self._search_seq, [])
            return
        self._ops.query(
            partial(_call_search, self._calls, typed),
            owner=self,
            done=partial(self._show_results, self._search_seq),
            failed=self._failed,
        )

    def _show_results(self, seq: int, customers: Sequence[Customer]) -> None:
        if seq != self._search_seq:
            return  # an older search answered late
        self.results.clear()
        for c in customers:
            contact = " · ".join(x for x in (text.phone(c.phone), c.email) if x)
            item = QListWidgetItem(f"{c.name} — {contact}" if contact else c.name)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.results.addItem(item)
        if not customers and self.search.text().strip():
            self._say("Nobody found.")
        else:
            self._say("")

    def _result_chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        customer_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(customer_id, UUID):
            self.show_guest(customer_id)

    def show_guest(self, customer_id: UUID) -> None:
        """Read what is held about this guest and show it."""
        self._shown_seq += 1
        self._set_chosen(None, None)
        self.details.setText("Reading…")
        self._ops.query(
            partial(_call_export, self._calls, customer_id),
            owner=self,
            done=partial(self._show_held, self._shown_seq),
            failed=self._failed,
        )

    def _show_held(self, seq: int, data: GuestData) -> None:
        if seq != self._shown_seq:
            return
        held = guest_rights.held(data)
        self._set_chosen(held, data)
        self.details.setText(describe(held))

    def _set_chosen(self, held: Held | None, data: GuestData | None) -> None:
        self._held, self._data = held, data
        self.export_button.setEnabled(held is not None)
        self.erase_button.setEnabled(held is not None and held.erased_at is None)

    @property
    def held(self) -> Held | None:
        """What is shown: the chosen guest's summary, once read."""
        return self._held

    # ---- export -----------------------------------------------------------

    def export_chosen(self) -> None:
        held = self._held
        if held is None:
            return
        suggested = self.folder / f"guest-{held.customer_id}-{date.today().isoformat()}.json"
        chosen = self.ask_save_path(self, "Export guest data", str(suggested), "JSON (*.json)")
        if not chosen:
            return
        path = Path(chosen)
        self.folder = path.parent
        self._ops.query(
            partial(_call_export, self._calls, held.customer_id),
            owner=self,
            done=partial(self._save, path),
            failed=self._failed,
        )

    def _save(self, path: Path, data: GuestData) -> None:
        try:
            guest_rights.write_export(path, data)
        except OSError as exc:
            self._say(f"Couldn't save {path.name}: {exc.strerror or exc}")
            return
        self._say(f"Saved to {path}. It holds personal data: keep it safe.")

    # ---- erase ------------------------------------------------------------

    def erase_chosen(self) -> None:
        held, data = self._held, self._data
        if held is None or data is None or held.erased_at is not None:
            return
        if not self.confirm_erase(self, held):
            return
        self.erase_button.setEnabled(False)
        self._say("Erasing…")
        self._ops.mutate(
            partial(_call_erase, self._calls, held.customer_id),
            owner=self,
            changes=partial(_changes, data),
            done=partial(self._erased, held),
            failed=self._erase_failed,
        )

    def _erased(self, held: Held, _result: None) -> None:
        self._say(f"Erased {held.name}. Their bookings are kept without personal data.")
        # the list must not go on showing what was erased
        for row in range(self.results.count()):
            item = self.results.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == held.customer_id:
                item.setText(guest_rights.ERASED_NAME)
        self.show_guest(held.customer_id)

    def _erase_failed(self, exc: Exception) -> None:
        self.erase_button.setEnabled(self._held is not None and self._held.erased_at is None)
        self._failed(exc)

    # ---- messages ---------------------------------------------------------

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, (Refused, InvalidInput)):
            self._say(exc.message)
        elif isinstance(exc, ServerUnavailable):
            self._say("The database cannot be reached just now; try again when it is back.")
        else:
            self._say(f"Something went wrong ({type(exc).__name__}); it has been logged.")
        if self.details.text() == "Reading…":
            self.details.setText("")

    def _say(self, words: str) -> None:
        self.message.setText(words)

    def done(self, result: int) -> None:
        self._search_timer.stop()
        super().done(result)


def describe(held: Held) -> str:
    """What is held about a guest, as the dialog shows it."""
    if held.erased_at is not None:
        lines = [
            f"Erased on {held.erased_at:%d %B %Y}: nothing personal is held.",
        ]
    else:
        lines = [
            held.name,
            f"Phone: {text.phone(held.phone) or '—'}",
            f"Email: {held.email or '—'}",
            f"Date of birth: {f'{held.date_of_birth:%d %B %Y}' if held.date_of_birth else '—'}",
            f"Notes: {held.notes or '—'}",
        ]
    if held.bookings:
        assert held.first_night is not None and held.last_night is not None
        nights = (
            text.night_title(held.first_night)
            if held.first_night == held.last_night
            else f"{held.first_night:%d %b %Y} to {held.last_night:%d %b %Y}"
        )
        lines.append(f"{_count(held.bookings, 'booking')}, {nights}")
        if held.with_free_text:
            lines.append(f"{_count(held.with_free_text, 'booking')} with requests or an occasion")
    else:
        lines.append("No bookings")
    if held.waitlist_entries:
        lines.append(_count(held.waitlist_entries, "waitlist entry", "waitlist entries"))
    if held.spend_notes:
        lines.append(f"{_count(held.spend_notes, 'note')} with spend on their bookings")
    lines.append(f"{_count(held.audit_entries, 'audit entry', 'audit entries')} about them")
    return "\n".join(lines)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


# The calls, as functions of the desk (Ops passes it) with their arguments
# bound first: no lambdas outlive the dialog.


def _call_search(calls: GuestDataCalls, typed: str, desk: Desk) -> Sequence[Customer]:
    return calls.search(desk, typed)


def _call_export(calls: GuestDataCalls, customer_id: UUID, desk: Desk) -> GuestData:
    return calls.export(desk, customer_id)


def _call_erase(calls: GuestDataCalls, customer_id: UUID, desk: Desk) -> None:
    calls.erase(desk, customer_id)


def _changes(data: GuestData, _result: object) -> list[Change]:
    return guest_rights.erasure_changes(data)


def open_guest_rights_dialog(
    parent: QWidget, ops: Ops, calls: GuestDataCalls | None = None
) -> GuestRightsDialog:
    """Open the "Guest data" dialog (not modal; deleted when closed)."""
    dialog = GuestRightsDialog(ops, calls, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
