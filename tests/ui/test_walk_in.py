# mypy: disable-error-code="no-untyped-call"
"""Walk-ins: a table, W, how many — seated now."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from tests import clock
from tests.clock import EngineClock
from tests.core import engine_helpers as eh
from tests.ui.conftest import TERMINAL, make_settings, settle, sign_in, window_store
from ui.composition import Desktop
from ui.ops import Ops
from ui.walk_in_dialog import WalkInDialog


@pytest.mark.parametrize("at", ["23:00", "02:30"])
def test_w_seats_a_walk_in_at_the_chosen_table(
    qtbot: QtBot, db_url: str, tmp_path: Path, engine_clock: EngineClock, at: str
) -> None:
    # a week ahead, during the night (21:00-04:00): before and after midnight
    night = clock.suite_today() + timedelta(days=7)
    now = engine_clock.set(db_url, clock.on_night(night, at))
    with eh.connect(db_url) as conn:
        venue = eh.make_venue(conn, name="Late Bar")
        conn.execute("SELECT * FROM add_staff(%s, 'Priya', 'host', '2468')", [venue.id])
    db = Database(db_url, staff=StaffContext(TERMINAL, "Priya"))
    desktop = Desktop(
        make_settings(db_url, tmp_path),
        db_url,
        store=window_store(tmp_path),
        desk=Desk(db, venue.id),
    )
    try:
        desktop.window.set_clock(lambda: now)
        desktop.start()
        sign_in(qtbot, desktop)
        settle(qtbot, desktop)
        window = desktop.window
        assert window.night.night == night  # the night in progress, after midnight too
        row = window.model.row_for_table(venue.tables["T5"])
        column = window.model.column_for(now)
        window.grid.setCurrentIndex(window.model.index(row, column))
        window.grid.setFocus()
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        qtbot.keyClick(window.grid, Qt.Key.Key_W, ctrl_shift)  # a plain W types a search
        (dialog,) = window.findChildren(WalkInDialog)
        assert dialog.table.currentData() == venue.tables["T5"]
        dialog.party.selectAll()
        qtbot.keyClicks(dialog.party, "3")
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[union-attr]
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        with eh.connect(db_url) as conn:

            def seated() -> list[dict[str, object]]:
                return conn.execute(
                    "SELECT b.status, b.source, b.party_size, b.starts_at FROM bookings b "
                    "JOIN booking_tables bt ON bt.booking_id = b.id WHERE bt.table_id = %s",
                    [venue.tables["T5"]],
                ).fetchall()

            qtbot.waitUntil(lambda: len(seated()) == 1, timeout=10_000)
            assert seated() == [
                {"status": "seated", "source": "walk_in", "party_size": 3, "starts_at": now}
            ]
        qtbot.waitUntil(lambda: window.grid.selected_booking_id() is not None, timeout=10_000)
        assert window.statusBar().currentMessage().startswith("Walk-in seated — BR-")
    finally:
        desktop.close()
        db.close()


@pytest.fixture
def late_bar(db_url: str, engine_clock: EngineClock) -> Iterator[tuple[Ops, eh.Venue, datetime]]:
    """A venue a week ahead at 23:00 on its night: T2 booked 22:00-00:30 and
    T3 held at another desk; the desk's calls through Ops."""
    night = clock.suite_today() + timedelta(days=7)
    now = engine_clock.set(db_url, clock.on_night(night, "23:00"))
    with eh.connect(db_url) as conn:
        venue = eh.make_venue(conn, name="Late Bar")
        assert eh.create_booking(conn, venue, night=night)["success"]
        with conn.transaction():
            conn.execute("SELECT set_config('frontdesk.terminal', 'BAR-2', true)")
            conn.execute(
                "SELECT hold_tables(%s, %s, %s, %s, %s)",
                [venue.id, venue.t("T3"), night, now, now + timedelta(hours=2)],
            )
    db = Database(db_url, staff=StaffContext(TERMINAL, "Priya"))
    ops = Ops(Desk(db, venue.id))
    yield ops, venue, now
    ops.shutdown()
    db.close()


