"""The night on paper and in a spreadsheet: the run sheet's data, CSV exports,
and ``frontdesk runsheet``.

No Qt here.  ``NightSheet`` is everything the printed run sheet shows (the
night plan, its summary, and the guests' notes the plan does not carry);
``ui/runsheet.py`` lays it out.  The CSV is one row per booking (every
status), for a night or a range of nights, written so that Excel opens it
as it is: UTF-8 with a BOM, CRLF lines, plain numbers, and text that could
start a formula (a web guest's "special request" is anyone's typing) led by
an apostrophe.

``frontdesk runsheet`` loads Qt only when asked for a PDF, so ``frontdesk db
...`` and a CSV export never do.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import phonenumbers
import psycopg

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.plan import Booking, NightPlan, NightSummary
from frontdesk.problems import SetupProblem, explain_connection_error, redact
from frontdesk.settings import Settings

#: The columns every export starts with, in this order; then the extras.
CSV_COLUMNS = (
    "reference",
    "table",
    "guest",
    "party",
    "starts",
    "ends",
    "status",
    "deposit",
    "min_spend",
)
CSV_EXTRA_COLUMNS = (
    "night",
    "floor",
    "deposit_status",
    "phone",
    "email",
    "source",
    "occasion",
    "requests",
    "payment_ref",
)
#: Tables of a combination in one cell: "Booth 3 + Booth 4".
TABLE_JOINER = " + "
#: A date range exported at once: a year and a day (a mistyped year would
#: otherwise read thousands of nights).
MAX_RANGE_NIGHTS = 366
#: Where a booking with no table is listed (none in practice: every booking
#: keeps its table rows, active or not).
NO_TABLE = "No table"
#: What a cell that Excel would read as a formula is prefixed with.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_T = TypeVar("_T")


# --- the run sheet's data -----------------------------------------------------


@dataclass(frozen=True)
class FloorSheet:
    """One floor of the run sheet: who is coming, in time order, and who is
    not (cancelled, no-show) after them."""

    name: str
    active: tuple[Booking, ...]
    not_coming: tuple[Booking, ...]


@dataclass(frozen=True)
class NightSheet:
    """Everything the run sheet prints for one night."""

    plan: NightPlan
    summary: NightSummary

    def table_names(self, booking: Booking) -> list[str]:
        names = {t.id: t.name for t in self.plan.tables}
        return [names.get(t, "?") for t in booking.table_ids]

    def floors(self) -> list[FloorSheet]:
        """The night's bookings by floor (in the venue's order), each floor's
        by start time then table.  A booking over tables of two floors is
        listed on the floor of its first table, as the summary counts it."""
        plan = self.plan
        table_floor = {t.id: t.floor_id for t in plan.tables}
        table_order = {t.id: (t.grid_order, t.name) for t in plan.tables}
        floor_names = {f.id: f.name for f in plan.floors}
        grouped: dict[str, list[Booking]] = {f.name: [] for f in plan.floors}
        for booking in plan.bookings:
            first = booking.table_ids[0] if booking.table_ids else None
            floor_id = table_floor.get(first) if first is not None else None
            name = floor_names.get(floor_id, NO_TABLE) if floor_id is not None else NO_TABLE
            grouped.setdefault(name, []).append(booking)

        def order(b: Booking) -> tuple[datetime, tuple[int, str], str]:
            first = table_order.get(b.table_ids[0]) if b.table_ids else None
            return (b.starts_at, first or (1 << 30, ""), b.reference)

        sheets = []
        for name, bookings in grouped.items():
            ordered = sorted(bookings, key=order)
            sheets.append(
                FloorSheet(
                    name=name,
                    active=tuple(b for b in ordered if b.status.holds_table),
                    not_coming=tuple(b for b in ordered if not b.status.holds_table),
                )
            )
        return sheets


def deposit_state(booking: Booking) -> str:
    """The deposit's state, the engine's deposit status: "none" when the
    booking has no deposit, else due, paid, refunded or forfeited."""
    if booking.deposit == 0:
        return "none"
    return booking.deposit_status.value


def load_night_sheet(desk: Desk, night: date) -> NightSheet:
    """The run sheet's data for a night (blocking: two reads).  Raises as the
    desk does (ServerUnavailable...)."""
    return NightSheet(plan=desk.night_plan(night), summary=desk.night_summary(night))


# --- CSV ----------------------------------------------------------------------


def csv_rows(plan: NightPlan) -> Iterator[list[str]]:
    """One row per booking of the plan (every status), in the plan's order,
    with the columns of ``CSV_COLUMNS + CSV_EXTRA_COLUMNS``."""
    tables = {t.id: t for t in plan.tables}
    floors = {f.id: f.name for f in plan.floors}
    for b in plan.bookings:
        booked = [tables[t] for t in b.table_ids if t in tables]
        yield [
            _cell(b.reference),
            _cell(TABLE_JOINER.join(t.name for t in booked)),
            _cell(b.customer_name),
            str(b.party_size),
            b.starts_at.isoformat(),
            b.ends_at.isoformat(),
            b.status.value,
            _amount(b.deposit),
            _amount(b.min_spend),
            plan.night.isoformat(),
            _cell(floors.get(booked[0].floor_id, "") if booked else ""),
            deposit_state(b),
            _cell(readable_phone(b.customer_phone, plan.phone_country)),
            _cell(b.customer_email or ""),
            b.source,
            _cell(b.occasion or ""),
            _cell(b.special_requests or ""),
            _cell(b.payment_ref or ""),
        ]


def write_csv(path: Path, plans: Iterable[NightPlan]) -> int:
    """Write the bookings of ``plans`` to ``path`` (replaced whole, never left
    half-written); the number of bookings.  Raises OSError."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, dialect="excel")
            writer.writerow([*CSV_COLUMNS, *CSV_EXTRA_COLUMNS])
            for plan in plans:
                for row in csv_rows(plan):
                    writer.writerow(row)
                    count += 1
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count


