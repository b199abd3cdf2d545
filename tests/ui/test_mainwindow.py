# mypy: disable-error-code="no-untyped-call"
"""The main window on a real demo database: what it shows, keys, remembering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.plan import Status
from tests.ui.conftest import Conn
from ui.composition import Desktop


def test_the_window_shows_the_friday(desktop: Desktop, friday: date) -> None:
    window = desktop.window
    assert window.windowTitle() == "frontdesk — The Backroom Leeds"
    plan = window.model.plan
    assert plan is not None and plan.night == friday
    assert window.summary.event_name.text() == "La Fiesta"
    total = window.summary.card_texts()[-1]
    active = [b for b in plan.bookings if b.status.holds_table]
    assert total.startswith("ALL FLOORS: ")
    assert f"{len(active)} bookings" in total
    assert window.live_indicator.text() == "● Live"
    assert window.banner.isHidden()
    assert window.date_picker.date().toPython() == friday


def test_next_and_previous_night(qtbot: QtBot, desktop: Desktop, friday: date) -> None:
    window = desktop.window
    window.act_next.trigger()
    qtbot.waitUntil(
        lambda: (
            window.model.plan is not None and window.model.plan.night == friday + timedelta(days=1)
        )
    )
    assert window.summary.event_name.text() == "Shhh!"
    window.act_prev.trigger()
    window.act_prev.trigger()
    qtbot.waitUntil(
        lambda: (
            window.model.plan is not None and window.model.plan.night == friday - timedelta(days=1)
        )
    )


def _booking_at(conn: Conn, booking_id: UUID) -> tuple[str, ...]:
    row = conn.execute("SELECT status FROM bookings WHERE id = %s", [booking_id]).fetchone()
    assert row is not None
    return tuple(row)


def test_cancel_asks_first_then_frees_the_table(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    from PySide6.QtWidgets import QMessageBox

    window = desktop.window
    block = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    window.grid.select_booking(block.booking.id)
    window.grid.setFocus()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.grid, Qt.Key.Key_X, ctrl_shift)  # a cancel is for any night
    boxes = window.findChildren(QMessageBox)
    assert len(boxes) == 1 and block.booking.customer_name in boxes[0].text()
    assert _booking_at(conn, block.booking.id) == ("confirmed",)
    yes = boxes[0].button(QMessageBox.StandardButton.Yes)
    assert yes is not None
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _booking_at(conn, block.booking.id) == ("cancelled",))
    qtbot.waitUntil(lambda: not window.model.blocks_of(block.booking.id))  # the table is free


def test_double_click_opens_the_booking_to_change_it(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    from ui.booking_dialog import BookingDialog

    window = desktop.window
    model, view = window.model, window.grid
    block = next(
        b
        for b in model.blocks()
        if len(b.booking.table_ids) == 1
        and b.last + 2 < model.columnCount()
        and model.is_free(b.row, b.last + 1, b.last + 2)
    )
    rect = view.block_rect(block.booking.id)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    (dialog,) = window.findChildren(BookingDialog)
    qtbot.waitUntil(lambda: dialog.when.ends.count() > 0)
    assert dialog.when.span() == (block.booking.starts_at, block.booking.ends_at)
    assert dialog.tables.chosen == block.booking.table_ids
    dialog.when.ends.setCurrentIndex(dialog.when.ends.currentIndex() + 2)
    new_end = dialog.when.span()[1]
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.findChildren(BookingDialog))  # closed and gone
    row = conn.execute("SELECT ends_at FROM bookings WHERE id = %s", [block.booking.id]).fetchone()
    assert row == (new_end,)
    assert window.booking_actions.undo_stack.count() == 1


def test_find_a_guest_jumps_to_their_night(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = desktop.window
    saturday = friday + timedelta(days=1)
    row = conn.execute(
        "SELECT b.id, b.reference FROM bookings b WHERE b.night = %s "
        "AND b.status = 'confirmed' ORDER BY b.starts_at LIMIT 1",
        [saturday],
    ).fetchone()
    assert row is not None
    booking_id, reference = row
    qtbot.keyClicks(window.search, reference)
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.grid.selected_booking_id() == booking_id, timeout=10_000)
    assert window.night.night == saturday
    assert window.booking_panel.booking is not None
    assert window.booking_panel.booking.reference == reference


def test_the_window_remembers_its_night_and_size(
    qtbot: QtBot, desk_url: str, friday: date, tmp_path: Path
) -> None:
    from tests.ui.conftest import make_settings, settle, sign_in, window_store

    saturday = friday + timedelta(days=1)
    first = Desktop(make_settings(desk_url, tmp_path), desk_url, store=window_store(tmp_path))
    try:
        first.start()
        sign_in(qtbot, first)
        first.window.resize(1500, 900)
        first.window.night.show_night(saturday)
        settle(qtbot, first)
    finally:
        first.close()
    again = Desktop(make_settings(desk_url, tmp_path), desk_url, store=window_store(tmp_path))
    try:
        again.start()
        assert again.window.night.night is None  # nothing shown before someone signs in
        sign_in(qtbot, again)
        qtbot.waitUntil(lambda: again.window.night.night == saturday)
        store = window_store(tmp_path)
        assert store.value("night/last") == saturday.isoformat()
        for key in ("window/geometry", "window/state", "window/splitter"):
            assert store.value(key), key  # (offscreen clamps sizes to its small screen)
        settle(qtbot, again)
    finally:
        again.close()


def test_arrow_keys_step_over_the_floor_rows(qtbot: QtBot, desktop: Desktop) -> None:
    window = desktop.window
    model, view = window.model, window.grid
    rows = [model.grid_row(r) for r in range(model.rowCount())]
    last_downstairs = max(r for r, g in enumerate(rows) if g and g.floor.name == "Downstairs")
    view.setCurrentIndex(model.index(last_downstairs, 3))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == last_downstairs + 2  # the Upstairs band is skipped
    assert view.currentIndex().column() == 3
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.currentIndex().row() == last_downstairs
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.currentIndex().column() == 4


def test_a_night_that_fails_to_load_is_not_shown_as_the_last_one_and_retries(
    qtbot: QtBot, desktop: Desktop, friday: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.errors import ServerUnavailable

    window = desktop.window
    desk = desktop.desk
    real_plan = desk.night_plan
    down = [True]

    def night_plan(night: date) -> object:
        if down[0] and night != friday:
            raise ServerUnavailable()
        return real_plan(night)

    monkeypatch.setattr(desk, "night_plan", night_plan)
    saturday = friday + timedelta(days=1)
    with qtbot.waitSignal(window.night.load_failed):
        window.act_next.trigger()
    assert window.night.night == saturday
    assert window.model.plan is None and window.model.blocks() == ()  # not Friday's tables
    assert window.summary.event_name.text() == "Couldn't load — retrying"
    assert window.statusBar().currentMessage().startswith("Couldn't load ")
    down[0] = False  # the database is back: the night is loaded without a click
    qtbot.waitUntil(
        lambda: window.model.plan is not None and window.model.plan.night == saturday,
        timeout=15_000,
    )
    assert window.summary.event_name.text() == "Shhh!"


def test_the_venues_currency_and_reference_prefix_come_from_the_venue(
    qtbot: QtBot, desk_url: str, open_desktop: Callable[..., Desktop], conn: Conn, friday: date
) -> None:
    # A venue pricing in euros with its own reference prefix: nothing on screen
    # may still say £ or BR-.
    conn.execute("UPDATE venues SET currency = 'EUR', reference_prefix = 'BK'")
    window = open_desktop(desk_url, friday).window
    qtbot.waitUntil(lambda: window.model.plan is not None and window.summary.card_texts() != [])
    assert window.search.placeholderText() == "Find a guest or a BK- reference"
    qtbot.waitUntil(lambda: "€" in window.summary.card_texts()[-1])
    assert "£" not in " ".join(window.summary.card_texts())


def test_live_activity_is_one_line_per_change_and_kept_per_night(
    qtbot: QtBot, desktop: Desktop, conn: Conn, friday: date
) -> None:
    from tests.clock import on_night, set_session_clock

    window = desktop.window
    set_session_clock(conn, on_night(friday, "22:30"))  # another desk, on the night
    block = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    guest, booking_id = block.booking.customer_name, block.booking.id

    def written(count: int) -> bool:
        lines = window.activity.lines()
        return window.night.settled and len(lines) == count and "Status changed" not in lines[0]

    for status, count in (("seated", 1), ("completed", 2)):
        conn.execute("SELECT * FROM set_booking_status(%s, %s)", [booking_id, status])
        qtbot.waitUntil(lambda count=count: written(count), timeout=10_000)  # type: ignore[misc]
    lines = window.activity.lines()
    assert lines[0].startswith(f"Now completed — {guest}")
    assert lines[1].startswith(f"Now seated — {guest}")  # not rewritten as completed
    with qtbot.waitSignal(window.night.plan_loaded):
        window.act_next.trigger()
    assert window.activity.lines() == []  # Saturday's, none yet
    with qtbot.waitSignal(window.night.plan_loaded):
        window.act_prev.trigger()
    assert window.activity.lines() == lines  # Friday's kept


def test_a_closed_night_says_when_the_venue_next_opens_and_goes_there(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    row = conn.execute("SELECT night FROM nights WHERE is_closed ORDER BY night LIMIT 1").fetchone()
    assert row is not None
    closed: date = row[0]
    window = desktop.window
    window.night.show_night(closed)
    qtbot.waitUntil(lambda: window.summary.next_open.isVisible(), timeout=10_000)
    following = closed + timedelta(days=1)
    while window.desk.night_plan(following).is_closed:
        following += timedelta(days=1)
    assert window.summary.next_open.text() == f"Go to {following:%a} {following.day} {following:%b}"
    assert "next open" in window.summary.hours.text()
    assert window.grid.closed_message.startswith("Closed on ")
    qtbot.mouseClick(window.summary.next_open, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.plan is not None and window.model.plan.night == following)
    assert not window.summary.next_open.isVisible()
    assert window.grid.closed_message == ""


def test_ctrl_y_redoes_what_was_undone(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    from PySide6.QtWidgets import QMessageBox

    window = desktop.window
    block = next(b for b in window.model.blocks() if b.booking.status is Status.CONFIRMED)
    window.grid.select_booking(block.booking.id)
    window.grid.setFocus()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.grid, Qt.Key.Key_X, ctrl_shift)
    (box,) = window.findChildren(QMessageBox)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _booking_at(conn, block.booking.id) == ("cancelled",))
    qtbot.waitUntil(window.act_undo.isEnabled)
    window.activateWindow()  # offscreen does not hand it back after the question
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _booking_at(conn, block.booking.id) == ("confirmed",))
    qtbot.waitUntil(window.act_redo.isEnabled)
    qtbot.keyClick(window.grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _booking_at(conn, block.booking.id) == ("cancelled",))
