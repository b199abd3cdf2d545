# mypy: disable-error-code="no-untyped-call"
"""The guest card: who the guest is to the venue, before the host says yes.

In the booking dialog when a guest is chosen (a VIP with history; a guest
with two no-shows warned of), in the selected-booking panel, and a banned
guest: a host is told to fetch a manager, a manager overrides with a
reason (audited) and books.  Guests' tags, notes and past bookings are
written with plain SQL by ``conn`` (a superuser's), on a night weeks away
from the one on screen, so nothing here depends on today's date or hour.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.core.desk_helpers import VENUE, a_customer, insert_booking, quiet_friday, scalar
from tests.ui.conftest import Conn
from tests.ui.test_booking_dialog import click_item, open_dialog_by_dragging
from ui.composition import Desktop
from ui.guest_ban import FETCH_A_MANAGER
from ui.guest_card import GuestCard
from ui.new_booking_dialog import NewBookingDialog


def tag(conn: Conn, customer: UUID, name: str) -> None:
    conn.execute(
        "INSERT INTO customer_tags (venue_id, customer_id, tag_id) "
        "SELECT venue_id, %s, id FROM guest_tags WHERE venue_id = %s AND name = %s",
        [customer, VENUE, name],
    )


def guest(conn: Conn, n: int) -> tuple[UUID, str, str]:
    """The demo's n-th guest (by email): id, name, email."""
    customer = a_customer(conn, n)
    name, email = conn.execute(
        "SELECT name, email FROM customers WHERE id = %s", [customer]
    ).fetchone() or ("", "")
    return customer, name, email


def past(conn: Conn, n: int, statuses: list[str]) -> None:
    """Bookings of guest ``n`` with these statuses, on a quiet night weeks away."""
    night = quiet_friday(conn)
    tables = ["Booth 1", "Booth 2", "Booth 3", "Booth 4", "Booth 5"]
    for table, status in zip(tables, statuses, strict=False):
        insert_booking(conn, [table], night, "22:00", "23:00", status=status, customer=n)


def choose(qtbot: QtBot, dialog: NewBookingDialog, email: str) -> GuestCard:
    qtbot.keyClicks(dialog.guest.search, email)
    qtbot.waitUntil(lambda: dialog.guest.results.count() == 1)
    click_item(qtbot, dialog.guest.results)
    card = dialog.guest.card
    qtbot.waitUntil(lambda: card.isVisible() and card.profile is not None)
    return card


def history(conn: Conn, customer: UUID) -> dict[str, Any]:
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE status IN ('arrived', 'seated', 'completed')), "
        "count(*) FILTER (WHERE status = 'no_show'), "
        "count(*) FILTER (WHERE status = 'cancelled') FROM bookings WHERE customer_id = %s",
        [customer],
    ).fetchone()
    assert row is not None
    return {"visits": row[0], "no_shows": row[1], "cancellations": row[2]}


def test_a_vip_shows_with_tags_history_and_notes(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    customer, _name, email = guest(conn, 4)
    past(conn, 4, ["completed", "completed", "cancelled"])
    tag(conn, customer, "VIP")
    tag(conn, customer, "Allergy")
    conn.execute("UPDATE customers SET notes = 'Nut allergy' WHERE id = %s", [customer])
    dialog = open_dialog_by_dragging(qtbot, desktop)
    card = choose(qtbot, dialog, email)
    assert card.chip_texts() == ["VIP", "⚠ Allergy"]  # each says its name
    figures = history(conn, customer)  # as counted straight from the bookings
    visits, cancellations = figures["visits"], figures["cancellations"]
    assert visits >= 2 and cancellations >= 1
    line = card.history.text()
    assert line.startswith(f"VIP · {visits} visits")
    assert f"{cancellations} cancellation" in line
    assert card.warning.isVisible() and "Allergy: check the notes" in card.warning.text()
    assert card.notes.text() == "Notes: Nut allergy"
    assert dialog.result_value is None  # shown before anything is booked


def test_two_no_shows_are_warned_of_before_the_host_books(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    customer, _name, email = guest(conn, 5)
    past(conn, 5, ["no_show", "no_show"])
    assert history(conn, customer)["no_shows"] == 2
    dialog = open_dialog_by_dragging(qtbot, desktop)
    card = choose(qtbot, dialog, email)
    assert card.chip_texts() == []
    assert "2 no-shows" in card.history.text()
    assert card.warning.isVisible()
    assert card.warning.text() == "2 no-shows — confirm they are coming"
    assert dialog.book_button.isEnabled()  # a warning, not a refusal: the host decides
    assert dialog.result_value is None


def test_the_selected_booking_panel_shows_the_card(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    window = desktop.window
    block = next(b for b in window.model.blocks() if b.booking.customer_id is not None)
    customer = block.booking.customer_id
    assert customer is not None
    tag(conn, customer, "VIP")
    window.grid.select_booking(block.booking.id)
    card = window.booking_panel.guest_card
    qtbot.waitUntil(lambda: card.isVisible() and card.chip_texts() == ["VIP"])
    assert card.profile is not None and card.profile.name == block.booking.customer_name
    assert card.history.text().startswith("VIP · ")


def booked_for(conn: Conn, customer: UUID) -> int:
    count: int = scalar(conn, "SELECT count(*) FROM bookings WHERE customer_id = %s", [customer])
    return count


def test_a_host_is_told_to_fetch_a_manager_for_a_banned_guest(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    customer, _name, email = guest(conn, 6)
    tag(conn, customer, "Banned")
    before = booked_for(conn, customer)
    dialog = open_dialog_by_dragging(qtbot, desktop)
    card = choose(qtbot, dialog, email)
    assert card.chip_texts() == ["⚠ Banned"]
    assert "Banned: only a manager can book them" in card.warning.text()
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not booked" in dialog.message.text())
    assert FETCH_A_MANAGER in dialog.message.text()
    assert not dialog.override_button.isVisible()
    assert dialog.pages.currentIndex() == 0 and dialog.result_value is None
    assert booked_for(conn, customer) == before


def test_a_manager_overrides_the_ban_with_a_reason_and_books(
    qtbot: QtBot, manager_desktop: Desktop, conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer, _name, email = guest(conn, 6)
    tag(conn, customer, "Banned")
    before = booked_for(conn, customer)
    dialog = open_dialog_by_dragging(qtbot, manager_desktop)
    choose(qtbot, dialog, email)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.override_button.isVisible)
    assert "Not booked" in dialog.message.text() and FETCH_A_MANAGER not in dialog.message.text()
    asked: list[str] = []

    def get_text(_parent: object, title: str, *_args: object) -> tuple[str, bool]:
        asked.append(title)
        return "  Apologised; the owner agreed  ", True

    monkeypatch.setattr("ui.guest_ban.QInputDialog.getText", get_text)
    qtbot.mouseClick(dialog.override_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    assert asked == ["Override the ban"]
    assert dialog.pages.currentIndex() == 1
    assert booked_for(conn, customer) == before + 1
    row = conn.execute(
        "SELECT staff_name, terminal, new_values ->> 'reason' FROM audit_logs "
        "WHERE table_name = 'customers' AND record_id = %s AND operation = 'BAN_OVERRIDE'",
        [customer],
    ).fetchall()
    assert [tuple(r) for r in row] == [("Sam", "TEST-DESK", "Apologised; the owner agreed")]
