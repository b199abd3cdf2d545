"""Coalesce a burst of requests into one call (qutebrowser's throttle).

The first request starts a short timer; requests that arrive before it
fires ride along.  A burst of NOTIFYs therefore costs one reload, not one
per message, and a quiet grid reacts within ``delay_ms``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    def __init__(self, fn: Callable[[], object], delay_ms: int, parent: QObject) -> None:
        super().__init__(parent)
        self._fn = fn
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._fire)

    def request(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def _fire(self) -> None:
        self._fn()
