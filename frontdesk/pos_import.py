"""The till's export: read a CSV of spend, match its rows to the night's
bookings, import the matched ones.

A till exports one row per bill: a booking reference or a table, a time and
an amount, in whatever spelling it likes.  ``read_rows`` reads that
tolerantly (a header row or none; "£1,250.00"; 23:15, 11:15 pm, with a date
or without); the matching is the engine's (``pos_match``: by reference, or
by table and a time inside a booking's period on it), and so is the import
(``import_pos_spend``: each row once, by its key, so importing one file
twice adds nothing).  Money is Decimal from the file to the database.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from frontdesk.desk import Desk, _Outcome

#: Header words for each column (lower case, spaces and underscores alike).
HEADERS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "ref", "booking", "booking reference", "booking ref", "booking id"),
    "table": ("table", "table name", "table no", "table number", "tab"),
    "time": (
        "time",
        "date",
        "datetime",
        "date time",
        "closed",
        "closed at",
        "paid at",
        "timestamp",
    ),
    "amount": ("amount", "total", "value", "spend", "gross", "net", "paid", "sale"),
}
REFERENCE = re.compile(r"^[A-Za-z]{1,4}-\d{6}-[A-Za-z0-9]{6}$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
#: The most rows one file may have (the engine's limit too).
MAX_ROWS = 5000


@dataclass(frozen=True)
class TillRow:
    """One row of the till's file, as read."""

    line: int  # its line in the file (1 is the first)
    reference: str | None
    table: str | None
    time: time | None  # a time of day on the night (the night rule places it)
    at: datetime | None  # or an instant, when the row has a date
    amount: Decimal | None
    key: str  # the row's identity: importing the same file again adds nothing
    problem: str | None = None  # why the row could not be read

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "reference": self.reference,
            "table": self.table,
            "time": self.time.isoformat() if self.time else None,
            "at": self.at.isoformat() if self.at else None,
            "amount": str(self.amount) if self.amount is not None else None,
            "key": self.key,
        }


@dataclass(frozen=True)
class TillMatch:
    """A row and the booking it belongs to, or why it has none."""

    line: int
    amount: Decimal | None
    booking_id: UUID | None
    reference: str | None
    customer_name: str | None
    table_names: str | None
    spent_at: datetime | None
    reason_code: str | None
    reason: str | None
    already: bool  # imported before (its key is known): importing adds nothing

    @property
    def matched(self) -> bool:
        return self.reason_code is None


@dataclass(frozen=True)
class TillImport:
    imported: int
    already: int
    unmatched: int


@dataclass(frozen=True)
class _MatchRow:
    line: int
    booking_id: UUID | None
    reference: str | None
    customer_name: str | None
    table_names: str | None
    amount: Decimal | None
    spent_at: datetime | None
    pos_key: str | None
    reason_code: str | None
    reason: str | None
    already: bool


@dataclass(frozen=True)
class _ImportRow(_Outcome):
    imported: int
    already: int
    unmatched: int


def read_file(path: Path) -> str:
    """A till's file as text: UTF-8 (with or without a BOM), else Windows-1252."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_amount(text: str) -> Decimal | None:
    """An amount as a till writes it ("£1,250.00", "1250", "(12.50)", "-3.5 GBP")
    as Decimal; None when it is not money."""
    cleaned = re.sub(r"(?i)gbp|eur|usd|[£$€\s]", "", text or "").replace(",", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return -amount if negative else amount


def parse_when(text: str, zone: ZoneInfo) -> time | datetime | None:
    """A till's time ("23:15", "11:15 pm", "23:15:09", "2026-12-04 23:15",
    "04/12/2026 23:15", an ISO instant): a time of day, or an instant (in the venue's zone when
    the text has no offset); None when it is neither."""
    text = " ".join((text or "").replace("T", " ").split())
    if not text:
        return None
    clock = _clock(text)
    if clock is not None:
        return clock
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        at = None
    if at is not None:
        return at if at.tzinfo else at.replace(tzinfo=zone)
    day_text, _, rest = text.partition(" ")
    clock = _clock(rest)
    if clock is None:
        return None
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(day_text, fmt).date()
        except ValueError:
            continue
        return datetime.combine(day, clock, tzinfo=zone)
    return None


def _clock(text: str) -> time | None:
    found = _TIME.match(text.strip())
    if not found:
        return None
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    half = (found[4] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    """The columns a header row names, or None when the row is not a header."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        word = " ".join(cell.strip().lower().replace("_", " ").split())
        for column, words in HEADERS.items():
            if word in words and column not in found:
                found[column] = i
    if "amount" in found and ("reference" in found or "table" in found):
        return found
    return None


