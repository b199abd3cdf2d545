"""How values read to a host: money, times, parties, tooltips."""

from __future__ import annotations

import html
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers

from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.plan import Booking, Hold, Status

#: Symbols of the currencies a venue may price in; others show their code.
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


class _Venue:
    """The venue's currency and phone country, for every text on screen.

    One venue per app: the window sets them from the night plan
    (``use_venue``) when it loads one; until then, the demo venue's."""

    currency = "GBP"
    phone_country = "GB"


def use_venue(currency: str, phone_country: str) -> None:
    _Venue.currency = currency
    _Venue.phone_country = phone_country


def currency_symbol() -> str:
    return CURRENCY_SYMBOLS.get(_Venue.currency, _Venue.currency + " ")


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
    """£25, £1,250, £12.50 (in the venue's currency)."""
    symbol = currency_symbol()
    if amount == amount.to_integral_value():
        return f"{symbol}{amount:,.0f}"
    return f"{symbol}{amount:,.2f}"


def phone(e164: str | None) -> str:
    """+447700900123 as 07700 900123 where the venue is (numbers of its country as
    dialled there), others international."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == _Venue.phone_country
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


def short_night(night: date) -> str:
    """``Sat 13 Dec``: a night on a button."""
    return f"{night:%a} {night.day} {night:%b}"


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


def not_done(what: str, exc: Exception) -> str:
    """What a host reads when a write did not happen: "Not saved: " and the
    engine's words for a refusal, or what to do when the database is out
    of reach; anything else was logged."""
    if isinstance(exc, Refused):
        return f"{what}: {exc.message}"
    if isinstance(exc, ServerUnavailable):
        return f"{what}: the database can't be reached. Try again shortly."
    return f"{what}: something went wrong (it has been logged)."
