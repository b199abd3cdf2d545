"""The audit log as a manager reads it: who changed what, in words.

The engine groups the audit trail into changes (``audit_changes`` in
sql/engine/70_audit.sql: everything one transaction did to one booking with
its tables and spend, guest with their tags, hold, member of staff, tag of
the venue's list or waitlist entry) and pages through them newest first, by
keyset, in the database.  This module asks for a page, then says each change
in a manager's words: "status confirmed → seated", "table Booth 3 → Booth
14", "time 22:00–00:30 → 22:30–01:00", "deposit £25 → £50", "£45 — bottle
of Grey Goose", "deposit due → paid (pi_123)", "Tag VIP added" — table,
guest and tag ids as names, instants in the venue's time, money in its
currency.  Values a guest's erasure cleared (null) read as "erased" or are
left out.  No Qt.

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

#: The kinds of change, with their labels (the engine's
#: private.fd_audit_kinds names them).
KINDS: tuple[tuple[str, str], ...] = (
    ("booked", "New bookings"),
    ("status", "Status changes"),
    ("moved", "Moves, times, party, tables"),
    ("edited", "Other booking details"),
    ("deleted", "Deleted bookings"),
    ("spend", "Spend against the minimum"),
    ("deposit", "Deposits paid, refunded, forfeited"),
    ("guest", "Guests' details"),
    ("tagged", "Guests' tags"),
    ("ban_override", "Banned guests booked (manager's override)"),
    ("tag_list", "The venue's tag list"),
    ("waitlist", "Waitlist"),
    ("hold", "Tables held while booking"),
    ("staff", "Staff and PINs"),
)
_LABELS = dict(KINDS)
#: What a manager can filter on, in the order offered: a label and the
#: kinds it shows (spend and deposits together; a guest's tags, the tag
#: list and a ban's override together).
KIND_FILTERS: tuple[tuple[str, frozenset[str]], ...] = (
    *((_LABELS[k], frozenset({k})) for k in ("booked", "status", "moved", "edited", "deleted")),
    ("Spend and deposits", frozenset({"spend", "deposit"})),
    (_LABELS["guest"], frozenset({"guest"})),
    ("Guest tags", frozenset({"tagged", "tag_list", "ban_override"})),
    ("Waitlist", frozenset({"waitlist"})),
    (_LABELS["hold"], frozenset({"hold"})),
    (_LABELS["staff"], frozenset({"staff"})),
)
#: Every kind but holds: what the window shows unless asked (a phone booking
#: holds its tables first, so holds would double a busy night's list).
WITHOUT_HOLDS = frozenset(k for k, _ in KINDS if k != "hold")

#: CSV columns of an export.
CSV_HEADER = ("when", "staff", "terminal", "what", "reference", "night", "guest", "changes")

_QUIET_BOOKING_KEYS = frozenset(
    {
        "id",
        "venue_id",
        "reference",
        "period",
        "created_at",
        "updated_at",
        "created_by",
        "terminal",
        "deposit_changed_at",  # stamped with every deposit change, said by it
        "booked_in_ms",  # the booking call's duration, for the monitoring figures
    }
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
    subject: str  # booking, guest, hold, staff, tags, waitlist
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
        """The name of an id; ``fallback`` for none, an unknown id or a
        name erased (null)."""
        return (self.names.get(str(value)) or fallback) if value else fallback

    def money(self, value: Any) -> str:
        if value is None:
            return "?"
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
    "deposit": "Deposit changed",
    "edited": "Details changed",
    "spend": "Spend recorded",
    "deleted": "Booking deleted",
}


def headline(subject: str, kinds: Sequence[str], entries: Sequence[Mapping[str, Any]]) -> str:
    """What kind of change it was, in a few words."""
    ops = {e["op"] for e in entries}
    if subject == "booking":
        return _booking_headline(kinds, entries)
    if subject == "guest":
        return _guest_headline(entries)
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
    if subject == "tags":
        return "Tag list changed"
    if subject == "waitlist":
        return _waitlist_headline(entries)
    return f"{subject.capitalize()} changed"


def _booking_headline(kinds: Sequence[str], entries: Sequence[Mapping[str, Any]]) -> str:
    said = []
    for kind, words in _KIND_WORDS.items():
        if kind not in kinds:
            continue
        if kind == "moved" and _only_party(entries):
            words = "Party size changed"
        elif kind == "deposit":
            words = _deposit_headline(entries)
        elif kind == "spend":
            words = _spend_headline(entries)
        said.append(words)
    if not said:
        return "Booking changed"
    return ", ".join([said[0], *(s[0].lower() + s[1:] for s in said[1:])])


_DEPOSIT_HEADLINES = {
    "paid": "Deposit paid",
    "refunded": "Deposit refunded",
    "forfeited": "Deposit forfeited",
    "due": "Deposit due again",
    "none": "Deposit removed",
}


def _deposit_headline(entries: Sequence[Mapping[str, Any]]) -> str:
    old, new = _net(entries, "bookings")
    if old is None or new is None:
        return "Deposit changed"
    status = new.get("deposit_status")
    if old.get("deposit_status") == status:
        return "Deposit reference changed"
    return _DEPOSIT_HEADLINES.get(str(status), "Deposit changed")


def _spend_headline(entries: Sequence[Mapping[str, Any]]) -> str:
    """Till spend imported, spend corrected (every amount taken off),
    removed, or recorded."""
    rows = [e for e in entries if e["table"] == "booking_spend"]
    added = [e["new"] for e in rows if e["op"] == "INSERT" and e["new"]]
    if any(r.get("source") == "pos" for r in added):
        return "Till spend imported"
    if added and all(_sign(r.get("amount")) < 0 for r in added):
        return "Spend corrected"
    if rows and all(e["op"] == "DELETE" for e in rows):
        return "Spend removed"
    return "Spend recorded" if added or not rows else "Spend changed"


def _guest_headline(entries: Sequence[Mapping[str, Any]]) -> str:
    ops = {e["op"] for e in entries if e["table"] == "customers"}
    tags = any(e["table"] == "customer_tags" for e in entries)
    if "ERASE" in ops:
        return "Guest erased"
    if "BAN_OVERRIDE" in ops:
        return "Banned guest booked (manager's override)"
    if "INSERT" in ops:
        return "New guest"
    if "DELETE" in ops:
        return "Guest deleted"
    if "UPDATE" in ops:
        return "Guest details and tags changed" if tags else "Guest details changed"
    return "Guest's tags changed" if tags else "Guest changed"


def _waitlist_headline(entries: Sequence[Mapping[str, Any]]) -> str:
    old, new = _net(entries, "waitlist")
    if new is None:
        return "Waitlist entry deleted"
    state = new.get("state")
    if old is not None and old.get("state") == state:
        return "Waitlist entry changed"
    if state == "seated":
        return "Seated from the waitlist"
    if state == "left":
        return "Left the waitlist"
    return "Added to the waitlist" if old is None else "Back on the waitlist"


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
    if subject == "tags":
        return _tag_list_words(entries)
    if subject == "waitlist":
        return _waitlist_words(entries, words)
    return []


def _net(entries: Sequence[Mapping[str, Any]], table: str) -> tuple[dict[str, Any] | None, ...]:
    """The record's values before the first and after the last of its rows
    in ``table`` (a transaction may write it twice)."""
    mine = [e for e in entries if e["table"] == table and e["op"] in _ROW_OPS]
    if not mine:
        return None, None
    return mine[0]["old"], mine[-1]["new"]


_ROW_OPS = frozenset({"INSERT", "UPDATE", "DELETE"})


def _booking_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    said = _booking_row_words(entries, words)
    said.extend(_spend_words(entries, words))
    return said


def _booking_row_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
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
    # a booking the engine made names its tables on its own row; one written
    # otherwise (a manager's SQL) has a row per table
    ids = list(new.get("table_ids") or ()) + [
        e["new"].get("table_id")
        for e in entries
        if e["table"] == "booking_tables" and e["op"] == "INSERT" and e["new"]
    ]
    tables = [words.name(t, "?") for t in ids]
    where = [_tables(tables)] if tables else []
    said = [
        ", ".join(
            [*where, _span(new, words), _party(new.get("party_size")), _status(new.get("status"))]
        )
    ]
    money = []
    if _amount(new.get("total_deposit")):
        deposit = f"deposit {words.money(new['total_deposit'])}"
        if new.get("deposit_status") == "paid":
            reference = new.get("deposit_reference")
            deposit += f" paid ({reference})" if reference else " paid"
        money.append(deposit)
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
        if key in ("deposit_status", "deposit_reference"):  # one phrase for both
            done.update(("deposit_status", "deposit_reference"))
            said.append(_deposit_change(old, new) or "deposit changed")
            continue
        said.append(_field(key, old.get(key), new.get(key), words))
    return said


_FIELD_ORDER = (
    "customer_id",
    "total_deposit",
    "deposit_status",
    "deposit_reference",
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


def _deposit_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """'deposit due → paid (pi_123)', 'deposit paid → forfeited', or a
    new reference alone; None when neither changed."""
    was, now = old.get("deposit_status"), new.get("deposit_status")
    old_ref, new_ref = old.get("deposit_reference"), new.get("deposit_reference")
    if was != now:
        said = f"deposit {_deposit(was)} → {_deposit(now)}"
        return f"{said} ({new_ref})" if new_ref and new_ref != old_ref else said
    if old_ref != new_ref:
        return _text_change("deposit reference", old_ref, new_ref, quote=False)
    return None


def _deposit(value: Any) -> str:
    return "none" if value == "none" else str(value or "?")


def _spend_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    """One phrase a spend row: '£45 — bottle of Grey Goose', '−£10
    correction', '£120 on the till at 23:15', 'spend £45 removed'."""
    said = []
    for entry in entries:
        if entry["table"] != "booking_spend":
            continue
        old, new = entry["old"] or {}, entry["new"] or {}
        if entry["op"] == "INSERT":
            said.append(_spend_row(new, words))
        elif entry["op"] == "DELETE":
            said.append(f"spend {_spend_row(old, words)} removed")
        elif old.get("amount") != new.get("amount"):
            said.append(
                f"spend {_signed(old.get('amount'), words)} → {_signed(new.get('amount'), words)}"
            )
    return said


