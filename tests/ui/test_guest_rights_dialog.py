# mypy: disable-error-code="no-untyped-call"
"""The manager's "Guest data" dialog (ui/guest_rights_dialog.py), on fake
calls run through the real ``Ops`` (worker threads, answers on the UI
thread).  What the engine exports and erases is tested in
tests/core/test_guest_rights.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.desk import Customer, Desk
from frontdesk.errors import Refused
from frontdesk.guest_rights import GuestData, Held
from frontdesk.plan import Change
from ui import text
from ui.guest_rights_dialog import (
    EraseConfirmation,
    GuestDataCalls,
    GuestRightsDialog,
    open_guest_rights_dialog,
)
from ui.ops import Ops

VENUE = uuid4()
TABLE = uuid4()


class FakeGuests:
    """Two guests; records what the dialog asks, from the worker threads."""

    def __init__(self) -> None:
        self.ruby = Customer(
            uuid4(),
            "Ruby Ahmed",
            "+447700911406",
            "ruby@example.com",
            date(1995, 2, 4),
            "Likes Booth 3",
        )
        self.oliver = Customer(uuid4(), "Oliver Green", None, "oliver@example.com", None, None)
        self.guests = {c.id: c for c in (self.ruby, self.oliver)}
        self.erased: list[UUID] = []
        self.exported: list[UUID] = []
        self.refuse_erase: Refused | None = None
        self.hold_search: dict[str, threading.Event] = {}

    def calls(self) -> GuestDataCalls:
        return GuestDataCalls(search=self.search, export=self.export, erase=self.erase)

    def search(self, _desk: Desk, typed: str) -> Sequence[Customer]:
        if typed in self.hold_search:
            assert self.hold_search[typed].wait(10)
        words = typed.lower().split()
        return [
            c
            for c in self.guests.values()
            if all(w in c.name.lower() or w in (c.email or "") for w in words)
        ]

    def export(self, _desk: Desk, customer_id: UUID) -> GuestData:
        self.exported.append(customer_id)
        c = self.guests[customer_id]
        erased = customer_id in self.erased
        return {
            "generated_at": "2026-11-30T12:00:00+00:00",
            "venue": {"id": str(VENUE), "name": "The Backroom Leeds"},
            "profile": {
                "id": str(c.id),
                "name": "Erased guest" if erased else c.name,
                "phone": None if erased else c.phone,
                "email": None if erased else c.email,
                "date_of_birth": None
                if erased or not c.date_of_birth
                else c.date_of_birth.isoformat(),
                "notes": None if erased else c.notes,
                "erased_at": "2026-11-30T12:00:00+00:00" if erased else None,
            },
            "bookings": [
                {
                    "id": str(UUID(int=n)),
                    "night": f"2026-12-0{n}",
                    "table_ids": [str(TABLE)],
                    "special_requests": None if erased or n == 2 else "Near the DJ",
                    "occasion": None,
                }
                for n in (1, 2)
            ]
            if c is self.ruby
            else [],
            "waitlist": [{"id": str(UUID(int=7))}] if c is self.ruby and not erased else [],
            "spend": [
                {"id": str(UUID(int=8)), "note": None if erased else "Paid by Ruby's card"},
                {"id": str(UUID(int=9)), "note": None},
            ]
            if c is self.ruby
            else [],
            "audit": [{"id": 1}, {"id": 2}, {"id": 3}],
        }

    def erase(self, _desk: Desk, customer_id: UUID) -> None:
        if self.refuse_erase is not None:
            raise self.refuse_erase
        self.erased.append(customer_id)


@pytest.fixture
def guests() -> FakeGuests:
    return FakeGuests()


@pytest.fixture
def ops() -> Iterator[Ops]:
    # the calls are fakes: the desk is only what Ops itself reads
    runner = Ops(cast(Desk, SimpleNamespace(signed_in=None)))
    yield runner
    runner.shutdown()


@pytest.fixture
def dialog(qtbot: QtBot, ops: Ops, guests: FakeGuests) -> GuestRightsDialog:
    d = GuestRightsDialog(ops, guests.calls())
    qtbot.addWidget(d)
    d.show()
    return d


def find(qtbot: QtBot, dialog: GuestRightsDialog, typed: str, count: int = 1) -> None:
    qtbot.keyClicks(dialog.search, typed)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.results.count() == count)


def choose(qtbot: QtBot, dialog: GuestRightsDialog, row: int = 0) -> Held:
    dialog.results.setCurrentRow(row)
    qtbot.waitUntil(lambda: dialog.held is not None)
    assert dialog.held is not None
    return dialog.held


def test_finding_a_guest_shows_what_is_held(
    qtbot: QtBot, dialog: GuestRightsDialog, guests: FakeGuests
) -> None:
    assert not dialog.export_button.isEnabled() and not dialog.erase_button.isEnabled()
    find(qtbot, dialog, "ruby")
    phone = text.phone(guests.ruby.phone)
    assert dialog.results.item(0).text() == f"Ruby Ahmed — {phone} · ruby@example.com"
    held = choose(qtbot, dialog)
    assert held.customer_id == guests.ruby.id
    shown = dialog.details.text()
    for words in (
        "Ruby Ahmed",
        f"Phone: {phone}",
        "Email: ruby@example.com",
        "Date of birth: 04 February 1995",
        "Notes: Likes Booth 3",
        "2 bookings, 01 Dec 2026 to 02 Dec 2026",
        "1 booking with requests or an occasion",
        "1 waitlist entry",
        "1 note with spend on their bookings",
        "3 audit entries about them",
    ):
        assert words in shown
    assert dialog.export_button.isEnabled() and dialog.erase_button.isEnabled()


def test_nobody_found_says_so(qtbot: QtBot, dialog: GuestRightsDialog) -> None:
    find(qtbot, dialog, "zebedee", count=0)
    qtbot.waitUntil(lambda: dialog.message.text() == "Nobody found.")


def test_a_late_answer_to_an_older_search_is_dropped(
    qtbot: QtBot, dialog: GuestRightsDialog, guests: FakeGuests, ops: Ops
) -> None:
    guests.hold_search["green"] = threading.Event()
    qtbot.keyClicks(dialog.search, "green")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    dialog.search.clear()
    find(qtbot, dialog, "ruby")
    guests.hold_search["green"].set()
    qtbot.waitUntil(lambda: not ops.busy)
    assert [
        dialog.results.item(i).text().split(" —")[0] for i in range(dialog.results.count())
    ] == ["Ruby Ahmed"]


def test_export_saves_the_guests_data_as_json(
    qtbot: QtBot, dialog: GuestRightsDialog, guests: FakeGuests, tmp_path: Path
) -> None:
    find(qtbot, dialog, "ruby")
    choose(qtbot, dialog)
    asked: list[str] = []

    def ask(_parent: QWidget, caption: str, suggested: str, _filter: str) -> str:
        asked.append(suggested)
        return str(tmp_path / "ruby.json")

    dialog.ask_save_path = ask
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved to"))
    data = json.loads((tmp_path / "ruby.json").read_text(encoding="utf-8"))
    assert data["profile"]["email"] == "ruby@example.com"
    assert asked and str(guests.ruby.id) in asked[0] and "Ruby" not in asked[0]
    assert guests.exported == [guests.ruby.id, guests.ruby.id]  # read afresh to save
    assert dialog.folder == tmp_path


def test_export_cancelled_reads_nothing(
    qtbot: QtBot, dialog: GuestRightsDialog, guests: FakeGuests, ops: Ops
) -> None:
    find(qtbot, dialog, "ruby")
    choose(qtbot, dialog)
    dialog.ask_save_path = lambda *_args: ""
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert not ops.busy and guests.exported == [guests.ruby.id]


def test_erase_asks_then_erases_and_tells_the_grid(
    qtbot: QtBot, dialog: GuestRightsDialog, guests: FakeGuests, ops: Ops
) -> None:
    find(qtbot, dialog, "ruby")
    choose(qtbot, dialog)
    asked: list[Held] = []

    def refuse(_parent: QWidget, held: Held) -> bool:
        asked.append(held)
        return False

    dialog.confirm_erase = refuse
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and guests.erased == [] and not ops.busy

    dialog.confirm_erase = lambda _parent, _held: True
    with qtbot.waitSignal(ops.changed) as told:
        qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert guests.erased == [guests.ruby.id]
    changes: list[Change] = told.args[0]
    assert [c.night for c in changes] == [date(2026, 12, 1), date(2026, 12, 2)]
    assert all(c.venue_id == VENUE and c.table_ids == {TABLE} for c in changes)
    qtbot.waitUntil(lambda: "Erased on 30 November 2026" in dialog.details.text())
    assert "Erased Ruby Ahmed" in dialog.message.text()
    assert "7700" not in dialog.details.text() and "ruby@" not in dialog.details.text()
    assert dialog.results.item(0).text() == "Erased guest"
    assert not dialog.erase_button.isEnabled() and dialog.export_button.isEnabled()


def test_a_refused_erasure_says_why_and_changes_nothing(
    qtbot: QtBot, dialog: GuestRightsDialog, guests: FakeGuests
) -> None:
    guests.refuse_erase = Refused(
        "NOT_ALLOWED", "Only a manager may do that; Priya is signed in as a host."
    )
    find(qtbot, dialog, "ruby")
    choose(qtbot, dialog)
    dialog.confirm_erase = lambda _parent, _held: True
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Only a manager" in dialog.message.text())
    assert guests.erased == [] and dialog.erase_button.isEnabled()
    assert "Ruby Ahmed" in dialog.details.text()


def test_the_confirmation_needs_the_guests_name(qtbot: QtBot, guests: FakeGuests) -> None:
    held = Held(
        customer_id=guests.ruby.id,
        name="Ruby Ahmed",
        phone=None,
        email=None,
        date_of_birth=None,
        notes=None,
        erased_at=None,
        bookings=2,
        first_night=None,
        last_night=None,
        with_free_text=0,
        audit_entries=0,
    )
    confirm = EraseConfirmation(held)
    qtbot.addWidget(confirm)
    confirm.show()
    shown = " ".join(label.text() for label in confirm.findChildren(QLabel))
    assert "Erase Ruby Ahmed?" in shown
    assert "special requests" in shown and "It keeps their bookings" in shown
    assert not confirm.erase_button.isEnabled()
    qtbot.keyClicks(confirm.typed, "Ruby")
    assert not confirm.erase_button.isEnabled()
    confirm.accept()  # Enter with the wrong name: still open
    assert confirm.isVisible()
    confirm.typed.setText("  ruby   AHMED ")
    assert confirm.erase_button.isEnabled()
    with qtbot.waitSignal(confirm.accepted):
        qtbot.mouseClick(confirm.erase_button, Qt.MouseButton.LeftButton)


def test_open_guest_rights_dialog_opens_one_deleted_on_close(
    qtbot: QtBot, ops: Ops, guests: FakeGuests
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = open_guest_rights_dialog(parent, ops, guests.calls())
    assert dialog.isVisible() and dialog.windowTitle() == "Guest data"
    assert dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    with qtbot.waitSignal(dialog.destroyed):
        dialog.close()


def test_the_default_calls_are_the_desks(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(
        "frontdesk.guest_rights.export_guest", lambda db, venue, cid: seen.append((db, venue, cid))
    )
    desk = cast(Desk, type("FakeDesk", (), {"db": "DB", "venue_id": VENUE})())
    customer = uuid4()
    GuestDataCalls().export(desk, customer)
    assert seen == [("DB", VENUE, customer)]
