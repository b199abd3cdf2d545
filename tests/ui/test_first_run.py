"""The first run on an empty database: the demo, or a venue of one's own
set up from nothing to its first booking (timed); a venue's server without a
venue says who must set it up; the venue picker when there are several."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.desk import BookingRequest
from frontdesk.errors import Refused
from frontdesk.plan import Status
from tests.ui.conftest import make_settings, settle, sign_in, window_store
from ui.composition import NO_VENUE, Desktop
from ui.first_run import FirstRunDialog
from ui.venue_picker import KEY, VenuePicker

#: What a new venue's manager types at the first run.
CRYPT = {"name": "The Crypt", "zone": "Europe/Dublin", "currency": "EUR", "country": "IE"}


@pytest.fixture
def empty_desk_url(db_url: str, login_url: Callable[[str, str | None], str]) -> str:
    """A desk's login on a migrated database with no venue."""
    return login_url(db_url, "desk")


@pytest.fixture
def desktops() -> Iterator[list[Desktop]]:
    opened: list[Desktop] = []
    yield opened
    for desktop in opened:
        desktop.close()
    QApplication.processEvents()


def when_shown(kind: type, act: Callable[[object], None]) -> None:
    """Act on the first dialog of ``kind`` once its own loop (exec) runs."""

    def look() -> None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        if found:
            act(found[0])
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


def fill_in_my_venue(dialog: object) -> None:
    assert isinstance(dialog, FirstRunDialog)
    dialog.own_button.click()
    dialog.name.setText(CRYPT["name"])
    dialog.zone.setCurrentText(CRYPT["zone"])
    dialog.currency.setText(CRYPT["currency"])
    dialog.country.setText(CRYPT["country"])
    dialog.manager.setText("Maeve")
    dialog.pin.setText("2580")
    dialog.pin_again.setText("2580")
    dialog.make_venue()


def test_a_new_venue_from_nothing_to_its_first_booking(
    qtbot: QtBot,
    db_url: str,
    empty_desk_url: str,
    tmp_path: Path,
    desktops: list[Desktop],
    capsys: pytest.CaptureFixture[str],
) -> None:
    steps: list[tuple[str, float]] = []
    started = time.perf_counter()

    def step(what: str) -> None:
        steps.append((what, time.perf_counter() - started))

    # 1. First run: "Set up my venue", its name, clock, currency, phone
    #    country and its manager (the owner creates both).
    when_shown(FirstRunDialog, fill_in_my_venue)
    desktop = Desktop(
        make_settings(empty_desk_url, tmp_path),
        empty_desk_url,
        store=window_store(tmp_path),
        owner_url=db_url,
    )
    desktops.append(desktop)
    assert desktop.desk.venue_name == "The Crypt"
    step("first run: venue and manager created")
    desktop.window.resize(1600, 1000)
    desktop.start()
    qtbot.waitExposed(desktop.window)
    # 2. The manager signs in; the Setup window opens by itself.
    sign_in(qtbot, desktop, "Maeve", pin="2580")
    step("window open, manager signed in")
    setup = desktop.setup_window
    assert setup is not None
    qtbot.waitUntil(lambda: setup.document.loaded, timeout=15_000)
    # 3. A floor, three tables (two joined), hours on every day.
    page = setup.tables_page
    page.new_floor()
    page.floors_model.setData(page.floors_model.index(0, 0), "Main room")
    tables = page.tables_model
    for name, seats, spend in (("Booth 1", 4, "100"), ("Booth 2", 4, "100"), ("Bar 1", 2, "0")):
        page.new_table()
        row = len(tables.items()) - 1
        tables.setData(tables.index(row, 0), name)
        tables.setData(tables.index(row, 2), str(seats))
        tables.setData(tables.index(row, 3), spend)
    tables.setData(tables.index(0, 8), "Booth 2")
    # Monday opened and set to 18:00 → 03:00 first: each day opened after it
    # takes the hours of the open day before it, so every night is 18:00 → 03:00
    # and the booking below fits whatever weekday the test runs on.
    hours = setup.hours_page.model
    for day in range(7):
        hours.setData(
            hours.index(day, 1), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
        if day == 0:
            hours.setData(hours.index(0, 2), "18:00")
    assert {h["opens"] for h in setup.document.doc["hours"].values()} == {"18:00"}
    assert [t["floor"] for t in tables.items()] == ["Main room"] * 3
    assert set(setup.document.doc["hours"]) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    step("setup edited: 1 floor, 3 tables, hours")
    setup.save()
    qtbot.waitUntil(lambda: setup.status.text().startswith("Saved"), timeout=15_000)
    step("setup saved")
    setup.close()
    # 4. A night a week ahead, on the grid, and the first booking.
    night = desktop.desk.current_night() + timedelta(days=7)
    desktop.window.night.show_night(night)
    settle(qtbot, desktop)
    plan = desktop.window.model.plan
    assert plan is not None and [t.name for t in plan.tables] == ["Booth 1", "Booth 2", "Bar 1"]
    assert plan.currency == "EUR" and desktop.window.windowTitle() == "frontdesk — The Crypt"
    booth = plan.tables[0]
    assert plan.opens_at is not None
    starts = plan.opens_at + timedelta(hours=4)
    result = desktop.desk.book(
        BookingRequest(
            night=night,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=150),
            party_size=4,
            table_ids=(booth.id,),
            customer_name="Aoife Byrne",
            phone="087 123 4567",
        )
    )
    assert result.reference.startswith("BR-")
    qtbot.waitUntil(
        lambda: desktop.window.model.booking(result.booking_id) is not None, timeout=15_000
    )
    booking = desktop.window.model.booking(result.booking_id)
    assert booking is not None and booking.status is Status.CONFIRMED
    assert booking.customer_phone == "+353871234567"  # read as an Irish number
    step("first booking on the grid")
    with capsys.disabled():
        print("\nA new venue from nothing to its first booking:")
        for what, at in steps:
            print(f"  {at:6.2f} s  {what}")


