"""The listener's thread callbacks as Qt signals (Electrum's QtEventListener).

``frontdesk.listener.Listener`` calls back on its own thread.  Emitting a
signal from there is safe: receivers live on the GUI thread, so Qt queues
each call to them.  Nothing else here touches the widgets.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QObject, Signal

from frontdesk.listener import Listener, ListenerState
from frontdesk.plan import Change


class LiveUpdates(QObject):
    changes_arrived = Signal(object)  # list[Change]
    state_changed = Signal(str)  # a ListenerState value

    def __init__(self, url: str, venue_id: UUID, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listener = Listener(
            url, venue_id, on_changes=self._on_changes, on_state=self._on_state
        )

    @property
    def state(self) -> ListenerState:
        return self._listener.state

    def start(self) -> None:
        self._listener.start()

    def stop(self) -> None:
        """Stop the thread; no signal is emitted after this returns."""
        self._listener.stop()

    # Listener thread ------------------------------------------------------

    def _on_changes(self, changes: list[Change]) -> None:
        self.changes_arrived.emit(changes)

    def _on_state(self, state: ListenerState) -> None:
        self.state_changed.emit(state.value)
