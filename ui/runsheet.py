"""The night's run sheet on paper: A4 portrait, readable in black and white.

Built from plain data (``frontdesk.exports.NightSheet``: the night plan, its
summary, the guests' notes) as HTML with a small style sheet, laid out by a
``QTextDocument`` on the device it goes to (a ``QPdfWriter`` or the chosen
``QPrinter``), page by page, with a running header and "Page n of N" in the
footer painted around it.  No window is needed: the command line uses the
same code headless (``save_pdf_headless``).

What a manager reads, by floor then time: time, table(s), guest and booking
reference, party, status, phone, deposit (paid or due), minimum spend, and
the occasion, requests and the guest's notes; the night's totals on top.
Cancelled bookings and no-shows are listed after each floor's active ones,
set apart and marked by word, not struck through: at closing time a no-show
is a deposit to keep and a guest to call back, and the phone number must
stay readable.  They are not in the totals (as on the grid's summary).

``RunSheetActions`` puts "Print run sheet…" (Ctrl+P), "Save run sheet as
PDF…" and "Export night as CSV…" in the window; its dialogs are attributes
a test replaces.
"""

from __future__ import annotations

import html
import itertools
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QBuffer,
    QIODevice,
    QLineF,
    QMarginsF,
    QObject,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QKeySequence,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QWidget

from frontdesk.desk import Desk
from frontdesk.exports import (
    NightSheet,
    deposit_state,
    load_night_sheet,
    readable_phone,
    write_csv,
)
from frontdesk.plan import Booking, FloorSummary, NightPlan, Status
from ui import text
from ui.night import NightController
from ui.ops import Ops

#: Paper and margins: A4 portrait, 12 mm all round.
PAGE_SIZE = QPageSize.PageSizeId.A4
MARGIN_MM = 12.0
#: The body text size, in points; headings scale from it.
BODY_PT = 8.5
#: Resolution the PDF is laid out at (text stays vector; this sets rounding).
PDF_DPI = 600
FONT_FAMILIES = ["Helvetica", "Arial", "Liberation Sans", "DejaVu Sans"]

#: The run sheet's columns: header, share of the width in percent.
COLUMNS: list[tuple[str, int]] = [
    ("Time", 7),
    ("Table", 10),
    ("Guest", 16),
    ("Party", 6),
    ("Status", 12),
    ("Phone", 12),
    ("Deposit", 10),
    ("Min spend", 8),
    ("Occasion · requests · notes", 19),
]
#: Room inside each cell, in pixels at 96 dpi (scaled to the device).
CELL_PADDING = 2

# Black on white; greys that survive a photocopier.  QTextDocument reads a
# subset of CSS 2.1: borders on cells, backgrounds, margins, fonts.
CSS = """
h1 { font-size: 17pt; font-weight: 700; margin: 0; }
p.night { font-size: 12pt; font-weight: 700; margin-top: 2pt; margin-bottom: 0; }
p.notice { margin-top: 4pt; margin-bottom: 0; }
p.none { font-size: 11pt; font-style: italic; margin-top: 10pt; }
p.gap { font-size: 5pt; margin: 0; }
table { border-collapse: collapse; }
table.totals td { border-bottom: 0.5pt solid #777; }
table.totals th { background-color: #e4e4e4; text-align: left; border-bottom: 1pt solid #000; }
table.totals td.n, table.totals th.n { text-align: right; }
table.totals tr.all td { font-weight: 700; border-top: 1pt solid #000; border-bottom: 0; }
table.floor td { border-bottom: 0.5pt solid #999; vertical-align: top; }
table.floor th { text-align: left; background-color: #e4e4e4; border-bottom: 1pt solid #000;
                 font-size: 7.5pt; }
table.floor th.floor { font-size: 12pt; background-color: #ffffff;
                       border-bottom: 1.5pt solid #000; }
table.floor td.time { font-size: 10pt; font-weight: 700; }
table.floor td.nowrap { white-space: nowrap; }
table.floor td.party { text-align: center; }
table.floor td.money { text-align: right; padding-left: 4pt; }
table.floor td.gone { color: #444; font-style: italic; }
span.ref { font-size: 7pt; color: #333; }
span.until { font-size: 7pt; font-weight: 400; }
span.label { font-size: 7pt; font-weight: 700; }
span.due { font-weight: 700; }
span.count { font-size: 9pt; font-weight: 400; }
"""


# --- the document -------------------------------------------------------------


