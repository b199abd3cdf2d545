"""The night's plain values."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

from frontdesk.plan import Booking, Status

LONDON = ZoneInfo("Europe/London")


def test_a_booking_over_the_fall_back_hour_lasts_its_real_length() -> None:
    # 00:30 BST → 02:30 GMT on the night the clocks go back is three hours.
    starts = datetime(2027, 10, 31, 0, 30, tzinfo=LONDON)
    ends = datetime(2027, 10, 31, 2, 30, tzinfo=LONDON)
    booking = Booking(
        id=uuid4(),
        reference="BR-271030-ABCDEF",
        table_ids=(uuid4(),),
        starts_at=starts,
        ends_at=ends,
        party_size=4,
        status=Status.CONFIRMED,
        customer_id=uuid4(),
        customer_name="Amelia Khan",
        customer_phone=None,
        customer_email=None,
        deposit=Decimal("25.00"),
        min_spend=Decimal("100.00"),
        source="phone",
    )
    assert booking.length == timedelta(hours=3)
