"""The app's log file: rotating, each line saying which terminal and who."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk import logs
from frontdesk.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    root = logging.getLogger()
    level = root.level
    yield Settings(
        database_url=None,
        data_dir=tmp_path,
        log_dir=tmp_path / "logs",
        terminal="DESK-3",
        staff_name="Priya",
    )
    for handler in list(root.handlers):
        if getattr(handler, "_frontdesk", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_each_line_says_terminal_and_staff(settings: Settings) -> None:
    path = logs.setup_logging(settings)
    assert path == settings.log_dir / "frontdesk.log"
    logging.getLogger("frontdesk.test").info("booked %s", "BR-261204-ABCDEF")
    logs.set_staff("Dan")
    logging.getLogger("frontdesk.test").warning("moved")
    for handler in logging.getLogger().handlers:
        handler.flush()
    first, second = path.read_text(encoding="utf-8").splitlines()[-2:]
    assert "[DESK-3/Priya]" in first and "booked BR-261204-ABCDEF" in first
    assert "[DESK-3/Dan]" in second and "WARNING" in second


def test_the_file_rotates_and_setup_twice_adds_no_second_handler(settings: Settings) -> None:
    logs.setup_logging(settings)
    logs.setup_logging(settings)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_frontdesk", False)]
    assert len(ours) == 1
    (handler,) = ours
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == logs.MAX_BYTES and handler.backupCount == logs.BACKUPS
