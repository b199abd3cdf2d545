"""The settings dialog: test a connection off the UI thread, save it, forget it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from frontdesk import logins
from frontdesk.settings import Settings, connection_file, load_connection, save_connection
from tests.core.test_logins import channel_groups, drop_role
from ui import settings_dialog
from ui.settings_dialog import SettingsDialog

ANSWER_MS = 15_000


def private_settings(folder: Path, url: str | None = None) -> Settings:
    return Settings(
        database_url=url,
        data_dir=folder,
        log_dir=folder / "logs",
        terminal="TEST-DESK",
        staff_name="Priya",
    )


@pytest.fixture
def desk_url(db_url: str) -> Iterator[str]:
    """A desk login's URL on a current test database, as add-login prints it."""
    channel_groups(db_url)
    name = f"fd_desk_{uuid.uuid4().hex[:10]}"
    url = logins.add_login(db_url, name, "desk")
    yield url
    drop_role(db_url, name)


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path) -> SettingsDialog:
    d = SettingsDialog(private_settings(tmp_path))
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def answered(dialog: SettingsDialog) -> bool:
    text = dialog.answer.text()
    return text.startswith(("✓", "✗"))


def test_a_desk_login_tests_as_working(qtbot: QtBot, dialog: SettingsDialog, desk_url: str) -> None:
    assert dialog.by_url.isChecked()  # nothing saved yet: paste a URL
    QTest.keyClicks(dialog.url, desk_url)
    QTest.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answered(dialog), timeout=ANSWER_MS)
    assert dialog.answer.text().startswith("✓ Connected to")
    assert "a desk login; the database is up to date" in dialog.answer.text()


def test_a_wrong_password_reads_as_such(
    qtbot: QtBot, dialog: SettingsDialog, desk_url: str
) -> None:
    parts = urlsplit(desk_url)
    user = parts.username or ""
    wrong = urlunsplit(parts._replace(netloc=f"{user}:wrong@{parts.netloc.split('@')[1]}"))
    try:
        psycopg.connect(wrong).close()
    except psycopg.OperationalError:
        pass
    else:
        pytest.skip("this test server lets logins in without a password")
    dialog.url.setText(wrong)
    QTest.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answered(dialog), timeout=ANSWER_MS)
    assert dialog.answer.text().startswith("✗ The server at ")
    assert "refused the password for" in dialog.answer.text()
    assert user in dialog.answer.text()
    assert "check the login and password with the venue's admin" in dialog.answer.text()


def test_enter_in_a_field_tests_and_the_window_does_not_wait(
    qtbot: QtBot, dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    calls: list[str] = []

    def slow_check(url: str, timeout: float = 5) -> tuple[bool, str]:
        calls.append(url)
        release.wait(ANSWER_MS / 1000)
        return False, "Cannot reach the server at db.venue.local/frontdesk."

    monkeypatch.setattr(logins, "check_connection", slow_check)
    dialog.by_fields.setChecked(True)
    dialog.host.setText("db.venue.local")
    dialog.login.setText("desk1")
    dialog.password.setText("pw")
    dialog.password.setFocus()
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)

    # Back on the UI thread at once: the check is still waiting on its worker.
    qtbot.waitUntil(lambda: bool(calls), timeout=ANSWER_MS)
    assert dialog.answer.text() == "Testing…"
    assert dialog.isVisible()
    release.set()
    qtbot.waitUntil(lambda: answered(dialog), timeout=ANSWER_MS)
    assert dialog.answer.text() == "✗ Cannot reach the server at db.venue.local/frontdesk."
    assert calls == ["postgresql://desk1:pw@db.venue.local:5432/frontdesk"]


def test_an_answer_to_values_since_edited_is_not_shown(
    qtbot: QtBot, dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    done = threading.Event()

    def slow_check(url: str, timeout: float = 5) -> tuple[bool, str]:
        release.wait(ANSWER_MS / 1000)
        done.set()
        return True, "Connected."

    monkeypatch.setattr(logins, "check_connection", slow_check)
    dialog.url.setText("postgresql://desk1:pw@db.venue.local/frontdesk")
    QTest.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    QTest.keyClicks(dialog.url, "x")  # edited while the test runs
    release.set()
    qtbot.waitUntil(done.is_set, timeout=ANSWER_MS)
    # Delivered (the dialog's slot runs before the carrier lets go of itself).
    qtbot.waitUntil(lambda: not settings_dialog._Result._pending, timeout=ANSWER_MS)
    assert dialog.answer.text() == ""


def test_save_writes_the_connection_for_the_next_start(
    qtbot: QtBot, dialog: SettingsDialog, tmp_path: Path
) -> None:
    dialog.by_fields.setChecked(True)
    dialog.host.setText("db.venue.local")
    dialog.port.setValue(6432)
    dialog.login.setText("desk1")
    dialog.password.setText("p@ss word")
    dialog.listen_url.setText("postgresql://desk1:x@db.venue.local:5432/frontdesk")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    saved = load_connection(tmp_path)
    assert saved is not None
    assert saved.database_url == "postgresql://desk1:p%40ss%20word@db.venue.local:6432/frontdesk"
    assert saved.listen_url == "postgresql://desk1:x@db.venue.local:5432/frontdesk"
    assert dialog.answer.text().startswith("✓ Saved in")
    assert "Restart the desk" in dialog.answer.text()
    assert not dialog.save_button.isEnabled()
    assert dialog.cancel_button.text() == "Close"
    info = psycopg.conninfo.conninfo_to_dict(saved.database_url)
    assert info["password"] == "p@ss word"


def test_missing_fields_are_named_and_nothing_is_saved(
    qtbot: QtBot, dialog: SettingsDialog, tmp_path: Path
) -> None:
    dialog.by_fields.setChecked(True)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.answer.text() == "✗ Fill in the server and login."
    assert not connection_file(tmp_path).exists()


def test_the_saved_connection_fills_the_fields_and_can_be_forgotten(
    qtbot: QtBot, tmp_path: Path
) -> None:
    url = "postgresql://desk1:pw@db.venue.local:6432/venue"
    save_connection(tmp_path, url)
    d = SettingsDialog(private_settings(tmp_path, url))
    qtbot.addWidget(d)
    assert d.by_fields.isChecked()
    assert (d.host.text(), d.port.value(), d.database.text(), d.login.text()) == (
        "db.venue.local",
        6432,
        "venue",
        "desk1",
    )
    assert d.password.echoMode() == d.password.EchoMode.Password
    assert "db.venue.local:6432/venue" in d.now.text()
    assert d.data_dir.text() == str(tmp_path) and d.data_dir.isReadOnly()

    QTest.mouseClick(d.private_button, Qt.MouseButton.LeftButton)
    assert not connection_file(tmp_path).exists()
    assert "private database on this computer from its next start" in d.answer.text()


def test_escape_cancels(qtbot: QtBot, dialog: SettingsDialog, tmp_path: Path) -> None:
    dialog.url.setText("postgresql://desk1:pw@db.venue.local/frontdesk")
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        QTest.keyClick(dialog.url, Qt.Key.Key_Escape)
    assert not connection_file(tmp_path).exists()


def test_a_superuser_works_but_is_told_to_use_a_desk_login(
    qtbot: QtBot, dialog: SettingsDialog, db_url: str
) -> None:
    dialog.url.setText(db_url)  # the test server's superuser
    QTest.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answered(dialog), timeout=ANSWER_MS)
    assert dialog.answer.text().startswith("✓ ")
    assert "should sign in with a desk login of its own" in dialog.answer.text()
