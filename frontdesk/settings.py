"""Where frontdesk keeps its things and which database it talks to.

Read from the environment once, at start-up; nothing here touches the network.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "frontdesk"

#: The venue's server, shared by every desk.  Unset: the private embedded server.
DATABASE_URL_ENV = "FRONTDESK_DATABASE_URL"
#: A direct URL for live updates when FRONTDESK_DATABASE_URL goes through a
#: transaction-pooling PgBouncer (LISTEN needs a session of its own).
LISTEN_URL_ENV = "FRONTDESK_LISTEN_URL"
#: Overrides the user data folder (the embedded server's data lives below it).
DATA_DIR_ENV = "FRONTDESK_DATA_DIR"
TERMINAL_ENV = "FRONTDESK_TERMINAL"
STAFF_ENV = "FRONTDESK_STAFF"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    log_dir: Path
    terminal: str
    staff_name: str
    listen_url: str | None = None

    @property
    def embedded_data_dir(self) -> Path:
        return self.data_dir / "postgres"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get(DATA_DIR_ENV) or platformdirs.user_data_path(APP_NAME))
        log_dir = (
            data_dir / "logs" if env.get(DATA_DIR_ENV) else platformdirs.user_log_path(APP_NAME)
        )
        return cls(
            database_url=env.get(DATABASE_URL_ENV) or None,
            listen_url=env.get(LISTEN_URL_ENV) or None,
            data_dir=data_dir,
            log_dir=log_dir,
            terminal=env.get(TERMINAL_ENV) or socket.gethostname(),
            staff_name=env.get(STAFF_ENV) or "Host",
        )
