# mypy: disable-error-code="no-untyped-call"
"""Walk-ins: a table, W, how many — seated now."""

from __future__ import annotations

from datetime import timedelta
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
        qtbot.keyClick(window.grid, Qt.Key.Key_W)
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
