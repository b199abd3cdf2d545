# mypy: disable-error-code="no-untyped-call"
"""A new guest typed with another guest's phone or email (CONTACT_BELONGS_TO_OTHER).

Tried as a new host would: "Impostor Person" typed as a new guest with
Oliver Green's number.  The engine refuses it and writes nothing; the dialog
keeps everything typed and offers the two ways on beside the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from tests.conftest import DEMO_VENUE_ID
from tests.ui.conftest import Conn
from tests.ui.test_booking_dialog import activate, booking_row, open_dialog_by_dragging
from ui.composition import Desktop
from ui.new_booking_dialog import NewBookingDialog as BookingDialog

#: Oliver Green, one of the demo's guests (sql/demo.sql).
OLIVER_PHONE = "07700 910777"
OLIVER_EMAIL = "oliver.green21@example.com"


@dataclass(frozen=True)
class Case:
    """A new guest whose ``field`` is Oliver Green's."""

    field: str  # "phone" or "email"
    phone: str
    email: str
    refusal: str
    without: str  # the button's words

    def box(self, dialog: BookingDialog) -> QLineEdit:
        return dialog.guest.phone if self.field == "phone" else dialog.guest.email

    def other_box(self, dialog: BookingDialog) -> QLineEdit:
        return dialog.guest.email if self.field == "phone" else dialog.guest.phone


PHONE = Case(
    "phone",
    phone=OLIVER_PHONE,
    email="impostor@example.com",
    refusal="Not booked: 07700910777 is Oliver Green's number.",
    without="New guest without that number",
)
EMAIL = Case(
    "email",
    phone="07700 900444",
    email=OLIVER_EMAIL,
    refusal="Not booked: oliver.green21@example.com is Oliver Green's email address.",
    without="New guest without that email",
)
CASES = pytest.mark.parametrize("case", [PHONE, EMAIL], ids=["phone", "email"])


def counts(conn: Conn) -> tuple[int, int]:
    """How many customers and bookings the database holds."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM bookings)"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def label(button: QPushButton) -> str:
    """A button's words as a host reads them (without the Alt+key mark)."""
    return button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


def type_new_guest(qtbot: QtBot, dialog: BookingDialog, phone: str, email: str) -> None:
    qtbot.mouseClick(dialog.guest.new_guest_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.guest.name, "Impostor Person")
    qtbot.keyClicks(dialog.guest.phone, phone)
    qtbot.keyClicks(dialog.guest.email, email)
    qtbot.keyClicks(dialog.guest.date_of_birth, "01/01/2001")
    qtbot.keyClicks(dialog.requests, "Window seat")


def book_and_wait_for_the_offer(qtbot: QtBot, dialog: BookingDialog) -> None:
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.contact_conflict.isVisible())


def refused_with_oliver(qtbot: QtBot, desktop: Desktop, case: Case) -> BookingDialog:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    type_new_guest(qtbot, dialog, case.phone, case.email)
    book_and_wait_for_the_offer(qtbot, dialog)
    return dialog


@CASES
def test_another_guests_contact_is_refused_with_two_ways_on(
    qtbot: QtBot, desktop: Desktop, conn: Conn, case: Case
) -> None:
    before = counts(conn)
    dialog = open_dialog_by_dragging(qtbot, desktop)
    type_new_guest(qtbot, dialog, case.phone, case.email)
    book_and_wait_for_the_offer(qtbot, dialog)
    assert dialog.message.isVisible() and dialog.message.text() == case.refusal
    book_for, second, without = (
        *dialog.contact_conflict.book_for_buttons,
        dialog.contact_conflict.without_button,
    )
    assert book_for.isVisible() and label(book_for) == "Book for Oliver Green"
    assert not second.isVisible()
    assert without.isVisible() and label(without) == case.without
    assert case.box(dialog).property("invalid") == "true"
    assert case.other_box(dialog).property("invalid") != "true"
    # everything typed is kept, and nothing was written
    assert dialog.pages.currentIndex() == 0
    assert dialog.guest.customer is None and dialog.guest.is_new_guest
    assert dialog.guest.name.text() == "Impostor Person"
    assert (dialog.guest.phone.text(), dialog.guest.email.text()) == (case.phone, case.email)
    assert dialog.guest.date_of_birth.text() == "01/01/2001"
    assert dialog.requests.toPlainText() == "Window seat"
    assert dialog.book_button.isEnabled()
    assert counts(conn) == before


@CASES
def test_book_for_the_guest_whose_contact_it_is(
    qtbot: QtBot, desktop: Desktop, conn: Conn, case: Case
) -> None:
    customers, bookings = counts(conn)
    dialog = refused_with_oliver(qtbot, desktop, case)
    qtbot.mouseClick(dialog.contact_conflict.book_for_buttons[0], Qt.MouseButton.LeftButton)
    assert dialog.guest.customer is not None
    assert dialog.guest.customer.name == "Oliver Green"
    assert dialog.guest.chosen.isVisible() and "Oliver Green" in dialog.guest.chosen.text()
    assert not dialog.contact_conflict.isVisible()
    assert dialog.message.text() == "Oliver Green chosen — press Book to book for them."
    assert case.box(dialog).property("invalid") == "false"
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    row = booking_row(conn, dialog.reference_label.text())
    assert (row["name"], row["phone"]) == ("Oliver Green", "+447700910777")
    assert row["special_requests"] == "Window seat"
    assert counts(conn) == (customers, bookings + 1)  # no new customer


