"""The venue server a computer saved: written privately, read at start, the
environment first."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk import cli
from frontdesk.problems import SetupProblem
from frontdesk.settings import (
    CONNECTION_FILE,
    SavedConnection,
    Settings,
    clear_connection,
    connection_file,
    load_connection,
    save_connection,
)

VENUE = "postgresql://desk1:s3cret@db.venue.local/frontdesk"
DIRECT = "postgresql://desk1:s3cret@db.venue.local:5432/frontdesk"


def env(data_dir: Path, **more: str) -> dict[str, str]:
    return {"FRONTDESK_DATA_DIR": str(data_dir), **more}


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away: the file's mode must still be 0600."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_saved_connection_is_read_back(tmp_path: Path) -> None:
    path = save_connection(tmp_path, VENUE, DIRECT)
    assert path == tmp_path / CONNECTION_FILE
    assert load_connection(tmp_path) == SavedConnection(VENUE, DIRECT)
    save_connection(tmp_path, VENUE)
    assert load_connection(tmp_path) == SavedConnection(VENUE, None)


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps no Unix modes")
def test_only_this_user_may_read_it(tmp_path: Path, open_umask: None) -> None:
    save_connection(tmp_path / "new folder", VENUE)
    path = connection_file(tmp_path / "new folder")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    save_connection(tmp_path / "new folder", DIRECT)  # replaced, still private
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [CONNECTION_FILE]


def test_forgetting_it_goes_back_to_the_private_database(tmp_path: Path) -> None:
    save_connection(tmp_path, VENUE)
    assert clear_connection(tmp_path) is True
    assert clear_connection(tmp_path) is False
    assert load_connection(tmp_path) is None
    assert Settings.from_env(env(tmp_path)).database_url is None


def test_settings_use_the_saved_connection(tmp_path: Path) -> None:
    save_connection(tmp_path, VENUE, DIRECT)
    settings = Settings.from_env(env(tmp_path))
    assert (settings.database_url, settings.listen_url) == (VENUE, DIRECT)
    assert settings.database_url_from_env is False


def test_the_environment_wins(tmp_path: Path) -> None:
    save_connection(tmp_path, VENUE, DIRECT)
    other = "postgresql://desk2:pw@other.local/frontdesk"
    settings = Settings.from_env(env(tmp_path, FRONTDESK_DATABASE_URL=other))
    assert (settings.database_url, settings.listen_url) == (other, None)
    assert settings.database_url_from_env is True

    listen = "postgresql://desk1:s3cret@direct.local/frontdesk"
    settings = Settings.from_env(env(tmp_path, FRONTDESK_LISTEN_URL=listen))
    assert (settings.database_url, settings.listen_url) == (VENUE, listen)


def test_nothing_saved_means_the_private_database(tmp_path: Path) -> None:
    settings = Settings.from_env(env(tmp_path, FRONTDESK_DATABASE_URL=""))
    assert settings.database_url is None and settings.listen_url is None


def test_a_url_that_does_not_parse_is_not_saved(tmp_path: Path) -> None:
    with pytest.raises(SetupProblem, match="not a database URL"):
        save_connection(tmp_path, "db.venue.local frontdesk")
    assert not connection_file(tmp_path).exists()


@pytest.mark.parametrize("text", ["{not json", "[]", '{"listen_url": null}', '{"database_url": 5}'])
def test_a_damaged_file_is_a_problem_not_a_silent_private_database(
    tmp_path: Path, text: str
) -> None:
    connection_file(tmp_path).write_text(text)
    with pytest.raises(SetupProblem, match="is damaged"):
        Settings.from_env(env(tmp_path))


def test_the_command_line_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    connection_file(tmp_path).write_text(json.dumps({"database_url": ""}))
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    assert cli.main(["db", "url"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("frontdesk: The saved connection")
