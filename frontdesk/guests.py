"""Guests' profiles: tags, notes and history, and booking a banned guest.

What the engine keeps about a guest beyond their contact details
(sql/engine/64_guests.sql): tags from the venue's list (a manager edits the
list; the desk puts tags on a guest, a banned tag only a manager), notes,
and a history the engine computes from their bookings whenever it is read.
A guest tagged banned is refused by every booking path (GUEST_BANNED) unless
a manager overrides the ban, with a reason, in the booking's own
transaction (``book_overriding_ban``).

Every function blocks (call it off the UI thread) and raises by kind as
``frontdesk.desk`` does: ``Refused`` with the engine's code, or
``ServerUnavailable``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from frontdesk.desk import (
    BookingRequest,
    BookingResult,
    Desk,
    _blank_to_none,
    _BookedRow,
    _booking_result,
    _json_keys,
    _Outcome,
    _refuse_unless_success,
)
from frontdesk.errors import Refused

#: What a tag does: shown as a mark of honour, a note, a warning, or a ban.
TAG_KINDS = ("vip", "note", "warning", "banned")

#: Guests with this many no-shows are shown as a warning before the host says yes.
NO_SHOW_WARNING = 2

GUEST_BANNED = "GUEST_BANNED"


@dataclass(frozen=True)
class GuestTag:
    """One tag of the venue's list; ``guests``: how many guests have it."""

    id: UUID | None  # None: a new tag, not saved yet
    name: str
    kind: str
    sort_order: int = 0
    is_active: bool = True
    guests: int = 0


@dataclass(frozen=True)
class GuestHistory:
    visits: int
    no_shows: int
    cancellations: int
    bookings: int
    last_visit: date | None
    spend: Decimal


@dataclass(frozen=True)
class UpcomingBooking:
    id: UUID
    reference: str
    night: date
    starts_at: datetime
    ends_at: datetime
    party_size: int
    status: str
    tables: tuple[str, ...]


@dataclass(frozen=True)
class GuestProfile:
    id: UUID
    name: str
    phone: str | None
    email: str | None
    notes: str | None
    erased: bool
    tags: tuple[GuestTag, ...]
    history: GuestHistory
    upcoming: tuple[UpcomingBooking, ...]

    def has_kind(self, kind: str) -> bool:
        return any(t.kind == kind for t in self.tags)

    @property
    def is_vip(self) -> bool:
        return self.has_kind("vip")

    @property
    def is_banned(self) -> bool:
        return self.has_kind("banned")

    @property
    def needs_attention(self) -> bool:
        """Something the host must see before saying yes: a VIP, a warning,
        a ban, or two no-shows or more."""
        return (
            self.is_vip
            or self.is_banned
            or self.has_kind("warning")
            or self.history.no_shows >= NO_SHOW_WARNING
        )


@dataclass(frozen=True)
class _TagRow:
    id: UUID
    name: str
    kind: str
    sort_order: int
    is_active: bool
    guests: int


@dataclass(frozen=True)
class _ProfileRow:
    profile: dict[str, Any] | None


def guest_profile(desk: Desk, customer_id: UUID) -> GuestProfile:
    """The guest's tags, notes and history.  Refused: UNKNOWN_CUSTOMER,
    NOT_SIGNED_IN, NOT_ALLOWED."""
    rows = desk._rows(
        "SELECT guest_profile(%(venue_id)s, %(customer_id)s) AS profile",
        {"customer_id": customer_id},
        _ProfileRow,
        "guest_profile",
    )
    data = rows[0].profile if rows else None
    if data is None:
        raise Refused("UNKNOWN_CUSTOMER", "There is no such customer.")
    return parse_profile(data, desk)


def parse_profile(data: Mapping[str, Any], desk: Desk) -> GuestProfile:
    with _json_keys("guest_profile"):
        h = data["history"]
        return GuestProfile(
            id=UUID(data["id"]),
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            notes=data["notes"],
            erased=bool(data["erased"]),
            tags=tuple(
                GuestTag(id=UUID(t["id"]), name=t["name"], kind=t["kind"], is_active=t["is_active"])
                for t in data["tags"]
            ),
            history=GuestHistory(
                visits=int(h["visits"]),
                no_shows=int(h["no_shows"]),
                cancellations=int(h["cancellations"]),
                bookings=int(h["bookings"]),
                last_visit=date.fromisoformat(h["last_visit"]) if h["last_visit"] else None,
                spend=Decimal(h["spend"]),
            ),
            upcoming=tuple(
                UpcomingBooking(
                    id=UUID(u["id"]),
                    reference=u["reference"],
                    night=date.fromisoformat(u["night"]),
                    starts_at=desk._local(datetime.fromisoformat(u["starts_at"])),
                    ends_at=desk._local(datetime.fromisoformat(u["ends_at"])),
                    party_size=int(u["party_size"]),
                    status=u["status"],
                    tables=tuple(u["tables"]),
                )
                for u in data["upcoming"]
            ),
        )


