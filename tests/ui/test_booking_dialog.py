# mypy: disable-error-code="no-untyped-call"
"""Phone bookings through the dialog, typed as a host types them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Conn
from ui import text
from ui.booking_dialog import BookingDialog
from ui.composition import Desktop
from ui.grid_model import NightGridModel
from ui.new_booking_dialog import NO_GUEST, NewBookingDialog


def free_span(model: NightGridModel, columns: int = 10, seats: int = 4) -> tuple[int, int]:
    """A table row and first column with ``columns`` empty slots."""
    for row in range(model.rowCount()):
        table = model.table_at(row)
        if table is None or table.capacity < seats:
            continue
        for first in range(model.columnCount() - columns):
            if model.is_free(row, first, first + columns - 1) and not any(
                model.hold_at(row, c) for c in range(first, first + columns)
            ):
                return row, first
    raise AssertionError("no free span")


def open_dialog_by_dragging(qtbot: QtBot, desktop: Desktop, columns: int = 10) -> NewBookingDialog:
    """Drag across empty cells of one table, as a host does: the dialog opens there."""
    view, model = desktop.window.grid, desktop.window.model
    row, first = free_span(model, columns)
    start = view.cell_center(row, first)
    end = view.cell_center(row, first + columns - 1)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), QPoint(end.x(), end.y() + 9))  # a wobble off the row
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    dialogs = desktop.window.findChildren(BookingDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert isinstance(dialog, NewBookingDialog)
    qtbot.waitUntil(lambda: dialog.when.starts.count() > 0 and bool(dialog.tables.chosen))
    return dialog


def activate(qtbot: QtBot, dialog: BookingDialog) -> None:
    """Make the dialog the active window (offscreen does not on its own), for shortcuts."""
    handle = dialog.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def click_item(qtbot: QtBot, widget: QListWidget, row: int = 0) -> None:
    rect = widget.visualItemRect(widget.item(row))
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def booking_row(conn: Conn, reference: str) -> dict[str, Any]:
    cur = conn.execute(
        "SELECT b.party_size, b.starts_at, b.ends_at, b.occasion, b.special_requests, "
        "b.stripe_payment_intent_id, b.source, c.name, c.date_of_birth, c.phone, "
        "array_agg(t.name ORDER BY t.name) AS tables "
        "FROM bookings b JOIN customers c ON c.id = b.customer_id "
        "JOIN booking_tables bt ON bt.booking_id = b.id JOIN venue_tables t ON t.id = bt.table_id "
        "WHERE b.reference = %s GROUP BY b.id, c.id",
        [reference],
    )
    row = cur.fetchone()
    assert row is not None
    names = [d.name for d in cur.description or ()]
    return dict(zip(names, row, strict=True))


def test_a_phone_booking_from_the_grid(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    starts_at, ends_at = dialog.when.span()
    table = desktop.window.model.table(dialog.tables.chosen[0])
    assert table is not None
    qtbot.keyClicks(dialog.guest.search, "amelia")
    qtbot.waitUntil(lambda: dialog.guest.results.count() >= 2)
    picked = dialog.guest.results.item(0).text().splitlines()[0]
    click_item(qtbot, dialog.guest.results)
    assert dialog.guest.customer is not None and dialog.guest.customer.name == picked
    dialog.when.party.selectAll()
    qtbot.keyClicks(dialog.when.party, "4")
    qtbot.keyClicks(dialog.occasion.lineEdit(), "Birthday")
    qtbot.keyClicks(dialog.requests, "Near the DJ please")
    qtbot.keyClicks(dialog.payment_ref, "pi_3PXq")
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    assert dialog.pages.currentIndex() == 1
    reference = dialog.reference_label.text()
    assert reference.startswith("BR-")
    assert dialog.deposit_label.text() == f"£{table.deposit:,.0f}"
    row = booking_row(conn, reference)
    assert row["name"] == picked
    assert row["tables"] == [table.name]
    assert (row["party_size"], row["starts_at"], row["ends_at"]) == (4, starts_at, ends_at)
    assert row["occasion"] == "Birthday" and row["special_requests"] == "Near the DJ please"
    assert row["stripe_payment_intent_id"] == "pi_3PXq"
    # the grid shows it without a click, through the same change path
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    window = desktop.window
    qtbot.waitUntil(lambda: any(b.booking.reference == reference for b in window.model.blocks()))


def test_a_new_guest_with_a_date_of_birth(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    qtbot.keyClicks(dialog.guest.search, "Zara Quinn")
    qtbot.mouseClick(dialog.guest.new_guest_button, Qt.MouseButton.LeftButton)
    assert dialog.guest.name.text() == "Zara Quinn"  # taken from the search
    qtbot.keyClicks(dialog.guest.phone, "07700 900888")
    qtbot.keyClicks(dialog.guest.email, "zara@example.com")
    qtbot.keyClicks(dialog.guest.date_of_birth, "14/02/1995")
    activate(qtbot, dialog)
    qtbot.keyClick(
        dialog.guest.date_of_birth, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    row = booking_row(conn, dialog.reference_label.text())
    assert row["name"] == "Zara Quinn"
    assert row["phone"] == "+447700900888"
    assert row["date_of_birth"] == date(1995, 2, 14)


def test_a_refusal_shows_in_the_dialog_and_keeps_everything(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    qtbot.mouseClick(dialog.guest.new_guest_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.guest.name, "Young Guest")
    qtbot.keyClicks(dialog.guest.email, "young@example.com")
    qtbot.keyClicks(dialog.guest.date_of_birth, "01/01/2015")  # under 18
    qtbot.keyClicks(dialog.requests, "Window seat")
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible() and "Not booked" in dialog.message.text())
    assert dialog.pages.currentIndex() == 0
    assert dialog.guest.name.text() == "Young Guest"
    assert dialog.guest.date_of_birth.text() == "01/01/2015"
    assert dialog.requests.toPlainText() == "Window seat"
    assert dialog.book_button.isEnabled()
    booked = conn.execute(
        "SELECT count(*) FROM bookings b JOIN customers c ON c.id = b.customer_id "
        "WHERE c.email = 'young@example.com'"
    ).fetchone()
    assert booked == (0,)


def test_being_booked_at_another_desk_retries(
    qtbot: QtBot, desktop: Desktop, demo_db_url: str
) -> None:
    import psycopg

    dialog = open_dialog_by_dragging(qtbot, desktop)
    qtbot.keyClicks(dialog.guest.search, "amelia")
    qtbot.waitUntil(lambda: dialog.guest.results.count() >= 1)
    click_item(qtbot, dialog.guest.results)
    table_id = dialog.tables.chosen[0]
    night = dialog.when.chosen_night
    starts_at, _ = dialog.when.span()
    assert starts_at is not None
    local = starts_at.astimezone(desktop.desk.time_zone).time()
    with psycopg.connect(demo_db_url, autocommit=True) as phone:
        locked = phone.execute(
            "SELECT acquire_booking_lock(%s, %s, %s)", [table_id, night, local]
        ).fetchone()
        assert locked == (True,)
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: "Being booked at another desk — retrying 1/5" in dialog.message.text(),
            timeout=5000,
        )
        phone.execute("SELECT release_booking_lock(%s, %s, %s)", [table_id, night, local])
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10_000)


def test_the_chosen_tables_are_held_while_the_dialog_is_open(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    table_id = dialog.tables.chosen[0]

    def holds() -> list[tuple[Any, ...]]:
        return conn.execute(
            "SELECT table_id, terminal FROM holds WHERE expires_at > now()"
        ).fetchall()

    qtbot.waitUntil(lambda: holds() == [(table_id, "TEST-DESK")])
    qtbot.waitUntil(lambda: "Held for you" in dialog.tables.note.text())
    dialog.reject()
    qtbot.waitUntil(lambda: holds() == [])


@pytest.mark.parametrize("typed", ["31/02/1990", "next tuesday"])
def test_a_date_of_birth_that_is_not_a_date(qtbot: QtBot, desktop: Desktop, typed: str) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    qtbot.mouseClick(dialog.guest.new_guest_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.guest.name, "Sam Smith")
    qtbot.keyClicks(dialog.guest.date_of_birth, typed)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Date of birth: type it as DD/MM/YYYY."
    assert dialog.guest.date_of_birth.property("invalid") == "true"


def test_cancel_and_esc_wait_while_a_booking_is_in_flight(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    assert dialog._relay.parent() is not dialog  # outlives the dialog
    qtbot.keyClicks(dialog.guest.search, "amelia")
    qtbot.waitUntil(lambda: dialog.guest.results.count() >= 1)
    click_item(qtbot, dialog.guest.results)
    with qtbot.waitSignal(dialog.booked, timeout=15_000) as booked:
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
        assert not dialog.cancel_button.isEnabled()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert dialog.isVisible()
        assert dialog.message.text() == "Booking… please wait"
        dialog.close()
        assert dialog.isVisible()
    assert dialog.pages.currentIndex() == 1
    reference = dialog.reference_label.text()
    assert reference.startswith("BR-") and booked.args[0].reference == reference
    assert booking_row(conn, reference)["name"]
    assert dialog.cancel_button.isEnabled()


def test_holds_are_released_when_the_app_closes_even_with_busy_workers(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    import threading

    dialog = open_dialog_by_dragging(qtbot, desktop)
    table_id = dialog.tables.chosen[0]

    def holds() -> list[tuple[Any, ...]]:
        return conn.execute(
            "SELECT table_id, terminal FROM holds WHERE expires_at > now()"
        ).fetchall()

    qtbot.waitUntil(lambda: holds() == [(table_id, "TEST-DESK")])
    # Every worker is busy with a slow call as the host closes the app: the
    # release queues behind them and must not be cancelled by the shutdown.
    go = threading.Event()
    for _ in range(8):
        desktop.ops.query(lambda _desk: go.wait(5), owner=desktop.ops, done=lambda _r: None)
    threading.Timer(0.3, go.set).start()
    desktop.close()
    assert holds() == []


def test_a_dialogs_holds_and_releases_go_one_at_a_time(
    qtbot: QtBot, desktop: Desktop, conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    desk = desktop.desk
    real_hold, real_release = desk.hold, desk.release_holds
    entered, go = threading.Event(), threading.Event()
    lock = threading.Lock()
    running, most = [0], [0]

    def counted(call: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return call(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    def slow_hold(*args: Any, **kwargs: Any) -> Any:
        def hold() -> Any:
            entered.set()
            go.wait(10)
            return real_hold(*args, **kwargs)

        return counted(hold)

    monkeypatch.setattr(desk, "hold", slow_hold)
    monkeypatch.setattr(desk, "release_holds", lambda: counted(real_release))

    def holds() -> list[tuple[Any, ...]]:
        return conn.execute(
            "SELECT table_id, terminal FROM holds WHERE expires_at > now()"
        ).fetchall()

    dialog = open_dialog_by_dragging(qtbot, desktop)
    qtbot.waitUntil(entered.is_set)  # the hold is on its way, slowly
    dialog.reject()  # the release must wait for it, not overtake it
    go.set()
    qtbot.waitUntil(lambda: running[0] == 0 and holds() == [], timeout=5_000)
    qtbot.waitUntil(lambda: not desktop.ops.busy)
    assert holds() == []
    assert most[0] == 1


def test_an_open_dialog_renews_its_hold_before_it_expires(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    from datetime import UTC, datetime

    dialog = open_dialog_by_dragging(qtbot, desktop)

    def expiry() -> Any:
        row = conn.execute(
            "SELECT max(expires_at) FROM holds WHERE terminal = 'TEST-DESK' AND expires_at > now()"
        ).fetchone()
        return row[0] if row else None

    qtbot.waitUntil(lambda: "Held for you" in dialog.tables.note.text())
    first = expiry()
    assert first is not None
    timer = dialog._renew_timer
    assert timer.isActive()
    left_ms = (first - datetime.now(UTC)).total_seconds() * 1000
    assert 0.5 * left_ms < timer.remainingTime() < 0.75 * left_ms  # at about two thirds
    timer.timeout.emit()  # the time comes
    qtbot.waitUntil(lambda: expiry() is not None and expiry() > first)
    dialog.reject()
    assert not timer.isActive()


def open_new_dialog(qtbot: QtBot, desktop: Desktop) -> NewBookingDialog:
    """New booking (Ctrl+N) with nothing picked on the grid."""
    window = desktop.window
    window.grid.clearSelection()
    dialog = window.new_booking()
    assert isinstance(dialog, NewBookingDialog)
    qtbot.waitUntil(lambda: dialog.when.starts.count() > 0)
    return dialog


def test_the_best_fit_is_chosen_and_booked(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    dialog = open_new_dialog(qtbot, desktop)
    qtbot.waitUntil(lambda: bool(dialog.tables.chosen))
    best = dialog.tables.suggestions.topLevelItem(0)
    assert best is not None and best.isSelected() and best.font(0).bold()
    assert dialog.tables.chosen == tuple(best.data(0, Qt.ItemDataRole.UserRole))
    qtbot.keyClicks(dialog.guest.search, "amelia")
    qtbot.waitUntil(lambda: dialog.guest.results.count() >= 1)
    click_item(qtbot, dialog.guest.results)
    dialog.extras.source.setCurrentIndex(dialog.extras.source.findData("desk"))
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=10_000)
    assert booking_row(conn, dialog.reference_label.text())["source"] == "desk"


@pytest.mark.parametrize("typed", ["0", "60"])
def test_a_party_outside_the_venues_limits_is_said(
    qtbot: QtBot, desktop: Desktop, typed: str
) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    plan = desktop.window.model.plan
    assert plan is not None
    dialog.when.party.selectAll()
    qtbot.keyClicks(dialog.when.party, typed)
    assert dialog.when.party.value() == int(typed)  # kept as typed, not changed silently
    said = (
        f"Party: {typed} guests? This venue takes parties of "
        f"{plan.min_party_size} to {plan.max_party_size}."
    )
    qtbot.waitUntil(lambda: dialog.tables.note.text() == said)
    assert dialog.when.party.lineEdit().property("invalid") == "true"
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    # every problem at once: the party and the guest
    assert dialog.message.text().splitlines() == [said, NO_GUEST]
    dialog.when.party.selectAll()
    qtbot.keyClicks(dialog.when.party, "4")
    assert dialog.message.text() == NO_GUEST  # the party's goes as it is put right
    assert dialog.when.party.lineEdit().property("invalid") == "false"


def test_choose_tables_says_which_another_desk_is_booking(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    dialog = open_dialog_by_dragging(qtbot, desktop)
    plan = desktop.window.model.plan
    assert plan is not None
    starts_at, ends_at = dialog.when.span()
    free = [i.data(Qt.ItemDataRole.UserRole) for i in list_items(dialog) if "\n" not in i.text()]
    other = next(t for t in plan.tables if t.id in free and t.id not in dialog.tables.chosen)
    with conn.transaction():
        conn.execute("SELECT set_config('frontdesk.terminal', 'BAR-2', true)")
        held = conn.execute(
            "SELECT success, error_message FROM hold_tables(%s, %s, %s, %s, %s)",
            [plan.venue_id, [other.id], plan.night, starts_at, ends_at],
        ).fetchone()
    assert held == (True, None)
    dialog.when.night_changed.emit(plan.night)  # read the night again
    qtbot.waitUntil(lambda: any("BAR-2" in item.text() for item in list_items(dialog)))
    item = next(i for i in list_items(dialog) if i.data(Qt.ItemDataRole.UserRole) == other.id)
    assert "being booked at BAR-2" in item.text()
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    booked = [i for i in list_items(dialog) if "booked " in i.text() and "BAR-2" not in i.text()]
    for i in booked:  # a booking's times in full, on a line of their own
        assert re.search(r"\n    booked \d\d:\d\d–\d\d:\d\d", i.text())


def list_items(dialog: NewBookingDialog) -> list[QListWidgetItem]:
    box = dialog.tables.table_list
    return [box.item(i) for i in range(box.count())]


def test_a_closed_night_says_so_and_offers_the_next_open_one(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    dialog = open_new_dialog(qtbot, desktop)
    closed = dialog.when.chosen_night + timedelta(days=35)
    conn.execute(
        "INSERT INTO nights (venue_id, night, is_closed, event_name) "
        "SELECT id, %s, true, 'Private hire' FROM venues ON CONFLICT (venue_id, night) "
        "DO UPDATE SET is_closed = true, event_name = 'Private hire', opens = NULL, closes = NULL",
        [closed],
    )
    dialog.when.set_night(closed)
    dialog.when.night_changed.emit(closed)
    said = f"The venue is closed on {text.night_title(closed)} (Private hire)."
    qtbot.waitUntil(lambda: dialog.tables.note.text() == said)
    assert dialog.when.starts.count() == 0 and dialog.when.ends.count() == 0  # nothing left over
    assert dialog.when.next_open.isVisible()
    qtbot.mouseClick(dialog.when.next_open, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.when.starts.count() > 0)
    assert dialog.when.chosen_night > closed
