"""The window's Manager menu: a host sees it disabled ("Managers only"); a
manager opens the audit log, monitoring, reports and the guest data from
it, and the monitoring alert sits in the status bar."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import OFFSCREEN_NOISE, Conn
from ui.composition import Desktop
from ui.manager_menu import MANAGERS_ONLY


def _menu_actions(desktop: Desktop) -> dict[str, QAction]:
    menus = {a.text(): a.menu() for a in desktop.window.menuBar().actions()}
    menu = menus["&Manager"]
    assert isinstance(menu, QMenu)
    return {a.text(): a for a in menu.actions() if a.text()}


def _new_windows(before: set[int], main: QWidget) -> list[QWidget]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if id(w) not in before and w.isVisible() and w is not main
    ]


def test_a_host_finds_the_manager_menu_disabled(desktop: Desktop) -> None:
    actions = _menu_actions(desktop)
    names = ("Audit log…", "Monitoring", "Reports…", "Venue setup…", "Guest data…")
    assert set(actions) >= set(names)
    for name in names:
        action = actions[name]
        assert not action.isEnabled(), name
        assert action.toolTip() == MANAGERS_ONLY, name
    assert desktop.window.manager.alert.parent() is not None


def test_a_manager_opens_each_window_from_the_menu(qtbot: QtBot, manager_desktop: Desktop) -> None:
    actions = _menu_actions(manager_desktop)
    main = manager_desktop.window
    for name in ("Audit log…", "Monitoring", "Reports…", "Venue setup…", "Guest data…"):
        action = actions[name]
        qtbot.waitUntil(action.isEnabled, timeout=10_000)
        before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        action.trigger()

        def opened(before: set[int] = before) -> bool:
            return bool(_new_windows(before, main))

        qtbot.waitUntil(opened, timeout=10_000)
        for window in _new_windows(before, main):
            window.close()


# A popup menu asks for the keyboard, which the offscreen platform cannot give.
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "This plugin does not support grabbing the keyboard")
def test_a_block_is_drawn_on_the_grid_and_offered_from_its_menu(
    qtbot: QtBot, manager_desktop: Desktop, conn: Conn, friday: date
) -> None:
    window = manager_desktop.window
    model, grid = window.model, window.grid
    plan = model.plan
    assert plan is not None
    taken = {t for b in plan.bookings if b.status.holds_table for t in b.table_ids}
    table = next(t for t in plan.tables if t.id not in taken)
    row = model.row_for_table(table.id)
    # The grid's menu on that table's free cell offers to block it.
    index = model.index(row, 2)
    grid.setCurrentIndex(index)
    window._context_menu(grid.viewport().mapToGlobal(grid.visualRect(index).center()))
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    labels = [a.text() for a in menu.actions() if a.text()]
    menu.close()
    assert f"Block {table.name}…" in labels
    # Blocked (from another desk), the band is drawn where the cell was.
    before = grid.viewport().grab().toImage()
    done = conn.execute(
        "SELECT success FROM block_table(%s, %s, %s, NULL, NULL, 'Broken booth')",
        [plan.venue_id, table.id, friday],
    ).fetchone()
    assert done == (True,)
    qtbot.waitUntil(lambda: len(model.out_of_service()) == 1, timeout=15_000)
    qtbot.waitUntil(lambda: grid.viewport().grab().toImage() != before, timeout=5_000)
    (out,) = model.out_of_service()
    assert out.block.starts_at is not None and out.block.ends_at is not None
    rect = grid.span_rect(out.row, out.block.starts_at, out.block.ends_at).toRect()
    after = grid.viewport().grab().toImage()
    centre = rect.center()
    assert after.pixelColor(centre) != before.pixelColor(centre)
