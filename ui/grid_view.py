"""The night grid's view: cells from the model, bookings drawn as blocks over them.

It only draws and turns gestures into requests; it never changes a booking
itself.  Drag a block to another table or time (snapped to 15 minutes) or
drag its right edge to change the end: the drag flow is ``ui.grid_drag``'s
(what a drop would mean, asking about a new minimum spend); the view emits
its ``move_wanted`` and whoever carries the move out answers with
``settle_move`` or ``spring_back``.  Drag across empty cells of one table to
ask for a booking there.  Typing on the grid is for the find box
(``typed``): no plain key changes a booking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QWidget

from ui.grid_drag import DragController, DragState
from ui.grid_headers import TableHeader, TimeHeader
from ui.grid_model import Block, HoldBlock, NightGridModel, RowKind
from ui.grid_paint import (
    BlockFonts,
    CellArea,
    paint_booking,
    paint_cells,
    paint_closed,
    paint_ghost,
    paint_hold,
    paint_now_line,
    paint_selection,
)
from ui.theme import LIGHT, Theme
from ui.timeline import after, position

EDGE_GRIP = 10  # pixels at a block's right edge that resize instead of move


def _utc_now() -> datetime:
    return datetime.now(UTC)


_NOT_TYPING = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def _is_typing(event: QKeyEvent) -> bool:
    """A key that types text (a letter, a digit, a space, +, @...), not a command."""
    typed = event.text()
    return bool(typed) and typed.isprintable() and not event.modifiers() & _NOT_TYPING


class NightGridView(QTableView):
    booking_selected = Signal(object)  # UUID | None
    booking_opened = Signal(object)  # UUID
    booking_wanted = Signal(object, object, object)  # table id, starts_at, ends_at
    move_wanted = Signal(object, object, object, object)  # booking id, table ids, starts, ends
    move_blocked = Signal(object, str)  # booking id, why: dropped where it cannot land
    context_menu_wanted = Signal(QPoint)  # global position
    typed = Signal(str)  # text typed on the grid: for the find box

    ROW_HEIGHT = 48
    FLOOR_ROW_HEIGHT = 30
    MIN_COLUMN = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NightGrid")
        self.theme: Theme = LIGHT
        self.clock: Callable[[], datetime] = _utc_now
        self._editable = True
        self._selecting = False
        self._anchor_row = -1
        self._selected_booking: UUID | None = None
        self.drag = DragController(self.grid, self, self)
        self.drag.move_wanted.connect(self.move_wanted)
        self.drag.blocked.connect(self.move_blocked)
        self.drag.changed.connect(self.viewport().update)
        self.setHorizontalHeader(TimeHeader(self))
        self.setVerticalHeader(TableHeader(self))
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(30_000)
        self._now_timer.timeout.connect(self.viewport().update)
        self._now_timer.start()

    # ---- set-up -----------------------------------------------------------

    def grid(self) -> NightGridModel:
        model = self.model()
        assert isinstance(model, NightGridModel)
        return model

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if isinstance(model, NightGridModel):
            model.modelReset.connect(self._relayout)
            self._relayout()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        header = self.horizontalHeader()
        if isinstance(header, TimeHeader):
            header.theme = theme
        vheader = self.verticalHeader()
        if isinstance(vheader, TableHeader):
            vheader.theme = theme
        self.viewport().update()

    def set_editable(self, editable: bool) -> None:
        """Offline: the grid stays readable, but nothing can be moved or booked from it."""
        self._editable = editable
        if not editable:
            self.drag.cancel_press()

    @property
    def editable(self) -> bool:
        return self._editable

    def _relayout(self) -> None:
        model = self.grid()
        self.clearSpans()
        self.drag.clear()
        cols = model.columnCount()
        for row in range(model.rowCount()):
            grid_row = model.grid_row(row)
            is_floor = grid_row is not None and grid_row.kind is RowKind.FLOOR
            self.setRowHeight(row, self.FLOOR_ROW_HEIGHT if is_floor else self.ROW_HEIGHT)
            if is_floor and cols > 1:
                self.setSpan(row, 0, 1, cols)
        self._fit_columns()
        if self._selected_booking and not model.blocks_of(self._selected_booking):
            self._set_selected_booking(None)

    def _fit_columns(self) -> None:
        cols = self.grid().columnCount()
        if cols == 0:
            return
        width = max(self.MIN_COLUMN, self.viewport().width() // cols)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(self.MIN_COLUMN)
        header.setDefaultSectionSize(width)
        for c in range(cols):
            header.resizeSection(c, width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    # ---- geometry ---------------------------------------------------------

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

    def _block_rect(self, block: Block | HoldBlock) -> QRectF:
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

    # ---- what is selected -------------------------------------------------

    def selected_booking_id(self) -> UUID | None:
        return self._selected_booking

    def current_table_id(self) -> UUID | None:
        table = self.grid().table_at(self.currentIndex().row())
        return table.id if table else None

    def selected_span(self) -> tuple[UUID, datetime, datetime] | None:
        """The empty cells selected on one table, as (table, starts_at, ends_at)."""
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        model = self.grid()
        if not indexes:
            return None
        rows = {i.row() for i in indexes}
        if len(rows) != 1:
            return None
        row = rows.pop()
        table = model.table_at(row)
        cols = sorted(i.column() for i in indexes)
        if table is None or cols != list(range(cols[0], cols[-1] + 1)):
            return None
        if not model.is_free(row, cols[0], cols[-1]):
            return None
        starts, ends = model.span_of(cols[0], cols[-1])
        return table.id, starts, ends

    def select_booking(self, booking_id: UUID) -> bool:
        blocks = self.grid().blocks_of(booking_id)
        if not blocks:
            self._set_selected_booking(booking_id if self.grid().booking(booking_id) else None)
            return False
        block = blocks[0]
        index = self.grid().index(block.row, block.first)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        self._set_selected_booking(booking_id)
        return True

    def _set_selected_booking(self, booking_id: UUID | None) -> None:
        if booking_id != self._selected_booking:
            self._selected_booking = booking_id
            self.booking_selected.emit(booking_id)
            self.viewport().update()

    def currentChanged(
        self,
        current: QModelIndex | QPersistentModelIndex,
        previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().currentChanged(current, previous)
        if not current.isValid():
            return
        no_buttons = QApplication.mouseButtons() == Qt.MouseButton.NoButton
        shift = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
        if no_buttons and not shift:
            self._anchor_row = current.row()
        booking = self.grid().booking_at(current.row(), current.column())
        self._set_selected_booking(booking.id if booking else None)

    # ---- moves: answers from whoever carried them out ----------------------

    def pending_moves(self) -> list[UUID]:
        return list(self.drag.ghosts)

    def settle_move(self, booking_id: UUID) -> None:
        """The move worked: keep the block where it landed until the model shows it there."""
        self.drag.settle(booking_id)

    def spring_back(self, booking_id: UUID) -> None:
        """The move was refused: the block slides back to where it was."""
        self.drag.spring_back(booking_id)

    def dataChanged(
        self,
        topLeft: QModelIndex | QPersistentModelIndex,
        bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # QAbstractItemView repaints the whole viewport for a range; the model
        # sends whole rows, so repaint just those (there are no editors here).
        top = self.rowViewportPosition(topLeft.row())
        bottom = self.rowViewportPosition(bottomRight.row()) + self.rowHeight(bottomRight.row())
        self.viewport().update(QRect(0, top, self.viewport().width(), bottom - top))
        self.drag.drop_settled(only_matching=True)

    # ---- mouse ------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        hit = self._block_hit(pos) if event.button() == Qt.MouseButton.LeftButton else None
        if hit is not None:
            block, at_edge = hit
            if block.booking.id in self.drag.ghosts:
                event.accept()
                return
            index = self.grid().index(block.row, self.column_at(pos.x()))
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self._set_selected_booking(block.booking.id)
            if self._editable:
                self.drag.start(block, pos, at_edge, self.column_at(pos.x()) - block.first)
            event.accept()
            return
        self.drag.cancel_press()
        row = self.rowAt(pos.y())
        self._anchor_row = row
        self._selecting = self.grid().table_at(row) is not None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self.drag.move_to(pos):
            event.accept()
            return
        self._update_cursor(pos)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.drag.release():
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if self._selecting and self._editable:
            self._selecting = False
            indexes = self.selectionModel().selectedIndexes()
            span = self.selected_span()
            if span is not None and len(indexes) >= 2:
                self.booking_wanted.emit(*span)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        hit = self._block_hit(pos)
        if hit is not None:
            self.drag.cancel_press()
            self.booking_opened.emit(hit[0].booking.id)
            event.accept()
            return
        index = self.indexAt(pos)
        if index.isValid() and self._editable:
            self._want_booking_at(index.row(), index.column())
        event.accept()

    def _want_booking_at(self, row: int, column: int) -> None:
        model = self.grid()
        table = model.table_at(row)
        plan = model.plan
        if table is None or plan is None or not model.slots:
            return
        starts = model.slots[column].starts_at
        ends = min(
            after(starts, timedelta(minutes=plan.default_booking_minutes)), model.slots[-1].ends_at
        )
        self.booking_wanted.emit(table.id, starts, ends)

    def _update_cursor(self, pos: QPoint) -> None:
        hit = self._block_hit(pos) if self._editable else None
        if hit is None:
            self.viewport().unsetCursor()
        elif hit[1]:
            self.viewport().setCursor(Qt.CursorShape.SizeHorCursor)
        else:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        hit = self._block_hit(event.pos())
        if hit is not None:
            index = self.grid().index(hit[0].row, hit[0].first)
            self.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self._set_selected_booking(hit[0].booking.id)
        self.context_menu_wanted.emit(event.globalPos())
        event.accept()

    # ---- keyboard ---------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._selected_booking is not None:
                self.booking_opened.emit(self._selected_booking)
            elif self._editable:
                span = self.selected_span()
                if span is not None and len(self.selectionModel().selectedIndexes()) > 1:
                    self.booking_wanted.emit(*span)
                else:
                    current = self.currentIndex()
                    if current.isValid():
                        self._want_booking_at(current.row(), current.column())
            event.accept()
            return
        if _is_typing(event):
            # A name, a phone, a reference: the find box takes it from here.
            self.typed.emit(event.text())
            event.accept()
            return
        super().keyPressEvent(event)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        current = self.currentIndex()
        action = QAbstractItemView.CursorAction
        vertical = cursorAction in (
            action.MoveUp,
            action.MoveDown,
            action.MovePageUp,
            action.MovePageDown,
        )
        if vertical and modifiers & Qt.KeyboardModifier.ShiftModifier:
            return current  # a selection stays on one table
        index = super().moveCursor(cursorAction, modifiers)
        model = self.grid()
        if not index.isValid() or not vertical:
            return index
        step = -1 if cursorAction in (action.MoveUp, action.MovePageUp) else 1
        row = index.row()
        while 0 <= row < model.rowCount() and model.table_at(row) is None:
            row += step
        if not 0 <= row < model.rowCount():
            return current
        column = current.column() if current.isValid() else index.column()
        return model.index(row, column)

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:
        if self._anchor_row >= 0 and self.grid().table_at(self._anchor_row) is not None:
            y = self.rowViewportPosition(self._anchor_row) + self.rowHeight(self._anchor_row) // 2
            left, right = min(rect.left(), rect.right()), max(rect.left(), rect.right())
            rect = QRect(QPoint(left, y), QPoint(right, y))
        super().setSelection(rect, command)

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
            message = f"Closed — {plan.event_name}" if plan.event_name else "Closed tonight"
            paint_closed(painter, QRectF(self.viewport().rect()), message, t, font)
            painter.end()
            return
        clip = QRectF(event.rect())
        top, bottom = self.rowAt(event.rect().top()), self.rowAt(event.rect().bottom())
        top, bottom = max(0, top), model.rowCount() - 1 if bottom < 0 else bottom
        for hold in model.hold_blocks():
            if top <= hold.row <= bottom:
                rect = self._block_rect(hold)
                if rect.intersects(clip):
                    paint_hold(painter, rect, hold.hold, t, font)
        fonts = BlockFonts.for_font(font)
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
