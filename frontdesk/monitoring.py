"""The seed's monitoring figures, live, for the manager's panel and the
status bar's alert.

``monitoring_now`` (sql/engine/74_monitoring.sql) gives today's figures
with the seed's alert thresholds (lock failures over 5 % of booking
attempts, conflicts over 1 %, the booking function's 95th percentile over
100 ms, connections over 80 % of the server's) and the night so far in
15-minute steps for the chart.  Only a manager of the venue may read it
(``Refused`` NOT_SIGNED_IN or NOT_ALLOWED otherwise).  No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from frontdesk.desk import MONITORING, Desk, MonitoringFigure
from frontdesk.errors import Refused

#: What each figure means and what to do when it turns red: the panel's
#: tooltips and the manager's guide (docs/manager-guide.md) say the same.
ADVICE: dict[str, str] = {
    "conflicts_prevented_today": (
        "Bookings the database refused because the table was already taken or being "
        "booked at that moment: double bookings that did not happen."
    ),
    "attempts_today": "Every booking and move tried today, by the desks and the website.",
    "lock_busy_rate": (
        "Share of attempts refused because another desk or the website was booking the same "
        "table at that instant. Red (over 5 %): many people are after the same tables; a desk "
        "holding tables for a long phone call makes it worse. Finish or cancel open booking "
        "dialogs; if it stays red with nobody booking, restart the desk that holds them."
    ),
    "conflict_rate": (
        "Share of attempts refused because the table was taken. Red (over 1 %): guests and "
        "staff are offered tables that are gone; check the website shows live availability "
        "and that every desk is live (not 'reconnecting')."
    ),
    "booking_fn_avg_ms": "How long the database takes to make a booking, on average.",
    "booking_fn_p95_ms": (
        "95 in 100 bookings take less than this. Red (over 100 ms): the server is struggling; "
        "check its load, disk and other programs on it, and tell whoever looks after it."
    ),
    "connections_in_use": "Connections open to this venue's database (desks, website, tools).",
    "server_connections": "Connections open to the whole database server.",
    "connections_used": (
        "Share of the server's connection slots in use. Red (over 80 %): new desks or the "
        "website may soon be turned away; close idle tools and ask whoever runs the server "
        "to raise max_connections or add a connection pooler."
    ),
}


@dataclass(frozen=True)
class Step:
    """Booking attempts in one 15-minute step of the night."""

    at: datetime
    attempts: int
    conflicts: int
    busy: int
    p95_ms: Decimal | None


@dataclass(frozen=True)
class Monitoring:
    measured_at: datetime
    figures: tuple[MonitoringFigure, ...]
    series_since: datetime
    step_minutes: int
    series: tuple[Step, ...]

    @property
    def alerts(self) -> tuple[MonitoringFigure, ...]:
        return tuple(f for f in self.figures if f.alert)

    def figure(self, name: str) -> MonitoringFigure:
        return next(f for f in self.figures if f.name == name)


@dataclass(frozen=True)
class _NowRow:
    measured_at: datetime
    conflicts_prevented_today: int
    attempts_today: int
    lock_busy_today: int
    lock_busy_rate: Decimal
    conflict_rate: Decimal
    booking_fn_avg_ms: Decimal | None
    booking_fn_p95_ms: Decimal | None
    connections_in_use: int
    server_connections: int
    max_connections: int
    alerts: dict[str, list[Any]] | None
    series_since: datetime
    step_minutes: int
    series: list[dict[str, Any]] | None


def monitoring_now(desk: Desk) -> Monitoring:
    """Today's figures, their alerts and the night so far (blocking, one
    read).  Raises as the desk does (Refused NOT_ALLOWED for a host)."""
    rows = desk.db.call_rows(
        "SELECT * FROM monitoring_now(%(venue_id)s)",
        {"venue_id": desk.venue_id},
        row=_NowRow,
        what="monitoring_now",
    )
    if not rows:
        raise Refused("UNKNOWN_VENUE", "There is no such venue in this database.")
    row = rows[0]
    zone = desk.time_zone
    return Monitoring(
        measured_at=row.measured_at.astimezone(zone),
        figures=tuple(_figures(row)),
        series_since=row.series_since.astimezone(zone),
        step_minutes=row.step_minutes,
        series=tuple(
            Step(
                at=datetime.fromisoformat(s["at"]).astimezone(zone),
                attempts=int(s["attempts"]),
                conflicts=int(s["conflicts"]),
                busy=int(s["busy"]),
                p95_ms=None if s["p95_ms"] is None else Decimal(str(s["p95_ms"])),
            )
            for s in row.series or []
        ),
    )


def _figures(row: _NowRow) -> list[MonitoringFigure]:
    """As ``desk.monitoring``: a figure with an alert takes its value and
    threshold from the alerts (KeyError naming a missing one)."""
    alerts = row.alerts or {}
    figures = []
    for name, label, unit, alert_name in MONITORING:
        if alert_name is None:
            value, threshold, alert = getattr(row, name), None, False
        else:
            value, threshold, alert = alerts[alert_name]
        figures.append(
            MonitoringFigure(
                name=name,
                label=label,
                value=Decimal(0) if value is None else Decimal(str(value)),
                unit=unit,
                threshold=None if threshold is None else Decimal(str(threshold)),
                alert=bool(alert),
            )
        )
    return figures


def value_text(figure: MonitoringFigure) -> str:
    """'7.5 %', '142 ms', '12'."""
    return _amount(figure.value, figure.unit)


def threshold_text(figure: MonitoringFigure) -> str:
    """'over 5 %' (red above it), or '' for a figure without a threshold."""
    if figure.threshold is None:
        return ""
    return f"over {_amount(figure.threshold, figure.unit)}"


def _amount(value: Decimal, unit: str) -> str:
    if unit == "rate":
        percent = value * 100
        return f"{percent:.0f} %" if percent == percent.to_integral_value() else f"{percent:.1f} %"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:,.0f}"


def alert_text(monitoring: Monitoring) -> str | None:
    """The status bar's words for the figures over their thresholds, or None:
    'Monitoring: lock failure rate 7.5 % (over 5 %)'."""
    alerts = monitoring.alerts
    if not alerts:
        return None
    said = "; ".join(f"{f.label.lower()} {value_text(f)} ({threshold_text(f)})" for f in alerts)
    return f"Monitoring: {said}"