def tag_list(desk: Desk) -> list[GuestTag]:
    """The venue's tags, retired ones too, in the list's order."""
    rows = desk._rows("SELECT * FROM guest_tag_list(%(venue_id)s)", {}, _TagRow, "guest_tag_list")
    return [GuestTag(r.id, r.name, r.kind, r.sort_order, r.is_active, r.guests) for r in rows]


def save_tag_list(desk: Desk, tags: Iterable[GuestTag]) -> None:
    """Save the whole list, in this order (a manager's).  Tags left out are
    deleted; Refused("TAG_IN_USE") when a guest has one (retire it instead)."""
    payload = []
    for tag in tags:
        item: dict[str, Any] = {
            "name": tag.name.strip(),
            "kind": tag.kind,
            "is_active": tag.is_active,
        }
        if tag.id is not None:
            item["id"] = str(tag.id)
        payload.append(item)
    desk._outcome(
        "SELECT * FROM save_guest_tags(%(venue_id)s, %(tags)s::jsonb)",
        {"tags": json.dumps(payload)},
        _Outcome,
        "save_guest_tags",
    )


def set_guest_tags(desk: Desk, customer_id: UUID, tag_ids: Sequence[UUID]) -> None:
    """The guest's tags become exactly these.  Refused("NOT_ALLOWED") when a
    host adds or removes a banned tag."""
    desk._outcome(
        "SELECT * FROM set_guest_tags(%(venue_id)s, %(customer_id)s, %(tag_ids)s::uuid[])",
        {"customer_id": customer_id, "tag_ids": list(tag_ids)},
        _Outcome,
        "set_guest_tags",
    )


def set_guest_notes(desk: Desk, customer_id: UUID, notes: str | None) -> None:
    """Replace the guest's notes (blank clears them)."""
    desk._outcome(
        "SELECT * FROM set_guest_notes(%(venue_id)s, %(customer_id)s, %(notes)s)",
        {"customer_id": customer_id, "notes": _blank_to_none(notes)},
        _Outcome,
        "set_guest_notes",
    )


def book_overriding_ban(desk: Desk, request: BookingRequest, reason: str) -> BookingResult:
    """A manager books a banned guest: the override (audited with
    ``reason``) and the booking in one transaction.  Refused: NOT_ALLOWED (a
    host), INVALID_INPUT (no reason), and every refusal of ``Desk.book``
    (nothing written then, the override's audit entry neither)."""
    if request.customer_id is None:
        raise Refused("INVALID_CUSTOMER", "Choose the guest before overriding a ban.")
    params = {
        "venue_id": desk.venue_id,
        "customer_id": request.customer_id,
        "reason": reason.strip(),
        "table_ids": list(request.table_ids),
        "night": request.night,
        "starts_at": desk._aware(request.starts_at),
        "ends_at": desk._aware(request.ends_at),
        "party_size": request.party_size,
        "special_requests": _blank_to_none(request.special_requests),
        "occasion": _blank_to_none(request.occasion),
        "payment_ref": _blank_to_none(request.payment_ref),
        "source": request.source,
    }
    with desk.db.transaction("override_guest_ban") as cur:
        cur.execute(
            "SELECT success, error_code, error_message "
            "FROM override_guest_ban(%(customer_id)s, %(reason)s)",
            params,
        )
        _refuse_unless_success(_Outcome(**_one(cur.fetchone())))
        cur.execute(
            "SELECT success, error_code, error_message, booking_id, booking_reference, "
            "total_deposit, starts_at, ends_at FROM desk_book(%(venue_id)s, %(customer_id)s, "
            "%(table_ids)s::uuid[], %(night)s, %(starts_at)s, %(ends_at)s, %(party_size)s, "
            "%(special_requests)s, %(occasion)s, %(payment_ref)s, %(source)s)",
            params,
        )
        row = _BookedRow(**_one(cur.fetchone()))
        # Refused: raised inside the transaction, so nothing of it stays,
        # not even the override's audit entry.
        _refuse_unless_success(row)
    return _booking_result(row, "desk_book")


def _one(row: Mapping[str, Any] | None) -> dict[str, Any]:
    if row is None:
        raise RuntimeError("the engine returned no row")
    return dict(row)
