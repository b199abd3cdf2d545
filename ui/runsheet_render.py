"""The run sheet on paper: A4 portrait, readable in black and white.

The HTML from ``ui.runsheet_html`` is laid out by a ``QTextDocument`` on the
device it goes to (a ``QPdfWriter`` or the chosen ``QPrinter``), page by
page, with a running header and "Page n of N" in the footer painted around
it.  No window is needed: the command line uses the same code headless
(``save_pdf_headless``).
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QLineF, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCursor,
    QTextDocument,
)

from frontdesk.exports import NightSheet
from ui.runsheet_html import CSS, footer_text, night_heading, run_sheet_html, running_title

#: Paper and margins: A4 portrait, 12 mm all round.
PAGE_SIZE = QPageSize.PageSizeId.A4
MARGIN_MM = 12.0
#: The body text size, in points; headings scale from it.
BODY_PT = 8.5
#: Resolution the PDF is laid out at (text stays vector; this sets rounding).
PDF_DPI = 600
FONT_FAMILIES = ["Helvetica", "Arial", "Liberation Sans", "DejaVu Sans"]


# --- pages --------------------------------------------------------------------


def set_a4(device: QPagedPaintDevice) -> None:
    device.setPageLayout(
        QPageLayout(
            QPageSize(PAGE_SIZE),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )


def _font(point_size: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def paint_run_sheet(
    sheet: NightSheet,
    device: QPagedPaintDevice,
    resolution: int,
    *,
    printed_at: datetime,
    printed_by: str,
) -> int:
    """Lay the run sheet out on ``device`` (whose page layout is already
    set; ``resolution`` is its dots per inch) and paint every page; the
    number of pages.  Raises OSError when the device cannot be painted on."""
    if QGuiApplication.instance() is None:  # Qt would abort the process
        raise RuntimeError("the run sheet needs a QGuiApplication (see save_pdf_headless)")
    area = device.pageLayout().paintRectPixels(resolution)
    small = _font(BODY_PT - 1)
    band = QFontMetricsF(small, device).height() * 2.2  # header and footer lines
    document = QTextDocument()
    document.documentLayout().setPaintDevice(device)
    document.setDefaultFont(_font(BODY_PT))
    document.setDefaultStyleSheet(CSS)
    document.setDocumentMargin(0)
    document.setHtml(run_sheet_html(sheet))
    document.setTextWidth(area.width())  # one long page, cut below
    pages = paginate(document, area.height() - 2 * band)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the printer or file could not be opened")
    try:
        for number, page in enumerate(pages, start=1):
            if number > 1:
                device.newPage()
            y = band
            for top, bottom in page.slices:
                painter.save()
                painter.translate(0, y - top)
                document.drawContents(painter, QRectF(0, top, area.width(), bottom - top))
                painter.restore()
                y += bottom - top
            _paint_margins(
                painter,
                QRectF(0, 0, area.width(), area.height()),
                band,
                small,
                header=running_title(sheet) if number > 1 else "",
                left=footer_text(printed_at, printed_by),
                right=f"Page {number} of {len(pages)}",
            )
    finally:
        painter.end()
    return len(pages)


# QTextDocument's own pagination breaks a table row between two lines of a
# cell (a guest's name on one page, their reference on the next).  So the
# document is laid out as one long page and cut here, between rows only; a
# page that continues a floor starts with that floor's header rows again.


@dataclass
class _Unit:
    """A stretch of the laid-out document that is never cut: a paragraph,
    a table row, or a table's header rows (never cut from the row after them)."""

    top: float
    bottom: float
    table: int | None = None  # the table's first position
    header: bool = False


@dataclass(frozen=True)
class _Cut:
    y: float
    table: int | None  # the table whose rows continue after the cut


@dataclass(frozen=True)
class Page:
    """What one page shows: stretches of the long page, top to bottom."""

    slices: tuple[tuple[float, float], ...]


def paginate(document: QTextDocument, height: float) -> list[Page]:
    """Cut the laid-out ``document`` into pages ``height`` tall, between
    rows and paragraphs, repeating a table's header rows on the pages it
    runs onto.  A single row taller than a page is cut where it must."""
    units, heads = _units(document)
    cuts: list[_Cut] = []
    for before, after in itertools.pairwise(units):
        if before.header:
            continue  # a floor's header stays with its first booking
        body_row = after.table is not None and not after.header
        cuts.append(_Cut((before.bottom + after.top) / 2, after.table if body_row else None))
    end = document.size().height()
    pages: list[Page] = []
    start, table = 0.0, None
    while True:
        head = heads.get(table) if table is not None else None
        if head is not None and head[1] - head[0] > height / 3:
            head = None  # never a page of headers only
        repeated = (head,) if head else ()
        room = height - (head[1] - head[0] if head else 0.0)
        if end <= start + room:
            pages.append(Page((*repeated, (start, end))))
            return pages
        fits = [c for c in cuts if start < c.y <= start + room]
        cut = fits[-1] if fits else _Cut(start + room, None)
        pages.append(Page((*repeated, (start, cut.y))))
        start, table = cut.y, cut.table


