"""What the booking dialogs share: the night, the times and party, the
tables, the extras, and how they talk.

Two dialogs build on it: a phone booking in one go
(``ui.new_booking_dialog.NewBookingDialog``) and changes to a booking made
earlier (``ui.change_booking_dialog.ChangeBookingDialog``).  Here: the
night's plan read off the UI thread (``ui.night_look``: a closed or past
night says so and offers the next open one), the start and end from the
night's own slots, the party against the venue's limits, suggestions best
fit first (chosen), the free choice of tables saying which are booked or
being booked at another desk, the totals, the message area, and being
offline or signed out.  Every ask that may be overtaken by a newer one goes through
``ui.latest.Latest``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from uuid import UUID

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import Desk, Suggestion
from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.plan import NightPlan
from ui import text
from ui.booking_form import ExtrasBox, WhenBox, mark_invalid
from ui.guest_box import ContactConflict, GuestBox
from ui.latest import Latest
from ui.night_look import NightLook as NightLook  # re-exported (ui.night_navigation)
from ui.night_look import look_at_night as look_at_night
from ui.ops import NOT_SIGNED_IN, Ops
from ui.tables_box import TablesBox
from ui.timeline import Slot, night_slots

SUGGEST_MS = 250

#: Said when the engine has ended the person's sign-in (the sign-in screen is up).
SIGNED_OUT_NOTE = "Your sign-in ended — sign in again. Everything you typed here is kept."
#: Said when someone has signed in again.
SIGNED_IN_AGAIN = "Signed in again — everything is as you left it."

OFFLINE_NOTE = (
    "The database can't be reached — booking is paused. Everything you've typed is kept; "
    "book when the banner goes."
)


def _suggestions(
    night: date, starts_at: datetime, ends_at: datetime, party: int, desk: Desk
) -> list[Suggestion]:
    return desk.suggestions(night, starts_at, ends_at, party)


class BookingDialog(QDialog):
    """The booking dialogs' common part; open one of the two below it."""

    booked = Signal(object)  # BookingResult (a new booking)
    move_wanted = Signal(object, object, object, object, object)  # id, tables, starts, ends, party

    #: The primary button's word: "Book", "Save changes".
    VERB = "Book"

    def __init__(
        self,
        ops: Ops,
        night: date,
        parent: QWidget | None = None,
        *,
        plan: NightPlan | None = None,
        prefill: tuple[tuple[UUID, ...], datetime | None, datetime | None] | None = None,
        online: bool = True,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._look: NightLook | None = None
        self._online = online
        self._busy = False
        self._busy_label = ""
        self._done = False
        self._plans = Latest()
        self._suggested = Latest()
        self._prefill = prefill
        self.resize(1200, 780)
        self._build()
        self._suggest_timer = self._timer(SUGGEST_MS, self._load_suggestions)
        self.when.set_night(night)
        self.when.night_changed.connect(self._load_plan)
        self.when.changed.connect(self._span_or_party_changed)
        self.tables.tables_chosen.connect(self._tables_chosen)
        self.cancel_button.clicked.connect(self.reject)
        self.book_button.clicked.connect(self.submit)
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self.submit)
        self._given_plan = plan

    def _start(self) -> None:
        """Show the night (the subclass calls this last in its ``__init__``)."""
        night, plan = self.when.chosen_night, self._given_plan
        if plan is not None and plan.night == night:
            # Shown at once; whether the night has gone is asked below.
            self._show_night(NightLook(plan, plan.night, None))
        self._load_plan(night)

    # ---- building ---------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        self.pages = QStackedWidget(self)
        outer.addWidget(self.pages)
        form_page = QWidget(self)
        page = QVBoxLayout(form_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(12)
        self.title = QLabel(self)
        self.title.setObjectName("NightTitle")
        page.addWidget(self.title)
        columns = QHBoxLayout()
        columns.setSpacing(14)
        self.guest = GuestBox(self)
        self.when = WhenBox(self)
        self.extras = ExtrasBox(self)
        self.tables = TablesBox(self)
        middle = QVBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(self.when)
        middle.addWidget(self.extras, 1)
        self.guest.setMinimumWidth(330)
        self.when.setMinimumWidth(330)
        self.tables.setMinimumWidth(500)
        columns.addWidget(self.guest, 4)
        columns.addLayout(middle, 4)
        columns.addWidget(self.tables, 6)
        page.addLayout(columns, 1)
        # The ways on sit beside the message; below it when they are many.
        self._notice = notice = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        notice.setSpacing(10)
        self.message = QLabel(self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        self.message.hide()
        notice.addWidget(self.message, 1)
        self.contact_conflict = ContactConflict(self)
        notice.addWidget(self.contact_conflict)
        page.addLayout(notice)
        buttons = QHBoxLayout()
        self.totals = QLabel(self)
        self.totals.setObjectName("Hint")
        buttons.addWidget(self.totals, 1)
        self.cancel_button = QPushButton("Cancel", self)
        self.book_button = QPushButton(self.VERB, self)
        self.book_button.setObjectName("Primary")
        self.book_button.setToolTip("Ctrl+Enter")
        for b in (self.cancel_button, self.book_button):
            b.setAutoDefault(False)
            b.setMinimumWidth(150)
            buttons.addWidget(b)
        page.addLayout(buttons)
        self.pages.addWidget(form_page)

    def _timer(self, ms: int, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    # The extras by their old names (tests and the window read them).
    @property
    def occasion(self) -> QComboBox:
        return self.extras.occasion

    @property
    def requests(self) -> QPlainTextEdit:
        return self.extras.requests

    @property
    def payment_ref(self) -> QLineEdit:
        return self.extras.payment_ref

    # ---- what the two dialogs fill in ---------------------------------------

    def _title_for(self, plan: NightPlan) -> str:
        raise NotImplementedError

    def _own_booking_id(self) -> UUID | None:
        """The booking being changed (its tables are not "taken" by it)."""
        return None

    def submit(self) -> None:
        raise NotImplementedError

    def _after_span_changed(self) -> None:
        """The times, party or tables changed (the new dialog holds them)."""

    def _resume_calls(self) -> None:
        """Ask again what could not be asked while signed out or offline."""

    def _closing(self) -> None:
        """The dialog is closing: stop timers, let go of holds."""

    # ---- the night --------------------------------------------------------

    @property
    def _plan(self) -> NightPlan | None:
        return self._look.plan if self._look is not None else None

    def _load_plan(self, night: date) -> None:
        self._ops.query(
            partial(look_at_night, night),
            owner=self,
            done=self._plans.ask(self._show_night),
            failed=self._call_failed,
        )

    def _show_night(self, look: NightLook) -> None:
        self._look = look
        plan = look.plan
        zone = self._ops.desk.time_zone
        slots: tuple[Slot, ...] = ()
        refusal = look.refusal
        if refusal is None and plan.opens_at and plan.closes_at:
            slots = night_slots(plan.opens_at, plan.closes_at, zone)
        self.title.setText(self._title_for(plan))
        self.when.set_plan(plan, slots)
        prefill, self._prefill = self._prefill, None
        if prefill is not None and prefill[1] is not None:
            self.when.set_span(prefill[1], prefill[2])
        self._refresh_table_list()
        if prefill is not None and prefill[0]:
            self.tables.choose_tables(prefill[0])
        if refusal is not None:
            self.when.offer_night(look.next_open, refusal)
            self.tables.show_nothing(refusal)
        self._suggest_timer.start()

    def _refresh_table_list(self) -> None:
        plan = self._plan
        if plan is None:
            return
        starts_at, ends_at = self.when.span()
        zone = self._ops.desk.time_zone
        taken: dict[UUID, list[str]] = {}
        if starts_at is not None and ends_at is not None:
            for b in plan.bookings:
                if b.id == self._own_booking_id() or not b.status.holds_table:
                    continue
                if b.starts_at < ends_at and starts_at < b.ends_at:
                    for t in b.table_ids:
                        taken.setdefault(t, []).append(
                            f"booked {text.span(b.starts_at, b.ends_at, zone)}"
                        )
            mine = self._ops.desk.db.staff.terminal
            for h in plan.holds:
                if h.terminal != mine and h.starts_at < ends_at and starts_at < h.ends_at:
                    taken.setdefault(h.table_id, []).append(
                        f"being booked at {h.terminal} (until {text.clock(h.expires_at, zone)}"
                        " at the latest)"
                    )
        self.tables.set_tables(plan.tables, taken)

    def _span_or_party_changed(self) -> None:
        self._refresh_table_list()
        problem = self.when.party_problem()
        mark_invalid(self.when.party.lineEdit(), problem is not None)
        self._suggest_timer.start()
        self._after_span_changed()
        self._show_totals()

    # ---- tables -----------------------------------------------------------

    def _load_suggestions(self) -> None:
        look = self._look
        starts_at, ends_at = self.when.span()
        self._suggested.forget()
        if look is None or look.refusal is not None or not self._online:
            return
        problem = self.when.party_problem()
        if problem is not None:
            self.tables.show_nothing(problem)
            return
        if starts_at is None or ends_at is None:
            return
        self._ops.query(
            partial(_suggestions, look.plan.night, starts_at, ends_at, self.when.party.value()),
            owner=self,
            done=self._suggested.ask(self.tables.show_suggestions),
            failed=self._suggestions_failed,
        )

    def _suggestions_failed(self, exc: Exception) -> None:
        if isinstance(exc, Refused):
            self.tables.show_nothing(exc.message)
        else:
            self._call_failed(exc)

    def _tables_chosen(self, _tables: tuple[UUID, ...]) -> None:
        self._after_span_changed()
        self._show_totals()

    def _show_totals(self) -> None:
        plan = self._plan
        if plan is None or not self.tables.chosen:
            self.totals.setText("")
            return
        seats, spend, deposit = self.tables.totals(plan.tables)
        names = ", ".join(t.name for t in plan.tables if t.id in self.tables.chosen)
        self.totals.setText(
            f"{names}: {seats} seats · min spend {text.money(spend)}"
            f" · deposit {text.money(deposit)}"
        )

    # ---- state ------------------------------------------------------------

    def show_message(self, message: str, kind: str = "error") -> None:
        """Say this below the form (blank: say nothing)."""
        self.message.setText(message)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(message))

    def _set_busy(self, busy: bool, label: str = "") -> None:
        self._busy = busy
        self._busy_label = label
        self.book_button.setText(label if busy else self.VERB)
        self.book_button.setEnabled(self._online and not busy)
        # A call in flight must be seen through: its answer is shown here.
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.show_message("")

    def reject(self) -> None:
        """Cancel, Esc and the close button; refused while a call is in flight."""
        if self._busy:
            self.show_message(f"{self._busy_label or 'Booking…'} please wait", kind="info")
            return
        super().reject()

    def set_online(self, online: bool) -> None:
        was = self._online
        self._online = online
        self.book_button.setEnabled(online and not self._busy)
        if not online:
            self.show_message(OFFLINE_NOTE, kind="info")
        elif self.message.text() == OFFLINE_NOTE:
            self.show_message("")
        if online and not was:
            if self._look is None:
                self._load_plan(self.when.chosen_night)
            self._suggest_timer.start()
            self._resume_calls()

    def _call_failed(self, exc: Exception) -> None:
        if isinstance(exc, ServerUnavailable):
            self.show_message(OFFLINE_NOTE, kind="info")
        elif isinstance(exc, Refused) and exc.code == NOT_SIGNED_IN:
            self.show_message(SIGNED_OUT_NOTE, kind="info")
        elif isinstance(exc, Refused):
            self.show_message(exc.message)

    def resume(self) -> None:
        """Someone has signed in again after the engine ended the sign-in:
        ask again what could not be asked.  Nothing is written until the
        primary button is pressed again."""
        if self._done:
            return
        if self.message.text().endswith(SIGNED_OUT_NOTE):
            self.show_message(f"{SIGNED_IN_AGAIN} Press {self.VERB} to carry on.", kind="info")
        if not self._online:
            return
        if self._look is None:
            self._load_plan(self.when.chosen_night)
        self._suggest_timer.start()
        self._resume_calls()

    def move_answered(self, booking_id: UUID, refusal: str | None) -> None:
        """The window says how a move it was asked for went (the change dialog's)."""

    def done(self, result: int) -> None:
        self._suggest_timer.stop()
        self._closing()
        super().done(result)
