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
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QWidget

from ui.grid_canvas import GridCanvas
from ui.grid_drag import DragController
from ui.grid_headers import TableHeader, TimeHeader
from ui.grid_model import NightGridModel, RowKind
from ui.theme import LIGHT, Theme
from ui.timeline import after


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


class NightGridView(GridCanvas, QTableView):
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
        self.closed_message = ""
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