def test_the_demo_from_the_first_run(
    qtbot: QtBot, db_url: str, empty_desk_url: str, tmp_path: Path, desktops: list[Desktop]
) -> None:
    def demo(dialog: object) -> None:
        assert isinstance(dialog, FirstRunDialog)
        dialog.demo_button.click()

    when_shown(FirstRunDialog, demo)
    desktop = Desktop(
        make_settings(empty_desk_url, tmp_path),
        empty_desk_url,
        store=window_store(tmp_path),
        owner_url=db_url,
        live=False,
    )
    desktops.append(desktop)
    assert desktop.desk.venue_name == "The Backroom Leeds"


def test_a_refused_venue_stays_on_the_form(qtbot: QtBot, db_url: str) -> None:
    dialog = FirstRunDialog(db_url, terminal="TEST")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.own_button.click()
    dialog.name.setText("The Crypt")
    dialog.manager.setText("Maeve")
    dialog.pin.setText("2580")
    dialog.pin_again.setText("2581")
    dialog.make_venue()
    assert dialog.problem.text() == "The two PINs differ: type it again."
    dialog.pin_again.setText("2580")
    dialog.currency.setText("EU")
    dialog.make_venue()
    assert dialog.problem.text() == "The currency is three letters, like GBP or EUR."
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM venues").fetchone() == (0,)


def test_a_desk_login_on_a_venue_server_with_no_venue_is_told_who_sets_it_up(
    empty_desk_url: str, tmp_path: Path
) -> None:
    with pytest.raises(Refused) as refused:
        Desktop(
            make_settings(empty_desk_url, tmp_path), empty_desk_url, store=window_store(tmp_path)
        )
    assert refused.value.message == NO_VENUE
    assert "frontdesk venue import" in NO_VENUE


def test_several_venues_are_picked_from_and_the_choice_is_kept(
    qtbot: QtBot,
    demo_db_url: str,
    desk_url: str,
    tmp_path: Path,
    desktops: list[Desktop],
) -> None:
    with psycopg.connect(demo_db_url, autocommit=True) as conn:
        conn.execute(
            "SELECT * FROM save_venue_setup(NULL, "
            '\'{"name": "The Crypt", "time_zone": "Europe/Dublin"}\'::jsonb)'
        )

    def pick_the_crypt(dialog: object) -> None:
        assert isinstance(dialog, VenuePicker)
        dialog.list.setCurrentRow(1)
        dialog.accept()

    when_shown(VenuePicker, pick_the_crypt)
    store = window_store(tmp_path)
    first = Desktop(make_settings(desk_url, tmp_path), desk_url, store=store, live=False)
    desktops.append(first)
    assert first.desk.venue_name == "The Crypt"
    assert store.value(KEY) == str(first.desk.venue_id)
    again = Desktop(make_settings(desk_url, tmp_path), desk_url, store=store, live=False)
    desktops.append(again)
    assert again.desk.venue_id == first.desk.venue_id  # not asked again
