# mypy: disable-error-code="no-untyped-call"
"""Changes from other desks and the website reach the grid by themselves."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from frontdesk.plan import Status
from tests.clock import on_night, set_session_clock
from tests.conftest import DEMO_VENUE_ID
from tests.ui.conftest import Conn
from ui.composition import Desktop


def free_booth(conn: Conn, night: date, start: str, end: str) -> str:
    row = conn.execute(
        "SELECT t.id FROM venue_tables t WHERE t.venue_id = %s AND t.capacity >= 4 "
        "AND check_table_availability(t.id, %s, %s::time, %s::time) ORDER BY t.grid_order LIMIT 1",
        [DEMO_VENUE_ID, night, start, end],
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_a_booking_from_the_website_appears_without_a_click(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = desktop.window
    table = free_booth(conn, friday, "22:00", "00:30")
    row = conn.execute(
        "SELECT booking_reference, success FROM create_booking_atomic(%s, 'web.guest@example.com', "
        "'07700 900555', 'Webb Guest', ARRAY[%s]::uuid[], %s, '22:00', '00:30', 4)",
        [DEMO_VENUE_ID, table, friday],
    ).fetchone()
    assert row is not None and row[1] is True, row
    reference = row[0]
    qtbot.waitUntil(
        lambda: any(b.booking.reference == reference for b in window.model.blocks()),
        timeout=10_000,
    )
    block = next(b for b in window.model.blocks() if b.booking.reference == reference)
    assert block.booking.customer_name == "Webb Guest"
    assert str(block.table_id) == table
    qtbot.waitUntil(lambda: window.activity.rowCount() >= 1)
    first = window.activity.data(window.activity.index(0))
    assert "New booking" in first and "Webb Guest" in first


def test_a_burst_of_changes_is_one_reload(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = desktop.window
    set_session_clock(conn, on_night(friday, "19:30"))  # arrivals: on the night
    confirmed = [
        b.booking.id for b in window.model.blocks() if b.booking.status is Status.CONFIRMED
    ]
    assert len(confirmed) >= 10
    reloads = window.night.reloads
    repaints: list[int] = []
    window.model.dataChanged.connect(lambda *_: repaints.append(1))
    with conn.transaction():  # ten arrivals committed together
        for booking_id in confirmed[:10]:
            conn.execute("SELECT * FROM set_booking_status(%s, 'arrived')", [booking_id])
    qtbot.waitUntil(
        lambda: all(
            window.model.booking(i).status is Status.ARRIVED  # type: ignore[union-attr]
            for i in confirmed[:10]
        ),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: window.night.settled)
    assert window.night.reloads == reloads + 1
    assert repaints == [1]


def test_separate_commits_in_quick_succession_are_coalesced(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = desktop.window
    set_session_clock(conn, on_night(friday, "19:30"))  # arrivals: on the night
    confirmed = [
        b.booking.id for b in window.model.blocks() if b.booking.status is Status.CONFIRMED
    ]
    reloads = window.night.reloads
    for booking_id in confirmed[:10]:
        conn.execute("SELECT * FROM set_booking_status(%s, 'arrived')", [booking_id])
    qtbot.waitUntil(
        lambda: all(
            window.model.booking(i).status is Status.ARRIVED  # type: ignore[union-attr]
            for i in confirmed[:10]
        ),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: window.night.settled)
    assert window.night.reloads - reloads < 10


def test_another_desk_on_the_phone_shows_as_being_booked(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = desktop.window
    table = free_booth(conn, friday, "23:00", "01:00")
    conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-2', false)")
    conn.execute(
        "SELECT * FROM hold_tables(%s, ARRAY[%s]::uuid[], %s,"
        " private.fd_night_instant(%s, %s, '23:00'), "
        "private.fd_night_instant(%s, %s, '01:00'))",
        [DEMO_VENUE_ID, table, friday, DEMO_VENUE_ID, friday, DEMO_VENUE_ID, friday],
    )
    qtbot.waitUntil(lambda: len(window.model.hold_blocks()) == 1, timeout=10_000)
    hold = window.model.hold_blocks()[0]
    assert hold.hold.terminal == "DESK-2" and str(hold.hold.table_id) == table
    assert (
        window.grid.viewport()
        .rect()
        .intersects(
            window.grid.span_rect(hold.row, hold.hold.starts_at, hold.hold.ends_at).toRect()
        )
    )
    conn.execute("SELECT * FROM release_holds(%s)", [DEMO_VENUE_ID])
    qtbot.waitUntil(lambda: window.model.hold_blocks() == (), timeout=10_000)


def test_the_night_is_reloaded_whenever_the_listener_goes_live(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    from frontdesk.listener import ListenerState

    window = desktop.window
    live = desktop.live
    assert live is not None
    # A change the feed never brought (as one committed before the listener
    # first listened): only a reload shows it.
    block = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    reloads = window.night.reloads
    assert window.connectivity.online  # not a reconnection: the first LIVE
    live.changes_arrived.disconnect(window.night.apply_changes)
    conn.execute("UPDATE bookings SET status = 'arrived' WHERE id = %s", [block.booking.id])
    live.state_changed.emit(ListenerState.LIVE.value)
    qtbot.waitUntil(lambda: window.night.reloads > reloads and window.night.settled)
    booking = window.model.booking(block.booking.id)
    assert booking is not None and booking.status is Status.ARRIVED
