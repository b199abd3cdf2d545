"""Plain-text progress on stderr: a bar that redraws on a terminal, a line per
step otherwise (logs, CI, the tests)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30


class Progress:
    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._label = ""
        self._seconds = 0.0
        self._started = 0.0

    def note(self, text: str) -> None:
        if not self.quiet:
            print(f"loadtest: {text}", file=self.stream, flush=True)

    def start(self, label: str, seconds: float) -> None:
        self._label, self._seconds, self._started = label, seconds, time.monotonic()
        if self.quiet:
            return
        if self.tty:
            self.tick(0.0)
        else:
            length = f" ({seconds:.0f} s)" if seconds > 0 else ""
            print(f"loadtest: {label}{length} ...", file=self.stream, flush=True)

    def tick(self, elapsed: float) -> None:
        if self.quiet or not self.tty:
            return
        frac = min(1.0, elapsed / self._seconds) if self._seconds > 0 else 1.0
        done = int(frac * _WIDTH)
        bar = "#" * done + "." * (_WIDTH - done)
        print(
            f"\rloadtest: {self._label:<28} [{bar}] {elapsed:5.1f}/{self._seconds:.0f} s",
            end="",
            file=self.stream,
            flush=True,
        )

    def done(self, summary: str = "") -> None:
        if self.quiet:
            return
        took = time.monotonic() - self._started
        if self.tty:
            self.tick(self._seconds)
            print(f"  {summary}", file=self.stream, flush=True)
        else:
            print(
                f"loadtest: {self._label} done in {took:.1f} s  {summary}",
                file=self.stream,
                flush=True,
            )
