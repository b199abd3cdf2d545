"""Live updates: changes from every desk (and the website) as they commit.

A plain thread with its own connection, outside the pool and straight to
the server (LISTEN does not survive a transaction-pooling PgBouncer).  It
LISTENs on the venue's channel; each NOTIFY says the change feed has grown,
and the listener reads ``change_summary_since`` the last id it saw, so a burst
becomes one ``Change`` per night, and nothing is missed or told twice after
a dropped connection: it reconnects with backoff, listens again and replays
from the last id.

The engine has no NOTIFY in booking transactions; one relay among the
running apps moves committed changes into the feed and notifies (see
sql/README.md, "Change feed").  Every listener tries to be that relay
(``relay_elect()``, a session lock on a key only the engine can compute); the
one that is calls ``relay_changes()`` every ~50 ms.  The others try again
every ``relay_retry`` seconds and meanwhile call ``relay_if_stalled()``,
which relays committed changes that have waited more than half a second: so
when the relay's app dies, freezes, or an impostor holds the election, the
desks still hear every change within about a second.

Callbacks run on the listener's thread; the window bridges them to Qt.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from frontdesk.plan import Change
from frontdesk.problems import redact

log = logging.getLogger(__name__)

#: Feed rows read (merged per night) at a time.
REPLAY_BATCH = 5000


class ListenerState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


class Listener:
    """Tells ``on_changes`` what changed at the venue, live.

    Coalescing: the first change after a quiet spell goes out at once; what
    arrives in the next ``coalesce_ms`` goes out together at its end, one
    ``Change`` per night.  ``on_state`` hears CONNECTING, LIVE, RECONNECTING
    (LIVE again after a drop: what was missed has been replayed by then, but
    a window may still reload its night to be sure) and STOPPED.
    """

    def __init__(
        self,
        url: str,
        venue_id: UUID,
        *,
        on_changes: Callable[[list[Change]], None],
        on_state: Callable[[ListenerState], None],
        coalesce_ms: int = 50,
        last_id: int | None = None,
        relay: bool = True,
        relay_interval: float = 0.05,
        relay_retry: float = 0.5,
        backoff: tuple[float, float] = (0.2, 5.0),
    ) -> None:
        """``last_id``: replay from after this feed id (None: start from now).
        ``relay``: whether this listener may become the venue's relay."""
        self.url = url
        self.venue_id = venue_id
        self._on_changes = on_changes
        self._on_state = on_state
        self._coalesce = coalesce_ms / 1000
        self._last_id = last_id
        self._may_relay = relay
        self._relay_interval = relay_interval
        self._relay_retry = relay_retry
        self._backoff = backoff
        self._stop = threading.Event()
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None
        self._is_relay = False
        self._state = ListenerState.STOPPED
        self._thread = threading.Thread(target=self._run, name="frontdesk-listener", daemon=True)

    # --- public -------------------------------------------------------------

    @property
    def state(self) -> ListenerState:
        return self._state

    @property
    def last_id(self) -> int | None:
        """The last change-feed id told (None before the first connection)."""
        return self._last_id

    @property
    def is_relay(self) -> bool:
        return self._is_relay

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (for tests)."""
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    def start(self) -> None:
        self._set_state(ListenerState.CONNECTING)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread and close its connection; returns within ~0.1 s
        (at most ``timeout``, when a connection attempt is under way)."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # --- the thread ---------------------------------------------------------

    def _run(self) -> None:
        delay = self._backoff[0]
        while not self._stop.is_set():
            try:
                self._connect()
                delay = self._backoff[0]
                self._serve()
            except psycopg.Error as exc:
                if self._stop.is_set():
                    break
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
                    log.warning("live updates lost (%s); reconnecting in %.1f s", first, delay)
                else:  # a bug in the feed's SQL or ours: keep trying, loudly
                    log.error(
                        "live updates failed (%s); retrying in %.1f s", first, delay, exc_info=True
                    )
                self._disconnect()
                self._set_state(ListenerState.RECONNECTING)
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, self._backoff[1])
            except Exception:
                log.exception("the live-update listener failed; it stops")
                break
        self._disconnect()
        self._set_state(ListenerState.STOPPED)

    def _connect(self) -> None:
        conn = psycopg.connect(
            self.url,
            autocommit=True,
            prepare_threshold=None,
            connect_timeout=5,
            application_name="frontdesk listener",
        )
        self._conn = conn
        row = conn.execute("SELECT channel FROM venues WHERE id = %s", [self.venue_id]).fetchone()
        if row is None:
            raise LookupError(f"no venue {self.venue_id} at {redact(self.url)}")
        # LISTEN before reading where the feed is, so nothing falls between.
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(row[0])))
        self._try_relay_lock()
        if self._is_relay:
            # feed what is committed, so that "now" below includes it
            conn.execute("SELECT relay_changes()")
        if self._last_id is None:
            head = conn.execute("SELECT change_feed_head(%s)", [self.venue_id]).fetchone()
            self._last_id = int(head[0]) if head else 0
        else:
            self._read_and_deliver()  # what happened while we were away
        log.info("live updates on (from feed id %s, relay: %s)", self._last_id, self._is_relay)
        self._set_state(ListenerState.LIVE)

    def _serve(self) -> None:
        conn = self._conn
        assert conn is not None
        now = time.monotonic()
        next_relay = now
        next_lock_try = now + self._relay_retry
        next_delivery = now  # leading edge: the first change goes at once
        pending = False
        while not self._stop.is_set():
            now = time.monotonic()
            if pending and now >= next_delivery:
                self._read_and_deliver()
                pending = False
                next_delivery = now + self._coalesce
            if self._is_relay and now >= next_relay:
                moved = conn.execute("SELECT relay_changes()").fetchone()
                next_relay = now + self._relay_interval
                pending = pending or bool(moved and moved[0])
            elif not self._is_relay and self._may_relay and now >= next_lock_try:
                self._try_relay_lock()
                if not self._is_relay:
                    # the relay may be gone or frozen: relay what waits too long
                    moved = conn.execute("SELECT relay_if_stalled()").fetchone()
                    pending = pending or bool(moved and moved[0])
                next_lock_try = now + self._relay_retry
            wake = [now + 0.1]
            if self._is_relay:
                wake.append(next_relay)
            elif self._may_relay:
                wake.append(next_lock_try)
            if pending:
                wake.append(next_delivery)
            timeout = max(0.0, min(wake) - time.monotonic())
            for notify in list(conn.notifies(timeout=timeout, stop_after=1)):
                pending = pending or self._is_news(notify.payload)

    def _is_news(self, payload: str) -> bool:
        try:
            last_id = int(json.loads(payload)["last_id"])
        except (ValueError, KeyError, TypeError):
            return True  # unknown payload: read to be sure
        return self._last_id is None or last_id > self._last_id

    def _try_relay_lock(self) -> None:
        if not self._may_relay or self._is_relay or self._conn is None:
            return
        row = self._conn.execute("SELECT relay_elect()").fetchone()
        self._is_relay = bool(row and row[0])
        if self._is_relay:
            log.info("this app relays the venue's changes")

    def _read_and_deliver(self) -> None:
        conn = self._conn
        assert conn is not None
        changes: dict[date | None, Change] = {}
        while True:
            # Merged per night by the server: one row per night per page.
            rows = conn.execute(
                "SELECT last_id, night, table_ids, booking_ids, kinds, rows_read"
                " FROM change_summary_since(%s, %s, %s)",
                [self.venue_id, self._last_id or 0, REPLAY_BATCH],
            ).fetchall()
            for change in summary_changes(self.venue_id, rows):
                changes[change.night] = merge(changes.get(change.night), change)
            if rows:
                self._last_id = max(int(row[0]) for row in rows)
            if sum(int(row[5]) for row in rows) < REPLAY_BATCH:
                break
        if not changes:
            return
        try:
            # the layout (no night) first, then the nights in order
            self._on_changes(
                sorted(changes.values(), key=lambda c: (c.night is not None, c.night or date.min))
            )
        except Exception:
            log.exception("a live-update handler failed")

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        self._is_relay = False
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def _set_state(self, state: ListenerState) -> None:
        if state == self._state:
            return
        self._state = state
        try:
            self._on_state(state)
        except Exception:
            log.exception("a listener state handler failed")


def summary_changes(venue_id: UUID, rows: Iterable[tuple[Any, ...]]) -> list[Change]:
    """``change_summary_since`` rows as Changes.  A row without a night is
    kept when it is the venue's layout (a setup saved: every night changes)."""
    return [
        Change(
            venue_id=venue_id,
            night=night,
            table_ids=frozenset(table_ids),
            booking_ids=frozenset(booking_ids),
            kinds=frozenset(kinds),
            feed_id=int(last_id),
        )
        for last_id, night, table_ids, booking_ids, kinds, _rows in rows
        if night is not None or "layout" in (kinds or ())
    ]


def merge(earlier: Change | None, later: Change) -> Change:
    """Two Changes of one night as one (pages of a long replay)."""
    if earlier is None:
        return later
    return Change(
        venue_id=later.venue_id,
        night=later.night,
        table_ids=earlier.table_ids | later.table_ids,
        booking_ids=earlier.booking_ids | later.booking_ids,
        kinds=earlier.kinds | later.kinds,
        feed_id=max(earlier.feed_id or 0, later.feed_id or 0),
    )