def _spend_row(row: Mapping[str, Any], words: Words) -> str:
    amount = row.get("amount")
    said = _signed(amount, words)
    if _sign(amount) < 0:
        said += " correction"
    if row.get("source") == "pos":
        said += " on the till"
        if row.get("spent_at"):
            said += f" at {words.clock(row['spent_at'])}"
    note = row.get("note")
    if note and not (row.get("source") == "pos" and str(note).lower() == "till"):  # the import's
        said += f" — {_quoted(note, quote=False)}"
    return said


def _signed(value: Any, words: Words) -> str:
    """An amount with a real minus sign: '−£10', '£45.50'."""
    if _sign(value) < 0:
        return "−" + words.money(abs(Decimal(str(value))))
    return words.money(value)


def _sign(value: Any) -> int:
    try:
        amount = Decimal(str(value))
        return -1 if amount < 0 else 1 if amount > 0 else 0
    except (InvalidOperation, ValueError):
        return 0


def _quoted(value: Any, *, quote: bool = True) -> str:
    """Free text on one line, cut at _QUOTE_AT, in quotes."""
    text = " ".join(str(value).split())
    if len(text) > _QUOTE_AT:
        text = text[: _QUOTE_AT - 1] + "…"
    return f"“{text}”" if quote else text


def _text_change(label: str, old: Any, new: Any, *, quote: bool = True) -> str:
    def said(value: Any) -> str:
        return _quoted(value, quote=quote)

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
    said = _override_words(entries) + _guest_row_words(entries, words)
    tags: list[tuple[int, str]] = []
    for entry in entries:
        if entry["table"] == "customer_tags" and entry["op"] in ("INSERT", "DELETE"):
            row = entry["new"] if entry["op"] == "INSERT" else entry["old"]
            name = _tag_name((row or {}).get("tag_id"), words)
            tags.append((0, name) if entry["op"] == "INSERT" else (1, name))
    # one save's tags in a steady order (the rows' order is the database's):
    # added before removed, each by name
    said += [f"Tag {name} {'added' if gone == 0 else 'removed'}" for gone, name in sorted(tags)]
    return said


