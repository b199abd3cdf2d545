# mypy: disable-error-code="no-untyped-call"
"""The database goes away and comes back: a banner, nothing lost, the night reloaded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk import migrations, server
from tests import pg
from tests.ui.conftest import first_event_night
from ui.booking_dialog import OFFLINE_NOTE, BookingDialog
from ui.composition import Desktop


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A server of this test's own, to stop and start."""
    pgdata = tmp_path / "pg" / "data"
    url = server.ensure_running(pgdata, database="frontdesk", extra_settings=pg.FAST_SETTINGS)
    try:
        migrations.upgrade(url)
        migrations.load_demo(url)
        yield pgdata, url
    finally:
        server.stop(pgdata)


def restart(pgdata: Path) -> None:
    server.ensure_running(pgdata, database="frontdesk", extra_settings=pg.FAST_SETTINGS)


@pytest.mark.slow
def test_offline_banner_then_recovery(
    qtbot: QtBot, open_desktop: Callable[..., Desktop], own_server: tuple[Path, str]
) -> None:
    pgdata, url = own_server
    with psycopg.connect(url, autocommit=True) as conn:
        friday = first_event_night(conn)
    desktop = open_desktop(url, friday)
    window = desktop.window
    blocks = window.model.blocks()
    assert blocks and window.banner.isHidden() and window.act_new.isEnabled()
    dialog = window.new_booking()
    assert isinstance(dialog, BookingDialog)
    qtbot.waitUntil(lambda: dialog.when.starts.count() > 0)
    qtbot.mouseClick(dialog.guest.new_guest_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.guest.name, "Offline Olive")
    qtbot.keyClicks(dialog.requests, "Typed while the server was down")
    reloads = window.night.reloads

    assert server.stop(pgdata)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=15_000)
    assert "Can't reach the booking database" in window.banner.message.text()
    assert window.live_indicator.text() == "○ Reconnecting…"
    assert not window.act_new.isEnabled() and not window.act_walk_in.isEnabled()
    assert not window.grid.editable
    assert window.model.blocks() == blocks  # still readable
    assert not dialog.book_button.isEnabled()
    assert dialog.message.text() == OFFLINE_NOTE

    restart(pgdata)
    qtbot.waitUntil(lambda: window.banner.isHidden(), timeout=30_000)
    qtbot.waitUntil(lambda: window.night.reloads > reloads and window.night.settled, timeout=15_000)
    assert window.live_indicator.text() == "● Live"
    assert window.act_new.isEnabled() and window.grid.editable
    assert dialog.book_button.isEnabled()
    assert dialog.guest.name.text() == "Offline Olive"
    assert dialog.requests.toPlainText() == "Typed while the server was down"
    assert not dialog.message.isVisible()
