# mypy: disable-error-code="no-untyped-call"
"""Moving bookings on the grid with the mouse; refusals spring back; undo moves back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.plan import Booking
from tests.ui.conftest import Conn
from ui import text
from ui.composition import Desktop
from ui.grid_drag import DragState
from ui.grid_model import Block, NightGridModel
from ui.grid_view import NightGridView


def placement(conn: Conn, booking_id: UUID) -> tuple[Any, ...]:
    """(table names, starts_at, ends_at) as the database has them."""
    row = conn.execute(
        "SELECT array_agg(t.name ORDER BY t.name), b.starts_at, b.ends_at FROM bookings b "
        "JOIN booking_tables bt ON bt.booking_id = b.id JOIN venue_tables t ON t.id = bt.table_id "
        "WHERE b.id = %s GROUP BY b.id",
        [booking_id],
    ).fetchone()
    assert row is not None
    return (tuple(row[0]), row[1], row[2])


def drag(qtbot: QtBot, view: NightGridView, start: QPoint, end: QPoint) -> None:
    """A real press, move and release on the grid's viewport."""
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(viewport, middle)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def free_rows_for(
    model: NightGridModel, block: Block, minimum: Callable[[Decimal], bool] | None = None
) -> list[int]:
    """Free tables that fit the block's party at its time; by default with
    the booking's minimum spend (a move to another minimum asks first)."""
    if minimum is None:
        minimum = block.booking.min_spend.__eq__
    rows = []
    for row in range(model.rowCount()):
        table = model.table_at(row)
        if (
            table is not None
            and row != block.row
            and table.capacity >= block.booking.party_size
            and minimum(table.min_spend)
            and model.is_free(row, block.first, block.last)
            and not any(model.hold_at(row, c) for c in range(block.first, block.last + 1))
        ):
            rows.append(row)
    return rows


def movable(
    model: NightGridModel, minimum: Callable[[Block], Callable[[Decimal], bool]] | None = None
) -> tuple[Block, int]:
    """A one-table booking and a free table that fits its party at its time
    (with the same minimum spend, unless ``minimum`` says which)."""
    for block in model.blocks():
        if len(block.booking.table_ids) == 1:
            rows = free_rows_for(model, block, minimum(block) if minimum else None)
            if rows:
                return block, rows[0]
    raise AssertionError("no booking can move to a free table")


def busy_row_for(model: NightGridModel, block: Block) -> int:
    for row in range(model.rowCount()):
        if (
            row != block.row
            and model.table_at(row)
            and not model.is_free(row, block.first, block.last)
        ):
            return row
    raise AssertionError("no busy table")


def single_table_block(model: NightGridModel) -> Block:
    return next(b for b in model.blocks() if len(b.booking.table_ids) == 1)


def grab_point(view: NightGridView, block: Block) -> QPoint:
    rect = view.block_rect(block.booking.id, block.table_id)
    return QPoint(rect.left() + 20, rect.center().y())


def target_point(view: NightGridView, block: Block, row: int) -> QPoint:
    start = grab_point(view, block)
    return QPoint(start.x(), view.cell_center(row, block.first).y())