def printed_by(staff_name: str, terminal: str) -> str:
    """Who printed, as the footer says it: "Priya at FRONT-1"."""
    return f"{staff_name} at {terminal}"


def night_heading(night: date) -> str:
    """'Friday 4 December 2026'."""
    return f"{night:%A} {night.day} {night:%B %Y}"


def hours_text(plan: NightPlan) -> str:
    """'21:00 → 03:00', or 'Closed'."""
    if plan.is_closed or plan.opens_at is None or plan.closes_at is None:
        return "Closed"
    zone = ZoneInfo(plan.time_zone)
    return f"{text.clock(plan.opens_at, zone)} → {text.clock(plan.closes_at, zone)}"


def running_title(sheet: NightSheet) -> str:
    """The line on top of every page after the first."""
    plan = sheet.plan
    parts = [plan.venue_name, night_heading(plan.night)]
    if plan.event_name:
        parts.append(plan.event_name)
    return " · ".join(parts) + " — run sheet"


def footer_text(printed_at: datetime, by: str) -> str:
    return f"Printed {printed_at:%a} {printed_at.day} {printed_at:%b %Y %H:%M} by {by}"


def run_sheet_html(sheet: NightSheet) -> str:
    """The run sheet's body as HTML (header, totals, one table per floor)."""
    plan = sheet.plan
    text.use_venue(plan.currency, plan.phone_country)
    e = html.escape
    out = [f"<h1>{e(plan.venue_name)} — run sheet</h1>"]
    night_line = [night_heading(plan.night)]
    if plan.event_name:
        night_line.append(plan.event_name)
    night_line.append(hours_text(plan))
    out.append(f'<p class="night">{e("  ·  ".join(night_line))}</p>')
    if plan.is_closed:
        out.append('<p class="notice"><b>The venue is closed this night.</b></p>')
    if plan.night_notes:
        out.append(f'<p class="notice">Note: {e(plan.night_notes)}</p>')
    if not plan.bookings:
        out.append('<p class="none">No bookings.</p>')
        return "\n".join(out)
    out.append('<p class="gap">&nbsp;</p>')
    out.append(_totals_html(sheet))
    for floor in sheet.floors():
        if floor.active or floor.not_coming:
            out.append('<p class="gap">&nbsp;</p>')
            out.append(_floor_html(sheet, floor.name, floor.active, floor.not_coming))
    return "\n".join(out)


def _totals_html(sheet: NightSheet) -> str:
    rows = [*sheet.summary.floors, sheet.summary.total]
    paid = sum(
        (b.deposit for b in sheet.plan.bookings if b.status.holds_table and b.payment_ref),
        start=Decimal(0),
    )
    head = (
        '<tr><th width="30%">Floor</th><th class="n" width="14%">Bookings</th>'
        '<th class="n" width="14%">Covers</th><th class="n" width="20%">Deposits</th>'
        '<th class="n" width="22%">Minimum spend</th></tr>'
    )
    body = "".join(_totals_row(r, r is sheet.summary.total) for r in rows)
    due = sheet.summary.total.deposits - paid
    return (
        f'<table class="totals" width="70%" cellspacing="0" cellpadding="{CELL_PADDING}">'
        f"{head}{body}</table>"
        f'<p class="notice">Deposits paid <b>{text.money(paid)}</b>, due '
        f"<b>{text.money(due)}</b>.  Cancelled and no-shows: in italics after each floor, "
        "not counted.</p>"
    )


def _totals_row(row: FloorSummary, is_total: bool) -> str:
    cls = ' class="all"' if is_total else ""
    return (
        f"<tr{cls}><td>{html.escape(row.floor_name)}</td><td class='n'>{row.bookings}</td>"
        f"<td class='n'>{row.covers}</td><td class='n'>{text.money(row.deposits)}</td>"
        f"<td class='n'>{text.money(row.min_spend)}</td></tr>"
    )


