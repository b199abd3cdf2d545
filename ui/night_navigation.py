"""Going from night to night: the first night shown, previous and next, a
night picked on the calendar, a night that failed to load, and a closed
night's next opening (said in the summary, and on the grid, with a button
to go there).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QSettings, QSignalBlocker
from PySide6.QtWidgets import QDateEdit, QMainWindow

from frontdesk.desk import Desk
from frontdesk.plan import NightPlan
from ui import text
from ui.booking_dialog import NightLook, look_at_night

if TYPE_CHECKING:
    from uuid import UUID

    from ui.activity_panel import ActivityModel
    from ui.bars import SummaryBar
    from ui.grid_model import NightGridModel
    from ui.grid_view import NightGridView
    from ui.manager_menu import ManagerActions
    from ui.night import NightController
    from ui.ops import Ops
    from ui.session import DeskSession
    from ui.signin import SignInScreen

    _Base = QMainWindow
else:
    _Base = object


class NightNavigation(_Base):
    """Which night is on screen (mixed into MainWindow)."""

    ops: Ops
    store: QSettings
    night: NightController
    model: NightGridModel
    grid: NightGridView
    summary: SummaryBar
    activity: ActivityModel
    session: DeskSession
    sign_in_screen: SignInScreen
    manager: ManagerActions
    date_picker: QDateEdit
    _night_started: bool

    if TYPE_CHECKING:  # the window's own

        def say(self, message: str) -> None: ...
        def _cover(self) -> None: ...
        def _show_selected(self, booking_id: UUID | None) -> None: ...

    def start(self) -> None:
        """Ask who is at the desk; once someone has signed in, show the last
        night shown (unless it is past), else tonight."""
        self._cover()
        self.sign_in_screen.ask_anyone()
        self.session.list_staff()
        self.manager.start()

    def _show_first_night(self) -> None:
        self._night_started = True
        self.ops.query(_current_night, owner=self, done=self._start_at)

    def _start_at(self, tonight: date) -> None:
        saved = self.store.value("night/last", "")
        try:
            last = date.fromisoformat(str(saved)) if saved else None
        except ValueError:
            last = None
        self.night.show_night(last if last is not None and last >= tonight else tonight)

    def previous_night(self) -> None:
        if self.night.night is not None:
            self.night.show_night(self.night.night - timedelta(days=1))

    def next_night(self) -> None:
        if self.night.night is not None:
            self.night.show_night(self.night.night + timedelta(days=1))

    def _date_picked(self, picked: QDate) -> None:
        night = picked.toPython()
        if isinstance(night, date):
            self.night.show_night(night)

    def _night_changed(self, night: date) -> None:
        with QSignalBlocker(self.date_picker):
            self.date_picker.setDate(QDate(night.year, night.month, night.day))
        self.date_picker.setToolTip(
            f"{text.night_title(night)} {night.year} — go to a night (Ctrl+G)"
        )
        self.activity.show_night(night)
        self.grid.closed_message = ""
        self.store.setValue("night/last", night.isoformat())
        self._show_selected(None)

    def _night_load_failed(self, why: str) -> None:
        night = self.night.night
        if night is None:
            return
        plan = self.model.plan
        unshown = plan is None or plan.night != night  # nothing of this night on screen
        if self.session.who is None:
            # The engine reads no guest's name for nobody: the sign-in screen
            # says why, and the night is read again after it.
            if unshown:
                self.summary.show_unloaded("Sign in to see this night")
            return
        if unshown:
            self.summary.show_unloaded("Couldn't load — retrying")
        self.say(
            f"Couldn't load {text.night_title(night)} ({why}) — retrying when the database is back"
        )

    def go_to_night(self, night: date) -> None:
        self.night.show_night(night)

    def _closed_night_shown(self, plan: NightPlan) -> None:
        """A closed night: find when the venue next opens (off the UI thread)."""
        if not plan.is_closed:
            return
        self.ops.query(
            lambda desk: look_at_night(plan.night, desk), owner=self, done=self._next_open_found
        )

    def _next_open_found(self, look: NightLook) -> None:
        if look.plan.night != self.night.night:
            return  # another night is on screen by now
        self.summary.show_next_open(look.next_open)
        self.grid.closed_message = (
            f"Closed on {text.night_title(look.plan.night)}"
            + (f" — {look.plan.event_name}" if look.plan.event_name else "")
            + (f"\nNext open {text.night_title(look.next_open)}" if look.next_open else "")
        )
        self.grid.viewport().update()


def _current_night(desk: Desk) -> date:
    return desk.current_night()
