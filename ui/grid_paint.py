"""Drawing the grid's pieces: the empty grid, booking blocks, holds, tables out of
service, the now-line.

Pure painting from values; no state, no model access beyond what is passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen

from frontdesk.plan import Booking, Hold, TableBlock
from ui import text
from ui.theme import Theme


@dataclass(frozen=True)
class CellArea:
    """What of the grid is on screen, in viewport coordinates."""

    rows: list[tuple[int, int, int, bool]]  # (row, top, height, is_floor)
    columns: list[tuple[int, int, int, bool, bool]]  # (col, left, width, odd hour, hour next)
    width: int


def paint_cells(painter: QPainter, area: CellArea, theme: Theme) -> None:
    """The empty grid in a few dozen calls (not one delegate per cell): hour bands,
    quarter-hour lines, row lines, floor bands."""
    if not area.rows or not area.columns:
        return
    top = area.rows[0][1]
    bottom = area.rows[-1][1] + area.rows[-1][2]
    right = area.columns[-1][1] + area.columns[-1][2]
    painter.save()
    painter.fillRect(
        QRectF(area.columns[0][1], top, right - area.columns[0][1], bottom - top),
        QColor(theme.surface),
    )
    band = QColor(theme.surface_alt)
    for _col, left, width, odd_hour, _hour_next in area.columns:
        if odd_hour:
            painter.fillRect(QRectF(left, top, width, bottom - top), band)
    line, hour_line = QPen(QColor(theme.line), 1), QPen(QColor(theme.hour_line), 1)
    for _col, left, width, _odd, hour_next in area.columns:
        painter.setPen(hour_line if hour_next else line)
        x = left + width - 1
        painter.drawLine(QPointF(x + 0.5, top), QPointF(x + 0.5, bottom))
    painter.setPen(line)
    floor = QColor(theme.floor_bg)
    for _row, y, height, is_floor in area.rows:
        if is_floor:
            painter.fillRect(QRectF(0, y, max(area.width, right), height), floor)
        else:
            painter.drawLine(QPointF(0, y + height - 0.5), QPointF(right, y + height - 0.5))
    painter.restore()


def paint_selection(
    painter: QPainter, rects: list[QRectF], current: QRectF | None, theme: Theme
) -> None:
    """Selected empty cells, and the keyboard's cell."""
    painter.save()
    colour = QColor(theme.selection)
    for rect in rects:
        painter.fillRect(rect.adjusted(0, 3, 0, -3), colour)
    if current is not None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(theme.accent), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(current.adjusted(1.5, 2.5, -1.5, -2.5), 4, 4)
    painter.restore()


def _rounded(rect: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    return path


@dataclass(frozen=True)
class BlockFonts:
    name: QFont
    detail: QFont
    name_metrics: QFontMetrics
    detail_metrics: QFontMetrics

    @classmethod
    def for_font(cls, font: QFont) -> BlockFonts:
        name = QFont(font)
        name.setBold(True)
        detail = QFont(font)
        detail.setPointSizeF(max(8.0, font.pointSizeF() - 2.5))
        return cls(name, detail, QFontMetrics(name), QFontMetrics(detail))


def paint_booking(
    painter: QPainter,
    rect: QRectF,
    booking: Booking,
    theme: Theme,
    fonts: BlockFonts,
    *,
    selected: bool = False,
    faded: bool = False,
    caption: str | None = None,
    money: bool = False,
    flagged: bool = False,
) -> None:
    """A booking block: status colour, a stripe, the guest, the party and the status in words.

    ``money``: a thin bar along its foot shows how far it is towards its
    minimum spend (paid deposit and spend); ``flagged``: still short of it
    near closing, said in words ("£85 short") and a warning outline."""
    colours = theme.status(booking.status)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if faded:
        painter.setOpacity(0.35)
    # The border colour fills the block; the fill colour is laid over it, inset
    # (wider on the left): an outline and a status stripe without clipping.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colours.border))
    painter.drawRoundedRect(rect, 7, 7)
    painter.setBrush(QColor(colours.fill))
    painter.drawRoundedRect(rect.adjusted(6, 1.2, -1.2, -1.2), 6, 6)
    if selected:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(theme.accent), 3))
        painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 8, 8)
    inner = rect.adjusted(12, 3, -6, -3)
    painter.setPen(QColor(colours.text))
    two_lines = inner.height() >= 30
    top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() / (2 if two_lines else 1))
    painter.setFont(fonts.name)
    width = int(inner.width())
    name = fonts.name_metrics.elidedText(booking.customer_name, Qt.TextElideMode.ElideRight, width)
    painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
    if two_lines:
        bottom = QRectF(inner.left(), top.bottom(), inner.width(), inner.height() - top.height())
        detail = caption or f"{booking.party_size} · {text.status_text(booking.status)}"
        if caption is None and flagged:
            detail = f"{text.money(booking.balance)} short · " + detail
        elif caption is None and booking.occasion:
            detail += f" · {booking.occasion}"
        painter.setFont(fonts.detail)
        detail = fonts.detail_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, width)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)
    if money:
        paint_progress(painter, rect, booking, theme)
    if flagged:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(theme.error_text), 2, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 7, 7)
    painter.restore()


