# mypy: disable-error-code="no-untyped-call"
"""The waitlist tab: add a party, waited against quoted, seat on a table
free now (a walk-in on the grid), "Left", and another desk's change shown
without a click.

The engine's clock stands at 23:00 on a quiet night weeks ahead (no demo
bookings: every table free), set before the window opens so the app's
connections all read it; the window's clock says the same.  Another desk is
a second desk login signed in as Sam at DESK-2 calling the engine directly;
its own session clock may say an earlier time, so that a party it adds has
been waiting a known while.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.waitlist import WaitlistEntry
from tests import logins
from tests.clock import SETTING, EngineClock, on_night
from tests.core.desk_helpers import VENUE, quiet_friday
from tests.ui.conftest import Conn
from ui.composition import Desktop
from ui.waitlist_dialogs import AddToWaitlistDialog, SeatDialog
from ui.waitlist_panel import OVER_COLOUR, WaitlistPanel


@pytest.fixture
def night(conn: Conn) -> date:
    return quiet_friday(conn)


@pytest.fixture
def at_door(
    desk_url: str,
    open_desktop: Callable[..., Desktop],
    night: date,
    engine_clock: EngineClock,
) -> Desktop:
    """Priya's desk at 23:00 on the quiet night, the waitlist read."""
    now: datetime = engine_clock.set(desk_url, on_night(night, "23:00"))
    desktop = open_desktop(desk_url, night)
    desktop.window.set_clock(lambda: now)
    return desktop


@pytest.fixture
def other_desk(desk_url: str, at_door: Desktop) -> Iterator[Conn]:
    """Sam at DESK-2, straight on the engine (opened after the clock was set)."""
    with psycopg.connect(desk_url, autocommit=True) as conn:
        logins.sign_in(conn, VENUE, "Sam", "1357", terminal="DESK-2")
        yield conn


def desk_clock(conn: Conn, instant: datetime) -> None:
    """This desk session's "now" (the test clock is installed: a setting it reads)."""
    conn.execute("SELECT set_config(%s, %s, false)", [SETTING, instant.isoformat()])


def panel_of(qtbot: QtBot, desktop: Desktop) -> WaitlistPanel:
    panel = desktop.window.waitlist
    qtbot.waitUntil(lambda: panel.night is not None)
    return panel


def add_elsewhere(conn: Conn, name: str, party: int, quoted: int | None) -> UUID:
    row = conn.execute(
        "SELECT success, error_code, entry_id FROM add_to_waitlist(%s, %s, %s, NULL, %s)",
        [VENUE, name, party, quoted],
    ).fetchone()
    assert row is not None and row[0], row
    entry: UUID = row[2]
    return entry


def names(panel: WaitlistPanel) -> list[str]:
    return [e.name for e in panel.model.entries]


def cell(panel: WaitlistPanel, row: int, column: int, role: Any = None) -> Any:
    index = panel.model.index(row, column)
    return panel.model.data(index, role or Qt.ItemDataRole.DisplayRole)


def open_add_dialog(qtbot: QtBot, desktop: Desktop, panel: WaitlistPanel) -> AddToWaitlistDialog:
    """Add… clicked: the dialog the panel opened (kept for the test to type in)."""
    opened: list[AddToWaitlistDialog] = []

    def made() -> AddToWaitlistDialog:
        opened.append(AddToWaitlistDialog(desktop.window.ops, panel))
        return opened[0]

    panel.add_dialog = made
    panel.add_button.click()
    qtbot.waitUntil(lambda: bool(opened) and opened[0].isVisible())
    return opened[0]


def closed(dialog: AddToWaitlistDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def waiting_names(conn: Conn) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM waitlist WHERE venue_id = %s ORDER BY added_at", [VENUE]
    ).fetchall()
    return [str(r[0]) for r in rows]


