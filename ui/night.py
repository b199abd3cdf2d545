"""Which night the desk shows, and keeping it current.

Every change — this desk's own, another desk's, the website's — arrives
here as ``plan.Change`` values.  A change to the night on screen marks it
stale; a stale night is reloaded at most once per ``RELOAD_MS`` (one query
for the plan and the summary, off the UI thread), and the grid model turns
the new plan into one repaint.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QObject, Signal

from frontdesk.desk import Desk
from frontdesk.plan import Change, NightPlan, NightSummary
from ui.grid_model import NightGridModel
from ui.ops import Ops
from ui.throttle import Throttle

RELOAD_MS = 100


class NightController(QObject):
    night_changed = Signal(object)  # date
    plan_loaded = Signal(object)  # NightPlan
    summary_loaded = Signal(object)  # NightSummary
    load_failed = Signal(str)

    def __init__(self, ops: Ops, model: NightGridModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._model = model
        self._night: date | None = None
        self._loading = False
        self._stale = False
        self.reloads = 0  # how many plans were loaded (tests, benchmarks)
        self._throttle = Throttle(self._reload_now, RELOAD_MS, self)

    @property
    def night(self) -> date | None:
        return self._night

    @property
    def model(self) -> NightGridModel:
        return self._model

    @property
    def settled(self) -> bool:
        """Nothing stale, nothing loading: the grid shows the database."""
        return not (self._loading or self._stale or self._throttle.pending)

    def show_night(self, night: date) -> None:
        if night == self._night:
            self.reload()
            return
        self._night = night
        self.night_changed.emit(night)
        self._throttle.cancel()
        self._stale = True
        self._reload_now()

    def show_tonight(self) -> None:
        self._ops.query(_current_night, owner=self, done=self.show_night)

    def reload(self) -> None:
        """Mark the night stale; it is reloaded shortly (once for a burst)."""
        self._stale = True
        self._throttle.request()

    def apply_changes(self, changes: Iterable[Change], initiator: object = None) -> None:
        if self._night is not None and any(c.night in (self._night, None) for c in changes):
            self.reload()

    def _reload_now(self) -> None:
        night = self._night
        if night is None:
            return
        if self._loading:
            return  # reloaded again when this load ends (still stale)
        self._loading = True
        self._stale = False
        self._ops.query(
            lambda desk: _plan_and_summary(desk, night),
            owner=self,
            done=self._loaded,
            failed=self._failed,
        )

    def _loaded(self, result: tuple[NightPlan, NightSummary]) -> None:
        self._loading = False
        plan, summary = result
        if plan.night == self._night:
            self.reloads += 1
            self._model.set_plan(plan)
            self.plan_loaded.emit(plan)
            self.summary_loaded.emit(summary)
        if self._stale or plan.night != self._night:
            self._stale = True
            self._throttle.request()

    def _failed(self, exc: Exception) -> None:
        self._loading = False
        self._stale = True  # reloaded when the server is back (``reload``)
        shown = self._model.plan
        if shown is not None and shown.night != self._night:
            # Never another night's tables under this night's date.
            self._model.set_plan(None)
        self.load_failed.emit(getattr(exc, "message", None) or str(exc) or type(exc).__name__)


def _current_night(desk: Desk) -> date:
    return desk.current_night()


def _plan_and_summary(desk: Desk, night: date) -> tuple[NightPlan, NightSummary]:
    return desk.night_plan(night), desk.night_summary(night)
