"""The manager's reports over a range of nights: bookings, covers, walk-ins,
cancellations, no-shows, deposits and minimum spend committed, by night,
weekday and source; and CSV files a spreadsheet opens as they are.

The figures are the database's: ``report_range`` (sql/engine/80_reports.sql)
groups ``report_nights`` by night, weekday and source in one set-based
query over the bookings' (venue, night) index; this module reads its rows
into plain values and writes them out.  Only a manager of the venue may run
it (``Refused`` NOT_SIGNED_IN or NOT_ALLOWED otherwise).  No Qt.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from frontdesk.desk import Desk
from frontdesk.errors import InvalidInput

#: The longest range a report covers at once: two years and a day (so that
#: a year can be set beside the one before).
MAX_NIGHTS = 732

#: Where bookings come from, as a manager says it.
SOURCES: dict[str, str] = {
    "desk": "Desk",
    "phone": "Phone",
    "web": "Website",
    "walk_in": "Walk-in",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Symbols of the currencies a venue may price in; others show their code.
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}

#: What a cell that Excel would read as a formula starts with.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def money_text(amount: Decimal, currency: str) -> str:
    """£25, £1,250, £12.50 in the venue's currency."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}{symbol}{amount:,.0f}"
    return f"{sign}{symbol}{amount:,.2f}"


@dataclass(frozen=True)
class Figures:
    """One row of a report: a night, a weekday, a source, or the total."""

    label: str  # "Fri 4 Dec 2026", "Friday", "Website", "All nights"
    nights: int
    bookings: int
    covers: int
    walk_ins: int
    cancellations: int
    no_shows: int
    #: No-shows over the bookings that were expected (not cancelled, not
    #: walk-ins); None when there were none.
    no_show_rate: Decimal | None
    deposits: Decimal
    min_spend: Decimal
    night: date | None = None
    weekday: int | None = None  # 1 Monday .. 7 Sunday
    source: str | None = None


@dataclass(frozen=True)
class Report:
    venue_name: str
    currency: str
    first: date
    last: date
    by_night: tuple[Figures, ...]
    by_weekday: tuple[Figures, ...]
    by_source: tuple[Figures, ...]
    total: Figures

    @property
    def title(self) -> str:
        return f"{self.venue_name}: {range_text(self.first, self.last)}"


@dataclass(frozen=True)
class _ReportRow:
    kind: str
    night: date | None
    weekday: int | None
    source: str | None
    nights: int
    bookings: int
    covers: int
    walk_ins: int
    cancellations: int
    no_shows: int
    no_show_rate: Decimal | None
    deposits: Decimal
    min_spend_committed: Decimal


@dataclass(frozen=True)
class _VenueRow:
    name: str
    currency: str


def check_range(first: date, last: date) -> None:
    """InvalidInput unless ``first``..``last`` is a range a report covers."""
    if last < first:
        raise InvalidInput("range", "The last night is before the first.")
    if (last - first).days + 1 > MAX_NIGHTS:
        raise InvalidInput("range", f"That is more than {MAX_NIGHTS} nights: two years at most.")
    if first.year < 2000 or last.year > 9998:
        raise InvalidInput("range", "Choose nights in the years 2000 to 9998.")


def load_report(desk: Desk, first: date, last: date) -> Report:
    """The report for the nights ``first`` to ``last`` inclusive (blocking;
    two reads).  InvalidInput for a range it does not cover; otherwise
    raises as the desk does (Refused NOT_ALLOWED for a host)."""
    check_range(first, last)
    (venue,) = desk.db.call_rows(
        "SELECT name, currency FROM venues WHERE id = %(venue_id)s",
        {"venue_id": desk.venue_id},
        row=_VenueRow,
        what="venue",
    )
    rows = desk.db.call_rows(
        "SELECT * FROM report_range(%(venue_id)s, %(first)s, %(last)s)",
        {"venue_id": desk.venue_id, "first": first, "last": last},
        row=_ReportRow,
        what="report_range",
    )
    figures = [_figures(r) for r in rows]
    kinds = [r.kind for r in rows]
    total = next((f for f, k in zip(figures, kinds, strict=True) if k == "total"), None)
    return Report(
        venue_name=venue.name,
        currency=venue.currency,
        first=first,
        last=last,
        by_night=tuple(f for f, k in zip(figures, kinds, strict=True) if k == "night"),
        by_weekday=tuple(f for f, k in zip(figures, kinds, strict=True) if k == "weekday"),
        by_source=tuple(
            sorted(
                (f for f, k in zip(figures, kinds, strict=True) if k == "source"),
                key=lambda f: list(SOURCES).index(f.source) if f.source in SOURCES else 99,
            )
        ),
        total=total or _empty("All nights"),
    )


