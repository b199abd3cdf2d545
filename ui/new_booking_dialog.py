"""A phone booking in one go: the guest (found as you type, or new), the
night, times, party and tables (the best fit chosen), the extras and where
the booking came from; Book.

Everything missing or wrong is said at once, each field marked, and each
goes as soon as it is put right.  The chosen tables are held while the
dialog is open (``ui.hold_chain``), so other desks see them as "being
booked", and let go when it closes.  A refusal shows in the dialog with
everything typed kept; "being booked at another desk" retries by itself and
says so; success shows the reference and the deposit, big, to read back to
the guest (``ui.booking_result_page``).  A new guest's phone or email that
is another guest's (CONTACT_BELONGS_TO_OTHER) offers two ways on beside the
refusal: book for that guest, or the new guest without it
(``ui.contact_owners``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from itertools import pairwise
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from frontdesk.desk import (
    BEING_BOOKED_RETRIES,
    BookingRequest,
    BookingResult,
    Customer,
    Desk,
    HoldResult,
)
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from frontdesk.plan import Change, NightPlan
from ui import text
from ui.booking_dialog import SIGNED_OUT_NOTE, BookingDialog
from ui.booking_form import mark_invalid, parse_date
from ui.booking_result_page import BookingResultPage
from ui.contact_owners import CONTACT_BELONGS_TO_OTHER, ContactOwnersOffer
from ui.guest_ban import GUEST_BANNED, BanOverrideOffer
from ui.hold_chain import HoldChain, hold_call, release_call
from ui.latest import Latest
from ui.ops import NOT_SIGNED_IN, Ops, Relay

SEARCH_MS = 200
HOLD_MS = 300
#: A dialog's hold is renewed at this fraction of its time.
HOLD_RENEW_AT = 2 / 3

#: Each problem the form can have before anything is sent, as said to the host.
NO_TIME = "Choose a night the venue is open, and a start and end."
NO_TABLE = "Choose a table: pick a suggestion, or tick tables under “Choose tables”."
NO_GUEST = "Pick the guest from the search results, or press “New guest”."
NO_NAME = "Type the guest's name."
BAD_DATE_OF_BIRTH = "Date of birth: type it as DD/MM/YYYY."


class NewBookingDialog(BanOverrideOffer, ContactOwnersOffer, BookingDialog):
    """A new booking; ``table_ids`` and the times come from cells picked on the grid."""

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
        online: bool = True,
    ) -> None:
        super().__init__(
            ops, night, parent, plan=plan, prefill=(table_ids, starts_at, ends_at), online=online
        )
        self.setObjectName("BookingDialog")
        self.setWindowTitle("New booking")
        self._holding = False
        self._checking = False  # the form's problems were shown: recheck on each edit
        self._searches = Latest()
        self._owners = Latest()  # forgotten whenever the "another guest's" offer goes
        self._guest_note = False  # the message is about the guest: it goes when they change
        self.result_value: BookingResult | None = None
        # Parented to Ops, not the dialog: a booking's worker may still send
        # a retry notice after the dialog has gone.
        self._relay = Relay(ops)
        self._relay.sent.connect(self._on_retry)
        self._relay_released = False
        self._holds = HoldChain(ops)
        self._holds_closed = False
        self._holds.held.connect(self._held)
        self._holds.hold_failed.connect(self._hold_failed)
        self._search_timer = self._timer(SEARCH_MS, self._search)
        self._hold_timer = self._timer(HOLD_MS, self._place_hold)
        # Renews this dialog's hold before it expires (set on each hold).
        self._renew_timer = self._timer(60_000, self._place_hold)
        self.result_page = BookingResultPage(self)
        self.pages.addWidget(self.result_page)
        # The result's parts by their old names (tests read them).
        self.reference_label = self.result_page.reference_label
        self.deposit_label = self.result_page.deposit_label
        self.done_button = self.result_page.done_button
        self.guest.search_changed.connect(self._search_timer.start)
        self.guest.search.returnPressed.connect(self._choose_first_result)
        self.guest.guest_chosen.connect(self._guest_changed)
        self.guest.details_edited.connect(self._guest_changed)
        # The "another guest's contact" offer: ui.contact_owners.
        self.contact_conflict.book_for.connect(self._book_for)
        self.contact_conflict.without.connect(self._without_contacts)
        self.done_button.clicked.connect(self.accept)
        self.guest.card.use(ops)
        self._build_ban_offer()  # ui.guest_ban
        # Tab goes from the guest's details straight to the ways on.
        ways = (*self.contact_conflict.book_for_buttons, self.contact_conflict.without_button)
        for before, after in pairwise((self.guest.date_of_birth, *ways)):
            QWidget.setTabOrder(before, after)
        self._start()
        self.set_online(online)

    def _title_for(self, plan: NightPlan) -> str:
        event = f" · {plan.event_name}" if plan.event_name and not plan.is_closed else ""
        return f"New booking — {text.night_title(plan.night)}{event}"

    # ---- guests -----------------------------------------------------------

    def _search(self) -> None:
        typed = self.guest.search.text()
        if not typed.strip():
            self._searches.forget()
            self.guest.show_results([])
            return
        self._ops.query(
            partial(_search_customers, typed),
            owner=self,
            done=self._searches.ask(self.guest.show_results),
            failed=self._call_failed,
        )

    def _choose_first_result(self) -> None:
        self._search_timer.stop()
        item = self.guest.results.item(0)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.guest.results.setCurrentItem(item)
            self.guest.results.itemActivated.emit(item)

    def _guest_changed(self, _customer: object = None) -> None:
        if self._guest_note:
            self.show_message("")
        self._recheck()

    def show_message(self, message: str, kind: str = "error") -> None:
        """Say this below the form (blank: say nothing); any ways on go."""
        self._withdraw_contact_offer()
        self._withdraw_ban_offer()
        super().show_message(message, kind)

    # ---- holds ------------------------------------------------------------

    def _after_span_changed(self) -> None:
        self._hold_timer.start()
        self._recheck()

    def _resume_calls(self) -> None:
        if self.guest.search.text().strip() and self.guest.results.count() == 0:
            self._search_timer.start()
        self._hold_timer.start()

    def _place_hold(self) -> None:
        plan = self._plan
        starts_at, ends_at = self.when.span()
        if self._done or not self._online or plan is None:
            return
        tables = self.tables.chosen
        if not tables or starts_at is None or ends_at is None:
            if self._holding:
                self._release_holds()
            return
        self._holding = True
        self._holds.want(hold_call(tables, plan.night, starts_at, ends_at))

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
        self._holds.want(release_call)

    # ---- the form's problems ---------------------------------------------------

    def _problems(self) -> list[tuple[QWidget | None, str]]:
        """Everything missing or wrong, each with the field to mark."""
        found: list[tuple[QWidget | None, str]] = []
        starts_at, ends_at = self.when.span()
        look = self._look
        if look is None or look.refusal is not None or starts_at is None or ends_at is None:
            found.append((None, look.refusal if look and look.refusal else NO_TIME))
        party = self.when.party_problem()
        if party is not None:
            found.append((self.when.party.lineEdit(), party))
        if not self.tables.chosen and not found:
            found.append((None, NO_TABLE))
        guest = self.guest
        if guest.customer is None and not guest.is_new_guest:
            found.append((guest.search, NO_GUEST))
        elif guest.customer is None:
            if not guest.name.text().strip():
                found.append((guest.name, NO_NAME))
            try:
                parse_date(guest.date_of_birth.text())
            except ValueError:
                found.append((guest.date_of_birth, BAD_DATE_OF_BIRTH))
        return found

    def _show_problems(self, problems: list[tuple[QWidget | None, str]]) -> None:
        marked = {w for w, _ in problems if w is not None}
        for w in (self.guest.search, self.guest.name, self.guest.date_of_birth):
            mark_invalid(w, w in marked)
        mark_invalid(self.when.party.lineEdit(), self.when.party_problem() is not None)
        self.show_message("\n".join(message for _, message in problems))

    def _recheck(self) -> None:
        """After the problems were shown: say what is still wrong, as the host fixes it."""
        if not self._checking or self._busy or self._done:
            return
        problems = self._problems()
        self._checking = bool(problems)
        self._show_problems(problems)

    # ---- booking ----------------------------------------------------------

    def submit(self) -> None:
        """Book, if everything needed is there; else say everything that is not."""
        if self._busy or self._done or not self._online:
            return
        for w in (self.guest.phone, self.guest.email):
            mark_invalid(w, False)
        problems = self._problems()
        if problems:
            self._checking = True
            self._show_problems(problems)
            return
        request = self._request()
        self._set_busy(True, "Booking…")
        self._ops.mutate(
            partial(_book, request, self._relay),
            owner=self,
            changes=partial(self._booking_change, request),
            done=self._booked,
            failed=partial(self._book_failed, request),
        )

    def _request(self) -> BookingRequest:
        plan, guest = self._plan, self.guest
        starts_at, ends_at = self.when.span()
        assert plan is not None and starts_at is not None and ends_at is not None
        customer = guest.customer
        requests, occasion, payment_ref, source = self.extras.values()
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
            date_of_birth=None if customer else parse_date(guest.date_of_birth.text()),
            special_requests=requests,
            occasion=occasion,
            payment_ref=payment_ref,
            source=source,
        )

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
        details = None
        if plan is not None and starts_at is not None and ends_at is not None:
            names = ", ".join(t.name for t in plan.tables if t.id in self.tables.chosen)
            who = self.guest.customer.name if self.guest.customer else self.guest.name.text()
            details = (
                f"{who} · {text.party(self.when.party.value())} · {text.night_title(plan.night)} "
                f"{text.span(starts_at, ends_at, self._ops.desk.time_zone)} · {names}"
            )
        self.result_page.show_booking(result, details)
        self.pages.setCurrentIndex(1)
        self.done_button.setFocus()
        self.booked.emit(result)

    def _book_failed(self, request: BookingRequest, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, InvalidInput):
            self.guest.point_at(exc.field)
            self.show_message(exc.message)
        elif isinstance(exc, Refused) and exc.code == NOT_SIGNED_IN:
            self.show_message(f"Not booked: {SIGNED_OUT_NOTE}", kind="info")
        elif isinstance(exc, Refused):
            self.show_message(f"Not booked: {exc.message}")
            if exc.code in ("TABLE_UNAVAILABLE", "TABLE_BEING_BOOKED"):
                self._load_plan(self.when.chosen_night)
            elif exc.code == GUEST_BANNED:
                self._guest_banned(request, exc)
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

    # ---- closing ----------------------------------------------------------

    def _closing(self) -> None:
        self._search_timer.stop()
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


# Desk calls, run on a worker thread -----------------------------------------


def _book(request: BookingRequest, relay: Relay, desk: Desk) -> BookingResult:
    return desk.book(request, on_retry=relay.send)


def _search_customers(typed: str, desk: Desk) -> list[Customer]:
    return desk.search_customers(typed, limit=12)
