"""Money on the night: spend against a booking's minimum and its deposit's status.

Each call blocks (run it off the UI thread) and raises by kind like the
desk's services: ``Refused`` with the engine's code and a message for the
host.  The rules (who may correct spend, what a deposit may become, the
venue's policy on a no-show) are the engine's (sql/engine/62_money.sql);
this module only wraps them.  Money is Decimal, never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from frontdesk.desk import Desk, _filled, _Outcome
from frontdesk.errors import Refused
from frontdesk.plan import DepositStatus


@dataclass(frozen=True)
class _SpendRow(_Outcome):
    spend_total: Decimal | None


@dataclass(frozen=True)
class _DepositRow(_Outcome):
    deposit_status: str | None


def parse_amount(text: str) -> Decimal:
    """What a host typed as an amount ("45.50", "£1,250", "-20") as Decimal.
    Refused("SPEND_INVALID") when it does not read as one; the engine
    checks the rest (zero, size, pence, who may correct)."""
    cleaned = text.strip().replace("£", "").replace(",", "").replace(" ", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise Refused("SPEND_INVALID", "Type an amount, such as 45.50.") from None
    if not amount.is_finite():
        raise Refused("SPEND_INVALID", "Type an amount, such as 45.50.")
    return amount


def record_spend(desk: Desk, booking_id: UUID, amount: Decimal, note: str | None = None) -> Decimal:
    """Record ``amount`` spent against the booking; its spend total after.
    A negative amount is a manager's correction.  Refused: NOT_SIGNED_IN,
    NOT_ALLOWED, UNKNOWN_BOOKING, BOOKING_NOT_ACTIVE, SPEND_INVALID,
    SPEND_ZERO, SPEND_TOO_LARGE, SPEND_BELOW_ZERO, INVALID_INPUT, BUSY."""
    if not isinstance(amount, Decimal):
        raise TypeError("money is Decimal")
    row = desk._outcome(
        "SELECT * FROM record_spend(%(booking_id)s, %(amount)s, %(note)s)",
        {"booking_id": booking_id, "amount": amount, "note": (note or "").strip() or None},
        _SpendRow,
        "record_spend",
    )
    return _filled(row.spend_total, "spend_total", "record_spend")


def set_deposit_status(
    desk: Desk, booking_id: UUID, status: DepositStatus, reference: str | None = None
) -> DepositStatus:
    """Mark the booking's deposit paid (with its payment reference; a
    host may), refunded, forfeited or due again (a manager's); the status
    after.  Refused: NOT_SIGNED_IN, NOT_ALLOWED, UNKNOWN_BOOKING,
    DEPOSIT_INVALID, NO_DEPOSIT, DEPOSIT_UNCHANGED, DEPOSIT_NOT_PAID,
    DEPOSIT_REFERENCE, BUSY."""
    row = desk._outcome(
        "SELECT * FROM set_deposit_status(%(booking_id)s, %(status)s, %(reference)s)",
        {
            "booking_id": booking_id,
            "status": DepositStatus(status).value,
            "reference": (reference or "").strip() or None,
        },
        _DepositRow,
        "set_deposit_status",
    )
    return DepositStatus(_filled(row.deposit_status, "deposit_status", "set_deposit_status"))
