"""Where frontdesk keeps its things and which database it talks to.

Read once, at start-up, from the environment and from the connection this
computer saved (``connection.json`` in the data folder, written by the
window's settings dialog); nothing here touches the network.  Which database,
first match wins: ``FRONTDESK_DATABASE_URL``, the saved connection, the
private embedded server.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import psycopg

from frontdesk.problems import SetupProblem

APP_NAME = "frontdesk"

#: The venue's server, shared by every desk.  Unset: the saved connection, else
#: the private embedded server.
DATABASE_URL_ENV = "FRONTDESK_DATABASE_URL"
#: A direct URL for live updates when FRONTDESK_DATABASE_URL goes through a
#: transaction-pooling PgBouncer (LISTEN needs a session of its own).
LISTEN_URL_ENV = "FRONTDESK_LISTEN_URL"
#: Overrides the user data folder (the embedded server's data lives below it).
DATA_DIR_ENV = "FRONTDESK_DATA_DIR"
TERMINAL_ENV = "FRONTDESK_TERMINAL"
STAFF_ENV = "FRONTDESK_STAFF"

#: The venue server this computer connects to, in the data folder (it holds a
#: password: readable by this user only).
CONNECTION_FILE = "connection.json"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    log_dir: Path
    terminal: str
    staff_name: str
    listen_url: str | None = None
    #: True when database_url came from FRONTDESK_DATABASE_URL, which wins
    #: over a saved connection.
    database_url_from_env: bool = False

    @property
    def embedded_data_dir(self) -> Path:
        return self.data_dir / "postgres"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Raises SetupProblem when the saved connection file is damaged."""
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get(DATA_DIR_ENV) or platformdirs.user_data_path(APP_NAME))
        log_dir = (
            data_dir / "logs" if env.get(DATA_DIR_ENV) else platformdirs.user_log_path(APP_NAME)
        )
        database_url = env.get(DATABASE_URL_ENV) or None
        listen_url = env.get(LISTEN_URL_ENV) or None
        if database_url is None:
            saved = load_connection(data_dir)
            if saved is not None:
                database_url = saved.database_url
                listen_url = listen_url or saved.listen_url
        return cls(
            database_url=database_url,
            listen_url=listen_url,
            data_dir=data_dir,
            log_dir=log_dir,
            terminal=env.get(TERMINAL_ENV) or socket.gethostname(),
            staff_name=env.get(STAFF_ENV) or "Host",
            database_url_from_env=bool(env.get(DATABASE_URL_ENV)),
        )


@dataclass(frozen=True)
class SavedConnection:
    """The venue's server as this computer saved it."""

    database_url: str
    listen_url: str | None = None


def connection_file(data_dir: Path) -> Path:
    return data_dir / CONNECTION_FILE


def load_connection(data_dir: Path) -> SavedConnection | None:
    """The saved connection, or None when there is none.

    Raises SetupProblem when the file cannot be read or is not what
    save_connection writes: a desk must not quietly fall back to its private
    database when it was meant to join the venue's.
    """
    path = connection_file(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SetupProblem(f"Cannot read the saved connection {path}: {exc}") from exc
    try:
        data = json.loads(text)
        url = data["database_url"]
        listen = data.get("listen_url")
        if not isinstance(url, str) or not url or not isinstance(listen, str | None):
            raise ValueError("database_url must be a URL, listen_url a URL or null")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SetupProblem(
            f"The saved connection {path} is damaged ({exc}): save it again in the desk's "
            "settings, or delete the file to use the private database."
        ) from exc
    return SavedConnection(url, listen or None)


def save_connection(data_dir: Path, url: str, listen_url: str | None = None) -> Path:
    """Save the venue server this computer connects to; a restart applies it.

    The file is readable by this user only (it holds a password) and replaced
    atomically.  Raises SetupProblem when a URL does not parse.
    """
    for value in (url, listen_url):
        if value is not None:
            _require_url(value)
    data = {"database_url": url, "listen_url": listen_url or None}
    path = connection_file(data_dir)
    write_private_file(path, json.dumps(data, indent=2) + "\n")
    return path


def clear_connection(data_dir: Path) -> bool:
    """Forget the saved connection (the private database is used from the next
    start); False when there was none."""
    try:
        connection_file(data_dir).unlink()
    except FileNotFoundError:
        return False
    return True


def _require_url(url: str) -> None:
    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise SetupProblem(f"That is not a database URL: {exc}") from exc


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only (0600), atomically:
    the file is created under another name with that mode, then renamed.
    (On Windows the mode is not used; the user's data folder is theirs.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
