"""The audit log window shows issue 15's changes in words: spend recorded at
a desk is a line of its booking ("Spend recorded", "£45 — bottle of Grey
Goose"), and the kind box's "Spend and deposits" keeps to it.

The window runs on its own ``Ops`` over a superuser's connection to a fresh
demo database (the owner needs no session); the spend is recorded by a
real desk login signed in as Priya.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from tests import logins
from tests.core.desk_helpers import VENUE, insert_booking, one, quiet_friday
from tests.ui.conftest import Conn
from ui.audit_window import KIND_CHOICES, AuditWindow, open_audit_window
from ui.ops import Ops

WAIT = 15_000


@pytest.fixture
def ops(qtbot: QtBot, demo_db_url: str) -> Iterator[Ops]:
    database = Database(demo_db_url, staff=StaffContext(terminal="OFFICE", staff_name="Sam"))
    ops = Ops(Desk(database, VENUE, wait=lambda _s: None))
    yield ops
    ops.shutdown()
    database.close()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _settled(qtbot: QtBot, window: AuditWindow) -> None:
    qtbot.waitUntil(
        lambda: not window._filter_timer.isActive() and window.message.text() != "Reading…",
        timeout=WAIT,
    )


def test_the_window_shows_a_spend_line(
    qtbot: QtBot,
    parent: QWidget,
    ops: Ops,
    conn: Conn,
    demo_db_url: str,
    login_url: Callable[[str, str | None], str],
) -> None:
    booking = insert_booking(conn, ["Booth 3"], quiet_friday(conn), "22:00", "00:30", party=4)
    reference = one(conn, "SELECT reference FROM bookings WHERE id = %s", [booking])[0]
    with psycopg.connect(login_url(demo_db_url, "desk"), autocommit=True) as priya:
        logins.sign_in(priya, VENUE, "Priya", "2468", terminal="DESK-1")
        row = one(priya, "SELECT * FROM record_spend(%s, 45, 'bottle of Grey Goose')", [booking])
        assert row[0], row

    window = open_audit_window(parent, ops)
    _settled(qtbot, window)
    window.kind.setCurrentIndex(
        next(i for i, (label, _) in enumerate(KIND_CHOICES) if label == "Spend and deposits")
    )
    _settled(qtbot, window)
    assert window.model.rowCount() == 1
    cells = [window.model.index(0, column).data() for column in range(7)]
    assert cells[1:4] == ["Priya", "DESK-1", "Spend recorded"]
    assert cells[4].startswith(f"{reference}\n")
    assert cells[5]  # the booking's guest
    assert cells[6] == "£45 — bottle of Grey Goose"
