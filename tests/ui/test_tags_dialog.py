# mypy: disable-error-code="no-untyped-call"
"""The venue's tag list (Manager ▸ Guest tags…) and a guest's tags and notes
(the guest card's "Tags & notes…"): what is saved, and the engine's
refusals said in words (a tag on guests removed, two tags of one name, a
host adding a ban)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.core.desk_helpers import VENUE
from tests.ui.conftest import Conn
from ui.composition import Desktop
from ui.guest_card import GuestCard
from ui.guest_tags_dialog import GuestTagsDialog
from ui.tags_dialog import IN_USE, KIND, NAME, TagsDialog


def venue_tags(conn: Conn) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT name, kind, is_active FROM guest_tags WHERE venue_id = %s "
            "ORDER BY sort_order, lower(name)",
            [VENUE],
        ).fetchall()
    ]


def guest_tags(conn: Conn, customer: UUID) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT g.name FROM customer_tags ct JOIN guest_tags g ON g.id = ct.tag_id "
            "WHERE ct.customer_id = %s ORDER BY g.sort_order",
            [customer],
        ).fetchall()
    ]


def open_tags(qtbot: QtBot, desktop: Desktop) -> TagsDialog:
    manager = desktop.window.manager
    assert manager.act_tags.isEnabled()
    manager.act_tags.trigger()
    dialog = manager.tags
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled() and dialog.table.rowCount() > 0)
    return dialog


def save_and_wait(qtbot: QtBot, dialog: TagsDialog, said: str) -> None:
    dialog.save_button.click()
    qtbot.waitUntil(lambda: said in dialog.message.text(), timeout=10_000)


def test_a_host_sees_guest_tags_as_managers_only(desktop: Desktop) -> None:
    action = desktop.window.manager.act_tags
    assert not action.isEnabled() and action.toolTip() == "Managers only"
    assert desktop.window.manager.open_tags() is None


def test_a_manager_adds_renames_orders_and_retires_tags(
    qtbot: QtBot, manager_desktop: Desktop, conn: Conn
) -> None:
    dialog = open_tags(qtbot, manager_desktop)
    assert [t.name for t in dialog.tags()] == ["VIP", "Regular", "Allergy", "Banned"]
    # add "Birthday" (a note), rename Regular, make it a warning, move it first
    dialog.add_button.click()
    editor = dialog.table.viewport().findChild(QLineEdit)  # the new row's name, open to type
    assert editor is not None
    qtbot.keyClicks(editor, "Birthday")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits it queued: let it
    qtbot.waitUntil(lambda: dialog.table.state() != QAbstractItemView.State.EditingState)
    regular = dialog.row_of("Regular")
    item = dialog.table.item(regular, NAME)
    assert item is not None
    item.setText("Regular guest")
    kind = dialog.table.cellWidget(regular, KIND)
    assert isinstance(kind, QComboBox)
    kind.setCurrentIndex(kind.findData("warning"))
    dialog.table.selectRow(regular)
    dialog.up_button.click()
    save_and_wait(qtbot, dialog, "Saved.")
    assert venue_tags(conn) == [
        ("Regular guest", "warning", True),
        ("VIP", "vip", True),
        ("Allergy", "warning", True),
        ("Banned", "banned", True),
        ("Birthday", "note", True),
    ]
    # a tag on a guest: removing it is refused in words, retiring it is saved
    customer = conn.execute("SELECT id FROM customers WHERE venue_id = %s LIMIT 1", [VENUE])
    (cid,) = customer.fetchone() or (None,)
    conn.execute(
        "INSERT INTO customer_tags (venue_id, customer_id, tag_id) "
        "SELECT venue_id, %s, id FROM guest_tags WHERE venue_id = %s AND name = 'Allergy'",
        [cid, VENUE],
    )
    dialog.reload()
    qtbot.waitUntil(lambda: _guests(dialog, "Allergy") == "1")
    dialog.table.selectRow(dialog.row_of("Allergy"))
    dialog.remove_button.click()
    save_and_wait(qtbot, dialog, "Not saved:")
    assert "Allergy is on guests' profiles: retire it instead" in dialog.message.text()
    assert len(venue_tags(conn)) == 5  # nothing saved
    dialog.reload()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 5)
    in_use = dialog.table.item(dialog.row_of("Allergy"), IN_USE)
    assert in_use is not None
    in_use.setCheckState(Qt.CheckState.Unchecked)
    save_and_wait(qtbot, dialog, "Saved.")
    assert ("Allergy", "warning", False) in venue_tags(conn)
    assert guest_tags(conn, cid) == ["Allergy"]  # retired, still on the guest


def _guests(dialog: TagsDialog, name: str) -> str:
    try:
        item = dialog.table.item(dialog.row_of(name), 3)
    except KeyError:
        return ""
    return item.text() if item is not None else ""


def test_two_tags_of_one_name_are_refused_in_words(
    qtbot: QtBot, manager_desktop: Desktop, conn: Conn
) -> None:
    dialog = open_tags(qtbot, manager_desktop)
    item = dialog.table.item(dialog.row_of("Regular"), NAME)
    assert item is not None
    item.setText("vip")
    save_and_wait(qtbot, dialog, "Not saved:")
    assert dialog.message.text() == "Not saved: There are two tags called VIP."
    assert [t[0] for t in venue_tags(conn)] == ["VIP", "Regular", "Allergy", "Banned"]
    assert dialog.save_button.isEnabled()  # put it right and save again


def card_of_a_booking(qtbot: QtBot, desktop: Desktop) -> tuple[GuestCard, UUID]:
    window = desktop.window
    block = next(b for b in window.model.blocks() if b.booking.customer_id is not None)
    customer = block.booking.customer_id
    assert customer is not None
    window.grid.select_booking(block.booking.id)
    card = window.booking_panel.guest_card
    qtbot.waitUntil(lambda: card.isVisible() and card.profile is not None)
    assert card.profile is not None and card.profile.id == customer
    return card, customer


def open_guest_tags(qtbot: QtBot, card: GuestCard) -> GuestTagsDialog:
    assert card.edit_button.isVisible()
    qtbot.mouseClick(card.edit_button, Qt.MouseButton.LeftButton)
    dialogs = card.window().findChildren(GuestTagsDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled())
    return dialog


def test_a_host_tags_a_guest_and_writes_notes_from_the_card(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    card, customer = card_of_a_booking(qtbot, desktop)
    dialog = open_guest_tags(qtbot, card)
    dialog.set_checked("VIP", True)
    dialog.notes.setPlainText("Likes the corner booth")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: card.chip_texts() == ["VIP"], timeout=10_000)  # read again
    assert card.notes.text() == "Notes: Likes the corner booth"
    assert guest_tags(conn, customer) == ["VIP"]
    notes = conn.execute("SELECT notes FROM customers WHERE id = %s", [customer]).fetchone()
    assert notes == ("Likes the corner booth",)


def test_a_host_may_not_ban_and_is_told_why(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    card, customer = card_of_a_booking(qtbot, desktop)
    dialog = open_guest_tags(qtbot, card)
    dialog.set_checked("Banned", True)
    dialog.notes.setPlainText("Trouble last week")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert dialog.message.text() == "Not saved: Only a manager may add or remove Banned."
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert guest_tags(conn, customer) == []
    notes = conn.execute("SELECT notes FROM customers WHERE id = %s", [customer]).fetchone()
    assert notes != ("Trouble last week",)  # nothing of it saved


def test_a_manager_bans_from_the_card(qtbot: QtBot, manager_desktop: Desktop, conn: Conn) -> None:
    card, customer = card_of_a_booking(qtbot, manager_desktop)
    dialog = open_guest_tags(qtbot, card)
    dialog.set_checked("Banned", True)
    ok = dialog.findChild(QDialogButtonBox)
    assert isinstance(ok, QDialogButtonBox)
    button = ok.button(QDialogButtonBox.StandardButton.Save)
    assert isinstance(button, QWidget)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.chip_texts() == ["⚠ Banned"], timeout=10_000)
    assert "Banned: only a manager can book them" in card.warning.text()
    assert guest_tags(conn, customer) == ["Banned"]
