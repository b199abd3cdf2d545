"""Small charts for the manager's windows, drawn with QPainter.

Bars (one or two series, the second drawn over the first: "attempts" and
the "conflicts" among them), an optional line on its own scale (the booking
function's time) and a dashed threshold on that scale.  Colours come from
the palette, so the charts follow the light and dark themes; a legend names
every series (never colour alone); hovering a bar shows its figures.

Drawn here rather than with Qt Charts: Qt Charts is in PySide6-Addons,
175 MB to download and 422 MB installed beside Essentials' 234 MB, for a
few bar charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QHelpEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

#: A red that reads on light and dark backgrounds: conflicts and alerts.
ALERT_RED = "#d03b4b"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str | None = None  # None: the palette's highlight
    #: How a value reads in the tooltip ("12", "£1,250", "84 ms").
    unit: str = ""


@dataclass(frozen=True)
class ChartData:
    labels: Sequence[str]
    bars: Sequence[Series] = ()
    line: Series | None = None
    #: A dashed line on the line's scale (the seed's 100 ms), with its label.
    threshold: float | None = None
    threshold_label: str = ""
    #: Tooltip text per point, when the labels alone do not say enough.
    notes: Sequence[str] = field(default_factory=tuple)


class BarChart(QWidget):
    """A titled bar chart (with an optional line); ``set_data`` to show."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.data = ChartData(labels=())
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(520, 220)

    def set_data(self, data: ChartData) -> None:
        self.data = data
        self.setAccessibleDescription(self._describe())
        self.update()

    # ---- geometry ---------------------------------------------------------

    def _plot_rect(self) -> QRectF:
        fm = QFontMetricsF(self.font())
        # the line's scale is on the right beside bars, else on the left
        left = fm.horizontalAdvance("00,000 ms" if not self.data.bars else "00,000") + 10
        right = fm.horizontalAdvance("00,000") + 10 if self.data.bars and self.data.line else 16
        top = fm.height() * 2.6
        bottom = fm.height() * 1.8
        return QRectF(
            left,
            top,
            max(10.0, self.width() - left - right),
            max(10.0, self.height() - top - bottom),
        )

    def _slot(self, plot: QRectF, index: int) -> QRectF:
        count = max(1, len(self.data.labels))
        width = plot.width() / count
        return QRectF(plot.left() + index * width, plot.top(), width, plot.height())

    # ---- painting ---------------------------------------------------------

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(palette.ColorRole.WindowText)
        muted = palette.color(palette.ColorRole.PlaceholderText)
        grid = palette.color(palette.ColorRole.Mid)
        plot = self._plot_rect()
        self._paint_title_and_legend(painter, text)
        if not self.data.labels:
            painter.setPen(muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing to show yet")
            return
        top = nice_top(
            max((v or 0) for s in self.data.bars for v in s.values) if self.data.bars else 0
        )
        self._paint_grid(painter, plot, top, grid, muted, left=bool(self.data.bars))
        self._paint_bars(painter, plot, top)
        if self.data.line is not None:
            self._paint_line(painter, plot, muted)
        self._paint_labels(painter, plot, muted)
        painter.setPen(QPen(grid, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())

    def _paint_title_and_legend(self, painter: QPainter, text: QColor) -> None:
        fm = QFontMetricsF(self.font())
        font = self.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(QPointF(8, fm.ascent() + 2), self.title)
        painter.setFont(self.font())
        x = 8.0
        y = fm.height() * 1.25
        entries = [*self.data.bars, *([self.data.line] if self.data.line else [])]
        for series in entries:
            colour = self._colour(series)
            painter.fillRect(QRectF(x, y + fm.height() * 0.25, 12, fm.height() * 0.5), colour)
            x += 16
            painter.drawText(QPointF(x, y + fm.ascent()), series.name)
            x += fm.horizontalAdvance(series.name) + 18
        if self.data.threshold is not None and self.data.threshold_label:
            painter.setPen(QPen(QColor(ALERT_RED), 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, y + fm.height() / 2), QPointF(x + 14, y + fm.height() / 2))
            painter.setPen(text)
            painter.drawText(QPointF(x + 18, y + fm.ascent()), self.data.threshold_label)

    def _paint_grid(
        self,
        painter: QPainter,
        plot: QRectF,
        top: float,
        grid: QColor,
        muted: QColor,
        *,
        left: bool,
    ) -> None:
        fm = QFontMetricsF(self.font())
        for step in range(1, 5):
            value = top * step / 4
            y = plot.bottom() - plot.height() * step / 4
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            if left:
                painter.setPen(muted)
                label = short_number(value)
                painter.drawText(
                    QPointF(plot.left() - fm.horizontalAdvance(label) - 6, y + fm.ascent() / 2 - 1),
                    label,
                )

    def _paint_bars(self, painter: QPainter, plot: QRectF, top: float) -> None:
        if top <= 0:
            return
        for depth, series in enumerate(self.data.bars):
            colour = self._colour(series)
            for index, value in enumerate(series.values):
                if not value:
                    continue
                slot = self._slot(plot, index)
                inset = max(1.0, slot.width() * (0.14 + 0.12 * depth))
                height = plot.height() * value / top
                painter.fillRect(
                    QRectF(
                        slot.left() + inset,
                        plot.bottom() - height,
                        max(1.0, slot.width() - 2 * inset),
                        height,
                    ),
                    colour,
                )

    def _paint_line(self, painter: QPainter, plot: QRectF, muted: QColor) -> None:
        line = self.data.line
        assert line is not None
        values = [v for v in line.values if v is not None]
        top = nice_top(max([*values, self.data.threshold or 0, 1]) * 1.1)
        fm = QFontMetricsF(self.font())
        for step in range(1, 5):  # its scale: right of the bars, or on the left
            value = top * step / 4
            y = plot.bottom() - plot.height() * step / 4
            label = f"{short_number(value)}{line.unit}"
            x = (
                plot.right() + 6
                if self.data.bars
                else plot.left() - fm.horizontalAdvance(label) - 6
            )
            # beside bars, the line's own scale is in its colour
            painter.setPen(self._colour(line) if self.data.bars else muted)
            painter.drawText(QPointF(x, y + fm.ascent() / 2 - 1), label)
        if self.data.threshold is not None:
            y = plot.bottom() - plot.height() * self.data.threshold / top
            painter.setPen(QPen(QColor(ALERT_RED), 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        path = QPainterPath()
        started = False
        for index, maybe in enumerate(line.values):
            if maybe is None:
                started = False
                continue
            point = QPointF(
                self._slot(plot, index).center().x(), plot.bottom() - plot.height() * maybe / top
            )
            if started:
                path.lineTo(point)
            else:
                path.moveTo(point)
                started = True
            painter.setBrush(self._colour(line))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(point, 2.5, 2.5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(self._colour(line), 2))
        painter.drawPath(path)

    def _paint_labels(self, painter: QPainter, plot: QRectF, muted: QColor) -> None:
        fm = QFontMetricsF(self.font())
        labels = self.data.labels
        widest = max(fm.horizontalAdvance(label) for label in labels) + 8
        every = max(1, math.ceil(widest / max(1.0, plot.width() / len(labels))))
        painter.setPen(muted)
        for index, label in enumerate(labels):
            if index % every:
                continue
            slot = self._slot(plot, index)
            x = slot.center().x() - fm.horizontalAdvance(label) / 2
            x = min(max(x, 2.0), self.width() - fm.horizontalAdvance(label) - 2)
            painter.drawText(QPointF(x, plot.bottom() + fm.ascent() + 4), label)

    def _colour(self, series: Series) -> QColor:
        if series.colour:
            return QColor(series.colour)
        return self.palette().color(self.palette().ColorRole.Highlight)

    # ---- hovering ---------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.index_at(float(event.pos().x()))
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.point_text(index), self)
            return True
        return super().event(event)

    def index_at(self, x: float) -> int | None:
        plot = self._plot_rect()
        if not self.data.labels or not plot.left() <= x < plot.right():
            return None
        return min(
            len(self.data.labels) - 1, int((x - plot.left()) / plot.width() * len(self.data.labels))
        )

    def point_text(self, index: int) -> str:
        """What a point's tooltip says: its label and every series' value."""
        lines = [self.data.labels[index]]
        if index < len(self.data.notes) and self.data.notes[index]:
            lines.append(self.data.notes[index])
        for series in [*self.data.bars, *([self.data.line] if self.data.line else [])]:
            value = series.values[index] if index < len(series.values) else None
            shown = "—" if value is None else f"{short_number(value)}{series.unit}"
            lines.append(f"{series.name}: {shown}")
        return "\n".join(lines)

    def _describe(self) -> str:
        total = {s.name: sum(v or 0 for v in s.values) for s in self.data.bars}
        return f"{self.title}: " + ", ".join(f"{k} {short_number(v)}" for k, v in total.items())


def nice_top(value: float) -> float:
    """The top of a scale just above ``value``: 1, 2, 2.5 or 5 times a power
    of ten (4 for nothing, so an empty chart still has a scale)."""
    if value <= 0:
        return 4.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def short_number(value: float) -> str:
    """12, 2.5, 1,250, 12k."""
    if abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"