def test_add_a_party_at_the_door(qtbot: QtBot, at_door: Desktop, conn: Conn) -> None:
    panel = panel_of(qtbot, at_door)
    assert panel.summary.text() == "Nobody waiting"

    dialog = open_add_dialog(qtbot, at_door, panel)
    qtbot.keyClicks(dialog.name, " Jordan  Lee ")
    dialog.party.setValue(4)
    qtbot.keyClicks(dialog.phone, "07700 900123")
    dialog.quoted.setValue(20)
    qtbot.keyClicks(dialog.notes, "By the bar")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: names(panel) == ["Jordan Lee"])
    assert closed(dialog)  # once the party was on the list
    assert cell(panel, 0, 1) == "4"
    assert cell(panel, 0, 2) == "0 / 20 min"  # added now, by the engine's clock
    assert cell(panel, 0, 3) == "By the bar"
    assert panel.summary.text() == "1 waiting"
    row = conn.execute(
        "SELECT name, party_size, phone, quoted_minutes, state FROM waitlist WHERE venue_id = %s",
        [VENUE],
    ).fetchall()
    assert [tuple(r) for r in row] == [("Jordan Lee", 4, "+447700900123", 20, "waiting")]


def test_a_phone_that_is_not_a_number_keeps_the_party_typed_in(
    qtbot: QtBot, at_door: Desktop, conn: Conn
) -> None:
    panel = panel_of(qtbot, at_door)
    dialog = open_add_dialog(qtbot, at_door, panel)
    qtbot.keyClicks(dialog.name, "Jordan Lee")
    dialog.party.setValue(4)
    qtbot.keyClicks(dialog.phone, "123")
    qtbot.keyClicks(dialog.notes, "By the bar")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible())
    # still open, everything typed still there, the phone pointed at
    assert dialog.isVisible()
    assert "phone number" in dialog.message.text()
    assert dialog.phone.property("invalid") == "true"
    assert dialog.phone.hasFocus()
    assert (dialog.name.text(), dialog.party.value(), dialog.notes.text()) == (
        "Jordan Lee",
        4,
        "By the bar",
    )
    assert dialog.add_button.isEnabled()
    assert waiting_names(conn) == []

    dialog.phone.clear()
    qtbot.keyClicks(dialog.phone, "07700 900123")
    assert dialog.phone.property("invalid") == "false"  # put right: no longer marked
    dialog.add_button.click()
    qtbot.waitUntil(lambda: names(panel) == ["Jordan Lee"])
    assert closed(dialog)
    assert waiting_names(conn) == ["Jordan Lee"]


def test_an_engine_refusal_is_said_in_the_dialog_and_nothing_typed_is_lost(
    qtbot: QtBot, at_door: Desktop, conn: Conn
) -> None:
    panel = panel_of(qtbot, at_door)
    dialog = open_add_dialog(qtbot, at_door, panel)
    qtbot.keyClicks(dialog.name, "Sasha")
    long_notes = "Birthday; " * 60  # 600 characters: the engine takes 500
    dialog.notes.setText(long_notes)
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible())
    assert dialog.message.text() == "Not added: The notes are too long (500 characters at most)."
    assert dialog.isVisible() and dialog.name.text() == "Sasha"
    assert dialog.notes.text() == long_notes
    assert waiting_names(conn) == []

    dialog.notes.setText("Birthday")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: names(panel) == ["Sasha"])
    assert closed(dialog)


def test_another_desks_party_appears_without_a_click_and_shows_over_its_quote(
    qtbot: QtBot, at_door: Desktop, other_desk: Conn, night: date
) -> None:
    panel = panel_of(qtbot, at_door)
    loads = panel.loads
    # DESK-2 added Sasha 25 minutes ago with 10 quoted, and Kim just now with 15
    desk_clock(other_desk, on_night(night, "22:35"))
    add_elsewhere(other_desk, "Sasha", 2, 10)
    desk_clock(other_desk, on_night(night, "23:00"))
    add_elsewhere(other_desk, "Kim", 3, 15)
    qtbot.waitUntil(lambda: names(panel) == ["Sasha", "Kim"], timeout=10_000)
    assert panel.loads > loads  # read again because the feed said so
    assert cell(panel, 0, 2) == "25 / 10 min · over by 15"
    assert cell(panel, 0, 2, Qt.ItemDataRole.ForegroundRole).color() == OVER_COLOUR
    assert cell(panel, 1, 2) == "0 / 15 min"
    assert cell(panel, 1, 2, Qt.ItemDataRole.ForegroundRole) is None
    assert panel.summary.text() == "2 waiting · 1 over their quote"
    # the activity list says it in words
    qtbot.waitUntil(
        lambda: any("Waitlist changed" in line for line in at_door.window.activity.lines())
    )