def walk_in_dialog(ops: Ops, venue: eh.Venue, now: datetime, at: datetime) -> WalkInDialog:
    plan = ops.desk.night_plan(ops.desk.current_night())
    return WalkInDialog(
        plan.tables,
        table_id=venue.tables["T2"],
        party_limits=(plan.min_party_size, plan.max_party_size),
        plan=plan,
        now=at,
        ops=ops,
    )


def test_the_dialog_says_which_tables_are_free_now(
    qtbot: QtBot, late_bar: tuple[Ops, eh.Venue, datetime]
) -> None:
    ops, venue, now = late_bar
    dialog = walk_in_dialog(ops, venue, now, now)
    qtbot.addWidget(dialog)
    shown = {
        dialog.table.itemData(i): dialog.table.itemText(i) for i in range(dialog.table.count())
    }
    assert shown[venue.tables["T2"]] == "T2 — 4 seats · booked until 00:30"
    assert shown[venue.tables["T3"]] == "T3 — 4 seats · being booked at BAR-2"
    assert shown[venue.tables["T5"]] == "T5 — 8 seats · free till close"
    assert dialog.table.currentData() != venue.tables["T2"]  # the grid's table is taken
    free_first = [dialog.table.itemData(i) for i in range(3)]
    assert venue.tables["T2"] not in free_first and venue.tables["T3"] not in free_first
    ok = dialog.seat_button
    assert ok.text() == "Seat now" and ok.width() >= ok.minimumWidth() > 0


def test_a_refusal_keeps_the_dialog_and_the_typing(
    qtbot: QtBot, late_bar: tuple[Ops, eh.Venue, datetime]
) -> None:
    ops, venue, now = late_bar
    dialog = walk_in_dialog(ops, venue, now, now)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.setCurrentIndex(dialog.index_of(venue.tables["T1"]))  # 2 seats
    dialog.party.setValue(6)
    qtbot.keyClicks(dialog.name, "Rosa Party")
    qtbot.mouseClick(dialog.seat_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not seated:"))
    assert dialog.isVisible() and dialog.name.text() == "Rosa Party"
    dialog.table.setCurrentIndex(dialog.index_of(venue.tables["T5"]))
    with qtbot.waitSignal(dialog.seated, timeout=10_000):
        qtbot.mouseClick(dialog.seat_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_walk_ins_only_while_the_night_is_on(
    qtbot: QtBot, late_bar: tuple[Ops, eh.Venue, datetime]
) -> None:
    ops, venue, now = late_bar
    dialog = walk_in_dialog(ops, venue, now, now - timedelta(hours=3))  # 20:00, before opening
    qtbot.addWidget(dialog)
    assert not dialog.seat_button.isEnabled()
    assert dialog.intro.text().startswith("Walk-ins are seated while the night is on.")
    assert "runs 21:00–04:00" in dialog.intro.text()


def test_a_party_outside_the_limits_is_said_not_changed(
    qtbot: QtBot, late_bar: tuple[Ops, eh.Venue, datetime]
) -> None:
    ops, venue, now = late_bar
    dialog = walk_in_dialog(ops, venue, now, now)
    qtbot.addWidget(dialog)
    dialog.party.selectAll()
    qtbot.keyClicks(dialog.party, "0")
    qtbot.mouseClick(dialog.seat_button, Qt.MouseButton.LeftButton)
    assert dialog.party.value() == 0
    assert dialog.message.text().startswith("Party: 0 guests? This venue takes parties of 1 to ")


def test_walk_in_is_offered_only_while_the_night_on_screen_is_on(
    qtbot: QtBot, desktop: Desktop
) -> None:
    window = desktop.window
    plan = window.model.plan
    assert plan is not None and plan.opens_at is not None and plan.closes_at is not None
    window.set_clock(lambda: clock.on_night(plan.night, "22:30"))
    assert window.act_walk_in.isEnabled()
    window.set_clock(lambda: clock.on_night(plan.night, "20:00"))  # before opening
    assert not window.act_walk_in.isEnabled()
    assert window.act_walk_in.toolTip() == "Walk-ins only while the night is on"
    assert window.walk_in() is None
    after_close = plan.closes_at + timedelta(minutes=1)
    window.set_clock(lambda: after_close)
    assert not window.act_walk_in.isEnabled()
    window.set_clock(lambda: clock.on_night(plan.night - timedelta(days=1), "22:30"))
    assert not window.act_walk_in.isEnabled()  # another night is on, not this one
