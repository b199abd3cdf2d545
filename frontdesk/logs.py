"""The app's log: a rotating file in the log folder, each line saying which
terminal and which member of staff it came from.

``setup_logging(settings)`` once at start-up; ``set_staff(name)`` when
someone else signs in at the desk.  Personal data (guests' names, phones,
emails) is never logged: the data layer redacts it before it gets here.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from pathlib import Path

from frontdesk.settings import Settings

LOG_FILE = "frontdesk.log"
FORMAT = "%(asctime)s %(levelname)-7s [%(terminal)s/%(staff)s] %(threadName)s %(name)s: %(message)s"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


class DeskContext(logging.Filter):
    """Puts ``terminal`` and ``staff`` on every record passing through."""

    def __init__(self, terminal: str, staff: str) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.terminal = terminal
        self.staff = staff

    def set_staff(self, staff: str) -> None:
        with self._lock:
            self.staff = staff

    def filter(self, record: logging.LogRecord) -> bool:
        record.terminal = self.terminal
        record.staff = self.staff
        return True


_context: DeskContext | None = None


def setup_logging(
    settings: Settings, *, level: int = logging.INFO, to_stderr: bool = False
) -> Path:
    """Log to ``settings.log_dir/frontdesk.log`` (rotated at 5 MB, 5 kept);
    the file's path.  Safe to call again (replaces its own handlers)."""
    global _context
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    path = settings.log_dir / LOG_FILE
    context = DeskContext(settings.terminal, settings.staff_name)
    formatter = logging.Formatter(FORMAT)

    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_frontdesk", False):
            root.removeHandler(handler)
            handler.close()

    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    ]
    if to_stderr:
        stderr = logging.StreamHandler()
        stderr.setLevel(logging.WARNING)
        handlers.append(stderr)
    for handler in handlers:
        handler.addFilter(context)
        handler.setFormatter(formatter)
        handler._frontdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    _context = context
    return path


def set_staff(staff: str) -> None:
    """The member of staff named on log lines from now on."""
    if _context is not None:
        _context.set_staff(staff)
