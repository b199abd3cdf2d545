"""Table blocks on the grid: drawn as an out-of-service band with the reason
on every desk, set and lifted by a manager from the grid's menu (the block
dialog), refused over bookings with the bookings listed; a host may not."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from frontdesk.plan import Status, TableBlock
from tests.ui.conftest import Conn
from ui import theme
from ui.block_dialog import MANAGERS_ONLY, TableBlockActions
from ui.composition import Desktop
from ui.grid_model import Role
from ui.grid_paint import paint_out_of_service


def table_id(conn: Conn, name: str) -> UUID:
    row = conn.execute("SELECT id FROM venue_tables WHERE name = %s", [name]).fetchone()
    assert row is not None
    tid: UUID = row[0]
    return tid


def free_table(desktop: Desktop) -> str:
    """A table nobody has booked on the night shown."""
    plan = desktop.window.model.plan
    assert plan is not None
    taken = {t for b in plan.bookings if b.status.holds_table for t in b.table_ids}
    return next(t.name for t in plan.tables if t.id not in taken)


def block_from_psql(conn: Conn, table: str, night: date, reason: str) -> None:
    row = conn.execute(
        "SELECT success, error_message FROM block_table("
        "(SELECT venue_id FROM venue_tables WHERE name = %s), %s, %s, "
        "private.fd_night_instant((SELECT venue_id FROM venue_tables WHERE name = %s), %s, "
        "'23:00'), NULL, %s)",
        [table, table_id(conn, table), night, table, night, reason],
    ).fetchone()
    assert row is not None and row[0], row


def test_a_block_reaches_a_desk_and_is_drawn_with_its_reason(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    model = desktop.window.model
    name = free_table(desktop)
    block_from_psql(conn, name, friday, "Broken booth")
    qtbot.waitUntil(lambda: len(model.out_of_service()) == 1, timeout=15_000)
    (out,) = model.out_of_service()
    assert out.row == model.row_for_table(table_id(conn, name))
    assert model.slot(out.first) is not None and model.slot(out.first).label == "23:00"  # type: ignore[union-attr]
    assert out.last == len(model.slots) - 1  # to the close
    index = model.index(out.row, out.first)
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == "Out of service · Broken booth"
    assert isinstance(model.data(index, Role.OUT_OF_SERVICE), TableBlock)
    assert "out of service" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert not model.is_free(out.row, out.first, out.first)
    assert model.data(model.index(out.row, 0), Role.OUT_OF_SERVICE) is None


def test_the_band_is_painted() -> None:
    image = QImage(400, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    block = TableBlock(
        id=UUID(int=1),
        table_id=UUID(int=2),
        starts_at=None,
        ends_at=None,
        whole_night=True,
        reason="Deep clean",
        blocked_by="Sam",
    )
    paint_out_of_service(painter, QRectF(0, 0, 400, 40), block, theme.LIGHT, painter.font())
    painter.end()
    assert image.pixelColor(200, 5) != QColor("white")


def test_a_manager_blocks_a_table_from_the_menu_and_unblocks_it(
    qtbot: QtBot, manager_desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = manager_desktop.window
    model = window.model
    actions = TableBlockActions(window.ops, model, window)
    actions.set_manager(True)
    name = free_table(manager_desktop)
    row = model.row_for_table(table_id(conn, name))
    menu = QMenu(window)
    actions.add_to(menu, row, 0)
    (entry,) = [a for a in menu.actions() if a.text()]
    assert entry.text() == f"Block {name}…"
    assert entry.isEnabled()
    entry.trigger()
    dialog = actions.dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok.isEnabled()  # a reason first
    qtbot.keyClicks(dialog.reason, "Leak")  # type: ignore[no-untyped-call]
    dialog.part.setChecked(True)
    dialog.starts.setCurrentIndex(dialog.starts.findText("01:00"))
    dialog.submit()
    qtbot.waitUntil(lambda: len(model.out_of_service()) == 1, timeout=15_000)
    (out,) = model.out_of_service()
    assert out.block.reason == "Leak" and model.slot(out.first).label == "01:00"  # type: ignore[union-attr]
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    # "Unblock" on the band
    menu = QMenu(window)
    actions.add_to(menu, row, out.first)
    (entry,) = [a for a in menu.actions() if a.text()]
    assert entry.text() == f"Unblock {name} (Leak)"
    actions.unblock(out.block, confirm=False)
    qtbot.waitUntil(lambda: model.out_of_service() == (), timeout=15_000)


def test_a_block_over_bookings_is_refused_and_lists_them(
    qtbot: QtBot, manager_desktop: Desktop, conn: Conn
) -> None:
    window = manager_desktop.window
    model = window.model
    plan = model.plan
    assert plan is not None
    booked = next(b for b in plan.bookings if b.status in (Status.PENDING, Status.CONFIRMED))
    actions = TableBlockActions(window.ops, model, window)
    actions.set_manager(True)
    dialog = actions.open_dialog(booked.table_ids[0])
    assert dialog is not None
    qtbot.keyClicks(dialog.reason, "Leak")  # type: ignore[no-untyped-call]
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=15_000)
    assert dialog.problem.text().startswith("Not blocked:")
    assert booked.reference in dialog.problem.text()
    assert dialog.isVisible() and dialog.reason.text() == "Leak"
    assert model.out_of_service() == ()


def test_a_host_finds_block_table_disabled(desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    actions = TableBlockActions(window.ops, window.model, window)
    menu = QMenu(window)
    actions.add_to(menu, window.model.row_for_table(table_id(conn, "Booth 6")), 0)
    (entry,) = [a for a in menu.actions() if a.text()]
    assert not entry.isEnabled() and entry.toolTip() == MANAGERS_ONLY
    assert actions.open_dialog(table_id(conn, "Booth 6")) is None
