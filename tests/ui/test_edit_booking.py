# mypy: disable-error-code="no-untyped-call"
"""Changing a booking after it is made: the guest's details and the
booking's extras are corrected in the "Change booking" dialog, through the
engine, audited."""

from __future__ import annotations

import threading
from datetime import date
from uuid import UUID

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.desk import BookingDetails, Desk
from tests.ui.conftest import Conn
from ui import change_booking_dialog
from ui.change_booking_dialog import READING, ChangeBookingDialog
from ui.composition import Desktop


def open_a_booking(qtbot: QtBot, desktop: Desktop) -> ChangeBookingDialog:
    window = desktop.window
    booking = next(b.booking for b in window.model.blocks() if b.booking.status.holds_table)
    dialog = window.open_booking(booking.id)
    assert isinstance(dialog, ChangeBookingDialog)
    qtbot.waitUntil(lambda: dialog.guest.isEnabled())  # the fresh read is in
    return dialog


def test_the_guest_and_the_extras_are_corrected(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    dialog = open_a_booking(qtbot, desktop)
    booking = dialog.booking
    assert dialog.windowTitle() == "Change booking"
    assert dialog.guest.name.text() == booking.customer_name
    for field, typed in (
        (dialog.guest.name, "Oliver Greene"),
        (dialog.guest.date_of_birth, "14/02/1990"),
        (dialog.guest.notes, "Nut allergy"),
        (dialog.payment_ref, "pi_fixed"),
    ):
        field.clear()
        qtbot.keyClicks(field, typed)
    dialog.requests.setPlainText("Near the DJ")
    dialog.occasion.setCurrentText("Birthday")
    dialog.extras.source.setCurrentIndex(dialog.extras.source.findData("phone"))
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=10_000)  # saved, closed
    row = conn.execute(
        "SELECT c.name, c.date_of_birth, c.notes, b.special_requests, b.occasion, "
        "b.stripe_payment_intent_id, b.source FROM bookings b "
        "JOIN customers c ON c.id = b.customer_id WHERE b.id = %s",
        [booking.id],
    ).fetchone()
    assert row == (
        "Oliver Greene",
        date(1990, 2, 14),
        "Nut allergy",
        "Near the DJ",
        "Birthday",
        "pi_fixed",
        "phone",
    )
    audited = conn.execute(
        "SELECT table_name, staff_name FROM audit_logs WHERE record_id IN (%s, %s) "
        "AND operation = 'UPDATE' ORDER BY id",
        [booking.id, booking.customer_id],
    ).fetchall()
    assert ("customers", "Priya") in audited and ("bookings", "Priya") in audited
    # the grid shows the new name, through the change path
    qtbot.waitUntil(
        lambda: any(
            b.booking.customer_name == "Oliver Greene" for b in desktop.window.model.blocks()
        ),
        timeout=10_000,
    )


def test_the_date_of_birth_is_shown_and_every_problem_said_at_once(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    dialog = open_a_booking(qtbot, desktop)
    conn.execute(
        "UPDATE customers SET date_of_birth = '1991-03-05' WHERE id = %s",
        [dialog.booking.customer_id],
    )
    dialog.reject()
    dialog = open_a_booking(qtbot, desktop)
    assert dialog.guest.date_of_birth.text() == "05/03/1991"
    dialog.guest.name.clear()
    dialog.guest.date_of_birth.setText("31/02/1990")
    dialog.when.party.setValue(0)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    lines = dialog.message.text().splitlines()
    assert lines[0].startswith("Party: 0 guests? This venue takes parties of 1 to ")
    assert lines[1:] == ["Type the guest's name.", "Date of birth: type it as DD/MM/YYYY."]
    assert dialog.guest.name.property("invalid") == "true"
    qtbot.keyClicks(dialog.guest.name, "Oliver Green")  # each goes as it is put right
    assert "Type the guest's name." not in dialog.message.text()
    assert dialog.guest.name.property("invalid") == "false"
    dialog.when.party.setValue(4)
    dialog.guest.date_of_birth.clear()
    qtbot.keyClicks(dialog.guest.date_of_birth, "05/03/1991")
    assert not dialog.message.isVisible()
    dialog.reject()


def test_save_pressed_before_the_details_are_read_saves_when_they_come(
    qtbot: QtBot, desktop: Desktop, conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host quick enough to move the end and press Save changes before the
    guest's details are in is not ignored: it saves when they come, and closes."""
    read = threading.Event()
    real = change_booking_dialog._booking_details

    def held(booking_id: UUID, desk: Desk) -> BookingDetails:
        assert read.wait(10)
        return real(booking_id, desk)

    monkeypatch.setattr(change_booking_dialog, "_booking_details", held)
    window = desktop.window
    model = window.model
    block = next(
        b
        for b in model.blocks()
        if len(b.booking.table_ids) == 1
        and b.last + 2 < model.columnCount()
        and model.is_free(b.row, b.last + 1, b.last + 2)
    )
    dialog = window.open_booking(block.booking.id)
    assert isinstance(dialog, ChangeBookingDialog)
    qtbot.waitUntil(lambda: dialog.when.ends.count() > 0)
    dialog.when.ends.setCurrentIndex(dialog.when.ends.currentIndex() + 2)
    new_end = dialog.when.span()[1]
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert not dialog.guest.isEnabled()  # still reading
    assert dialog.book_button.text() == "Saving…" and not dialog.book_button.isEnabled()
    assert dialog.message.text() == READING
    read.set()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=10_000)  # saved, closed
    row = conn.execute("SELECT ends_at FROM bookings WHERE id = %s", [block.booking.id]).fetchone()
    assert row == (new_end,)