def night_plans(desk: Desk, first: date, last: date) -> Iterator[NightPlan]:
    """The plans of every night from ``first`` to ``last`` inclusive."""
    night = first
    while night <= last:
        yield desk.night_plan(night)
        night += timedelta(days=1)


def readable_phone(e164: str | None, region: str) -> str:
    """A number as people dial it where the venue is (07700 900123), others
    international (+33 6 12 34 56 78); "" for none."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    # By country code: a number in a range not yet in use (Ofcom's drama
    # numbers) has no region, but is still dialled as a national one.
    home = number.country_code == phonenumbers.country_code_for_region(region)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    formatted: str = phonenumbers.format_number(number, style)
    return formatted


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _cell(text: str) -> str:
    """Text Excel would run as a formula (=, +, -, @) starts with an apostrophe."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# --- frontdesk runsheet -------------------------------------------------------


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``runsheet`` on the CLI's subcommands."""
    p: argparse.ArgumentParser = commands.add_parser(
        "runsheet",
        help="save a night's run sheet as PDF, or bookings as CSV",
        description="Save the run sheet of a night (--night) as PDF and/or its bookings as "
        "CSV, or the bookings of a range of nights (--from/--to) as CSV.  The CSV has one row "
        "per booking, every status, UTF-8 with a BOM (Excel opens it as it is).",
    )
    p.add_argument("--night", metavar="DATE", help="the night, YYYY-MM-DD or 'tonight'")
    p.add_argument("--from", metavar="DATE", dest="first", help="first night of a CSV range")
    p.add_argument("--to", metavar="DATE", dest="last", help="last night of a CSV range")
    p.add_argument("--venue", metavar="NAME", help="the venue (default: the database's first)")
    p.add_argument("--pdf", metavar="PATH", type=Path, help="write the run sheet here")
    p.add_argument("--csv", metavar="PATH", type=Path, help="write the bookings here")
    return p


#: Writes a night's run sheet as a PDF (sheet, path, printed at, settings)
#: and returns its page count.  The renderer is Qt's (ui/runsheet.py): the
#: entry point (ui/launcher.py) hands it in, so the core never imports Qt.
WritePdf = Callable[[NightSheet, Path, datetime, Settings], int]


def run_command(
    args: argparse.Namespace, settings: Settings, write_pdf: WritePdf | None = None
) -> int:
    """``frontdesk runsheet``: 0 when the files are written; SetupProblem (one
    line, exit 1) for a bad date, an unknown venue, an unwritable path, a
    server that cannot be reached, or --pdf in a build without the window's
    part (``write_pdf`` None)."""
    nights = _nights_asked(args)
    from frontdesk.cli import database_url  # the CLI imports this module

    url = database_url(settings)
    staff = StaffContext(terminal=settings.terminal, staff_name=settings.staff_name)
    db = Database(url, staff=staff, min_size=0, max_size=2)
    # The data layer logs a lost server for the window's log file; here the
    # one line below says it (Python would print the log record as well).
    quiet = logging.NullHandler()
    logging.getLogger("frontdesk").addHandler(quiet)
    try:
        desk = _desk(db, args.venue, url)
        if nights is None:
            tonight = _reading(url, desk.current_night)
            nights = (tonight, tonight)
        first, last = nights
        if args.pdf is not None:
            if write_pdf is None:
                raise SetupProblem(
                    "This build cannot draw PDFs (it has no window part): use --csv."
                )
            sheet = _reading(url, lambda: load_night_sheet(desk, first))
            _write_pdf(sheet, args.pdf, settings, write_pdf)
        if args.csv is not None:
            plans = _reading(url, lambda: list(night_plans(desk, first, last)))
            try:
                count = write_csv(args.csv, plans)
            except OSError as exc:
                raise SetupProblem(f"Cannot write {args.csv}: {exc.strerror or exc}.") from exc
            print(f"{_bookings(count)} written to {args.csv}.")
    finally:
        db.close()
        logging.getLogger("frontdesk").removeHandler(quiet)
    return 0


