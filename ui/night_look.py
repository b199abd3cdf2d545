"""A night as the booking dialogs and the night navigation need it: its
plan, whether it has gone, and — when it is closed or past — the next open
night within ``NEXT_OPEN_DAYS``.  Read on a worker thread (``look_at_night``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from frontdesk.desk import Desk
from frontdesk.plan import NightPlan
from ui import text

#: How far ahead a closed or past night looks for the next open one.
NEXT_OPEN_DAYS = 28


@dataclass(frozen=True)
class NightLook:
    """A night as the dialog needs it: its plan, whether it has gone, and
    the next open night when this one cannot be booked."""

    plan: NightPlan
    tonight: date  # the night in progress (or today)
    next_open: date | None

    @property
    def is_past(self) -> bool:
        return self.plan.night < self.tonight

    @property
    def refusal(self) -> str | None:
        """Why nothing can be booked on this night, in a host's words; None when it can."""
        plan = self.plan
        if self.is_past:
            return f"{text.night_title(plan.night)} has passed: book tonight or a later night."
        if plan.is_closed:
            why = f" ({plan.event_name})" if plan.event_name else ""
            return f"The venue is closed on {text.night_title(plan.night)}{why}."
        return None


def look_at_night(night: date, desk: Desk) -> NightLook:
    """The night's plan and, when it is closed or gone, the next open night."""
    plan = desk.night_plan(night)
    tonight = desk.current_night()
    next_open = None
    if plan.is_closed or night < tonight:
        day = max(night + timedelta(days=1), tonight)
        for _ in range(NEXT_OPEN_DAYS):
            if not desk.night_plan(day).is_closed:
                next_open = day
                break
            day += timedelta(days=1)
    return NightLook(plan, tonight, next_open)