def _floor_html(
    sheet: NightSheet,
    name: str,
    active: tuple[Booking, ...],
    not_coming: tuple[Booking, ...],
) -> str:
    span = len(COLUMNS)
    covers = sum(b.party_size for b in active)
    counts = [f"{len(active)} booked, {covers} covers"]
    for status in (Status.NO_SHOW, Status.CANCELLED):
        gone = sum(b.status is status for b in not_coming)
        if gone:
            counts.append(f"{gone} {status.label.lower()}")
    title = f'{html.escape(name)} <span class="count">  ·  {"  ·  ".join(counts)}</span>'
    # Two header rows (the floor, the column names) repeat on every page the
    # floor runs onto: a manager always knows which floor a page is.
    head = (
        f'<thead><tr><th class="floor" colspan="{span}">{title}</th></tr><tr>'
        + "".join(f'<th width="{w}%">{html.escape(h)}</th>' for h, w in COLUMNS)
        + "</tr></thead>"
    )
    rows = [_booking_row(sheet, b) for b in active]
    if not active:
        rows.append(f'<tr><td colspan="{span}"><i>No active bookings.</i></td></tr>')
    # Cancelled and no-shows last, in italics, marked by their status.
    rows.extend(_booking_row(sheet, b, gone=True) for b in not_coming)
    return (
        f'<table class="floor" width="100%" cellspacing="0" cellpadding="{CELL_PADDING}">'
        f"{head}{''.join(rows)}</table>"
    )


def _booking_row(sheet: NightSheet, b: Booking, *, gone: bool = False) -> str:
    e = html.escape
    zone = ZoneInfo(sheet.plan.time_zone)
    state = deposit_state(b)
    if state == "none":
        deposit = "—"
    elif state == "due" and gone:
        deposit = f"{text.money(b.deposit)} unpaid"  # nothing is due from a guest not coming
    elif state == "due":
        deposit = f'{text.money(b.deposit)} <span class="due">due</span>'
    else:
        deposit = f"{text.money(b.deposit)} paid"
    notes = []
    if b.occasion:
        notes.append(f'<span class="label">Occasion</span> {e(b.occasion)}')
    if b.special_requests:
        notes.append(f'<span class="label">Requests</span> {e(b.special_requests)}')
    if b.customer_notes:
        notes.append(f'<span class="label">Guest</span> {e(b.customer_notes)}')
    cells = [
        (
            "time",
            f'{text.clock(b.starts_at, zone)}<br><span class="until">to '
            f"{text.clock(b.ends_at, zone)}</span>",
        ),
        ("", e(" + ".join(sheet.table_names(b)))),
        ("", f'<b>{e(b.customer_name)}</b><br><span class="ref">{e(b.reference)}</span>'),
        ("party", str(b.party_size)),
        ("nowrap", e(text.status_text(b.status))),
        ("nowrap", e(readable_phone(b.customer_phone, sheet.plan.phone_country))),
        ("money", deposit),
        ("money", e(text.money(b.min_spend))),
        ("", "<br>".join(notes)),
    ]
    tds = []
    for cls, content in cells:
        classes = " ".join(c for c in (cls, "gone" if gone else "") if c)
        attr = f' class="{classes}"' if classes else ""
        tds.append(f"<td{attr}>{content}</td>")
    return f"<tr>{''.join(tds)}</tr>"


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


# --- in the window ------------------------------------------------------------

#: Asks where to print; True to go ahead.  Tests replace it.
AskPrint = Callable[[QPrinter, QWidget], bool]
#: Asks where to save (parent, caption, suggested path, filter); "" for cancel.
AskSavePath = Callable[[QWidget, str, str, str], str]


def ask_print(printer: QPrinter, parent: QWidget) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print run sheet")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_save_path(parent: QWidget, caption: str, suggested: str, filter_: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filter_)
    return path


