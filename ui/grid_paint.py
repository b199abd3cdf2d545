"""Drawing the grid's pieces: cell backgrounds, booking blocks, holds, the now-line.

Pure painting from values; no state, no model access beyond what is passed.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from frontdesk.plan import Booking, Hold
from ui import text
from ui.grid_model import NightGridModel, Role, RowKind
from ui.theme import LIGHT, Theme


class CellDelegate(QStyledItemDelegate):
    """Cell backgrounds: hour bands, quarter-hour lines, the selected empty cells.

    Bookings are not drawn here: the view draws them as blocks over the cells.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        t = self.theme
        rect = option.rect
        model = index.model()
        if not isinstance(model, NightGridModel):
            return
        painter.save()
        if index.data(Role.ROW_KIND) == RowKind.FLOOR:
            painter.fillRect(rect, QColor(t.floor_bg))
            painter.restore()
            return
        slot = model.slot(index.column())
        hour = slot.starts_at.hour if slot else 0
        painter.fillRect(rect, QColor(t.surface_alt if hour % 2 else t.surface))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect.adjusted(0, 3, 0, -3), QColor(t.selection))
        painter.setPen(QPen(QColor(t.line), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        nxt = model.slot(index.column() + 1)
        edge = QColor(t.hour_line) if nxt is not None and nxt.is_hour else QColor(t.line)
        painter.setPen(QPen(edge, 1))
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.restore()


def _rounded(rect: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    return path


def paint_booking(
    painter: QPainter,
    rect: QRectF,
    booking: Booking,
    theme: Theme,
    font: QFont,
    *,
    selected: bool = False,
    faded: bool = False,
    caption: str | None = None,
) -> None:
    """A booking block: status colour, a stripe, the guest, the party and the status in words."""
    colours = theme.status(booking.status)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if faded:
        painter.setOpacity(0.35)
    path = _rounded(rect, 7)
    painter.fillPath(path, QColor(colours.fill))
    stripe = QRectF(rect.left(), rect.top(), 6, rect.height())
    painter.save()
    painter.setClipPath(path)
    painter.fillRect(stripe, QColor(colours.border))
    painter.restore()
    pen = QPen(QColor(theme.accent if selected else colours.border), 3 if selected else 1.2)
    painter.setPen(pen)
    painter.drawPath(path)
    inner = rect.adjusted(12, 3, -6, -3)
    name_font = QFont(font)
    name_font.setBold(True)
    detail_font = QFont(font)
    detail_font.setPointSizeF(max(8.0, font.pointSizeF() - 2.5))
    painter.setPen(QColor(colours.text))
    two_lines = inner.height() >= 30
    top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() / (2 if two_lines else 1))
    painter.setFont(name_font)
    name = QFontMetrics(name_font).elidedText(
        booking.customer_name, Qt.TextElideMode.ElideRight, int(inner.width())
    )
    painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
    if two_lines:
        bottom = QRectF(inner.left(), top.bottom(), inner.width(), inner.height() - top.height())
        detail = caption or f"{booking.party_size} · {text.status_text(booking.status)}"
        if caption is None and booking.occasion:
            detail += f" · {booking.occasion}"
        painter.setFont(detail_font)
        detail = QFontMetrics(detail_font).elidedText(
            detail, Qt.TextElideMode.ElideRight, int(inner.width())
        )
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)
    painter.restore()


def paint_ghost(
    painter: QPainter, rect: QRectF, booking: Booking, theme: Theme, font: QFont, caption: str
) -> None:
    """Where a dragged block will land (or is landing): dashed, translucent."""
    painter.save()
    painter.setOpacity(0.85)
    paint_booking(painter, rect, booking, theme, font, caption=caption)
    painter.setOpacity(1.0)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(theme.accent), 2, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 8, 8)
    painter.restore()


def paint_hold(painter: QPainter, rect: QRectF, hold: Hold, theme: Theme, font: QFont) -> None:
    """Another desk's hold: hatched, labelled "Being booked"."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = _rounded(rect, 7)
    painter.fillPath(path, QColor(theme.hold_fill))
    hatch = QColor(theme.hold_text)
    hatch.setAlphaF(0.28)
    painter.fillPath(path, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
    painter.setPen(QPen(QColor(theme.hold_text), 1.2, Qt.PenStyle.DashLine))
    painter.drawPath(path)
    label_font = QFont(font)
    label_font.setPointSizeF(max(8.0, font.pointSizeF() - 2))
    label_font.setBold(True)
    painter.setFont(label_font)
    painter.setPen(QColor(theme.hold_text))
    label = QFontMetrics(label_font).elidedText(
        f"Being booked · {hold.terminal}", Qt.TextElideMode.ElideRight, int(rect.width() - 14)
    )
    painter.drawText(rect.adjusted(8, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, label)
    painter.restore()


def paint_now_line(painter: QPainter, x: float, height: float, theme: Theme) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(theme.now_line)
    painter.setPen(QPen(colour, 2))
    painter.drawLine(QPointF(x, 0), QPointF(x, height))
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QPointF(x, 4), 5, 5)
    painter.restore()


def paint_closed(painter: QPainter, rect: QRectF, message: str, theme: Theme, font: QFont) -> None:
    painter.save()
    big = QFont(font)
    big.setPointSizeF(font.pointSizeF() + 8)
    big.setBold(True)
    painter.setFont(big)
    painter.setPen(QColor(theme.muted))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, message)
    painter.restore()
