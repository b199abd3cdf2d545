"""Where the night grid draws things, and the drawing: the view's geometry
(an instant's x, a booking's rectangle, what is under the mouse) and its
paint event (bands and lines, then holds, bookings, drag ghosts and the
now-line, through ``ui.grid_paint``'s painters).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QPoint, QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QTableView

from ui.grid_drag import DragController, DragState
from ui.grid_model import Block, HoldBlock, NightGridModel, OutOfService, RowKind
from ui.grid_paint import (
    BlockFonts,
    CellArea,
    paint_booking,
    paint_cells,
    paint_closed,
    paint_ghost,
    paint_hold,
    paint_now_line,
    paint_out_of_service,
    paint_selection,
)
from ui.theme import Theme
from ui.timeline import position

if TYPE_CHECKING:
    _Base = QTableView
else:
    _Base = object

EDGE_GRIP = 10  # pixels at a block's right edge that resize instead of move


class GridCanvas(_Base):
    """Geometry and painting (mixed into NightGridView)."""

    theme: Theme
    clock: Callable[[], datetime]
    drag: DragController
    closed_message: str  # a closed night's words on the grid ("" : the default)
    _selected_booking: UUID | None

    if TYPE_CHECKING:  # the view's own

        def grid(self) -> NightGridModel: ...

    def x_at(self, columns: float) -> float:
        """The viewport x of a position in columns (see timeline.position)."""
        count = self.grid().columnCount()
        if count == 0:
            return 0.0
        col = max(0, min(count - 1, int(columns)))
        return self.columnViewportPosition(col) + (columns - col) * self.columnWidth(col)

    def x_of(self, instant: datetime) -> float:
        """The viewport x of an instant on the night's time axis."""
        return self.x_at(position(self.grid().slots, instant))

    def _rect(self, row: int, x0: float, x1: float) -> QRectF:
        y = self.rowViewportPosition(row)
        return QRectF(x0 + 2, y + 4, max(10.0, x1 - x0 - 4), self.rowHeight(row) - 8)

    def span_rect(self, row: int, starts_at: datetime, ends_at: datetime) -> QRectF:
        return self._rect(row, self.x_of(starts_at), self.x_of(ends_at))

    def _block_rect(self, block: Block | HoldBlock | OutOfService) -> QRectF:
        return self._rect(block.row, self.x_at(block.start_x), self.x_at(block.end_x))

    def block_rect(self, booking_id: UUID, table_id: UUID | None = None) -> QRect:
        """Where a booking's block is drawn (its first table unless one is named)."""
        for block in self.grid().blocks_of(booking_id):
            if table_id is None or block.table_id == table_id:
                return self._block_rect(block).toRect()
        return QRect()

    def cell_center(self, row: int, column: int) -> QPoint:
        return self.visualRect(self.grid().index(row, column)).center()

    def column_at(self, x: int) -> int:
        """The column under viewport x, clamped to the night."""
        cols = self.grid().columnCount()
        col = self.columnAt(x)
        if col < 0:
            col = 0 if x < self.columnViewportPosition(0) else cols - 1
        return col

    def row_at(self, y: int) -> int:
        return self.rowAt(y)

    def block_rectf(self, block: Block) -> QRectF:
        return self._block_rect(block)

    def _block_hit(self, pos: QPoint) -> tuple[Block, bool] | None:
        """The block under ``pos`` and whether it is at the block's right edge."""
        row = self.rowAt(pos.y())
        if row < 0:
            return None
        model = self.grid()
        for block in model.blocks():
            if block.row != row:
                continue
            rect = self._block_rect(block)
            if rect.adjusted(-2, -5, 2, 5).contains(pos.toPointF()):
                return block, pos.x() >= rect.right() - EDGE_GRIP
        return None

    # ---- painting ---------------------------------------------------------

    def _cell_area(self, clip: QRect) -> CellArea:
        model = self.grid()
        rows: list[tuple[int, int, int, bool]] = []
        first = max(0, self.rowAt(clip.top()))
        last = self.rowAt(clip.bottom())
        last = model.rowCount() - 1 if last < 0 else last
        for row in range(first, last + 1):
            grid_row = model.grid_row(row)
            is_floor = grid_row is not None and grid_row.kind is RowKind.FLOOR
            rows.append((row, self.rowViewportPosition(row), self.rowHeight(row), is_floor))
        columns: list[tuple[int, int, int, bool, bool]] = []
        slots = model.slots
        c0 = max(0, self.columnAt(clip.left()))
        c1 = self.columnAt(clip.right())
        c1 = len(slots) - 1 if c1 < 0 else c1
        for col in range(c0, c1 + 1):
            nxt = model.slot(col + 1)
            columns.append(
                (
                    col,
                    self.columnViewportPosition(col),
                    self.columnWidth(col),
                    slots[col].starts_at.hour % 2 == 1,
                    nxt is not None and nxt.is_hour,
                )
            )
        return CellArea(rows, columns, self.viewport().width())

    def _selection_rects(self) -> tuple[list[QRectF], QRectF | None]:
        model = self.grid()
        rects = [
            QRectF(self.visualRect(i))
            for i in (self.selectionModel().selectedIndexes() if self.selectionModel() else [])
            if model.booking_at(i.row(), i.column()) is None
        ]
        current = self.currentIndex()
        focus = None
        if current.isValid() and self.hasFocus() and self._selected_booking is None:
            focus = QRectF(self.visualRect(current))
        return rects, focus

    def paintEvent(self, event: QPaintEvent) -> None:
        # Not QTableView's: one delegate call per cell is far too slow for a
        # big night.  The empty grid is drawn in bands and lines, then blocks.
        model = self.grid()
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), QColor(self.theme.surface))
        paint_cells(painter, self._cell_area(event.rect()), self.theme)
        paint_selection(painter, *self._selection_rects(), self.theme)
        font = self.font()
        t = self.theme
        if model.plan is not None and not model.slots:
            plan = model.plan
            message = self.closed_message or (
                f"Closed — {plan.event_name}" if plan.event_name else "Closed"
            )
            paint_closed(painter, QRectF(self.viewport().rect()), message, t, font)
            painter.end()
            return
        clip = QRectF(event.rect())
        top, bottom = self.rowAt(event.rect().top()), self.rowAt(event.rect().bottom())
        top, bottom = max(0, top), model.rowCount() - 1 if bottom < 0 else bottom
        for out in model.out_of_service():  # under the holds and the bookings
            if top <= out.row <= bottom:
                rect = self._block_rect(out)
                if rect.intersects(clip):
                    paint_out_of_service(painter, rect, out.block, t, font)
        for hold in model.hold_blocks():
            if top <= hold.row <= bottom:
                rect = self._block_rect(hold)
                if rect.intersects(clip):
                    paint_hold(painter, rect, hold.hold, t, font)
        fonts = BlockFonts.for_font(font)
        now = self.clock()
        flag_from = model.plan.spend_flag_from if model.plan is not None else None
        for block in model.blocks():
            if not top <= block.row <= bottom:
                continue
            rect = self._block_rect(block)
            if not rect.intersects(clip):
                continue
            b = block.booking
            paint_booking(
                painter,
                rect,
                b,
                t,
                fonts,
                selected=b.id == self._selected_booking,
                faded=b.id in self.drag.ghosts,
                money=b.status.holds_table,
                flagged=b.below_minimum_at(now, flag_from),
            )
        self._paint_ghosts(painter)
        self._paint_now(painter)
        painter.end()

    def _paint_ghosts(self, painter: QPainter) -> None:
        fonts = BlockFonts.for_font(self.font())
        for ghost in self.drag.ghosts.values():
            rect = ghost.rect or self.span_rect(ghost.row, ghost.starts_at, ghost.ends_at)
            paint_ghost(
                painter,
                rect,
                ghost.booking,
                self.theme,
                fonts,
                self.drag.caption(ghost),
                blocked=ghost.state is DragState.BLOCKED,
            )

    def _paint_now(self, painter: QPainter) -> None:
        slots = self.grid().slots
        if not slots:
            return
        now = self.clock()
        if not slots[0].starts_at <= now < slots[-1].ends_at:
            return
        paint_now_line(painter, self.x_of(now), self.viewport().height(), self.theme)
