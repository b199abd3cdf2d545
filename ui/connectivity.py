"""Is the database reachable?  One answer for the whole window.

Two witnesses: the live-update listener (RECONNECTING means its connection
dropped) and the desk calls (a ``ServerUnavailable``).  While either says
no, the window is offline; a probe call every few seconds notices the
server coming back even when the listener did not drop.  Going back online
emits ``back_online`` once, so the night is reloaded (changes may have been
missed).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, QTimer, Signal

from frontdesk.desk import Desk
from frontdesk.listener import ListenerState
from ui.ops import Ops

PROBE_MS = 2000


class Connectivity(QObject):
    online_changed = Signal(bool)
    back_online = Signal()

    def __init__(self, ops: Ops, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._listener_ok = True
        self._calls_ok = True
        self._reason = ""
        self._probe = QTimer(self)
        self._probe.setInterval(PROBE_MS)
        self._probe.timeout.connect(self._send_probe)

    @property
    def online(self) -> bool:
        return self._listener_ok and self._calls_ok

    @property
    def reason(self) -> str:
        return self._reason

    def on_listener_state(self, state: str) -> None:
        was = self.online
        if state == ListenerState.RECONNECTING:
            self._listener_ok = False
            self._reason = "live updates lost"
        elif state == ListenerState.LIVE:
            self._listener_ok = True
            self._calls_ok = True  # it just reached the server
        self._settle(was)

    def on_unavailable(self, message: str) -> None:
        was = self.online
        self._calls_ok = False
        self._reason = message
        self._settle(was)

    def on_reached(self) -> None:
        if not self._calls_ok:
            was = self.online
            self._calls_ok = True
            self._settle(was)

    def _settle(self, was: bool) -> None:
        now = self.online
        if self._calls_ok:
            self._probe.stop()
        elif not self._probe.isActive():
            self._probe.start()
        if now != was:
            self.online_changed.emit(now)
            if now:
                self.back_online.emit()

    def _send_probe(self) -> None:
        self._ops.query(_ping, owner=self, done=self._probe_answered, failed=self._probe_failed)

    def _probe_answered(self, _night: date) -> None:
        pass  # Ops.reached has already told on_reached

    def _probe_failed(self, _exc: Exception) -> None:
        pass  # Ops.unavailable has already told on_unavailable


def _ping(desk: Desk) -> date:
    return desk.current_night()