def _nights_asked(args: argparse.Namespace) -> tuple[date, date] | None:
    """(first, last) of what was asked; None for "tonight" (the server knows
    which night that is).  SetupProblem for anything unusable."""
    if args.pdf is None and args.csv is None:
        raise SetupProblem("Nothing to write: give --pdf PATH and/or --csv PATH.")
    if args.night is not None:
        if args.first is not None or args.last is not None:
            raise SetupProblem("Give either --night or --from and --to, not both.")
        if args.night.strip().lower() == "tonight":
            return None
        night = _date(args.night, "--night")
        return night, night
    if args.first is None or args.last is None:
        raise SetupProblem("Say which night: --night DATE, or --from DATE --to DATE for a CSV.")
    if args.pdf is not None:
        raise SetupProblem("A run sheet is for one night: use --night DATE with --pdf.")
    first, last = _date(args.first, "--from"), _date(args.last, "--to")
    if last < first:
        raise SetupProblem(f"--to {last} is before --from {first}.")
    if (last - first).days + 1 > MAX_RANGE_NIGHTS:
        raise SetupProblem(f"That is more than {MAX_RANGE_NIGHTS} nights: export a year at most.")
    return first, last


def _date(text: str, option: str) -> date:
    try:
        night = date.fromisoformat(text.strip())
    except ValueError:
        raise SetupProblem(f"{option} {text!r} is not a date: write it as YYYY-MM-DD.") from None
    # The engine plans nights of the years 2000 to 9999 only.
    if not 2000 <= night.year <= 9998:
        raise SetupProblem(f"{option} {night} is out of range (years 2000 to 9998).")
    return night


@dataclass(frozen=True)
class _VenueRow:
    id: UUID
    name: str


def _desk(db: Database, name: str | None, url: str) -> Desk:
    """The desk of the venue named (any case), else of the database's first."""
    venues = _reading(
        url,
        lambda: db.call_rows(
            "SELECT id, name FROM venues ORDER BY created_at, name", row=_VenueRow, what="venues"
        ),
    )
    if not venues:
        raise SetupProblem("This database has no venue yet: run `frontdesk db upgrade --demo`.")
    chosen = venues[0]
    if name is not None:
        wanted = " ".join(name.split()).casefold()
        matches = [v for v in venues if v.name.casefold() == wanted]
        if not matches:
            known = ", ".join(v.name for v in venues)
            raise SetupProblem(f"No venue named {name!r} in this database (there is: {known}).")
        chosen = matches[0]
    return _reading(url, lambda: Desk(db, chosen.id))


def _write_pdf(sheet: NightSheet, path: Path, settings: Settings, write_pdf: WritePdf) -> None:
    night = sheet.plan.night
    printed_at = datetime.now(ZoneInfo(sheet.plan.time_zone))
    try:
        pages = write_pdf(sheet, path, printed_at, settings)
    except OSError as exc:
        raise SetupProblem(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    active = sum(len(f.active) for f in sheet.floors())
    print(
        f"Run sheet for {night:%A} {night.day} {night:%B %Y} written to {path} "
        f"({_bookings(active)}, {pages} page{'s' if pages != 1 else ''})."
    )


def _reading(url: str, read: Callable[[], _T]) -> _T:
    """``read()``, with what a person can fix as one line: the server cannot
    be reached, or the engine refused (a venue it does not know)."""
    try:
        return read()
    except ServerUnavailable as exc:
        cause = getattr(exc.__cause__, "orig", exc.__cause__)  # SQLAlchemy wraps psycopg's
        if isinstance(cause, psycopg.Error):
            raise explain_connection_error(cause, redact(url)) from exc
        raise SetupProblem(f"{exc.message} ({redact(url)})") from exc
    except Refused as exc:
        raise SetupProblem(exc.message) from exc


def _bookings(count: int) -> str:
    return f"{count} booking" if count == 1 else f"{count} bookings"
