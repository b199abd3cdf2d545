"""How values read to a host: money, times, parties, tooltips."""

from __future__ import annotations

import html
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers

from frontdesk.plan import Booking, Hold, Status

CURRENCY = "£"

#: A short mark beside each status, so that status never rests on colour alone.
STATUS_MARKS: dict[Status, str] = {
    Status.PENDING: "?",
    Status.CONFIRMED: "✓",
    Status.ARRIVED: "→",
    Status.SEATED: "●",
    Status.COMPLETED: "✔",
    Status.CANCELLED: "✕",
    Status.NO_SHOW: "∅",
}


def money(amount: Decimal) -> str:
    """£25, £1,250, £12.50."""
    if amount == amount.to_integral_value():
        return f"{CURRENCY}{amount:,.0f}"
    return f"{CURRENCY}{amount:,.2f}"


def phone(e164: str | None) -> str:
    """+447700900123 as 07700 900123 (UK numbers as dialled here), others international."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == "GB"
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    formatted: str = phonenumbers.format_number(number, style)
    return formatted


def clock(instant: datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%H:%M}"


def span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    return f"{clock(starts_at, zone)}–{clock(ends_at, zone)}"


def night_title(night: date) -> str:
    """'Friday 4 December'."""
    return f"{night:%A} {night.day} {night:%B}"


def party(size: int) -> str:
    return f"{size} guest" if size == 1 else f"{size} guests"


def status_text(status: Status) -> str:
    return f"{STATUS_MARKS[status]} {status.label}"


def booking_tooltip(booking: Booking, zone: ZoneInfo, table_names: list[str]) -> str:
    e = html.escape
    lines = [
        f"<b>{e(booking.customer_name)}</b> · {party(booking.party_size)}",
        f"{span(booking.starts_at, booking.ends_at, zone)} · {e(', '.join(table_names))}",
        f"{status_text(booking.status)} · {e(booking.reference)}",
        f"Deposit {money(booking.deposit)} · minimum spend {money(booking.min_spend)}",
    ]
    if booking.customer_phone:
        lines.append(e(phone(booking.customer_phone)))
    extras = [x for x in (booking.occasion, booking.special_requests) if x]
    if extras:
        lines.append(e(" · ".join(extras)))
    return "<br>".join(lines)


def hold_tooltip(hold: Hold, zone: ZoneInfo) -> str:
    return (
        f"<b>Being booked</b> at {html.escape(hold.terminal)}<br>"
        f"{span(hold.starts_at, hold.ends_at, zone)} · held until {clock(hold.expires_at, zone)}"
    )
