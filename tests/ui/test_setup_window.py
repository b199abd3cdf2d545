"""The Setup window: a manager edits and saves the venue's setup, and every
open desk lays its grid out again; a save that would strand bookings lists
them and keeps the edits; undo reverts an unsaved edit; a host cannot open it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.conftest import Conn
from ui.composition import Desktop
from ui.setup_models import TablesModel
from ui.setup_window import SetupWindow, open_setup_window


def opened(qtbot: QtBot, desktop: Desktop) -> SetupWindow:
    window = desktop.open_setup()
    assert window is not None
    qtbot.waitUntil(lambda: window.document.loaded, timeout=15_000)
    return window


def column(model: TablesModel, key: str) -> int:
    return next(i for i, c in enumerate(model.columns) if c.key == key)


def row_of(model: TablesModel, name: str) -> int:
    return next(i for i, t in enumerate(model.items()) if t["name"] == name)


def test_a_new_table_and_hours_reach_a_second_desks_grid_live(
    qtbot: QtBot,
    manager_desktop: Desktop,
    open_desktop: Callable[..., Desktop],
    desk_url: str,
    friday: date,
) -> None:
    other = open_desktop(desk_url, friday, terminal="BAR-2")
    slots_before = len(other.window.model.slots)
    window = opened(qtbot, manager_desktop)
    page = window.tables_page
    page.floors.setCurrentIndex(page.floors_model.index(1, 0))  # Upstairs
    page.new_table()
    model = page.tables_model
    row = len(model.items()) - 1
    model.setData(model.index(row, column(model, "name")), "Snug")
    model.setData(model.index(row, column(model, "capacity")), "3")
    hours = window.hours_page.model
    friday_row = 4
    hours.setData(hours.index(friday_row, 3), "05:00")  # Fri closes 05:00, not 04:00
    assert hours.index(friday_row, 4).data() == "21:00 → 05:00 next day"
    assert window.save_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: window.status.text().startswith("Saved"), timeout=15_000)
    grid = other.window.model

    def has_snug() -> bool:
        plan = grid.plan
        return plan is not None and "Snug" in [t.name for t in plan.tables]

    qtbot.waitUntil(has_snug, timeout=15_000)
    assert grid.row_for_table(next(t.id for t in grid.plan.tables if t.name == "Snug")) >= 0  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(grid.slots) == slots_before + 4, timeout=15_000)
    assert not window.document.dirty and not window.save_button.isEnabled()


def test_a_save_that_would_strand_bookings_lists_them_and_keeps_the_edits(
    qtbot: QtBot, manager_desktop: Desktop, conn: Conn
) -> None:
    plan = manager_desktop.window.model.plan
    assert plan is not None
    booking = next(b for b in plan.bookings if b.status.value in ("pending", "confirmed"))
    table = next(t for t in plan.tables if t.id == booking.table_ids[0])
    window = opened(qtbot, manager_desktop)
    model = window.tables_page.tables_model
    row = row_of(model, table.name)
    model.setData(
        model.index(row, column(model, "retired")),
        Qt.CheckState.Checked.value,
        Qt.ItemDataRole.CheckStateRole,
    )
    window.save()
    qtbot.waitUntil(lambda: window.status.text().startswith("Not saved"), timeout=15_000)
    assert "Move or cancel" in window.status.text()
    assert window.stranded.isVisible()
    rows = window.stranded.rows()
    assert booking.reference in [r[0] for r in rows]
    ours = next(r for r in rows if r[0] == booking.reference)
    assert ours[1] == booking.customer_name and table.name in ours[3]
    assert model.items()[row]["retired"] is True and window.document.dirty
    retired = conn.execute(
        "SELECT is_active FROM venue_tables WHERE id = %s", [table.id]
    ).fetchone()
    assert retired == (True,)  # nothing changed


def test_undo_reverts_an_unsaved_edit(qtbot: QtBot, manager_desktop: Desktop) -> None:
    window = opened(qtbot, manager_desktop)
    before = window.document.doc
    model = window.tables_page.tables_model
    model.setData(model.index(0, column(model, "capacity")), "abc")
    assert (
        model.index(0, column(model, "capacity"))
        .data(Qt.ItemDataRole.ToolTipRole)
        .endswith("must be a whole number from 1 to 500.")
    )
    assert "must be a whole number" in window.status.text()
    window.save()  # refused before the database
    assert window.status.text().startswith("Not saved")
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    assert window.document.doc == before
    assert not window.document.dirty and not window.save_button.isEnabled()
    window.venue_page.policy["default_booking_minutes"].setValue(120)
    window.venue_page.policy["default_booking_minutes"].setValue(135)
    assert window.document.doc["policy"]["default_booking_minutes"] == 135
    window.undo_button.click()  # one edit for the field
    assert window.document.doc == before


def test_an_invalid_setup_from_the_engine_points_at_its_cell(
    qtbot: QtBot, manager_desktop: Desktop
) -> None:
    window = opened(qtbot, manager_desktop)
    model = window.tables_page.tables_model
    model.setData(model.index(2, column(model, "capacity")), "501")
    window.document.server_problem = None
    # The window's own check catches it first; the engine's answer is the same place.
    window.save()
    assert window.tabs.currentWidget() is window.tables_page
    assert window.tables_page.tables.currentIndex().row() == 2


def test_a_host_cannot_open_the_setup(qtbot: QtBot, desktop: Desktop) -> None:
    assert desktop.open_setup() is None
    assert open_setup_window(desktop.window, desktop.ops, manager=False) is None
    # Even forced open, the engine gives a host nothing.
    window = SetupWindow(desktop.ops, desktop.window)
    window.load()
    qtbot.waitUntil(lambda: window.status.text().startswith("Couldn't read"), timeout=15_000)
    assert not window.document.loaded
    window.close()


def test_a_policy_boxs_unit_agrees_with_its_number(qtbot: QtBot, manager_desktop: Desktop) -> None:
    window = opened(qtbot, manager_desktop)
    smallest = window.venue_page.policy["min_party_size"]
    smallest.setFocus()
    smallest.setValue(2)
    assert smallest.text() == "2 guests"
    qtbot.keyClick(smallest, Qt.Key.Key_Down)  # type: ignore[no-untyped-call]
    assert (smallest.value(), smallest.text()) == (1, "1 guest")
    assert window.document.doc["policy"]["min_party_size"] == 1
    window.document.set(("policy", "min_party_size"), 3, "Smallest party: 3")
    assert smallest.text() == "3 guests"  # shown from the document, its signals blocked
    window.document.set(("policy", "min_party_size"), 1, "Smallest party: 1")
    assert smallest.text() == "1 guest"
    hold = window.venue_page.policy["hold_minutes"]
    hold.setValue(1)
    assert hold.text() == "1 minute"
    age = window.venue_page.policy["min_age"]
    age.setValue(1)
    assert age.text() == "1 year"
    age.setValue(0)
    assert age.text() == "0 years"