def _figures(row: _ReportRow) -> Figures:
    if row.kind == "night" and row.night is not None:
        label = f"{row.night:%a} {row.night.day} {row.night:%b %Y}"
    elif row.kind == "weekday" and row.weekday is not None:
        label = WEEKDAYS[row.weekday - 1]
    elif row.kind == "source":
        label = SOURCES.get(row.source or "", row.source or "?")
    else:
        label = "All nights"
    return Figures(
        label=label,
        nights=row.nights,
        bookings=row.bookings,
        covers=row.covers,
        walk_ins=row.walk_ins,
        cancellations=row.cancellations,
        no_shows=row.no_shows,
        no_show_rate=row.no_show_rate,
        deposits=row.deposits,
        min_spend=row.min_spend_committed,
        night=row.night,
        weekday=row.weekday,
        source=row.source,
    )


def _empty(label: str) -> Figures:
    return Figures(label, 0, 0, 0, 0, 0, 0, None, Decimal(0), Decimal(0))


def range_text(first: date, last: date) -> str:
    """'4 Dec 2026' or '1 Jan 2026 to 31 Dec 2026'."""
    if first == last:
        return f"{first.day} {first:%b %Y}"
    return f"{first.day} {first:%b %Y} to {last.day} {last:%b %Y}"


def rate_text(rate: Decimal | None) -> str:
    """'4.2 %', or '—' when there is nothing to divide by."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f} %"


# --- CSV ------------------------------------------------------------------------

#: Columns after the first (what the row is: night, weekday or source).
CSV_FIGURES = (
    "nights",
    "bookings",
    "covers",
    "walk_ins",
    "cancellations",
    "no_shows",
    "no_show_rate_percent",
    "deposits",
    "min_spend_committed",
)


def csv_rows(rows: Sequence[Figures], total: Figures) -> list[list[str]]:
    """One line per row, then the total; plain numbers (Excel reads them)."""
    lines = []
    for f in [*rows, total]:
        first = f.night.isoformat() if f.night is not None else f.label
        lines.append(
            [
                first,
                str(f.nights),
                str(f.bookings),
                str(f.covers),
                str(f.walk_ins),
                str(f.cancellations),
                str(f.no_shows),
                "" if f.no_show_rate is None else f"{f.no_show_rate * 100:.2f}",
                f"{f.deposits:.2f}",
                f"{f.min_spend:.2f}",
            ]
        )
    return lines


def write_report_csv(path: Path, by: str, rows: Sequence[Figures], total: Figures) -> int:
    """Write one table of a report (``by``: night, weekday or source, the
    first column's name) with its total; the number of lines.  Raises
    OSError."""
    return write_spreadsheet_csv(path, (by, *CSV_FIGURES), csv_rows(rows, total))


def write_spreadsheet_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """A CSV Excel opens as it is: UTF-8 with a BOM, CRLF lines, text that
    could start a formula led by an apostrophe; replaced whole, never left
    half-written.  The number of rows (without the header).  Raises OSError."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, dialect="excel")
            writer.writerow(header)
            for row in rows:
                writer.writerow([_cell(c) for c in row])
                count += 1
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count


def _cell(text: str) -> str:
    """Text Excel would run as a formula starts with an apostrophe; numbers
    (a negative amount) stay numbers."""
    if text.startswith(_FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
