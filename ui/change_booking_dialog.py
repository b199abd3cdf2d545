"""Changing a booking made earlier: its tables, times and party, its extras
(occasion, requests, payment reference, where it came from), and the
guest's own details (name, phone, email, date of birth, notes), so that a
typo is fixed in seconds.

Opened on the booking's night; the guest's and the booking's details are
read fresh as it opens (Save changes pressed before they come saves as
soon as they do).  Save changes writes only what changed, each
through the engine and audited: the guest (``update_customer``), the
booking's details (``update_booking_details``), then a move (tables, times,
party) through the window, which carries moves out as undoable commands
(``move_wanted``; the answer comes back as ``move_answered``).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from uuid import UUID

from PySide6.QtWidgets import QWidget

from frontdesk.desk import BookingDetails, Desk
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from frontdesk.plan import Booking, Change, NightPlan
from ui import text
from ui.booking_dialog import SIGNED_OUT_NOTE, BookingDialog
from ui.booking_form import mark_invalid, parse_date
from ui.ops import NOT_SIGNED_IN, Ops

READING = "Reading the guest's details…"

#: What the guest's fields showed when read: compared to know what changed.
GuestTyped = tuple[str, str, str, str, str]
ExtrasTyped = tuple[str | None, str | None, str | None, str]


class ChangeBookingDialog(BookingDialog):
    """Everything about one booking, to correct."""

    VERB = "Save changes"

    def __init__(
        self,
        ops: Ops,
        night: date,
        parent: QWidget | None = None,
        *,
        booking: Booking,
        plan: NightPlan | None = None,
        online: bool = True,
    ) -> None:
        super().__init__(
            ops,
            night,
            parent,
            plan=plan,
            prefill=(booking.table_ids, booking.starts_at, booking.ends_at),
            online=online,
        )
        self.setObjectName("ChangeBookingDialog")
        self.setWindowTitle("Change booking")
        self.booking = booking
        self._details: BookingDetails | None = None
        self._guest_read: GuestTyped | None = None
        self._extras_read: ExtrasTyped | None = None
        self._moving = False
        self._save_when_read = False  # Save changes pressed while the details were read
        self._checking = False  # the form's problems were shown: recheck on each edit
        self.when.night.setEnabled(False)  # a booking moves within its night
        self.when.party.setValue(booking.party_size)
        self.guest.edit(_details_from(booking))  # at once; the fresh read replaces it
        self.extras.show_values(
            booking.special_requests, booking.occasion, booking.payment_ref, booking.source
        )
        self._set_enabled(False)
        self.show_message(READING, kind="info")
        self.guest.details_edited.connect(self._recheck)
        self._start()
        self.set_online(online)
        self._read_details()

    def _title_for(self, plan: NightPlan) -> str:
        b = self.booking
        return f"{b.customer_name} · {b.reference} · {text.night_title(plan.night)}"

    def _own_booking_id(self) -> UUID | None:
        return self.booking.id

    def _resume_calls(self) -> None:
        if self._details is None:
            self._read_details()

    # ---- the details, read fresh -----------------------------------------------

    def _read_details(self) -> None:
        self._ops.query(
            partial(_booking_details, self.booking.id),
            owner=self,
            done=self._details_read,
            failed=self._details_failed,
        )

    def _details_read(self, details: BookingDetails) -> None:
        self._details = details
        self.guest.edit(details)
        self.extras.show_values(
            details.special_requests, details.occasion, details.payment_ref, details.source
        )
        self._guest_read = self._guest_typed()
        self._extras_read = self.extras.values()
        self._set_enabled(True)
        if self.message.text() == READING:
            self.show_message("")
        if self._save_when_read:
            self._save_when_read = False
            self._set_busy(False)
            self.submit()

    def _details_failed(self, exc: Exception) -> None:
        if self._save_when_read:  # nothing was saved: say why, keep what was typed
            self._save_when_read = False
            self._set_busy(False)
        self._call_failed(exc)

    def _set_enabled(self, enabled: bool) -> None:
        for w in (self.guest, self.extras):
            w.setEnabled(enabled)

    def _guest_typed(self) -> GuestTyped:
        g = self.guest
        return (
            g.name.text().strip(),
            g.phone.text().strip(),
            g.email.text().strip(),
            g.date_of_birth.text().strip(),
            g.notes.text().strip(),
        )

    # ---- saving -----------------------------------------------------------

    def _problems(self) -> list[tuple[QWidget | None, str]]:
        found: list[tuple[QWidget | None, str]] = []
        starts_at, ends_at = self.when.span()
        if starts_at is None or ends_at is None or not self.tables.chosen:
            found.append((None, "Choose the tables and the times."))
        party = self.when.party_problem()
        if party is not None:
            found.append((self.when.party.lineEdit(), party))
        if not self.guest.name.text().strip():
            found.append((self.guest.name, "Type the guest's name."))
        try:
            parse_date(self.guest.date_of_birth.text())
        except ValueError:
            found.append((self.guest.date_of_birth, "Date of birth: type it as DD/MM/YYYY."))
        return found

    def _recheck(self) -> None:
        """After the problems were shown: say what is still wrong, as the host fixes it."""
        if not self._checking or self._busy:
            return
        problems = self._problems()
        self._checking = bool(problems)
        self._show_problems(problems)

    def _after_span_changed(self) -> None:
        self._recheck()

    def _show_problems(self, problems: list[tuple[QWidget | None, str]]) -> None:
        marked = {w for w, _ in problems if w is not None}
        for w in (self.guest.name, self.guest.date_of_birth, self.guest.phone, self.guest.email):
            mark_invalid(w, w in marked)
        mark_invalid(self.when.party.lineEdit(), self.when.party_problem() is not None)
        self.show_message("\n".join(m for _, m in problems))

    def _placement_changed(self) -> bool:
        b = self.booking
        starts_at, ends_at = self.when.span()
        return (
            set(self.tables.chosen) != set(b.table_ids)
            or starts_at != b.starts_at
            or ends_at != b.ends_at
            or self.when.party.value() != b.party_size
        )

    def submit(self) -> None:
        """Save what changed; say everything that is wrong first.  Pressed
        before the guest's details are read, it saves when they come."""
        if self._busy or self._done or not self._online:
            return
        if self._details is None:
            # Only the tables, times and party can have been changed yet (the
            # guest's and the booking's details are disabled until read).
            self._save_when_read = True
            self._set_busy(True, "Saving…")
            self.show_message(READING, kind="info")
            return
        problems = self._problems()
        if problems:
            self._checking = True
            self._show_problems(problems)
            return
        guest_changed = self._guest_typed() != self._guest_read
        extras_changed = self.extras.values() != self._extras_read
        if not guest_changed and not extras_changed:
            self._move_or_close()
            return
        g = self.guest
        requests, occasion, payment_ref, source = self.extras.values()
        call = partial(
            _save_details,
            self.booking.id,
            self._details.customer_id if guest_changed else None,
            (
                g.name.text(),
                g.phone.text() or None,
                g.email.text() or None,
                parse_date(g.date_of_birth.text()),
                g.notes.text() or None,
            ),
            (requests, occasion, payment_ref, source) if extras_changed else None,
        )
        self._set_busy(True, "Saving…")
        self._ops.mutate(
            call, owner=self, changes=self._details_change, done=self._saved, failed=self._failed
        )

    def _details_change(self, _result: object) -> Change:
        b = self.booking
        return Change(
            venue_id=self._ops.desk.venue_id,
            night=self.when.chosen_night,
            table_ids=frozenset(b.table_ids),
            booking_ids=frozenset({b.id}),
            kinds=frozenset({"updated"}),
        )

    def _saved(self, _result: object) -> None:
        self._set_busy(False)
        # Saved: a refused move after this does not write them again.
        self._guest_read = self._guest_typed()
        self._extras_read = self.extras.values()
        self._move_or_close()

    def _move_or_close(self) -> None:
        if not self._placement_changed():
            self._done = True
            self.accept()
            return
        starts_at, ends_at = self.when.span()
        self._set_busy(True, "Saving…")
        self._moving = True
        self.move_wanted.emit(
            self.booking.id, self.tables.chosen, starts_at, ends_at, self.when.party.value()
        )

    def move_answered(self, booking_id: UUID, refusal: str | None) -> None:
        """The window tells the dialog how its move went."""
        if booking_id != self.booking.id or not self._moving:
            return
        self._moving = False
        self._set_busy(False)
        if refusal is None:
            self._done = True
            self.accept()
        else:
            self.show_message(f"Not moved: {refusal}")

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, InvalidInput):
            self.guest.point_at(exc.field)
            self.show_message(exc.message)
        elif isinstance(exc, Refused) and exc.code == NOT_SIGNED_IN:
            self.show_message(f"Not changed: {SIGNED_OUT_NOTE}", kind="info")
        elif isinstance(exc, Refused):
            self.show_message(f"Not changed: {exc.message}")
        elif isinstance(exc, ServerUnavailable):
            self.show_message(
                "Not changed: the database can't be reached. Everything you typed is kept."
            )
        else:
            self.show_message("Not changed: something went wrong (it has been logged).")