def _units(document: QTextDocument) -> tuple[list[_Unit], dict[int, tuple[float, float]]]:
    """The document's uncuttable stretches in order, and where each table's
    header rows are (top, bottom) for repeating them."""
    layout = document.documentLayout()
    units: dict[tuple[str, int, int], _Unit] = {}
    tables: dict[int, tuple[float, int]] = {}  # first position -> top, header rows
    block = document.begin()
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        table = QTextCursor(block).currentTable()
        if table is None:
            key = ("block", block.position(), 0)
            where: int | None = None
            header = False
        else:
            where = table.firstPosition()
            if where not in tables:
                frame = layout.frameBoundingRect(table)
                tables[where] = (frame.top(), table.format().headerRowCount())
            row = table.cellAt(block.position()).row()
            header = row < tables[where][1]
            key = ("head", where, 0) if header else ("row", where, row)
        unit = units.get(key)
        if unit is None:
            top = tables[where][0] if header and where is not None else rect.top()
            units[key] = _Unit(top, rect.bottom(), where, header)
        else:
            unit.top = min(unit.top, rect.top())
            unit.bottom = max(unit.bottom, rect.bottom())
        block = block.next()
    ordered = list(units.values())
    heads: dict[int, tuple[float, float]] = {}
    for before, after in itertools.pairwise(ordered):
        if before.header and before.table is not None:
            heads[before.table] = (before.top, (before.bottom + after.top) / 2)
    return ordered, heads


def _paint_margins(
    painter: QPainter, page: QRectF, band: float, font: QFont, *, header: str, left: str, right: str
) -> None:
    """The running header (pages after the first) and the footer, each a
    line of small text with a rule between it and the body."""
    painter.setFont(font)
    pen = QPen(Qt.GlobalColor.black)
    pen.setWidthF(max(1.0, band / 60))
    painter.setPen(pen)
    line = band * 0.45
    middle = Qt.AlignmentFlag.AlignVCenter
    if header:
        top = QRectF(page.left(), page.top(), page.width(), line)
        painter.drawText(top, int(Qt.AlignmentFlag.AlignLeft | middle), header)
        rule = page.top() + line * 1.15
        painter.drawLine(QLineF(page.left(), rule, page.right(), rule))
    bottom = QRectF(page.left(), page.bottom() - line, page.width(), line)
    rule = bottom.top() - line * 0.15
    painter.drawLine(QLineF(page.left(), rule, page.right(), rule))
    painter.drawText(bottom, int(Qt.AlignmentFlag.AlignLeft | middle), left)
    painter.drawText(bottom, int(Qt.AlignmentFlag.AlignRight | middle), right)


def pdf_bytes(sheet: NightSheet, *, printed_at: datetime, printed_by: str) -> tuple[bytes, int]:
    """The run sheet as a PDF file's bytes, and its number of pages."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setTitle(f"Run sheet — {sheet.plan.venue_name} — {night_heading(sheet.plan.night)}")
    writer.setCreator("frontdesk")
    set_a4(writer)
    pages = paint_run_sheet(sheet, writer, PDF_DPI, printed_at=printed_at, printed_by=printed_by)
    del writer  # finishes the file
    data = bytes(buffer.data().data())
    buffer.close()
    return data, pages


def save_pdf(sheet: NightSheet, path: Path, *, printed_at: datetime, printed_by: str) -> int:
    """Write the run sheet to ``path`` (replaced whole, never half-written);
    the number of pages.  Raises OSError."""
    data, pages = pdf_bytes(sheet, printed_at=printed_at, printed_by=printed_by)
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return pages


_headless_app: QGuiApplication | None = None


def save_pdf_headless(
    sheet: NightSheet, path: Path, *, printed_at: datetime, printed_by: str
) -> int:
    """As ``save_pdf``, from a program without a Qt application (the command
    line).  On Linux it draws offscreen: nothing is shown, so neither a
    display nor X11's libraries are needed."""
    global _headless_app
    if QGuiApplication.instance() is None:
        if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _headless_app = QGuiApplication(["frontdesk"])
    return save_pdf(sheet, path, printed_at=printed_at, printed_by=printed_by)
