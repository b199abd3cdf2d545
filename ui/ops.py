"""Desk calls off the UI thread, answers back on it (Anki's CollectionOp).

Every ``Desk`` method blocks on the network, so the window never calls one
itself: it hands a function of the desk to ``Ops.query`` (reads) or
``Ops.mutate`` (writes).  The function runs on a worker thread; its result
— or its ``Refused``, ``InvalidInput`` or ``ServerUnavailable`` — comes back
on the GUI thread, to callbacks owned by a QObject (skipped if that object
has been deleted meanwhile).

A mutation that succeeds is announced once, through ``changed``: it
becomes a ``plan.Change`` (night, tables, bookings), the same value other
desks' changes arrive as, and the grid applies it the same way.

A call the engine refuses with NOT_SIGNED_IN (the person's session expired,
or was ended elsewhere) is also announced, through ``session_ended``, so
that the window asks for a PIN again; the call's own ``failed`` still runs
(a dialog says "not booked" and keeps what was typed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal

from frontdesk.desk import Desk, SignedIn
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from frontdesk.plan import Change

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The engine's code for "nobody (any more) is signed in with this session".
NOT_SIGNED_IN = "NOT_SIGNED_IN"

#: What a mutation changed, given its result.
ChangesOf = Callable[[T], Change | Iterable[Change] | None]


@dataclass
class _Job(Generic[T]):
    fn: Callable[[Desk], T]
    owner: QObject
    done: Callable[[T], object] | None
    failed: Callable[[Exception], object] | None
    changes: ChangesOf[T] | None
    initiator: object
    session: SignedIn | None = None  # who was signed in when the call was made


class Relay(QObject):
    """Hands a value from any thread to the GUI thread (e.g. a retry notice)."""

    sent = Signal(object)

    def send(self, *values: object) -> None:
        self.sent.emit(values[0] if len(values) == 1 else values)


class Ops(QObject):
    """Runs desk calls on worker threads; one per window."""

    changed = Signal(object, object)  # list[Change], initiator
    unavailable = Signal(str)  # a call could not reach the server
    reached = Signal()  # a call reached the server (it may still have been refused)
    refused = Signal(str)  # a refusal nobody handled: shown in the status bar
    failed = Signal(str)  # our bug: logged, and a short note for the status bar
    busy_changed = Signal(bool)
    session_ended = Signal(str)  # the engine said NOT_SIGNED_IN: its message
    _finished = Signal(object, object)  # job, future — from a worker thread

    def __init__(self, desk: Desk, parent: QObject | None = None, *, workers: int = 4) -> None:
        super().__init__(parent)
        self.desk = desk
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="desk")
        self._running = 0
        self._closed = False
        # Always queued, even when a call finishes before add_done_callback returns.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._running > 0

    def query(
        self,
        fn: Callable[[Desk], T],
        *,
        owner: QObject,
        done: Callable[[T], object],
        failed: Callable[[Exception], object] | None = None,
    ) -> None:
        """Read something; ``done(result)`` on the GUI thread."""
        self._submit(_Job(fn, owner, done, failed, None, None))

    def mutate(
        self,
        fn: Callable[[Desk], T],
        *,
        owner: QObject,
        changes: ChangesOf[T] | None = None,
        done: Callable[[T], object] | None = None,
        failed: Callable[[Exception], object] | None = None,
        initiator: object = None,
    ) -> None:
        """Change something; then ``done(result)`` and one ``changed`` broadcast."""
        self._submit(_Job(fn, owner, done, failed, changes, initiator))

    def _submit(self, job: _Job[Any]) -> None:
        if self._closed:
            return
        job.session = self.desk.signed_in
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        future = self._pool.submit(job.fn, self.desk)
        future.add_done_callback(lambda f: self._emit_finished(job, f))

    def _emit_finished(self, job: _Job[Any], future: Future[Any]) -> None:
        # On the worker thread: the signal queues the answer to the GUI thread.
        if not self._closed:
            self._finished.emit(job, future)

    def _deliver(self, job: _Job[Any], future: Future[Any]) -> None:
        self._running -= 1
        if self._running == 0:
            self.busy_changed.emit(False)
        alive = shiboken6.isValid(job.owner)
        exc = future.exception()
        if exc is None:
            self.reached.emit()
            result = future.result()
            if alive and job.done is not None:
                job.done(result)
            if job.changes is not None:
                self._broadcast(job.changes(result), job.initiator)
            return
        if not isinstance(exc, Exception):
            raise exc
        if isinstance(exc, ServerUnavailable):
            self.unavailable.emit(exc.message)
        elif isinstance(exc, (Refused, InvalidInput)):
            self.reached.emit()
            if isinstance(exc, Refused) and exc.code == NOT_SIGNED_IN:
                self._session_refused(job, exc)
        else:
            log.error("desk call failed", exc_info=exc)
            self.failed.emit(f"Something went wrong ({type(exc).__name__}); it has been logged.")
        if alive and job.failed is not None:
            job.failed(exc)
        elif isinstance(exc, (Refused, InvalidInput)):
            self.refused.emit(exc.message)

    def _session_refused(self, job: _Job[Any], exc: Refused) -> None:
        # Only when the refused call carried the session the desk still has:
        # a call of the person signed in before a switch is refused once the
        # switch ends their session, and must not end the new person's.
        if job.session is self.desk.signed_in:
            self.session_ended.emit(exc.message)

    def _broadcast(self, changes: Change | Iterable[Change] | None, initiator: object) -> None:
        if changes is None:
            return
        batch = [changes] if isinstance(changes, Change) else list(changes)
        if batch:
            self.changed.emit(batch, initiator)

    def shutdown(self, last: Callable[[Desk], object] | None = None, timeout: float = 2.0) -> None:
        """Wait for running calls and drop their answers; no new calls start.

        ``last`` (e.g. releasing this desk's holds) runs first, and is waited
        for, up to ``timeout`` seconds: cancelling queued calls must not
        cancel it."""
        if last is not None and not self._closed:
            future = self._pool.submit(last, self.desk)
            try:
                future.result(timeout=timeout)
            except TimeoutError:
                log.warning("closing: %s did not finish in %.1f s", _name(last), timeout)
            except Exception:
                log.warning("closing: %s failed", _name(last), exc_info=True)
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


def _name(fn: Callable[..., object]) -> str:
    return getattr(fn, "__name__", repr(fn))
