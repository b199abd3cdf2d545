"""The grid's headers: the night's clock across, the tables down."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QHeaderView, QWidget

from frontdesk.plan import TableRow
from ui import text
from ui.grid_model import NightGridModel, RowKind
from ui.theme import LIGHT, Theme


class TimeHeader(QHeaderView):
    """Hour labels over their four quarter-hour columns, with ticks between.

    A local hour that happens twice (the fall-back night) is labelled with
    its zone ("01:00 BST", then "01:00 GMT").
    """

    HEIGHT = 46

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.theme: Theme = LIGHT
        self.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setSectionsClickable(False)
        self.setHighlightSections(False)
        self.setFixedHeight(self.HEIGHT)

    def _grid(self) -> NightGridModel | None:
        model = self.model()
        return model if isinstance(model, NightGridModel) else None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        t = self.theme
        painter.fillRect(self.viewport().rect(), QColor(t.surface))
        model = self._grid()
        if model is None or not model.slots:
            painter.end()
            return
        bold = QFont(self.font())
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(8.0, self.font().pointSizeF() - 3))
        h = self.viewport().height()
        for slot in model.slots:
            x = self.sectionViewportPosition(slot.index)
            w = self.sectionSize(slot.index)
            if x + w < event.rect().left() - 200 or x > event.rect().right():
                continue
            if slot.is_hour or slot.index == 0:
                painter.setPen(QPen(QColor(t.hour_line), 1))
                painter.drawLine(x, 6, x, h)
                painter.setFont(bold)
                painter.setPen(QColor(t.text))
                painter.drawText(
                    QRect(x + 6, 2, 4 * w, h // 2 + 4), Qt.AlignmentFlag.AlignVCenter, slot.label
                )
                if slot.repeated:
                    painter.setFont(small)
                    painter.setPen(QColor(t.accent))
                    painter.drawText(
                        QRect(x + 6, h // 2 + 2, 4 * w, h // 2 - 4),
                        Qt.AlignmentFlag.AlignVCenter,
                        slot.zone,
                    )
            else:
                painter.setPen(QPen(QColor(t.line), 1))
                painter.drawLine(x, h - 10, x, h)
                if w >= 44 and not slot.repeated:
                    painter.setFont(small)
                    painter.setPen(QColor(t.muted))
                    painter.drawText(
                        QRect(x + 3, h // 2 + 2, w, h // 2 - 4),
                        Qt.AlignmentFlag.AlignVCenter,
                        f":{slot.starts_at:%M}",
                    )
        painter.setPen(QPen(QColor(t.line), 1))
        painter.drawLine(0, h - 1, self.viewport().width(), h - 1)
        painter.end()


class TableHeader(QHeaderView):
    """Each table's name, seats and minimum spend; floor rows as bands."""

    WIDTH = 230

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.theme: Theme = LIGHT
        self.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setSectionsClickable(False)
        self.setHighlightSections(False)
        self.setFixedWidth(self.WIDTH)

    def sizeHint(self) -> QSize:
        return QSize(self.WIDTH, super().sizeHint().height())

    def paintSection(self, painter: QPainter, rect: QRect, logical_index: int) -> None:
        model = self.model()
        if not isinstance(model, NightGridModel):
            return
        grid_row = model.grid_row(logical_index)
        if grid_row is None:
            return
        t = self.theme
        painter.save()
        if grid_row.kind is RowKind.FLOOR:
            painter.fillRect(rect, QColor(t.floor_bg))
            font = QFont(self.font())
            font.setBold(True)
            font.setCapitalization(QFont.Capitalization.AllUppercase)
            font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.5)
            painter.setFont(font)
            painter.setPen(QColor(t.floor_text))
            painter.drawText(
                rect.adjusted(16, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter, grid_row.floor.name
            )
        elif grid_row.table is not None:
            self._paint_table(painter, rect, grid_row.table, logical_index % 2 == 0)
        painter.restore()

    def _paint_table(self, painter: QPainter, rect: QRect, table: TableRow, even: bool) -> None:
        t = self.theme
        painter.fillRect(rect, QColor(t.surface))
        painter.setPen(QPen(QColor(t.line), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.topRight(), rect.bottomRight())
        name_font = QFont(self.font())
        name_font.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(8.0, self.font().pointSizeF() - 2))
        inner = rect.adjusted(16, 4, -10, -4)
        top = QRect(inner.left(), inner.top(), inner.width(), inner.height() // 2 + 2)
        bottom = QRect(inner.left(), top.bottom(), inner.width(), inner.height() - top.height())
        painter.setFont(name_font)
        painter.setPen(QColor(t.text))
        name = f"{table.name}  ★" if table.is_premium else table.name
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, name)
        painter.setFont(small)
        painter.setPen(QColor(t.muted))
        detail = f"{table.capacity} seats · min {text.money(table.min_spend)}"
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, detail)