class RunSheetActions(QObject):
    """Print run sheet (Ctrl+P), Save run sheet as PDF…, Export night as CSV…
    for the night on screen.  The night is read afresh (off the UI thread)
    when asked; the document is made on the UI thread.

    Managers' paperwork: for a host the actions are shown, disabled, with
    the tooltip "Managers only"."""

    #: The tooltip of an action a host sees but may not use.
    MANAGERS_ONLY = "Managers only"

    message = Signal(str)  # for the status bar

    def __init__(
        self,
        ops: Ops,
        night: NightController,
        parent: QWidget,
        *,
        terminal: str,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._night = night
        self._parent = parent
        self._terminal = terminal
        self._online = True
        self._ready = True  # someone is signed in and the desk is not locked
        self._manager = False
        self.printed_by = printed_by("", terminal)
        self.ask_print: AskPrint = ask_print
        self.ask_save_path: AskSavePath = ask_save_path
        self.clock: Callable[[], datetime] = _utc_now
        self.folder = Path.home()
        self.act_print = QAction("Print run sheet…", parent)
        self.act_print.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.act_pdf = QAction("Save run sheet as PDF…", parent)
        self.act_csv = QAction("Export night as CSV…", parent)
        self.act_print.triggered.connect(self.print_night)
        self.act_pdf.triggered.connect(self.save_night_pdf)
        self.act_csv.triggered.connect(self.export_night_csv)
        self._labels = {a: a.text().rstrip("…") for a in self.actions}
        self._refresh()

    @property
    def actions(self) -> list[QAction]:
        return [self.act_print, self.act_pdf, self.act_csv]

    def menu(self, parent: QWidget) -> QMenu:
        """The window's Night menu."""
        menu = QMenu("&Night", parent)
        menu.setToolTipsVisible(True)  # "Managers only" on the disabled items
        menu.addAction(self.act_print)
        menu.addAction(self.act_pdf)
        menu.addSeparator()
        menu.addAction(self.act_csv)
        return menu

    def set_online(self, online: bool) -> None:
        self._online = online
        self._refresh()

    def set_ready(self, ready: bool) -> None:
        """False while nobody is signed in or the desk is locked."""
        self._ready = ready
        self._refresh()

    def set_staff(self, name: str, *, manager: bool) -> None:
        """Who is signed in: the footer names them; only a manager prints."""
        self.printed_by = printed_by(name, self._terminal)
        self._manager = manager
        self._refresh()

    def _refresh(self) -> None:
        for action in self.actions:
            action.setEnabled(self._online and self._ready and self._manager)
            action.setToolTip(self._labels[action] if self._manager else self.MANAGERS_ONLY)

    # ---- print ------------------------------------------------------------

    def print_night(self) -> None:
        night = self._night.night
        if night is not None:
            self._ops.query(partial(_sheet, night), owner=self, done=self._print)

    def _print(self, sheet: NightSheet) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        set_a4(printer)
        printer.setDocName(f"Run sheet {sheet.plan.night.isoformat()}")
        if not self.ask_print(printer, self._parent):
            return
        try:
            pages = paint_run_sheet(
                sheet,
                printer,
                printer.resolution(),
                printed_at=self._now(sheet),
                printed_by=self.printed_by,
            )
        except OSError as exc:
            self.message.emit(f"Couldn't print the run sheet: {exc}")
            return
        self.message.emit(
            f"Run sheet for {night_heading(sheet.plan.night)} printed ({_pages(pages)})"
        )

    # ---- save as PDF ------------------------------------------------------

    def save_night_pdf(self) -> None:
        night = self._night.night
        if night is None:
            return
        path = self._ask_path(
            "Save run sheet as PDF", f"run-sheet-{night.isoformat()}.pdf", "PDF (*.pdf)"
        )
        if path is not None:
            self._ops.query(partial(_sheet, night), owner=self, done=partial(self._save_pdf, path))

    def _save_pdf(self, path: Path, sheet: NightSheet) -> None:
        try:
            pages = save_pdf(sheet, path, printed_at=self._now(sheet), printed_by=self.printed_by)
        except OSError as exc:
            self.message.emit(f"Couldn't save {path.name}: {exc.strerror or exc}")
            return
        self.message.emit(f"Run sheet saved to {path} ({_pages(pages)})")

    # ---- CSV --------------------------------------------------------------

    def export_night_csv(self) -> None:
        night = self._night.night
        if night is None:
            return
        path = self._ask_path(
            "Export night as CSV", f"bookings-{night.isoformat()}.csv", "CSV (*.csv)"
        )
        if path is not None:
            self._ops.query(partial(_plan, night), owner=self, done=partial(self._save_csv, path))

    def _save_csv(self, path: Path, plan: NightPlan) -> None:
        try:
            count = write_csv(path, [plan])
        except OSError as exc:
            self.message.emit(f"Couldn't save {path.name}: {exc.strerror or exc}")
            return
        noun = "booking" if count == 1 else "bookings"
        self.message.emit(f"Exported {count} {noun} to {path}")

    # ---- helpers ----------------------------------------------------------

    def _ask_path(self, caption: str, name: str, filter_: str) -> Path | None:
        chosen = self.ask_save_path(self._parent, caption, str(self.folder / name), filter_)
        if not chosen:
            return None
        path = Path(chosen)
        self.folder = path.parent
        return path

    def _now(self, sheet: NightSheet) -> datetime:
        return self.clock().astimezone(ZoneInfo(sheet.plan.time_zone))


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sheet(night: date, desk: Desk) -> NightSheet:
    return load_night_sheet(desk, night)


def _plan(night: date, desk: Desk) -> NightPlan:
    return desk.night_plan(night)