def paint_progress(painter: QPainter, rect: QRectF, booking: Booking, theme: Theme) -> None:
    """Towards the minimum: a 3 px bar at the block's foot, inside its
    outline; full and in the "done" colour once the minimum is reached."""
    progress = booking.progress
    if progress is None:
        return
    track = QRectF(rect.left() + 9, rect.bottom() - 5, rect.width() - 14, 3)
    if track.width() < 8:
        return
    shade = QColor(theme.muted)
    shade.setAlphaF(0.25)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(shade)
    painter.drawRoundedRect(track, 1.5, 1.5)
    done = progress >= 1.0
    bar = QRectF(track.left(), track.top(), track.width() * progress, track.height())
    painter.setBrush(QColor(theme.ok_text if done else theme.accent))
    if bar.width() > 0:
        painter.drawRoundedRect(bar, 1.5, 1.5)


def paint_ghost(
    painter: QPainter,
    rect: QRectF,
    booking: Booking,
    theme: Theme,
    fonts: BlockFonts,
    caption: str,
    *,
    blocked: bool = False,
) -> None:
    """Where a dragged block will land (or is landing): dashed, translucent;
    ``blocked``: where it cannot land, crossed out in the error colours."""
    painter.save()
    painter.setOpacity(0.85)
    paint_booking(painter, rect, booking, theme, fonts, caption=caption)
    painter.setOpacity(1.0)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if blocked:
        veil = QColor(theme.error_bg)
        veil.setAlphaF(0.55)
        painter.fillPath(_rounded(rect, 7), QBrush(veil))
        painter.fillPath(
            _rounded(rect, 7), QBrush(QColor(theme.error_text), Qt.BrushStyle.BDiagPattern)
        )
    colour = theme.error_text if blocked else theme.accent
    pen = QPen(QColor(colour), 2, Qt.PenStyle.SolidLine if blocked else Qt.PenStyle.DashLine)
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


def paint_out_of_service(
    painter: QPainter, rect: QRectF, block: TableBlock, theme: Theme, font: QFont
) -> None:
    """A table block: a grey band, cross-hatched, "Out of service · reason"
    (words, not colour alone), under the bookings and holds."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    band = rect.adjusted(0, 2, 0, -2)
    path = _rounded(band, 4)
    painter.fillPath(path, QColor(theme.surface_alt))
    hatch = QColor(theme.muted)
    hatch.setAlphaF(0.35)
    painter.fillPath(path, QBrush(hatch, Qt.BrushStyle.DiagCrossPattern))
    painter.setPen(QPen(QColor(theme.muted), 1.2))
    painter.drawPath(path)
    label_font = QFont(font)
    label_font.setPointSizeF(max(8.0, font.pointSizeF() - 2))
    label_font.setBold(True)
    metrics = QFontMetrics(label_font)
    label = metrics.elidedText(
        f"Out of service · {block.reason}", Qt.TextElideMode.ElideRight, int(band.width() - 16)
    )
    # The words on a plate of the band's colour, readable over the hatching.
    plate = QRectF(
        band.left() + 6,
        band.center().y() - metrics.height() / 2 - 1,
        metrics.horizontalAdvance(label) + 8,
        metrics.height() + 2,
    )
    if plate.right() > band.right() - 2:
        plate.setRight(band.right() - 2)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(theme.surface_alt))
    painter.drawRoundedRect(plate, 3, 3)
    painter.setFont(label_font)
    painter.setPen(QColor(theme.text))
    painter.drawText(plate.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, label)
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