def _tag_name(tag_id: Any, words: Words) -> str:
    """A tag's name; its id was cleared when the guest was erased, and a
    tag may since have left the venue's list."""
    if not tag_id:
        return "(erased)"
    return words.name(tag_id, "(since deleted)")


def _override_words(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """A manager's override of a ban: why, and the tags that banned them
    (both cleared if the guest was erased since)."""
    said = []
    for entry in entries:
        if entry["op"] != "BAN_OVERRIDE":
            continue
        new = entry["new"] or {}
        reason = new.get("reason")
        said.append(f"reason: {_quoted(reason)}" if reason else "reason erased")
        tags = [
            str(t.get("name"))
            for t in new.get("tags") or ()
            if isinstance(t, Mapping) and t.get("name") and t.get("kind", "banned") == "banned"
        ]
        if tags:
            said.append(f"tagged {', '.join(tags)}")
    return said


def _guest_row_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    old, new = _net(entries, "customers")
    if old is None and new is not None:
        return [str(new.get("name") or "someone")] + [
            f"{label} {_guest_value(key, new.get(key), words)}"
            for key, label in _GUEST_FIELDS[1:]
            if new.get(key)
        ]
    if old is not None and new is None:
        return [f"{old.get('name') or 'someone'} deleted"]
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


_TAG_KINDS = {"vip": "VIP", "note": "note", "warning": "warning", "banned": "banned"}


def _tag_list_words(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """One tag of the venue's list: 'Door list added (note)', 'Allergy
    renamed Allergies', 'Regular retired', 'Regular moved up the list'."""
    old, new = _net(entries, "guest_tags")
    if old is None and new is not None:
        added = f"{new.get('name')} added ({_tag_kind(new.get('kind'))})"
        return [added if new.get("is_active", True) else f"{added}, retired"]
    if old is not None and new is None:
        return [f"{old.get('name')} removed"]
    if old is None or new is None:
        return []
    name = new.get("name")
    said = []
    if old.get("name") != name:
        said.append(f"{old.get('name')} renamed {name}")
    if old.get("kind") != new.get("kind"):
        said.append(f"{name} kind {_tag_kind(old.get('kind'))} → {_tag_kind(new.get('kind'))}")
    if old.get("is_active") != new.get("is_active"):
        said.append(f"{name} back in use" if new.get("is_active") else f"{name} retired")
    if old.get("sort_order") != new.get("sort_order"):
        up = (new.get("sort_order") or 0) < (old.get("sort_order") or 0)
        said.append(f"{name} moved {'up' if up else 'down'} the list")
    return said


def _tag_kind(value: Any) -> str:
    return _TAG_KINDS.get(str(value), str(value))


def _waitlist_words(entries: Sequence[Mapping[str, Any]], words: Words) -> list[str]:
    """A party on the waitlist: who, then what became of them: 'Jordan Lee,
    4 guests', 'quoted 15 min'; 'seated as BR-…', 'waited 25 min (quoted 15)'."""
    old, new = _net(entries, "waitlist")
    row = new or old or {}
    said = [f"{row.get('name') or 'someone'}, {_party(row.get('party_size'))}"]
    if new is None:
        return said
    state = new.get("state")
    if old is None or old.get("state") != state:
        quoted = new.get("quoted_minutes")
        if state == "waiting":
            if quoted is not None:
                said.append(f"quoted {quoted} min")
            if new.get("phone"):
                said.append(f"phone {readable_phone(str(new['phone']), words.phone_country)}")
            if new.get("notes"):
                said.append(f"notes {_quoted(new['notes'])}")
            return said
        if state == "seated":
            said.append(f"seated as {words.name(new.get('booking_id'), 'a walk-in')}")
        waited = _minutes_between(new.get("added_at"), new.get("ended_at"), words)
        if waited is not None:
            after = "waited" if state == "seated" else "left after"
            said.append(
                f"{after} {waited} min" + (f" (quoted {quoted})" if quoted is not None else "")
            )
        return said
    for key, label in (
        ("name", "name"),
        ("party_size", "party"),
        ("quoted_minutes", "quote"),
        ("notes", "notes"),
    ):
        if old.get(key) != new.get(key):
            said.append(_text_change(label, old.get(key), new.get(key), quote=key == "notes"))
    return said


def _minutes_between(start: Any, end: Any, words: Words) -> int | None:
    began, ended = words.instant(start), words.instant(end)
    if began is None or ended is None:
        return None
    return max(int((ended - began).total_seconds() // 60), 0)


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
