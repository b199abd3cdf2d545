"""The booking dialog: a phone booking in one go, or changes to a booking.

Guest search as you type (debounced, off the UI thread), or a new guest;
the night, the start and end from the night's own slots, the party; table
suggestions best fit first, or a free choice; requests, occasion, payment
reference.  The chosen tables are held while the dialog is open, so other
desks see them as "being booked", and released when it closes.

A refusal shows in the dialog with everything typed kept; "being booked at
another desk" retries by itself and says so; success shows the reference
and the deposit, big, to read back to the guest.  A new guest's phone or
email that is another guest's (CONTACT_BELONGS_TO_OTHER) offers two ways
on beside the refusal: book for that guest, or the new guest without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from itertools import pairwise
from uuid import UUID

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk import contacts
from frontdesk.desk import (
    BEING_BOOKED_RETRIES,
    BookingRequest,
    BookingResult,
    Customer,
    Desk,
    HoldResult,
    Suggestion,
)
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from frontdesk.plan import Booking, Change, NightPlan
from ui import text
from ui.booking_form import (
    ContactConflict,
    GuestBox,
    TablesBox,
    WhenBox,
    mark_invalid,
    parse_date,
)
from ui.ops import NOT_SIGNED_IN, Ops, Relay
from ui.timeline import Slot, night_slots

SEARCH_MS = 200
SUGGEST_MS = 250
HOLD_MS = 300
#: A dialog's hold is renewed at this fraction of its time.
HOLD_RENEW_AT = 2 / 3

OCCASIONS = ["", "Birthday", "Hen party", "Stag party", "Anniversary", "Work do", "Graduation"]

#: The engine's refusal of a typed phone or email that is another guest's.
CONTACT_BELONGS_TO_OTHER = "CONTACT_BELONGS_TO_OTHER"
#: Enough for the one guest who has a whole number or address to be among them.
CONTACT_SEARCH_LIMIT = 20

#: Said when the engine has ended the person's sign-in (the sign-in screen is up).
SIGNED_OUT_NOTE = "Your sign-in ended — sign in again. Everything you typed here is kept."
#: Said when someone has signed in again.
SIGNED_IN_AGAIN = "Signed in again — everything is as you left it."

OFFLINE_NOTE = (
    "The database can't be reached — booking is paused. Everything you've typed is kept; "
    "book when the banner goes."
)


def _book(request: BookingRequest, relay: Relay, desk: Desk) -> BookingResult:
    return desk.book(request, on_retry=relay.send)


class BookingDialog(QDialog):
    booked = Signal(object)  # BookingResult
    move_wanted = Signal(object, object, object, object, object)  # id, tables, starts, ends, party

    def __init__(
        self,
        ops: Ops,
        night: date,
        parent: QWidget | None = None,
        *,
        plan: NightPlan | None = None,
        table_ids: tuple[UUID, ...] = (),
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        booking: Booking | None = None,
        online: bool = True,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._plan: NightPlan | None = None
        self._editing = booking
        self._online = online
        self._busy = False
        self._busy_label = ""
        self._holding = False
        self._done = False
        self._search_seq = 0
        self._suggest_seq = 0
        self._plan_seq = 0
        # Bumped whenever the "contact of another guest" offer goes: an
        # owner search that answers later is then ignored.
        self._conflict_seq = 0
        # The message is about the guest's details: it goes when they change.
        self._guest_note = False
        self._prefill: tuple[tuple[UUID, ...], datetime | None, datetime | None] | None = (
            table_ids,
            starts_at,
            ends_at,
        )
        self.result_value: BookingResult | None = None
        # Parented to Ops, not the dialog: a booking's worker may still send
        # a retry notice after the dialog has gone.
        self._relay = Relay(ops)
        self._relay_released = False
        self._holds = HoldChain(ops)
        self._holds_closed = False
        self._holds.held.connect(self._held)
        self._holds.hold_failed.connect(self._hold_failed)
        self._relay.sent.connect(self._on_retry)
        self.setObjectName("BookingDialog")
        self.setWindowTitle("Change booking" if booking else "New booking")
        self.resize(1200, 780)
        self._build()
        self._timers()
        self._connect()
        self.when.set_night(night)
        if booking is not None:
            self._prepare_edit(booking)
        if plan is not None and plan.night == night:
            self._plan_loaded(self._plan_seq, plan)
        else:
            self._load_plan(night)
        self.set_online(online)

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
        self.tables = TablesBox(self)
        middle = QVBoxLayout()
        middle.setSpacing(12)
        middle.addWidget(self.when)
        middle.addWidget(self._extras(), 1)
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
        self.book_button = QPushButton("Save changes" if self._editing else "Book", self)
        self.book_button.setObjectName("Primary")
        self.book_button.setToolTip("Ctrl+Enter")
        for b in (self.cancel_button, self.book_button):
            b.setAutoDefault(False)
            b.setMinimumWidth(150)
            buttons.addWidget(b)
        page.addLayout(buttons)
        # Tab goes from the guest's details straight to the ways on.
        ways = (*self.contact_conflict.book_for_buttons, self.contact_conflict.without_button)
        for before, after in pairwise((self.guest.date_of_birth, *ways)):
            QWidget.setTabOrder(before, after)
        self.pages.addWidget(form_page)
        self.pages.addWidget(self._result_page())

    def _extras(self) -> QGroupBox:
        box = QGroupBox("Extras", self)
        outer = QVBoxLayout(box)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(form)
        outer.addStretch(1)
        self.occasion = QComboBox(box)
        self.occasion.setEditable(True)
        self.occasion.addItems(OCCASIONS)
        self.requests = QPlainTextEdit(box)
        self.requests.setPlaceholderText("Special requests")
        self.requests.setMaximumHeight(80)
        self.payment_ref = QLineEdit(box)
        self.payment_ref.setPlaceholderText("Card payment reference (optional)")
        form.addRow("Occasion", self.occasion)
        form.addRow("Requests", self.requests)
        form.addRow("Payment ref", self.payment_ref)
        return box

    def _result_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.setSpacing(14)
        layout.addStretch(1)
        self.result_title = QLabel("✓ Booked — read this back to the guest", page)
        self.result_title.setObjectName("ResultTitle")
        layout.addWidget(self.result_title, 0, Qt.AlignmentFlag.AlignHCenter)
        caption = QLabel("Reference", page)
        caption.setObjectName("Hint")
        layout.addWidget(caption, 0, Qt.AlignmentFlag.AlignHCenter)
        self.reference_label = QLabel(page)
        self.reference_label.setObjectName("ResultReference")
        self.reference_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.reference_label, 0, Qt.AlignmentFlag.AlignHCenter)
        caption = QLabel("Deposit", page)
        caption.setObjectName("Hint")
        layout.addWidget(caption, 0, Qt.AlignmentFlag.AlignHCenter)
        self.deposit_label = QLabel(page)
        self.deposit_label.setObjectName("ResultDeposit")
        layout.addWidget(self.deposit_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.result_details = QLabel(page)
        self.result_details.setWordWrap(True)
        self.result_details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.result_details)
        layout.addStretch(1)
        self.done_button = QPushButton("Done", page)
        self.done_button.setObjectName("Primary")
        self.done_button.setMinimumWidth(180)
        layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignHCenter)
        return page

    def _timers(self) -> None:
        self._search_timer = self._timer(SEARCH_MS, self._search)
        self._suggest_timer = self._timer(SUGGEST_MS, self._load_suggestions)
        self._hold_timer = self._timer(HOLD_MS, self._place_hold)
        # Renews this dialog's hold before it expires (set on each hold).
        self._renew_timer = self._timer(60_000, self._place_hold)

    def _timer(self, ms: int, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    def _connect(self) -> None:
        self.guest.search_changed.connect(self._search_timer.start)
        self.guest.search.returnPressed.connect(self._choose_first_result)
        self.guest.guest_chosen.connect(self._guest_changed)
        self.guest.details_edited.connect(self._guest_changed)
        self.contact_conflict.book_for.connect(self._book_for)
        self.contact_conflict.without.connect(self._without_contacts)
        self.when.night_changed.connect(self._load_plan)
        self.when.changed.connect(self._span_or_party_changed)
        self.tables.tables_chosen.connect(self._tables_chosen)
        self.cancel_button.clicked.connect(self.reject)
        self.book_button.clicked.connect(self.submit)
        self.done_button.clicked.connect(self.accept)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.activated.connect(self.submit)

    def _prepare_edit(self, booking: Booking) -> None:
        contact = " · ".join(
            x for x in (text.phone(booking.customer_phone), booking.customer_email) if x
        )
        self.guest.lock(booking.customer_name, contact)
        self.when.party.setValue(booking.party_size)
        self.when.night.setEnabled(False)
        self.occasion.setCurrentText(booking.occasion or "")
        self.requests.setPlainText(booking.special_requests or "")
        self.payment_ref.setText(booking.payment_ref or "")
        for w in (self.occasion, self.requests, self.payment_ref):
            w.setEnabled(False)
            w.setToolTip("Set when the booking was made")
        self._prefill = (booking.table_ids, booking.starts_at, booking.ends_at)

    # ---- the night --------------------------------------------------------

    def _load_plan(self, night: date) -> None:
        self._plan_seq += 1
        seq = self._plan_seq
        self._ops.query(
            partial(_night_plan, night),
            owner=self,
            done=partial(self._plan_loaded, seq),
            failed=self._call_failed,
        )

    def _plan_loaded(self, seq: int, plan: NightPlan) -> None:
        if seq != self._plan_seq:
            return
        self._plan = plan
        zone = self._ops.desk.time_zone
        slots: tuple[Slot, ...] = ()
        if not plan.is_closed and plan.opens_at and plan.closes_at:
            slots = night_slots(plan.opens_at, plan.closes_at, zone)
        event = f" · {plan.event_name}" if plan.event_name else ""
        if self._editing:
            b = self._editing
            self.title.setText(
                f"{b.customer_name} · {b.reference} · {text.night_title(plan.night)}"
            )
        else:
            self.title.setText(f"New booking — {text.night_title(plan.night)}{event}")
        self.when.set_plan(plan, slots)
        prefill, self._prefill = self._prefill, None
        if prefill is not None:
            _tables, starts_at, ends_at = prefill
            if starts_at is not None:
                self.when.set_span(starts_at, ends_at)
        self._refresh_table_list()
        if prefill is not None and prefill[0]:
            self.tables.choose_tables(prefill[0])
        self._suggest_timer.start()

    def _refresh_table_list(self) -> None:
        plan = self._plan
        if plan is None:
            return
        starts_at, ends_at = self.when.span()
        zone = self._ops.desk.time_zone
        busy: dict[UUID, str] = {}
        if starts_at is not None and ends_at is not None:
            for b in plan.bookings:
                if self._editing and b.id == self._editing.id:
                    continue
                if b.status.holds_table and b.starts_at < ends_at and starts_at < b.ends_at:
                    for t in b.table_ids:
                        busy[t] = text.span(b.starts_at, b.ends_at, zone)
        self.tables.set_tables(plan.tables, busy)

    def _span_or_party_changed(self) -> None:
        self._refresh_table_list()
        self._suggest_timer.start()
        self._hold_timer.start()
        self._show_totals()

    # ---- guests -----------------------------------------------------------

    def _search(self) -> None:
        typed = self.guest.search.text()
        self._search_seq += 1
        if not typed.strip():
            self.guest.show_results([])
            return
        self._ops.query(
            partial(_search_customers, typed),
            owner=self,
            done=partial(self._found, self._search_seq),
            failed=self._call_failed,
        )

    def _found(self, seq: int, customers: list[Customer]) -> None:
        if seq == self._search_seq:
            self.guest.show_results(customers)

    def _choose_first_result(self) -> None:
        self._search_timer.stop()
        item = self.guest.results.item(0)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.guest.results.setCurrentItem(item)
            self.guest.results.itemActivated.emit(item)

    def _guest_changed(self, _customer: object = None) -> None:
        if self._guest_note:
            self.show_message("")

    # ---- a contact that is another guest's -----------------------------------

    def _find_contact_owners(self, request: BookingRequest) -> None:
        """The refused phone or email's owners, found off the UI thread as
        the search box finds guests; then the ways on are offered."""
        self._ops.query(
            partial(_contact_owners, request.phone, request.email),
            owner=self,
            done=partial(self._contact_owners_found, self._conflict_seq, request),
            failed=self._call_failed,
        )

    def _contact_owners_found(self, seq: int, request: BookingRequest, owners: Owners) -> None:
        guest = self.guest
        still_typed = (
            guest.customer is None
            and guest.is_new_guest
            and (guest.phone.text() or None) == request.phone
            and (guest.email.text() or None) == request.email
        )
        if seq != self._conflict_seq or self._done or not still_typed:
            return
        for field in owners.fields:
            mark_invalid(self._contact_box(field), True)
        many = len(owners.people) > 1
        self._notice.setDirection(
            QBoxLayout.Direction.TopToBottom if many else QBoxLayout.Direction.LeftToRight
        )
        self.contact_conflict.offer(owners.people, owners.fields)

    def _book_for(self, customer: Customer) -> None:
        self.guest.choose(customer)
        self.show_message(f"{customer.name} chosen — press Book to book for them.", kind="info")
        self._guest_note = True
        self.book_button.setFocus()

    def _without_contacts(self, fields: tuple[str, ...]) -> None:
        self.guest.clear_contacts(fields)
        if len(fields) > 1:
            note = "Ask the guest for another number or email."
        elif fields == ("phone",):
            note = "Ask the guest for another number"
            note += " — or book with the email alone." if self.guest.email.text() else "."
        else:
            note = "Ask the guest for another email"
            note += " — or book with the number alone." if self.guest.phone.text() else "."
        self.show_message(note, kind="info")
        self._guest_note = True

    def _contact_box(self, field: str) -> QLineEdit:
        return self.guest.phone if field == "phone" else self.guest.email

    def _withdraw_contact_conflict(self) -> None:
        self._conflict_seq += 1
        for field in self.contact_conflict.fields:
            mark_invalid(self._contact_box(field), False)
        self.contact_conflict.withdraw()

    # ---- tables: suggestions and holds -------------------------------------

    def _load_suggestions(self) -> None:
        plan = self._plan
        starts_at, ends_at = self.when.span()
        self._suggest_seq += 1
        if plan is None or starts_at is None or ends_at is None or not self._online:
            return
        self._ops.query(
            partial(_suggestions, plan.night, starts_at, ends_at, self.when.party.value()),
            owner=self,
            done=partial(self._suggested, self._suggest_seq),
            failed=self._suggestions_failed,
        )

    def _suggested(self, seq: int, suggestions: list[Suggestion]) -> None:
        if seq == self._suggest_seq:
            self.tables.show_suggestions(suggestions)

    def _suggestions_failed(self, exc: Exception) -> None:
        if isinstance(exc, Refused):
            self.tables.show_suggestions([])
            self.tables.note.setText(exc.message)
        else:
            self._call_failed(exc)

    def _tables_chosen(self, _tables: tuple[UUID, ...]) -> None:
        self._hold_timer.start()
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

    def _place_hold(self) -> None:
        plan = self._plan
        starts_at, ends_at = self.when.span()
        if self._editing or self._done or not self._online or plan is None:
            return
        tables = self.tables.chosen
        if not tables or starts_at is None or ends_at is None:
            if self._holding:
                self._release_holds()
            return
        self._holding = True
        self._holds.want(partial(_hold, tables, plan.night, starts_at, ends_at))

    def _held(self, result: HoldResult) -> None:
        left = (result.expires_at - datetime.now(UTC)).total_seconds()
        if self._holding and not self._done:
            # Hold again at two thirds of its time, while the dialog is open.
            self._renew_timer.start(max(1_000, int(left * 1000 * HOLD_RENEW_AT)))
        minutes = max(1, round(left / 60))
        self.tables.note.setText(
            f"Held for you for {minutes} min — other desks see “being booked”."
        )

    def _hold_failed(self, exc: Exception) -> None:
        if isinstance(exc, Refused) and exc.code == NOT_SIGNED_IN:
            self.show_message(SIGNED_OUT_NOTE, kind="info")
        elif isinstance(exc, Refused):
            self.show_message(exc.message)
        else:
            self._call_failed(exc)

    def _release_holds(self) -> None:
        self._holding = False
        self._renew_timer.stop()
        # Through the chain (owned by Ops, not this dialog): after any hold
        # still in flight, and even once the dialog is gone.
        self._holds.want(_release)

    # ---- booking ----------------------------------------------------------

    def submit(self) -> None:
        """Book (or save the changes), if everything needed is there."""
        if self._busy or self._done or not self._online:
            return
        if self._editing is not None:
            self._save_changes(self._editing)
            return
        request = self._request()
        if request is None:
            return
        self._set_busy(True, "Booking…")
        self._ops.mutate(
            partial(_book, request, self._relay),
            owner=self,
            changes=partial(self._booking_change, request),
            done=self._booked,
            failed=partial(self._book_failed, request),
        )

    def _request(self) -> BookingRequest | None:
        plan = self._plan
        starts_at, ends_at = self.when.span()
        for w in (self.guest.name, self.guest.date_of_birth, self.guest.phone, self.guest.email):
            mark_invalid(w, False)
        if plan is None or starts_at is None or ends_at is None:
            return self._refuse_locally("Choose a night the venue is open, and a start and end.")
        if not self.tables.chosen:
            return self._refuse_locally(
                "Choose a table: pick a suggestion, or tick tables under “Choose tables”."
            )
        guest = self.guest
        customer = guest.customer
        dob = None
        if customer is None:
            if not guest.is_new_guest:
                return self._refuse_locally(
                    "Pick the guest from the search results, or press “New guest”."
                )
            if not guest.name.text().strip():
                mark_invalid(guest.name, True)
                return self._refuse_locally("Type the guest's name.")
            try:
                dob = parse_date(guest.date_of_birth.text())
            except ValueError:
                mark_invalid(guest.date_of_birth, True)
                return self._refuse_locally("Date of birth: type it as DD/MM/YYYY.")
        return BookingRequest(
            night=plan.night,
            starts_at=starts_at,
            ends_at=ends_at,
            party_size=self.when.party.value(),
            table_ids=self.tables.chosen,
            customer_id=customer.id if customer else None,
            customer_name=None if customer else guest.name.text(),
            phone=None if customer else guest.phone.text() or None,
            email=None if customer else guest.email.text() or None,
            date_of_birth=dob,
            special_requests=self.requests.toPlainText() or None,
            occasion=self.occasion.currentText() or None,
            payment_ref=self.payment_ref.text() or None,
        )

    def _refuse_locally(self, message: str) -> BookingRequest | None:
        self.show_message(message)
        return None

    def _booking_change(self, request: BookingRequest, result: BookingResult) -> Change:
        return Change(
            venue_id=self._ops.desk.venue_id,
            night=request.night,
            table_ids=frozenset(request.table_ids),
            booking_ids=frozenset({result.booking_id}),
            kinds=frozenset({"booked"}),
        )

    def _on_retry(self, values: object) -> None:
        attempt = values[0] if isinstance(values, tuple) else values
        self.show_message(
            f"Being booked at another desk — retrying {attempt}/{BEING_BOOKED_RETRIES}",
            kind="info",
        )

    def _booked(self, result: BookingResult) -> None:
        self._set_busy(False)
        self._done = True
        self._holding = False  # the booking took the holds' place
        self._renew_timer.stop()
        self.result_value = result
        plan, (starts_at, ends_at) = self._plan, self.when.span()
        self.reference_label.setText(result.reference)
        self.deposit_label.setText(text.money(result.deposit))
        if plan is not None and starts_at is not None and ends_at is not None:
            names = ", ".join(t.name for t in plan.tables if t.id in self.tables.chosen)
            who = self.guest.customer.name if self.guest.customer else self.guest.name.text()
            self.result_details.setText(
                f"{who} · {text.party(self.when.party.value())} · {text.night_title(plan.night)} "
                f"{text.span(starts_at, ends_at, self._ops.desk.time_zone)} · {names}"
            )
        self.pages.setCurrentIndex(1)
        self.done_button.setFocus()
        self.booked.emit(result)

    def _book_failed(self, request: BookingRequest, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, InvalidInput):
            field = {
                "name": self.guest.name,
                "phone": self.guest.phone,
                "email": self.guest.email,
                "date_of_birth": self.guest.date_of_birth,
            }.get(exc.field)
            if field is not None:
                mark_invalid(field, True)
                field.setFocus()
            self.show_message(exc.message)
        elif isinstance(exc, Refused) and exc.code == NOT_SIGNED_IN:
            self.show_message(f"Not booked: {SIGNED_OUT_NOTE}", kind="info")
        elif isinstance(exc, Refused):
            self.show_message(f"Not booked: {exc.message}")
            if exc.code in ("TABLE_UNAVAILABLE", "TABLE_BEING_BOOKED"):
                self._load_plan(self.when.chosen_night)
            elif exc.code == CONTACT_BELONGS_TO_OTHER:
                self._guest_note = True
                self._find_contact_owners(request)
        elif isinstance(exc, ServerUnavailable):
            self.show_message(
                "Not booked: the database can't be reached. Everything you typed is kept — "
                "press Book again when the banner goes."
            )
        else:
            self.show_message("Not booked: something went wrong (it has been logged).")

    def _save_changes(self, booking: Booking) -> None:
        starts_at, ends_at = self.when.span()
        if starts_at is None or ends_at is None or not self.tables.chosen:
            self.show_message("Choose the tables and the times.")
            return
        self._set_busy(True, "Saving…")
        self.move_wanted.emit(
            booking.id, self.tables.chosen, starts_at, ends_at, self.when.party.value()
        )

    def move_answered(self, booking_id: UUID, refusal: str | None) -> None:
        """The window tells the edit dialog how its move went."""
        if self._editing is None or booking_id != self._editing.id:
            return
        self._set_busy(False)
        if refusal is None:
            self._done = True
            self.accept()
        else:
            self.show_message(f"Not changed: {refusal}")

    # ---- state ------------------------------------------------------------

    def show_message(self, message: str, kind: str = "error") -> None:
        """Say this below the form (blank: say nothing); any ways on go."""
        self._withdraw_contact_conflict()
        self._guest_note = False
        self.message.setText(message)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(message))

    def _set_busy(self, busy: bool, label: str = "") -> None:
        self._busy = busy
        self._busy_label = label
        self.book_button.setText(label if busy else ("Save changes" if self._editing else "Book"))
        self.book_button.setEnabled(self._online and not busy)
        # A booking in flight must be seen through: its reference is shown here.
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.show_message("")

    def reject(self) -> None:
        """Cancel, Esc and the close button; refused while a booking is in flight."""
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
            if self._plan is None:
                self._load_plan(self.when.chosen_night)
            self._suggest_timer.start()
            self._hold_timer.start()

    def _call_failed(self, exc: Exception) -> None:
        if isinstance(exc, ServerUnavailable):
            self.show_message(OFFLINE_NOTE, kind="info")
        elif isinstance(exc, Refused) and exc.code == NOT_SIGNED_IN:
            self.show_message(SIGNED_OUT_NOTE, kind="info")
        elif isinstance(exc, Refused):
            self.show_message(exc.message)

    def resume(self) -> None:
        """Someone has signed in again after the engine ended the sign-in:
        hold the tables again and read what could not be read.  Nothing is
        booked until Book is pressed again."""
        if self._done:
            return
        if self.message.text() in (SIGNED_OUT_NOTE, f"Not booked: {SIGNED_OUT_NOTE}"):
            verb = "Save changes" if self._editing else "Book"
            self.show_message(f"{SIGNED_IN_AGAIN} Press {verb} to carry on.", kind="info")
        if not self._online:
            return
        if self._plan is None:
            self._load_plan(self.when.chosen_night)
        if self.guest.search.text().strip() and self.guest.results.count() == 0:
            self._search_timer.start()
        self._suggest_timer.start()
        self._hold_timer.start()

    def done(self, result: int) -> None:
        self._search_timer.stop()
        self._suggest_timer.stop()
        self._hold_timer.stop()
        self._renew_timer.stop()
        if self._holding:
            self._release_holds()
        if not self._holds_closed:
            self._holds_closed = True
            self._holds.held.disconnect(self._held)
            self._holds.hold_failed.disconnect(self._hold_failed)
            self._holds.close()
        if not self._busy and not self._relay_released:
            # Nothing can send a retry notice any more.
            self._relay_released = True
            self._relay.sent.disconnect(self._on_retry)
            self._relay.deleteLater()
        super().done(result)


class HoldChain(QObject):
    """One dialog's holds and releases, one call at a time, in order.

    On the shared worker pool two calls from one dialog could overtake each
    other (a release finishing before the hold it should undo).  Here the
    next call is only sent when the previous has finished, and only the
    latest wanted one: a hold wanted while another is in flight replaces any
    call still waiting.  Parented to ``Ops``: the release a closing dialog
    asks for still runs after the dialog has gone; then the chain goes too.
    """

    held = Signal(object)  # HoldResult, of the latest hold (none is waiting)
    hold_failed = Signal(object)  # Exception, likewise

    def __init__(self, ops: Ops) -> None:
        super().__init__(ops)
        self._ops = ops
        self._in_flight = False
        self._next: Callable[[Desk], object] | None = None
        self._closing = False

    @property
    def idle(self) -> bool:
        return not self._in_flight and self._next is None

    def want(self, call: Callable[[Desk], object]) -> None:
        if self._in_flight:
            self._next = call
        else:
            self._send(call)

    def close(self) -> None:
        """No more calls will be wanted; go once the last one has finished."""
        self._closing = True
        if self.idle:
            self.deleteLater()

    def _send(self, call: Callable[[Desk], object]) -> None:
        self._in_flight = True
        self._ops.mutate(call, owner=self, done=self._done, failed=self._failed)

    def _done(self, result: object) -> None:
        self._in_flight = False
        if self._next is None and isinstance(result, HoldResult) and not self._closing:
            self.held.emit(result)
        self._advance()

    def _failed(self, exc: Exception) -> None:
        self._in_flight = False
        if self._next is None and not self._closing:
            self.hold_failed.emit(exc)
        self._advance()

    def _advance(self) -> None:
        call, self._next = self._next, None
        if call is not None:
            self._send(call)
        elif self._closing:
            self.deleteLater()


# Desk calls, run on a worker thread -----------------------------------------


def _night_plan(night: date, desk: Desk) -> NightPlan:
    return desk.night_plan(night)


def _search_customers(typed: str, desk: Desk) -> list[Customer]:
    return desk.search_customers(typed, limit=12)


@dataclass(frozen=True)
class Owners:
    """Whose a typed phone and email are (None: nobody's, or nothing typed)."""

    phone: Customer | None
    email: Customer | None

    @property
    def fields(self) -> tuple[str, ...]:
        """The typed contacts that are someone's: "phone" and/or "email"."""
        return tuple(f for f, c in (("phone", self.phone), ("email", self.email)) if c)

    @property
    def people(self) -> list[Customer]:
        """Whose they are, each once (the phone's first)."""
        return list({c.id: c for c in (self.phone, self.email) if c}.values())


def _contact_owners(phone: str | None, email: str | None, desk: Desk) -> Owners:
    """The guests who have exactly this phone and this email, found through
    the guest search (which matches their start)."""
    number = contacts.normalise_phone(phone, desk.phone_country)
    address = contacts.normalise_email(email)

    def whose(typed: str | None, has_it: Callable[[Customer], bool]) -> Customer | None:
        if typed is None:
            return None
        found = desk.search_customers(typed, limit=CONTACT_SEARCH_LIMIT)
        return next((c for c in found if has_it(c)), None)

    return Owners(
        phone=whose(number, lambda c: c.phone == number),
        email=whose(address, lambda c: (c.email or "").lower() == address),
    )


def _suggestions(
    night: date, starts_at: datetime, ends_at: datetime, party: int, desk: Desk
) -> list[Suggestion]:
    return desk.suggestions(night, starts_at, ends_at, party)


def _hold(
    tables: tuple[UUID, ...], night: date, starts_at: datetime, ends_at: datetime, desk: Desk
) -> HoldResult:
    return desk.hold(tables, night, starts_at, ends_at)


def _release(desk: Desk) -> int:
    return desk.release_holds()
