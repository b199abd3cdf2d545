"""The night's time axis: 15-minute slots from opening to close.

Slots are stepped in real time (UTC), then labelled in the venue's local
time, so the grid is right on clock-change nights: on the fall-back night
01:00–01:45 appears twice (BST, then GMT); on the spring-forward night the
01:xx labels do not exist at all.  No Qt here: the model and the dialog both
use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SLOT = timedelta(minutes=15)


# Python subtracts and adds aware datetimes that share a tzinfo on the wall
# clock: 01:45 BST to 01:00 GMT would be -45 minutes.  Instants are
# therefore always compared in UTC here.


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from ``start`` to ``end``, across clock changes."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def after(instant: datetime, delta: timedelta) -> datetime:
    """The instant ``delta`` of real time after ``instant``, in its zone."""
    return (instant.astimezone(UTC) + delta).astimezone(instant.tzinfo)


@dataclass(frozen=True)
class Slot:
    index: int
    starts_at: datetime  # aware, in the venue's zone
    ends_at: datetime
    label: str  # local "HH:MM"
    zone: str  # "BST", "GMT", ... — shown when the label repeats
    repeated: bool  # the same local label happens twice this night

    @property
    def is_hour(self) -> bool:
        return self.starts_at.minute == 0

    @property
    def full_label(self) -> str:
        """The label, with the zone when the clock shows this time twice."""
        return f"{self.label} {self.zone}" if self.repeated else self.label


def night_slots(opens_at: datetime, closes_at: datetime, zone: ZoneInfo) -> tuple[Slot, ...]:
    """Slots from ``opens_at`` to ``closes_at``; the last may be shorter than 15 minutes."""
    start = opens_at.astimezone(UTC)
    end = closes_at.astimezone(UTC)
    raw: list[tuple[datetime, datetime]] = []
    t = start
    while t < end:
        raw.append((t, min(t + SLOT, end)))
        t += SLOT
    locals_ = [s.astimezone(zone) for s, _ in raw]
    labels = [f"{lt:%H:%M}" for lt in locals_]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return tuple(
        Slot(
            index=i,
            starts_at=lt,
            ends_at=e.astimezone(zone),
            label=labels[i],
            zone=lt.tzname() or "",
            repeated=seen[labels[i]] > 1,
        )
        for i, (lt, (_, e)) in enumerate(zip(locals_, raw, strict=True))
    )


def column_at(slots: tuple[Slot, ...], instant: datetime) -> int:
    """The slot holding ``instant`` (clamped to the night)."""
    if not slots:
        return -1
    seconds = elapsed(slots[0].starts_at, instant).total_seconds()
    return max(0, min(len(slots) - 1, int(seconds // SLOT.total_seconds())))


def last_column(slots: tuple[Slot, ...], ends_at: datetime) -> int:
    """The last slot a span ending at ``ends_at`` touches (clamped)."""
    if not slots:
        return -1
    seconds = elapsed(slots[0].starts_at, ends_at).total_seconds()
    step = SLOT.total_seconds()
    col = int(-(-seconds // step)) - 1  # ceil, then the slot before
    return max(0, min(len(slots) - 1, col))


def position(slots: tuple[Slot, ...], instant: datetime) -> float:
    """Where ``instant`` falls on the night in columns: 3.5 is halfway through slot 3."""
    if not slots:
        return 0.0
    col = column_at(slots, instant)
    slot = slots[col]
    length = elapsed(slot.starts_at, slot.ends_at).total_seconds() or 1.0
    frac = elapsed(slot.starts_at, instant).total_seconds() / length
    return col + max(0.0, min(1.0, frac))


def span_label(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """ "22:00–00:30" in local time."""
    return f"{starts_at.astimezone(zone):%H:%M}–{ends_at.astimezone(zone):%H:%M}"
