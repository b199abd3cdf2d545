# mypy: disable-error-code="no-untyped-call"
"""Screenshots of the guest card and the waitlist, for docs/ and the guides.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/ui/guest_screenshots.py \\
        --basetemp=/tmp/bt-shots

Not collected with the suite (the name has no ``test_``): run it by name.
The same machinery as tests/ui/host_screenshots.py (a fresh demo database,
the next La Fiesta Friday at 23:20 by the engine's clock and the window's);
the guest's tags, notes and past visits, and the waiting parties, are
written first.  Saves docs/screenshot-guest-card.png and
docs/screenshot-waitlist.png, and the host guide's guest-card.png and
waitlist.png in resources/help/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from tests import logins
from tests.clock import SETTING, on_night, set_session_clock
from tests.core.desk_helpers import VENUE, insert_booking
from tests.ui.conftest import Conn
from tests.ui.host_screenshots import DOCS, HELP, at_2320, save, settle_paint, styled
from ui.composition import Desktop

__all__ = ["at_2320", "styled"]  # the fixtures, used here by name


def regular_vip(conn: Conn, friday: date) -> str:
    """The demo's first guest (by email) as a VIP regular with a note, three
    past visits with spend and a no-show; their email."""
    row = conn.execute(
        "SELECT id, email FROM customers WHERE venue_id = %s ORDER BY email LIMIT 1", [VENUE]
    ).fetchone()
    assert row is not None
    customer, email = row
    for weeks, status, spend in (
        (3, "completed", "420.00"),
        (6, "completed", "610.50"),
        (9, "no_show", None),
        (12, "completed", "380.00"),
    ):
        night = friday - timedelta(weeks=weeks)
        set_session_clock(conn, on_night(night, "20:00"))  # booked before it was past
        booking = insert_booking(conn, ["Booth 1"], night, "22:00", "01:00", status=status)
        if spend:
            conn.execute(
                "INSERT INTO booking_spend (venue_id, booking_id, amount) VALUES (%s, %s, %s)",
                [VENUE, booking, Decimal(spend)],
            )
    set_session_clock(conn, None)
    conn.execute(
        "INSERT INTO customer_tags (venue_id, customer_id, tag_id) "
        "SELECT venue_id, %s, id FROM guest_tags "
        "WHERE venue_id = %s AND name IN ('VIP', 'Allergy')",
        [customer, VENUE],
    )
    conn.execute(
        "UPDATE customers SET notes = 'Nut allergy; prefers a booth near the DJ' WHERE id = %s",
        [customer],
    )
    return str(email)


def test_the_guest_card_in_the_booking_dialog(
    qtbot: QtBot, at_2320: Desktop, conn: Conn, friday: date
) -> None:
    email = regular_vip(conn, friday)
    window = at_2320.window
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.table_at(r) is not None)
    table = model.table_at(row)
    assert table is not None
    slots = model.slots
    dialog = window.new_booking_at(table.id, slots[-12].starts_at, slots[-4].starts_at)
    assert dialog is not None
    dialog.resize(1100, 760)
    qtbot.waitUntil(lambda: dialog.when.ends.count() > 0)
    dialog.guest.search.setText(email)
    dialog.guest.search_changed.emit(email)
    qtbot.waitUntil(lambda: dialog.guest.results.count() == 1, timeout=10_000)
    dialog.guest.results.itemClicked.emit(dialog.guest.results.item(0))
    card = dialog.guest.card
    qtbot.waitUntil(lambda: card.isVisible() and card.chip_texts() != [], timeout=10_000)
    dialog.when.party.setValue(4)
    settle_paint(qtbot, dialog)
    save(dialog.grab(), DOCS / "screenshot-guest-card.png")
    save(dialog.grab(), HELP / "guest-card.png", width=1000)
    dialog.reject()


@pytest.fixture
def door(desk_url: str, at_2320: Desktop) -> Iterator[Conn]:
    with psycopg.connect(desk_url, autocommit=True) as conn:
        logins.sign_in(conn, VENUE, "Sam", "1357", terminal="DOOR")
        yield conn


def test_the_waitlist_with_one_party_over_its_quote(
    qtbot: QtBot, at_2320: Desktop, door: Conn, friday: date
) -> None:
    def at(hhmm: str) -> None:
        conn_now = on_night(friday, hhmm).isoformat()
        door.execute("SELECT set_config(%s, %s, false)", [SETTING, conn_now])

    def add(name: str, party: int, quoted: int, notes: str | None = None) -> object:
        row = door.execute(
            "SELECT success, entry_id FROM add_to_waitlist(%s, %s, %s, NULL, %s, %s)",
            [VENUE, name, party, quoted, notes],
        ).fetchone()
        assert row is not None and row[0], row
        return row[1]

    at("22:20")
    seated = add("Chris Patel", 2, 15)
    at("22:38")  # seated after 18 minutes: the night's average wait
    table = door.execute(
        "SELECT table_ids FROM waitlist_suggestions(%s, %s) LIMIT 1", [VENUE, seated]
    ).fetchone()
    assert table is not None
    row = door.execute(
        "SELECT success, error_message FROM seat_from_waitlist(%s, %s, %s)",
        [VENUE, seated, table[0]],
    ).fetchone()
    assert row is not None and row[0], row
    at("22:50")
    add("Jordan Lee", 4, 15, "By the bar; birthday")
    at("23:05")
    add("Sasha Novak", 2, 20)
    at("23:15")
    add("Kim Osei", 6, 30, "Wants a booth")
    window = at_2320.window
    panel = window.waitlist
    window.side.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: len(panel.model.entries) == 3, timeout=10_000)
    panel.select(panel.model.entries[1].id)  # the first, over its quote, shows its red
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    settle_paint(qtbot, window)
    save(window.grab(), DOCS / "screenshot-waitlist.png")
    save(window.grab(), HELP / "waitlist.png", width=1200)