def test_drag_a_booking_to_another_table(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    block, row = movable(model)
    booking: Booking = block.booking
    target = model.table_at(row)
    assert target is not None
    before = placement(conn, booking.id)
    drag(qtbot, view, grab_point(view, block), target_point(view, block, row))
    assert view.pending_moves() == [booking.id]  # shown where it lands while the desk works
    qtbot.waitUntil(lambda: placement(conn, booking.id)[0] == (target.name,))
    assert placement(conn, booking.id)[1:] == before[1:]  # same times
    qtbot.waitUntil(lambda: not view.pending_moves() and window.night.settled)
    moved = model.blocks_of(booking.id)
    assert [b.row for b in moved] == [row]
    assert window.booking_actions.undo_stack.count() == 1


def test_drag_the_right_edge_changes_the_end(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    block = next(
        b
        for b in model.blocks()
        if len(b.booking.table_ids) == 1
        and b.first > 0
        and model.is_free(b.row, b.last + 1, b.last + 2)
    )
    rect = view.block_rect(block.booking.id)
    edge = QPoint(rect.right() - 3, rect.center().y())
    two_later = QPoint(view.cell_center(block.row, block.last + 2).x(), edge.y())
    drag(qtbot, view, edge, two_later)
    new_end = model.slot(block.last + 2).ends_at  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: placement(conn, block.booking.id)[2] == new_end)
    assert placement(conn, block.booking.id)[1] == block.booking.starts_at


def test_a_refused_drag_springs_back(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    block = single_table_block(model)
    row = busy_row_for(model, block)
    before = placement(conn, block.booking.id)
    home = [(b.row, b.first, b.last) for b in model.blocks_of(block.booking.id)]
    drag(qtbot, view, grab_point(view, block), target_point(view, block, row))
    assert view.pending_moves() == [block.booking.id]
    qtbot.waitUntil(lambda: not view.pending_moves())  # slid home
    assert placement(conn, block.booking.id) == before
    assert [(b.row, b.first, b.last) for b in model.blocks_of(block.booking.id)] == home
    assert window.statusBar().currentMessage().startswith("Not moved: ")
    assert window.booking_actions.undo_stack.count() == 0


def test_undo_moves_back_and_redo_moves_again(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    block, row = movable(model)
    before = placement(conn, block.booking.id)
    drag(qtbot, view, grab_point(view, block), target_point(view, block, row))
    qtbot.waitUntil(lambda: placement(conn, block.booking.id) != before)
    moved = placement(conn, block.booking.id)
    qtbot.waitUntil(lambda: window.act_undo.isEnabled())
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: placement(conn, block.booking.id) == before)
    qtbot.waitUntil(lambda: window.act_redo.isEnabled())
    window.act_redo.trigger()
    qtbot.waitUntil(lambda: placement(conn, block.booking.id) == moved)
    qtbot.waitUntil(
        lambda: window.night.settled and [b.row for b in model.blocks_of(block.booking.id)] == [row]
    )


def test_undo_that_the_engine_refuses_is_reported_and_dropped(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    block, row = movable(model)
    drag(qtbot, view, grab_point(view, block), target_point(view, block, row))
    stack = window.booking_actions.undo_stack
    qtbot.waitUntil(lambda: stack.count() == 1 and window.act_undo.isEnabled())
    # another desk takes the old place meanwhile
    conn.execute(
        "SELECT * FROM create_booking_atomic(%s, 'late@example.com', NULL, 'Late Comer', "
        "ARRAY[%s]::uuid[], %s, %s::time, %s::time, 2)",
        [
            model.plan.venue_id,  # type: ignore[union-attr]
            block.table_id,
            friday,
            block.booking.starts_at.astimezone(model.zone).time(),
            block.booking.ends_at.astimezone(model.zone).time(),
        ],
    )
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: stack.count() == 0)
    assert window.statusBar().currentMessage().startswith("Can't undo")
    assert not window.act_undo.isEnabled()


def test_a_move_while_an_undo_is_in_flight_is_refused_and_springs_back(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    actions, stack = window.booking_actions, window.booking_actions.undo_stack
    block, row = movable(model)
    before = placement(conn, block.booking.id)
    drag(qtbot, view, grab_point(view, block), target_point(view, block, row))
    qtbot.waitUntil(lambda: stack.count() == 1 and window.act_undo.isEnabled())
    qtbot.waitUntil(lambda: not view.pending_moves() and window.night.settled)
    other, other_row = next(
        (b, rows[0])
        for b in model.blocks()
        if len(b.booking.table_ids) == 1
        and b.booking.id != block.booking.id
        and (rows := [r for r in free_rows_for(model, b) if r != block.row])
    )
    other_before = placement(conn, other.booking.id)
    home = [(b.row, b.first, b.last) for b in model.blocks_of(other.booking.id)]
    window.act_undo.trigger()
    assert actions.busy  # the undo is on its way
    drag(qtbot, view, grab_point(view, other), target_point(view, other, other_row))
    assert window.statusBar().currentMessage() == "Not moved: Wait for the undo to finish"
    qtbot.waitUntil(lambda: not view.pending_moves())  # slid home
    assert [(b.row, b.first, b.last) for b in model.blocks_of(other.booking.id)] == home
    qtbot.waitUntil(lambda: placement(conn, block.booking.id) == before)  # the undo landed
    qtbot.waitUntil(lambda: not actions.busy and window.act_redo.isEnabled())
    assert stack.count() == 1 and stack.index() == 0  # the move to redo is still there
    assert placement(conn, other.booking.id) == other_before


def test_undo_waits_while_a_move_is_in_flight(qtbot: QtBot, desktop: Desktop) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    actions = window.booking_actions
    block, row = movable(model)
    drag(qtbot, view, grab_point(view, block), target_point(view, block, row))
    assert actions.busy and not window.act_undo.isEnabled()  # its push is still to come
    qtbot.waitUntil(lambda: not actions.busy and window.act_undo.isEnabled())
    assert actions.undo_stack.count() == 1


def test_a_clash_shows_blocked_while_dragging_and_the_drop_asks_nobody(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    window = desktop.window
    view, model = window.grid, window.model
    block = single_table_block(model)
    row = busy_row_for(model, block)
    before = placement(conn, block.booking.id)
    viewport = view.viewport()
    start = grab_point(view, block)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    end = target_point(view, block, row)  # after the press: selecting it may scroll
    qtbot.mouseMove(viewport, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(viewport, end)
    ghost = view.drag.ghosts[block.booking.id]
    assert ghost.state is DragState.BLOCKED  # shown while dragging, before any drop
    assert view.drag.caption(ghost).startswith("Can't go here: ")
    assert " is booked " in view.drag.caption(ghost)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    # no call: it slides home at once
    assert view.drag.ghosts[block.booking.id].state is DragState.RETURNING
    assert not window.booking_actions.busy  # (the guest card may still be reading)
    assert window.statusBar().currentMessage().startswith("Not moved: ")
    qtbot.waitUntil(lambda: not view.pending_moves())
    assert placement(conn, block.booking.id) == before


def higher_minimum(block: Block) -> Callable[[Decimal], bool]:
    return lambda table_minimum: table_minimum > block.booking.min_spend


def drag_to_a_higher_minimum(qtbot: QtBot, desktop: Desktop) -> tuple[Block, int]:
    """Drag a booking onto a free table with a higher minimum spend and let go."""
    view, model = desktop.window.grid, desktop.window.model
    block, row = movable(model, higher_minimum)
    viewport = view.viewport()
    start = grab_point(view, block)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    end = target_point(view, block, row)  # after the press: selecting it may scroll
    qtbot.mouseMove(viewport, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(viewport, end)
    ghost = view.drag.ghosts[block.booking.id]
    table = model.table_at(row)
    assert table is not None and ghost.min_spend == table.min_spend
    caption = view.drag.caption(ghost)
    assert (
        f"min {text.money(table.min_spend)}, was {text.money(block.booking.min_spend)}" in caption
    )
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    return block, row


def test_a_higher_minimum_is_shown_while_dragging_and_asked_on_the_drop(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    window = desktop.window
    block, row = drag_to_a_higher_minimum(qtbot, desktop)
    table = window.model.table_at(row)
    assert table is not None
    box = window.grid.drag.question
    assert box is not None and text.money(table.min_spend) in box.text()
    assert not window.booking_actions.busy  # nothing moves until the host says so
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: placement(conn, block.booking.id)[0] == (table.name,))
    row_min = conn.execute(
        "SELECT total_min_spend FROM bookings WHERE id = %s", [block.booking.id]
    ).fetchone()
    assert row_min is not None and row_min[0] == table.min_spend


def test_keeping_the_old_minimum_springs_back(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    block = movable(window.model, higher_minimum)[0]
    before = placement(conn, block.booking.id)
    drag_to_a_higher_minimum(qtbot, desktop)
    box = window.grid.drag.question
    assert box is not None
    keep = box.button(QMessageBox.StandardButton.No)
    assert keep is box.defaultButton() and keep.text() == "Keep it where it was"
    for button in (keep, box.button(QMessageBox.StandardButton.Yes)):
        # drawn in bold when it is the default (the style sheet): not clipped
        bold = QFont(button.font())
        bold.setBold(True)
        padding = 2 * 18  # the style sheet's, either side
        assert button.width() >= QFontMetrics(bold).horizontalAdvance(button.text()) + padding
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.grid.pending_moves())
    assert placement(conn, block.booking.id) == before
    assert window.booking_actions.undo_stack.count() == 0