def test_seat_an_entry_on_a_suggested_table(
    qtbot: QtBot, at_door: Desktop, other_desk: Conn, conn: Conn
) -> None:
    panel = panel_of(qtbot, at_door)
    entry = add_elsewhere(other_desk, "Alex Morgan", 4, 15)
    qtbot.waitUntil(lambda: names(panel) == ["Alex Morgan"], timeout=10_000)
    panel.select(entry)
    panel.seat_button.click()
    (dialog,) = panel.findChildren(SeatDialog)
    qtbot.waitUntil(lambda: dialog.tables.count() > 0 and dialog.seat_button.isEnabled())
    assert dialog.tables.item(0).text().startswith("★ ")  # the best fit first
    chosen = dialog.chosen_tables()
    qtbot.mouseClick(dialog.seat_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: names(panel) == [], timeout=10_000)
    booking_id = conn.execute(
        "SELECT booking_id FROM waitlist WHERE id = %s AND state = 'seated'", [entry]
    ).fetchone()
    assert booking_id is not None
    booked = conn.execute(
        "SELECT b.status, b.source, b.party_size, array_agg(bt.table_id) FROM bookings b "
        "JOIN booking_tables bt ON bt.booking_id = b.id WHERE b.id = %s GROUP BY b.id",
        [booking_id[0]],
    ).fetchone()
    assert booked is not None
    assert booked[:3] == ("seated", "walk_in", 4)
    assert set(booked[3]) == set(chosen)
    window = at_door.window
    qtbot.waitUntil(lambda: bool(window.model.blocks_of(booking_id[0])))  # on the grid
    assert window.statusBar().currentMessage().startswith("Alex Morgan seated — ")


def test_left_removes_the_entry(
    qtbot: QtBot, at_door: Desktop, other_desk: Conn, conn: Conn, night: date
) -> None:
    panel = panel_of(qtbot, at_door)
    desk_clock(other_desk, on_night(night, "22:55"))  # first come, first listed
    gone = add_elsewhere(other_desk, "Robin", 2, None)
    desk_clock(other_desk, on_night(night, "23:00"))
    add_elsewhere(other_desk, "Sam Lee", 2, 5)
    qtbot.waitUntil(lambda: names(panel) == ["Robin", "Sam Lee"], timeout=10_000)
    assert cell(panel, 0, 2) == "5 min"  # no quote given
    asked: list[str] = []

    def confirm(entry: WaitlistEntry) -> bool:
        asked.append(entry.name)
        return True

    panel.confirm_left = confirm
    panel.select(gone)
    panel.left_button.click()
    qtbot.waitUntil(lambda: names(panel) == ["Sam Lee"])
    assert asked == ["Robin"]
    state = conn.execute("SELECT state FROM waitlist WHERE id = %s", [gone]).fetchone()
    assert state == ("left",)


def test_another_desk_seating_a_party_takes_it_off_this_list(
    qtbot: QtBot, at_door: Desktop, other_desk: Conn
) -> None:
    panel = panel_of(qtbot, at_door)
    entry = add_elsewhere(other_desk, "Jo", 2, 10)
    qtbot.waitUntil(lambda: names(panel) == ["Jo"], timeout=10_000)
    table = other_desk.execute(
        "SELECT table_ids[1] FROM waitlist_suggestions(%s, %s) LIMIT 1", [VENUE, entry]
    ).fetchone()
    assert table is not None
    row = other_desk.execute(
        "SELECT success, booking_id FROM seat_from_waitlist(%s, %s, %s)",
        [VENUE, entry, [table[0]]],
    ).fetchone()
    assert row is not None and row[0]
    qtbot.waitUntil(lambda: names(panel) == [], timeout=10_000)
    qtbot.waitUntil(lambda: bool(at_door.window.model.blocks_of(row[1])), timeout=10_000)
