"""The run sheet's content: the night as HTML with a small style sheet.

Built from plain data (``frontdesk.exports.NightSheet``: the night plan, its
summary, the guests' notes); ``ui.runsheet_render`` lays it out on paper.
Cancelled bookings and no-shows are listed after each floor's active ones,
set apart and marked by word, not struck through, and are not in the totals.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from frontdesk.exports import NightSheet, deposit_state, readable_phone
from frontdesk.plan import Booking, FloorSummary, NightPlan, Status
from ui import text

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
        (
            b.deposit
            for b in sheet.plan.bookings
            if b.status.holds_table and deposit_state(b) == "paid"
        ),
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
        f"<b>{text.money(due)}</b>.  Minimum spend achieved "
        f"<b>{text.money(sheet.summary.total.min_spend_achieved)}</b> of "
        f"{text.money(sheet.summary.total.min_spend)} (paid deposits and spend, each booking "
        "up to its minimum).  Cancelled and no-shows: in italics after each floor, "
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
    else:  # paid, refunded, forfeited (the engine's deposit status)
        deposit = f"{text.money(b.deposit)} {state}"
        if state == "paid" and b.deposit_reference:
            deposit += f'<br><span class="ref">{e(b.deposit_reference)}</span>'
    minimum = e(text.money(b.min_spend))
    if b.spend_total:
        minimum += f'<br><span class="until">spent {e(text.money(b.spend_total))}</span>'
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
        ("money", minimum),
        ("", "<br>".join(notes)),
    ]
    tds = []
    for cls, content in cells:
        classes = " ".join(c for c in (cls, "gone" if gone else "") if c)
        attr = f' class="{classes}"' if classes else ""
        tds.append(f"<td{attr}>{content}</td>")
    return f"<tr>{''.join(tds)}</tr>"