def _details_from(booking: Booking) -> BookingDetails:
    """What the night plan already says, shown until the fresh read comes."""
    return BookingDetails(
        customer_id=booking.customer_id,
        name=booking.customer_name,
        phone=booking.customer_phone,
        email=booking.customer_email,
        date_of_birth=None,
        notes=booking.customer_notes,
        special_requests=booking.special_requests,
        occasion=booking.occasion,
        payment_ref=booking.payment_ref,
        source=booking.source,
    )


# Desk calls, run on a worker thread -----------------------------------------


def _booking_details(booking_id: UUID, desk: Desk) -> BookingDetails:
    return desk.booking_details(booking_id)


def _save_details(
    booking_id: UUID,
    customer_id: UUID | None,
    guest: tuple[str, str | None, str | None, date | None, str | None],
    extras: tuple[str | None, str | None, str | None, str] | None,
    desk: Desk,
) -> None:
    """The guest's details (when ``customer_id``), then the booking's (when ``extras``)."""
    if customer_id is not None:
        name, phone, email, date_of_birth, notes = guest
        desk.update_customer(
            customer_id,
            name=name,
            phone=phone,
            email=email,
            date_of_birth=date_of_birth,
            notes=notes,
        )
    if extras is not None:
        requests, occasion, payment_ref, source = extras
        desk.update_booking_details(
            booking_id,
            special_requests=requests,
            occasion=occasion,
            payment_ref=payment_ref,
            source=source,
        )
