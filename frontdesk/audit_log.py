"""The audit log as a manager reads it: who changed what, in words.

The engine groups the audit trail into changes (``audit_changes`` in
sql/engine/70_audit.sql: everything one transaction did to one booking,
guest, hold or member of staff) and pages through them newest first, by
keyset, in the database.  This module asks for a page, then says each change
in a manager's words: "status confirmed → seated", "table Booth 3 → Booth
14", "time 22:00–00:30 → 22:30–01:00", "deposit £25 → £50" — table and guest
ids as names, instants in the venue's time, money in its currency.  No Qt.

Only a manager of the venue may read it: the engine refuses anyone else
(``Refused`` NOT_SIGNED_IN or NOT_ALLOWED, from ``Database``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from frontdesk.desk import Desk
from frontdesk.errors import InvalidInput
from frontdesk.exports import readable_phone
from frontdesk.reports import money_text, write_spreadsheet_csv

#: Changes on a page of the window.
PAGE_SIZE = 100
#: Changes written to one CSV at most (a year of a busy venue is far fewer).
MAX_EXPORT = 200_000

#: The kinds of change a manager can filter on, in the order offered, with
#: their labels (the engine's private.fd_audit_kinds names them).
KINDS: tuple[tuple[str, str], ...] = (
    ("booked", "New bookings"),
    ("status", "Status changes"),
    ("moved", "Moves, times, party, tables"),
    ("edited", "Other booking details"),
    ("deleted", "Deleted bookings"),
    ("guest", "Guests' details"),
    ("hold", "Tables held while booking"),
    ("staff", "Staff and PINs"),
)
#: Every kind but holds: what the window shows unless asked (a phone booking
#: holds its tables first, so holds would double a busy night's list).
WITHOUT_HOLDS = frozenset(k for k, _ in KINDS if k != "hold")

#: CSV columns of an export.
CSV_HEADER = ("when", "staff", "terminal", "what", "reference", "night", "guest", "changes")

_QUIET_BOOKING_KEYS = frozenset(
    {"id", "venue_id", "reference", "period", "created_at", "updated_at", "created_by", "terminal"}
)
_REFERENCE = re.compile(r"^[A-Za-z]{1,4}(-[0-9A-Za-z]*)*$")
_SOURCES = {"desk": "desk", "phone": "phone", "web": "website", "walk_in": "walk-in"}
_SOURCE_PHRASES = {
    "desk": "at the desk",
    "phone": "by phone",
    "web": "on the website",
    "walk_in": "walked in",
}
_QUOTE_AT = 50


@dataclass(frozen=True)
class AuditFilter:
    """What the manager asked to see.  ``booking`` is a reference (or its
    start, "BR-2612") or a booking's id; ``kinds`` None means every kind."""

    since: datetime
    until: datetime
    staff: str | None = None
    terminal: str | None = None
    booking: str | None = None
    kinds: frozenset[str] | None = WITHOUT_HOLDS


@dataclass(frozen=True)
class PageKey:
    """Where a page ends: the next page starts after this change."""

    changed_at: datetime
    record_id: UUID


@dataclass(frozen=True)
class AuditChange:
    """One change, as the window lists it."""

    changed_at: datetime  # in the venue's zone
    record_id: UUID
    subject: str  # booking, guest, hold, staff
    kinds: tuple[str, ...]
    staff_name: str | None
    terminal: str | None
    reference: str | None
    night: date | None
    guest_name: str | None
    what: str  # "Status changed", "New booking"...
    changes: tuple[str, ...]  # "status confirmed → seated", "table Booth 3 → Booth 14"

    @property
    def key(self) -> PageKey:
        return PageKey(self.changed_at, self.record_id)

    @property
    def who(self) -> str:
        return self.staff_name or "—"


@dataclass(frozen=True)
class AuditPage:
    changes: tuple[AuditChange, ...]
    #: Where the next (older) page starts; None when this is the last.
    next_key: PageKey | None


@dataclass(frozen=True)
class _ChangeRow:
    changed_at: datetime
    record_id: UUID
    subject: str
    kinds: list[str] | None
    staff_name: str | None
    terminal: str | None
    reference: str | None
    night: date | None
    guest_name: str | None
    entries: list[dict[str, Any]]
    names: dict[str, str]
    currency: str
    phone_country: str


