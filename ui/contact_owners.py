"""A new guest's phone or email that is another guest's: the engine refuses
it (``CONTACT_BELONGS_TO_OTHER``), and the new-booking dialog offers two
ways on beside the refusal — book for that guest, or the new guest without
it.

Here: whose the typed contacts are (``contact_owners``, a desk call run on
a worker thread through the guest search), and the offer itself, mixed
into ``ui.new_booking_dialog.NewBookingDialog`` (``ContactOwnersOffer``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QBoxLayout, QLineEdit

from frontdesk import contacts
from frontdesk.desk import BookingRequest, Customer, Desk
from ui.booking_form import mark_invalid
from ui.latest import Latest

if TYPE_CHECKING:
    from ui.booking_dialog import BookingDialog

    _Base = BookingDialog
else:
    _Base = object

#: The engine's refusal of a typed phone or email that is another guest's.
CONTACT_BELONGS_TO_OTHER = "CONTACT_BELONGS_TO_OTHER"
#: Enough for the one guest who has a whole number or address to be among them.
CONTACT_SEARCH_LIMIT = 20


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


def contact_owners(phone: str | None, email: str | None, desk: Desk) -> Owners:
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


class ContactOwnersOffer(_Base):
    """The "another guest's contact" offer (mixed into NewBookingDialog,
    which makes ``_owners`` and ``_guest_note`` and connects the offer's
    buttons to ``_book_for`` and ``_without_contacts``)."""

    _owners: Latest  # forgotten whenever the offer goes
    _guest_note: bool  # the message is about the guest: it goes when they change

    def _find_contact_owners(self, request: BookingRequest) -> None:
        """The refused phone or email's owners, found off the UI thread as
        the search box finds guests; then the ways on are offered."""
        self._ops.query(
            partial(contact_owners, request.phone, request.email),
            owner=self,
            done=self._owners.ask(partial(self._contact_owners_found, request)),
            failed=self._call_failed,
        )

    def _contact_owners_found(self, request: BookingRequest, owners: Owners) -> None:
        guest = self.guest
        still_typed = (
            guest.customer is None
            and guest.is_new_guest
            and (guest.phone.text() or None) == request.phone
            and (guest.email.text() or None) == request.email
        )
        if self._done or not still_typed:
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

    def _withdraw_contact_offer(self) -> None:
        """The ways on go (the dialog says something else)."""
        self._owners.forget()
        for field in self.contact_conflict.fields:
            mark_invalid(self._contact_box(field), False)
        self.contact_conflict.withdraw()
        self._guest_note = False
