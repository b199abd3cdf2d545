"""The ``frontdesk`` entry point: the core's command line, with the window."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from frontdesk import cli
from frontdesk.settings import Settings


def open_window(settings: Settings, url: str) -> int:
    # Imported here so that `frontdesk db ...` never loads Qt.
    from ui.app import run

    code: int = run(settings, url)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(sys.argv[1:] if argv is None else argv, open_window=open_window)