@dataclass(frozen=True)
class Words:
    """How values read in this venue: its zone, currency and the names of
    the tables and guests a change mentions (id -> name)."""

    zone: ZoneInfo
    currency: str
    names: Mapping[str, str]
    phone_country: str = "GB"

    def name(self, value: Any, fallback: str) -> str:
        return self.names.get(str(value), fallback) if value else fallback

    def money(self, value: Any) -> str:
        try:
            return money_text(Decimal(str(value)), self.currency)
        except (InvalidOperation, ValueError):
            return str(value)

    def instant(self, value: Any) -> datetime | None:
        if not value:
            return None
        try:
            return datetime.fromisoformat(str(value)).astimezone(self.zone)
        except ValueError:
            return None

    def clock(self, value: Any) -> str:
        at = self.instant(value)
        return f"{at:%H:%M}" if at else "?"


# --- reading --------------------------------------------------------------------


def fetch_page(
    desk: Desk, wanted: AuditFilter, after: PageKey | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    """One page of changes, newest first, after ``after`` (None: the first
    page).  Blocks; raises as the desk does (Refused NOT_ALLOWED for a host)."""
    rows = _rows(desk, wanted, after, size + 1)
    changes = tuple(describe_row(r, desk.time_zone) for r in rows[:size])
    more = len(rows) > size and bool(changes)
    return AuditPage(changes=changes, next_key=changes[-1].key if more else None)


def all_changes(desk: Desk, wanted: AuditFilter, limit: int = MAX_EXPORT) -> Iterator[AuditChange]:
    """Every change the filter matches, newest first, a page at a time."""
    after: PageKey | None = None
    count = 0
    while count < limit:
        page = fetch_page(desk, wanted, after, size=min(1000, limit - count))
        yield from page.changes
        count += len(page.changes)
        if page.next_key is None:
            return
        after = page.next_key


def booking_query(text: str | None) -> tuple[UUID | None, str | None]:
    """What the booking box says: (a booking's id, or the start of a
    reference).  InvalidInput for anything else."""
    typed = (text or "").strip()
    if not typed:
        return None, None
    try:
        return UUID(typed), None
    except ValueError:
        pass
    if _REFERENCE.match(typed):
        return None, typed.upper()
    raise InvalidInput("booking", "Type a booking reference (BR-261204-ABC123) or its start.")


def _rows(desk: Desk, wanted: AuditFilter, after: PageKey | None, lim: int) -> list[_ChangeRow]:
    booking_id, reference = booking_query(wanted.booking)
    return desk.db.call_rows(
        "SELECT a.*, v.currency, v.phone_country FROM audit_changes(%(venue_id)s, %(since)s, "
        "%(until)s, %(staff)s, %(terminal)s, %(booking_id)s, %(reference)s, %(kinds)s::text[], "
        "%(before_at)s, %(after_record)s, %(lim)s) a "
        "JOIN venues v ON v.id = %(venue_id)s",
        {
            "venue_id": desk.venue_id,
            "since": _aware(wanted.since, desk.time_zone),
            "until": _aware(wanted.until, desk.time_zone),
            "staff": _blank_to_none(wanted.staff),
            "terminal": _blank_to_none(wanted.terminal),
            "booking_id": booking_id,
            "reference": reference,
            "kinds": sorted(wanted.kinds) if wanted.kinds is not None else None,
            "before_at": after.changed_at if after else None,
            "after_record": after.record_id if after else None,
            "lim": lim,
        },
        row=_ChangeRow,
        what="audit_changes",
    )


# --- in words -------------------------------------------------------------------


def describe_row(row: _ChangeRow, zone: ZoneInfo) -> AuditChange:
    words = Words(
        zone=zone, currency=row.currency, names=row.names or {}, phone_country=row.phone_country
    )
    kinds = tuple(row.kinds or ())
    return AuditChange(
        changed_at=row.changed_at.astimezone(zone),
        record_id=row.record_id,
        subject=row.subject,
        kinds=kinds,
        staff_name=row.staff_name,
        terminal=row.terminal,
        reference=row.reference,
        night=row.night,
        guest_name=row.guest_name,
        what=headline(row.subject, kinds, row.entries),
        changes=tuple(changes_in_words(row.subject, row.entries, words)),
    )


def _only_party(entries: Sequence[Mapping[str, Any]]) -> bool:
    """A 'moved' change that only changed the party's size."""
    if any(e["table"] == "booking_tables" for e in entries):
        return False
    old, new = _net(entries, "bookings")
    if old is None or new is None:
        return False
    return all(old.get(k) == new.get(k) for k in ("night", "starts_at", "ends_at"))


_KIND_WORDS = {
    "booked": "New booking",
    "status": "Status changed",
    "moved": "Moved",
    "edited": "Details changed",
    "deleted": "Booking deleted",
}


def headline(subject: str, kinds: Sequence[str], entries: Sequence[Mapping[str, Any]]) -> str:
    """What kind of change it was, in a few words."""
    ops = {e["op"] for e in entries}
    if subject == "booking":
        said = [_KIND_WORDS[k] for k in _KIND_WORDS if k in kinds]
        if "moved" in kinds and _only_party(entries):
            said[said.index("Moved")] = "Party size changed"
        if not said:
            return "Booking changed"
        return ", ".join([said[0], *(s.lower() for s in said[1:])])
    if subject == "guest":
        if "ERASE" in ops:
            return "Guest erased"
        return (
            "New guest"
            if "INSERT" in ops
            else "Guest deleted"
            if "DELETE" in ops
            else ("Guest details changed")
        )
    if subject == "hold":
        return "Hold released" if ops == {"DELETE"} else "Table held"
    if subject == "staff":
        return (
            "Staff added"
            if "INSERT" in ops
            else "Staff removed"
            if "DELETE" in ops
            else ("Staff changed")
        )
    return f"{subject.capitalize()} changed"


def changes_in_words(subject: str, entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    """The fields that changed, one phrase each."""
    if subject == "booking":
        return _booking_words(entries, words)
    if subject == "guest":
        return _guest_words(entries, words)
    if subject == "hold":
        return _hold_words(entries, words)
    if subject == "staff":
        return _staff_words(entries, words)
    return []


def _net(entries: Sequence[Mapping[str, Any]], table: str) -> tuple[dict[str, Any] | None, ...]:
    """The record's values before the first and after the last of its rows
    in ``table`` (a transaction may write it twice)."""
    mine = [e for e in entries if e["table"] == table]
    if not mine:
        return None, None
    return mine[0]["old"], mine[-1]["new"]


def _booking_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    old, new = _net(entries, "bookings")
    said: list[str] = []
    if old is None and new is not None:
        said.extend(_new_booking(new, entries, words))
    elif old is not None and new is None:
        said.append(f"deleted: {_span(old, words)}, {_status(old.get('status'))}")
    elif old is not None and new is not None:
        said.extend(_booking_fields(old, new, words))
        tables = _tables_change(entries, words)
        if tables:
            said.insert(_after_status(said), tables)
    else:  # only its tables changed
        tables = _tables_change(entries, words)
        if tables:
            said.append(tables)
    return said


def _after_status(said: list[str]) -> int:
    return 1 if said and said[0].startswith("status ") else 0


def _new_booking(
    new: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], words: Words
) -> list[str]:
    """Two phrases: where, when, who and how; then the money and the source."""
    tables = [
        words.name(e["new"].get("table_id"), "?")
        for e in entries
        if e["table"] == "booking_tables" and e["op"] == "INSERT" and e["new"]
    ]
    where = [_tables(tables)] if tables else []
    said = [
        ", ".join(
            [*where, _span(new, words), _party(new.get("party_size")), _status(new.get("status"))]
        )
    ]
    money = []
    if _amount(new.get("total_deposit")):
        money.append(f"deposit {words.money(new['total_deposit'])}")
    if _amount(new.get("total_min_spend")):
        money.append(f"minimum spend {words.money(new['total_min_spend'])}")
    source = new.get("source")
    if source:
        money.append(_SOURCE_PHRASES.get(str(source), f"from {source}"))
    if money:
        said.append(", ".join(money))
    return said


def _booking_fields(old: Mapping[str, Any], new: Mapping[str, Any], words: Words) -> list[str]:
    said = []
    if old.get("status") != new.get("status"):
        said.append(f"status {_status(old.get('status'))} → {_status(new.get('status'))}")
    if old.get("night") != new.get("night"):
        said.append(f"night {_night(old.get('night'))} → {_night(new.get('night'))}")
    if old.get("starts_at") != new.get("starts_at") or old.get("ends_at") != new.get("ends_at"):
        said.append(f"time {_clocks(old, words)} → {_clocks(new, words)}")
    if old.get("party_size") != new.get("party_size"):
        said.append(f"party {old.get('party_size')} → {new.get('party_size')}")
    done = {"status", "night", "starts_at", "ends_at", "party_size"}
    for key in sorted(set(old) | set(new), key=_field_order):
        if key in done or key in _QUIET_BOOKING_KEYS or old.get(key) == new.get(key):
            continue
        said.append(_field(key, old.get(key), new.get(key), words))
    return said


_FIELD_ORDER = (
    "customer_id",
    "total_deposit",
    "total_min_spend",
    "stripe_payment_intent_id",
    "source",
    "occasion",
    "special_requests",
)


def _field_order(key: str) -> tuple[int, str]:
    return (_FIELD_ORDER.index(key) if key in _FIELD_ORDER else len(_FIELD_ORDER), key)


def _field(key: str, old: Any, new: Any, words: Words) -> str:
    if key == "customer_id":
        return f"guest {words.name(old, 'someone')} → {words.name(new, 'someone')}"
    if key == "total_deposit":
        return f"deposit {words.money(old or 0)} → {words.money(new or 0)}"
    if key == "total_min_spend":
        return f"minimum spend {words.money(old or 0)} → {words.money(new or 0)}"
    if key == "stripe_payment_intent_id":
        return _text_change("payment reference", old, new, quote=False)
    if key == "source":
        return f"source {_SOURCES.get(str(old), old)} → {_SOURCES.get(str(new), new)}"
    if key == "special_requests":
        return _text_change("requests", old, new)
    return _text_change(key.replace("_", " "), old, new)


def _text_change(label: str, old: Any, new: Any, *, quote: bool = True) -> str:
    def said(value: Any) -> str:
        text = " ".join(str(value).split())
        if len(text) > _QUOTE_AT:
            text = text[: _QUOTE_AT - 1] + "…"
        return f"“{text}”" if quote else text

    if old in (None, "") and new in (None, ""):
        return f"{label} changed"
    if old in (None, ""):
        return f"{label} added: {said(new)}"
    if new in (None, ""):
        return f"{label} removed (was {said(old)})"
    return f"{label} {said(old)} → {said(new)}"


def _tables_change(entries: Sequence[Mapping[str, Any]], words: Words) -> str | None:
    """'table Booth 3 → Booth 14' from the booking's table rows."""
    removed = [
        e["old"]["table_id"]
        for e in entries
        if e["table"] == "booking_tables" and e["op"] == "DELETE" and e["old"]
    ]
    added = [
        e["new"]["table_id"]
        for e in entries
        if e["table"] == "booking_tables" and e["op"] == "INSERT" and e["new"]
    ]
    gone = [words.name(t, "?") for t in removed if t not in added]
    came = [words.name(t, "?") for t in added if t not in removed]
    if not gone and not came:
        return None
    noun = "tables" if max(len(gone), len(came)) > 1 else "table"
    return f"{noun} {_tables(gone) or '—'} → {_tables(came) or '—'}"


def _guest_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    erased = next((e for e in entries if e["op"] == "ERASE"), None)
    if erased is not None:
        counts = erased["new"] or {}
        return [
            "name, phone, email, date of birth and notes removed",
            f"{counts.get('bookings_cleared', 0)} bookings' requests cleared",
        ]
    old, new = _net(entries, "customers")
    if old is None and new is not None:
        return [str(new.get("name", ""))] + [
            f"{label} {_guest_value(key, new.get(key), words)}"
            for key, label in _GUEST_FIELDS[1:]
            if new.get(key)
        ]
    if old is not None and new is None:
        return [f"{old.get('name', '')} deleted"]
    if old is None or new is None:
        return []
    return [
        _text_change(
            label,
            _guest_value(key, old.get(key), words),
            _guest_value(key, new.get(key), words),
            quote=key == "notes",
        )
        for key, label in _GUEST_FIELDS
        if old.get(key) != new.get(key)
    ]


_GUEST_FIELDS = (
    ("name", "name"),
    ("phone", "phone"),
    ("email", "email"),
    ("date_of_birth", "date of birth"),
    ("notes", "notes"),
)


def _guest_value(key: str, value: Any, words: Words) -> Any:
    if value and key == "phone":
        return readable_phone(str(value), words.phone_country)
    if value and key == "date_of_birth":
        try:
            return f"{date.fromisoformat(str(value)):%d %b %Y}"
        except ValueError:
            return value
    return value


def _hold_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    first, last = entries[0], entries[-1]
    row = last["new"] or first["old"] or {}
    table = words.name(row.get("table_id"), "a table")
    period = _period(row.get("period"), words)
    if last["op"] == "DELETE":
        return [f"{table} {period} released"]
    expires = words.clock(row.get("expires_at"))
    return [f"{table} {period}, held until {expires}"]


def _staff_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    old, new = _net(entries, "staff")
    if old is None and new is not None:
        return [f"{new.get('name')}, {new.get('role')}"]
    if old is not None and new is None:
        return [f"{old.get('name')} removed"]
    if old is None or new is None:
        return []
    said = [str(new.get("name"))]
    if old.get("name") != new.get("name"):
        said[0] = f"name {old.get('name')} → {new.get('name')}"
    if old.get("role") != new.get("role"):
        said.append(f"role {old.get('role')} → {new.get('role')}")
    if old.get("is_active") != new.get("is_active"):
        said.append("can sign in again" if new.get("is_active") else "disabled")
    if new.get("pin_changed"):
        said.append("PIN changed")
    if old.get("locked_until") != new.get("locked_until"):
        until = words.instant(new.get("locked_until"))
        said.append(f"locked out until {until:%H:%M}" if until else "lockout lifted")
    elif (new.get("failed_pins") or 0) > (old.get("failed_pins") or 0):
        said.append(f"wrong PIN ({new.get('failed_pins')} in a row)")
    return said


# --- small words ----------------------------------------------------------------


def _status(value: Any) -> str:
    return "no-show" if value == "no_show" else str(value or "?")


def _party(value: Any) -> str:
    return "1 guest" if value == 1 else f"{value} guests"


def _night(value: Any) -> str:
    try:
        night = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{night:%a} {night.day} {night:%b}"


def _clocks(row: Mapping[str, Any], words: Words) -> str:
    return f"{words.clock(row.get('starts_at'))}–{words.clock(row.get('ends_at'))}"


def _span(row: Mapping[str, Any], words: Words) -> str:
    return f"{_night(row.get('night'))} {_clocks(row, words)}"


def _period(value: Any, words: Words) -> str:
    """A tstzrange as JSON ('["2026-12-04 22:00:00+00","2026-12-05 00:30:00+00")')."""
    bounds = re.findall(r'"([^"]+)"', str(value or ""))
    if len(bounds) != 2:
        return ""
    return "–".join(words.clock(b.replace(" ", "T", 1)) for b in bounds)


def _tables(names: Sequence[str]) -> str:
    return " + ".join(names)


def _amount(value: Any) -> bool:
    try:
        return Decimal(str(value)) != 0
    except (InvalidOperation, ValueError):
        return False


def _blank_to_none(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def _aware(at: datetime, zone: ZoneInfo) -> datetime:
    return at.replace(tzinfo=zone) if at.tzinfo is None else at


# --- CSV ------------------------------------------------------------------------


def csv_row(change: AuditChange) -> list[str]:
    return [
        change.changed_at.isoformat(timespec="seconds"),
        change.staff_name or "",
        change.terminal or "",
        change.what,
        change.reference or "",
        change.night.isoformat() if change.night else "",
        change.guest_name or "",
        "; ".join(change.changes),
    ]


def write_csv(path: Path, changes: Iterator[AuditChange] | Sequence[AuditChange]) -> int:
    """Write changes as CSV (UTF-8 with a BOM, as Excel wants; replaced
    whole); how many.  Raises OSError."""
    return write_spreadsheet_csv(path, CSV_HEADER, (csv_row(c) for c in changes))