@CASES
def test_a_new_guest_without_that_contact(
    qtbot: QtBot, desktop: Desktop, conn: Conn, case: Case
) -> None:
    customers, bookings = counts(conn)
    dialog = refused_with_oliver(qtbot, desktop, case)
    qtbot.mouseClick(dialog.contact_conflict.without_button, Qt.MouseButton.LeftButton)
    assert case.box(dialog).text() == ""
    assert dialog.focusWidget() is case.box(dialog)
    assert dialog.guest.name.text() == "Impostor Person"
    kept = case.email if case.field == "phone" else case.phone
    assert case.other_box(dialog).text() == kept
    assert dialog.guest.date_of_birth.text() == "01/01/2001"
    assert dialog.guest.is_new_guest and dialog.guest.customer is None
    assert not dialog.contact_conflict.isVisible()
    assert case.box(dialog).property("invalid") == "false"
    alone = "the email alone" if case.field == "phone" else "the number alone"
    assert dialog.message.text().endswith(f"— or book with {alone}.")
    qtbot.keyClicks(case.box(dialog), "07700 900555" if case.field == "phone" else "ip@example.com")
    assert not dialog.message.isVisible()  # the host is typing the new one
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    row = booking_row(conn, dialog.reference_label.text())
    assert row["name"] == "Impostor Person"
    assert row["phone"] == ("+447700900555" if case.field == "phone" else "+447700900444")
    assert counts(conn) == (customers + 1, bookings + 1)


def test_changing_the_guest_takes_the_offer_away(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    dialog = refused_with_oliver(qtbot, desktop, PHONE)
    qtbot.keyClicks(dialog.guest.name, "-Smith")
    assert not dialog.message.isVisible()
    assert not dialog.contact_conflict.isVisible()
    assert dialog.guest.phone.property("invalid") == "false"
    assert dialog.guest.phone.text() == OLIVER_PHONE  # nothing else changes
    # and again: typing in the phone, or picking a guest from the search
    book_and_wait_for_the_offer(qtbot, dialog)
    qtbot.keyClick(dialog.guest.phone, Qt.Key.Key_Backspace)
    assert not dialog.contact_conflict.isVisible() and not dialog.message.isVisible()
    qtbot.keyClicks(dialog.guest.phone, "7")
    book_and_wait_for_the_offer(qtbot, dialog)
    qtbot.keyClicks(dialog.guest.search, "amelia")
    assert dialog.contact_conflict.isVisible()  # searching alone changes nobody
    qtbot.waitUntil(lambda: dialog.guest.results.count() >= 1)
    dialog.guest.choose(dialog.guest.results.item(0).data(Qt.ItemDataRole.UserRole))
    assert not dialog.contact_conflict.isVisible() and not dialog.message.isVisible()


def test_the_ways_on_by_keyboard(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    dialog = refused_with_oliver(qtbot, desktop, PHONE)
    activate(qtbot, dialog)
    book_for = dialog.contact_conflict.book_for_buttons[0]
    without = dialog.contact_conflict.without_button
    # Tab goes from the guest's details to the ways on
    dialog.guest.date_of_birth.setFocus()
    qtbot.keyClick(dialog.guest.date_of_birth, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: book_for.hasFocus())
    qtbot.keyClick(book_for, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: without.hasFocus())
    # Alt+W: without that number (a shortcut clicks with a short animation)
    qtbot.keyClick(without, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.guest.phone.text() == "")
    assert dialog.guest.phone.hasFocus()
    # Alt+B: book for Oliver Green; Ctrl+Enter books
    qtbot.keyClicks(dialog.guest.phone, OLIVER_PHONE)
    activate(qtbot, dialog)
    qtbot.keyClick(dialog.guest.phone, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.contact_conflict.isVisible())
    qtbot.keyClick(dialog.guest.phone, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.guest.customer is not None)
    assert dialog.guest.customer is not None and dialog.guest.customer.name == "Oliver Green"
    qtbot.keyClick(dialog.book_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    assert booking_row(conn, dialog.reference_label.text())["name"] == "Oliver Green"


def test_a_phone_and_an_email_of_two_other_guests(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    conn.execute(
        "INSERT INTO customers (venue_id, name, phone) VALUES (%s, 'Sam Dobson', '+447700900333')",
        [DEMO_VENUE_ID],
    )
    before = counts(conn)
    dialog = open_dialog_by_dragging(qtbot, desktop)
    type_new_guest(qtbot, dialog, "07700 900333", OLIVER_EMAIL)
    book_and_wait_for_the_offer(qtbot, dialog)
    assert dialog.message.text() == (
        "Not booked: 07700900333 is Sam Dobson's number and "
        "oliver.green21@example.com is Oliver Green's email address."
    )
    first, second = dialog.contact_conflict.book_for_buttons
    without = dialog.contact_conflict.without_button
    assert (label(first), label(second)) == ("Book for Sam Dobson", "Book for Oliver Green")
    assert second.isVisible()
    assert label(without) == "New guest without that number and email"
    assert counts(conn) == before
    qtbot.mouseClick(without, Qt.MouseButton.LeftButton)
    assert (dialog.guest.phone.text(), dialog.guest.email.text()) == ("", "")
    assert dialog.guest.name.text() == "Impostor Person"
    assert dialog.message.text() == "Ask the guest for another number or email."