def read_rows(text: str, night: date, zone: ZoneInfo) -> list[TillRow]:
    """The till's CSV as rows, in file order (blank lines skipped).  A row
    that does not read (no amount, no time for a table) carries its
    ``problem``; it is shown, never imported."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    try:
        dialect: Any = csv.Sniffer().sniff(lines[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    records = [
        (n, [c.strip() for c in cells])
        for n, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
        if any(c.strip() for c in cells)
    ]
    if not records:
        return []
    columns = _header_columns(records[0][1])
    if columns is not None:
        records = records[1:]
    seen: Counter[tuple[Any, ...]] = Counter()
    rows = []
    for line, cells in records[:MAX_ROWS]:
        row = _row(line, cells, columns, night, zone)
        identity = (row.reference or (row.table or "").lower(), row.time, row.at, row.amount)
        seen[identity] += 1
        key = "|".join(
            [
                night.isoformat(),
                identity[0],
                (row.at.isoformat() if row.at else row.time.isoformat() if row.time else ""),
                str(row.amount),
                str(seen[identity]),
            ]
        )
        rows.append(_with_key(row, key))
    return rows


def _with_key(row: TillRow, key: str) -> TillRow:
    return dataclasses.replace(row, key=key)


def _row(
    line: int, cells: list[str], columns: dict[str, int] | None, night: date, zone: ZoneInfo
) -> TillRow:
    def cell(name: str) -> str:
        if columns is None:
            return ""
        i = columns.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    if columns is None:  # reference or table, time, amount
        first, when, money = [*cells, "", "", ""][:3]
        reference = first.upper() if REFERENCE.match(first) else None
        table = None if reference else first or None
    else:
        reference = cell("reference").upper() or None
        table = cell("table") or None
        when, money = cell("time"), cell("amount")
    amount = parse_amount(money)
    moment = parse_when(when, zone)
    problem = None
    if amount is None:
        problem = f"The amount “{money[:20]}” is not money."
    elif reference is None and table is None:
        problem = "The row has no booking reference or table."
    elif reference is None and moment is None:
        problem = f"The time “{when[:30]}” is not a time."
    return TillRow(
        line=line,
        reference=reference,
        table=table,
        time=moment if isinstance(moment, time) else None,
        at=moment if isinstance(moment, datetime) else None,
        amount=amount,
        key="",
        problem=problem,
    )


def match_rows(desk: Desk, night: date, rows: list[TillRow]) -> list[TillMatch]:
    """Each row's booking on ``night``, or why it has none, in file order."""
    readable = [r for r in rows if r.problem is None]
    found: dict[int, TillMatch] = {}
    if readable:
        for m in desk._rows(
            "SELECT * FROM pos_match(%(venue_id)s, %(night)s, %(rows)s::json)",
            {"night": night, "rows": json.dumps([r.as_json() for r in readable])},
            _MatchRow,
            "pos_match",
        ):
            found[m.line] = TillMatch(
                line=m.line,
                amount=m.amount,
                booking_id=m.booking_id,
                reference=m.reference,
                customer_name=m.customer_name,
                table_names=m.table_names,
                spent_at=m.spent_at,
                reason_code=m.reason_code,
                reason=m.reason,
                already=m.already,
            )
    return [found.get(r.line) or _unreadable(r) for r in rows]


def _unreadable(row: TillRow) -> TillMatch:
    return TillMatch(
        line=row.line,
        amount=row.amount,
        booking_id=None,
        reference=row.reference,
        customer_name=None,
        table_names=row.table,
        spent_at=row.at,
        reason_code="UNREADABLE",
        reason=row.problem or "The row did not read.",
        already=False,
    )


def import_rows(desk: Desk, night: date, rows: list[TillRow]) -> TillImport:
    """Import the rows that match as spend (source 'pos'); rows imported
    before add nothing.  Refused: NOT_SIGNED_IN, NOT_ALLOWED, POS_TOO_MANY,
    BUSY."""
    readable = [r.as_json() for r in rows if r.problem is None]
    row = desk._outcome(
        "SELECT * FROM import_pos_spend(%(venue_id)s, %(night)s, %(rows)s::json)",
        {"night": night, "rows": json.dumps(readable)},
        _ImportRow,
        "import_pos_spend",
    )
    unreadable = len(rows) - len(readable)
    return TillImport(row.imported, row.already, row.unmatched + unreadable)
