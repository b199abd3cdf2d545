"""A banned guest in the new-booking dialog: the engine refuses the booking
(``GUEST_BANNED``); a manager is offered "Override and book…" beside the
refusal (a reason is asked, then the override and the booking go in one
transaction, audited: ``frontdesk.guests.book_overriding_ban``); a host is
told to fetch a manager.  Mixed into ``ui.new_booking_dialog.NewBookingDialog``.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QLineEdit, QPushButton

from frontdesk import guests
from frontdesk.desk import BookingRequest, BookingResult, Desk
from frontdesk.errors import Refused

if TYPE_CHECKING:
    from ui.booking_dialog import BookingDialog

    _Base = BookingDialog
else:
    _Base = object

GUEST_BANNED = guests.GUEST_BANNED
FETCH_A_MANAGER = "Fetch a manager: only a manager can override a ban."


class BanOverrideOffer(_Base):
    """The "Override and book…" button and what it does."""

    _banned_request: BookingRequest | None = None

    def _build_ban_offer(self) -> None:
        self.override_button = QPushButton("&Override and book…", self)
        self.override_button.setAutoDefault(False)
        self.override_button.setToolTip("Book this banned guest anyway; you will be asked why")
        self.override_button.clicked.connect(self._override_clicked)
        self.override_button.hide()
        self._notice.addWidget(self.override_button)

    def _guest_banned(self, request: BookingRequest, refusal: Refused) -> None:
        """Say the refusal; offer the override to a manager, else say who can."""
        who = self._ops.desk.signed_in
        if who is not None and who.is_manager:
            self.show_message(f"Not booked: {refusal.message}")
            self._banned_request = request
            self.override_button.show()
            self.override_button.setFocus()
        else:
            self.show_message(f"Not booked: {refusal.message} {FETCH_A_MANAGER}")

    def _withdraw_ban_offer(self) -> None:
        self._banned_request = None
        if hasattr(self, "override_button"):
            self.override_button.hide()

    def _override_clicked(self) -> None:
        request = self._banned_request
        if request is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Override the ban",
            "Why is this banned guest booked? (kept in the audit log)",
            QLineEdit.EchoMode.Normal,
        )
        if not ok or not reason.strip():
            return
        self._withdraw_ban_offer()
        self._override(request, reason.strip())

    def _override(self, request: BookingRequest, reason: str) -> None:
        """Override the ban with ``reason`` and book ``request``."""
        self._set_busy(True, "Booking…")
        self._ops.mutate(
            partial(_book_overriding_ban, request, reason),
            owner=self,
            changes=partial(self._booking_change, request),  # type: ignore[attr-defined]
            done=self._booked,  # type: ignore[attr-defined]
            failed=partial(self._book_failed, request),  # type: ignore[attr-defined]
        )


def _book_overriding_ban(request: BookingRequest, reason: str, desk: Desk) -> BookingResult:
    return guests.book_overriding_ban(desk, request, reason)
