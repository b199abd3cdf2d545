# mypy: disable-error-code="no-untyped-call"
"""A screenshot of money on the grid, for docs/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/ui/money_screenshots.py \\
        --basetemp=/tmp/bt-shots -p no:cacheprovider

Not collected with the suite (the name has no ``test_``).  The next La
Fiesta Friday at 02:45 by the engine's clock and the window's, the venue
flagging tables under their minimum from 90 minutes before its 04:00 close:
the early tables done for the night, part-way to their minimum or over it;
the late ones seated with their deposits paid, most at or over their minimum,
two short and flagged; the selected booking's money in the side panel.
Saves docs/screenshot-spend.png.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pytestqt.qtbot import QtBot

from tests.clock import EngineClock, on_night
from tests.ui.conftest import Conn
from tests.ui.host_screenshots import DOCS, save, settle_paint, styled  # noqa: F401
from ui.composition import Desktop

#: The late tables' spend, as a share of their minimum, less the paid
#: deposit: most reach it (one well over), two fall short and are flagged.
LATE_SHARES = (
    Decimal("1.1"),
    Decimal("1.0"),
    Decimal("0.62"),
    Decimal("1.45"),
    Decimal("1.0"),
    Decimal("1.15"),
    Decimal("1.0"),
    Decimal("1.02"),
    Decimal("0.8"),
    Decimal("1.0"),
    Decimal("1.2"),
    Decimal("1.05"),
)
#: The earlier tables (done for the night): part-way, over, nearly.
EARLY_SHARES = (Decimal("0.55"), Decimal("1.2"), Decimal("0.8"), Decimal("0.95"))


def _spend(conn: Conn, booking: Any, amount: Decimal, note: str) -> None:
    if amount <= 0:
        return
    row = conn.execute("SELECT * FROM record_spend(%s, %s, %s)", [booking, amount, note]).fetchone()
    assert row is not None and row[0], row


def set_the_scene(conn: Conn, night: date) -> Any:
    """Spend and deposits on the night's bookings; the booking to select
    (a late one, short of its minimum)."""
    conn.execute("SELECT set_config('frontdesk.terminal', 'BAR-1', false)")
    conn.execute("UPDATE venues SET spend_flag_minutes = 90")
    rows = conn.execute(
        "SELECT b.id, b.total_min_spend, b.total_deposit, "
        "b.starts_at >= private.fd_night_instant(b.venue_id, %s, '00:30') AS late "
        "FROM bookings b WHERE b.night = %s AND b.status NOT IN ('cancelled', 'no_show') "
        "ORDER BY b.starts_at, b.reference",
        [night, night],
    ).fetchall()
    late = [(i, m, d) for i, m, d, is_late in rows if is_late]
    early = [(i, m, d) for i, m, d, is_late in rows if not is_late]
    chosen = None
    for n, (booking, minimum, deposit) in enumerate(late):
        conn.execute(
            "UPDATE bookings SET status = 'seated', deposit_status = 'paid', "
            "deposit_reference = %s WHERE id = %s",
            [f"pi_3Q{n:02d}x7Lk", booking],
        )
        share = LATE_SHARES[n % len(LATE_SHARES)]
        _spend(conn, booking, (minimum * share - deposit).quantize(Decimal("1")), "Bar tab")
        if share == Decimal("0.62"):
            chosen = booking
    for n, (booking, minimum, _deposit) in enumerate(early):
        share = EARLY_SHARES[n % len(EARLY_SHARES)]
        _spend(conn, booking, (minimum * share).quantize(Decimal("1")), "Till")
        conn.execute("UPDATE bookings SET status = 'completed' WHERE id = %s", [booking])
    return chosen


def test_money_on_the_grid(
    qtbot: QtBot,
    desk_url: str,
    open_desktop: Callable[..., Desktop],
    friday: date,
    engine_clock: EngineClock,
    conn: Conn,
) -> None:
    now: datetime = on_night(friday, "02:45")
    engine_clock.set(desk_url, now, conn)
    chosen = set_the_scene(conn, friday)
    desktop = open_desktop(desk_url, friday)
    window = desktop.window
    window.set_clock(lambda: now)
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    if chosen is not None:
        window.grid.select_booking(chosen)
    plan = window.model.plan
    assert plan is not None and plan.spend_flag_from is not None
    flagged = [b for b in plan.bookings if b.below_minimum_at(now, plan.spend_flag_from)]
    assert flagged, "a table short of its minimum near closing"
    # The grid scrolled to the small hours, where the late tables are.
    if plan.opens_at is not None:
        window.grid.horizontalScrollBar().setValue(window.grid.horizontalScrollBar().maximum())
    settle_paint(qtbot, window)
    save(window.grab(), DOCS / "screenshot-spend.png")
