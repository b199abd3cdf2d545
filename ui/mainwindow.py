"""The main window: the night grid with its toolbar, summary, side panel and status bar.

This is the composition root for the window: it makes the models,
controllers and widgets and connects them in one place,
``_connect_signals`` (qutebrowser's mainwindow).  The widgets do not know
each other; the grid asks for things (a booking here, a move there) and the
window routes the request to whoever carries it out.

Its parts, by flow: ``ui.window_menus`` (the commands: toolbar, menus,
status bar, help), ``ui.desk_cover`` (signing in, locking), and
``ui.window_dialogs`` (booking and walk-in dialogs, moves answered).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from frontdesk.crash_kit import FOLDER_NAME, CrashKitConfig
from frontdesk.desk import BookingMatch, Desk, SignedIn
from frontdesk.listener import ListenerState
from frontdesk.plan import Change, NightPlan
from ui import text, theme
from ui.actions import BookingActions
from ui.activity_panel import ActivityModel, ActivityPanel, SidePanel
from ui.bars import OfflineBanner, SummaryBar
from ui.block_dialog import TableBlockActions
from ui.connectivity import Connectivity
from ui.desk_cover import DeskCover
from ui.find_box import FindBox
from ui.grid_model import NightGridModel
from ui.grid_view import NightGridView
from ui.guest_rights_dialog import open_guest_rights_dialog
from ui.live import LiveUpdates
from ui.manager_menu import MANAGERS_ONLY, ManagerActions
from ui.money_actions import MoneyActions
from ui.night import NightController
from ui.night_navigation import NightNavigation
from ui.ops import Ops
from ui.panels import BookingPanel
from ui.runsheet import RunSheetActions
from ui.session import DeskSession, IdleWatch, SetAside
from ui.signin import SignInScreen
from ui.status_menu import StatusMenu
from ui.waitlist_panel import WaitlistPanel, install_waitlist
from ui.window_dialogs import WindowDialogs
from ui.window_menus import WindowMenus


class MainWindow(NightNavigation, DeskCover, WindowMenus, WindowDialogs, QMainWindow):
    online_changed = Signal(bool)
    connection_settings_wanted = Signal()  # the composition root opens the dialog
    setup_wanted = Signal()  # Manager > Venue setup…: the composition root opens it

    def __init__(
        self,
        ops: Ops,
        live: LiveUpdates | None,
        *,
        terminal: str,
        store: QSettings,
        colours: theme.Theme = theme.LIGHT,
        idle_lock_ms: int | None = None,
        crash_kit: CrashKitConfig | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``idle_lock_ms``: lock after this long untouched (default: the
        venue's idle time).  ``crash_kit``: where tonight's run sheet is
        kept on this desk (default: a crash-kit folder beside the window's
        settings file)."""
        super().__init__(parent)
        self.ops = ops
        self.desk: Desk = ops.desk
        self.live = live
        self.store = store
        self.colours = colours
        self._clock: Callable[[], datetime] = _utc_now
        self._pending_select: UUID | None = None
        self._terminal = terminal
        self._covered = False  # the sign-in screen is over the window
        self._focus_before: QWidget | None = None
        self._night_started = False
        self._last_who: SignedIn | None = None
        self.setWindowTitle(f"frontdesk — {self.desk.venue_name}")
        self.setWindowIcon(theme.app_icon())
        # models and controllers
        self.model = NightGridModel(self, own_terminal=terminal)
        self.night = NightController(ops, self.model, self)
        self.booking_actions = BookingActions(ops, self.model, self)
        self.connectivity = Connectivity(ops, self)
        self.activity = ActivityModel(self)
        self.run_sheet = RunSheetActions(ops, self.night, self, terminal=terminal)
        if crash_kit is None:
            crash_kit = CrashKitConfig(folder=Path(store.fileName()).parent / FOLDER_NAME)
        self.manager = ManagerActions(ops, self, crash_kit=crash_kit, terminal=terminal)
        self.table_blocks = TableBlockActions(ops, self.model, self)
        self.money = MoneyActions(ops, self.model, self)
        self.session = DeskSession(ops, self)
        self.set_aside = SetAside(self)
        if idle_lock_ms is None:
            idle_lock_ms = self.desk.idle_lock_minutes * 60_000
        self.idle = IdleWatch(idle_lock_ms, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        # widgets
        self.grid = NightGridView(self)
        self.grid.setModel(self.model)
        self.status_menu = StatusMenu(self, self.grid, self.model, self.booking_actions)
        self.status_actions = self.status_menu.actions
        self.find_box = FindBox(ops, colours, self)
        self.search = self.find_box.search
        self.banner = OfflineBanner(self)
        self.summary = SummaryBar(self)
        self.booking_panel = BookingPanel(self)
        self.activity_panel = ActivityPanel(self.activity, self)
        self.side = SidePanel(self.booking_panel, self.activity_panel, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.sign_in_screen = SignInScreen(self.desk.venue_name, colours, self)
        self._make_actions()
        self._make_toolbar()
        self._make_menus()
        self._make_status_bar(terminal)
        self._show_who(None)
        self.booking_panel.add_actions(
            [*self.status_actions.values(), self.status_menu.act_put_back, self.act_open]
        )
        self.booking_panel.add_money_actions(self.money.actions)
        # Walk-in follows the clock: on at opening, off at close.
        self._minute = QTimer(self)
        self._minute.setInterval(30_000)
        self._minute.timeout.connect(self._update_actions)
        self._minute.start()
        self._connect_signals()
        self.booking_panel.guest_card.use(ops)
        self.waitlist: WaitlistPanel
        install_waitlist(self)  # the door's waitlist, a tab in the side panel (ui.waitlist_panel)
        self.apply_theme(colours)
        self._restore_layout()
        self._update_actions()

    # ---- building ---------------------------------------------------------

    def open_guest_data(self) -> None:
        """Manager > Guest data…: a guest's data exported, or erased."""
        open_guest_rights_dialog(self, self.ops)

    def apply_theme(self, colours: theme.Theme) -> None:
        self.colours = colours
        self.grid.set_theme(colours)
        self.booking_panel.theme = colours
        self.sign_in_screen.apply_theme(colours)

    # ---- wiring: the one place ---------------------------------------------

    def _connect_signals(self) -> None:
        grid, night, actions, ops = self.grid, self.night, self.booking_actions, self.ops
        # the grid asks; others act
        grid.booking_selected.connect(self._show_selected)
        grid.booking_opened.connect(self.open_booking)
        grid.booking_wanted.connect(self.new_booking_at)
        grid.move_wanted.connect(actions.move)
        grid.context_menu_wanted.connect(self._context_menu)
        grid.move_blocked.connect(self._move_blocked)
        grid.typed.connect(self.find_box.type_from_grid)
        self.find_box.jump_wanted.connect(self.jump_to)
        self.find_box.message.connect(self.say)
        # this desk's edits
        actions.move_settled.connect(self._move_settled)
        actions.move_refused.connect(self._move_refused)
        actions.message.connect(self.say)
        actions.busy_changed.connect(self._update_actions)
        actions.undo_stack.indexChanged.connect(self._update_actions)
        self.run_sheet.message.connect(self.say)
        # every change, ours or another desk's, by one path
        ops.changed.connect(night.apply_changes)
        if self.live is not None:
            self.live.changes_arrived.connect(night.apply_changes)
            self.live.changes_arrived.connect(self._log_activity)
            self.live.state_changed.connect(self.connectivity.on_listener_state)
            self.live.state_changed.connect(self._live_state)
        # the night on screen
        night.night_changed.connect(self._night_changed)
        night.plan_loaded.connect(self._plan_loaded)
        night.summary_loaded.connect(self.summary.show_summary)
        night.plan_loaded.connect(self.summary.show_hours)
        night.plan_loaded.connect(self._closed_night_shown)
        self.summary.go_to_night.connect(self.go_to_night)
        night.load_failed.connect(self._night_load_failed)
        # reaching the database
        ops.unavailable.connect(self.connectivity.on_unavailable)
        ops.reached.connect(self.connectivity.on_reached)
        ops.refused.connect(self.say)
        ops.failed.connect(self.say)
        self.connectivity.online_changed.connect(self._set_online)
        self.connectivity.online_changed.connect(self.run_sheet.set_online)
        self.connectivity.online_changed.connect(self.manager.set_online)
        self.manager.message.connect(self.say)
        self.table_blocks.message.connect(self.say)
        self.money.message.connect(self.say)
        self.connectivity.back_online.connect(night.reload)
        self.connectivity.back_online.connect(self._list_staff_if_needed)
        # who is at the desk
        session, screen = self.session, self.sign_in_screen
        screen.sign_in_wanted.connect(session.sign_in)
        screen.settings_wanted.connect(self.connection_settings_wanted)
        session.staff_listed.connect(screen.set_staff)
        session.staff_unavailable.connect(screen.staff_unavailable)
        session.refused.connect(screen.refused)
        session.signed_in.connect(self._signed_in)
        session.ended.connect(self._session_ended)
        ops.session_ended.connect(session.session_refused)
        self.idle.idle.connect(self.lock)
        self.act_lock.triggered.connect(self.lock)
        self.act_switch.triggered.connect(self.switch_person)
        self.act_sign_out.triggered.connect(self.sign_out)
        self.act_connection.triggered.connect(self.connection_settings_wanted)
        self.act_guest_data.triggered.connect(self.open_guest_data)
        self.act_setup.triggered.connect(self.setup_wanted)
        self.act_shortcuts.triggered.connect(self.open_shortcuts)
        self.act_guide.triggered.connect(self.open_guide)
        self.act_pick_night.triggered.connect(self.pick_night)
        # toolbar and keys
        self.act_prev.triggered.connect(self.previous_night)
        self.act_next.triggered.connect(self.next_night)
        self.act_tonight.triggered.connect(night.show_tonight)
        self.act_find.triggered.connect(self.find_box.focus)
        self.act_new.triggered.connect(self.new_booking)
        self.act_walk_in.triggered.connect(self.walk_in)
        self.act_open.triggered.connect(self._open_selected)
        self.act_undo.triggered.connect(actions.undo)
        self.act_redo.triggered.connect(actions.redo)
        self.date_picker.dateChanged.connect(self._date_picked)

    def _plan_loaded(self, plan: NightPlan) -> None:
        text.use_venue(plan.currency, plan.phone_country)
        self.find_box.set_reference_prefix(plan.reference_prefix)
        self.activity.set_plan(plan, settled=self.night.settled)
        selected = self.grid.selected_booking_id()
        if self._pending_select is not None:
            booking_id, self._pending_select = self._pending_select, None
            self.grid.select_booking(booking_id)
            selected = booking_id
        self._show_selected(selected)

    def _log_activity(self, changes: list[Change]) -> None:
        for change in changes:
            self.activity.add(change, at=self._clock())

    # ---- the selected booking ---------------------------------------------

    def _show_selected(self, booking_id: UUID | None) -> None:
        booking = self.model.booking(booking_id) if booking_id else None
        names = self.model.table_names(booking.table_ids) if booking else []
        self.booking_panel.show_booking(booking, names, self.model.zone)
        self.money.show_booking(booking)
        self._update_actions()

    def _context_menu(self, where: QPoint) -> None:
        if self.grid.selected_booking_id() is not None:
            self.status_menu.context_menu(where, [self.act_open])
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.act_new)
        menu.addAction(self.act_walk_in)
        # a manager's: take the table under the pointer out of service, or back
        index = self.grid.indexAt(self.grid.viewport().mapFromGlobal(where))
        if not index.isValid():
            index = self.grid.currentIndex()
        self.table_blocks.add_to(menu, index.row(), index.column(), self.grid.selected_span())
        menu.popup(where)

    # ---- found bookings -----------------------------------------------------

    def jump_to(self, match: BookingMatch) -> None:
        self._pending_select = match.booking_id
        self.night.show_night(match.night)

    # ---- state ------------------------------------------------------------

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """What "now" is, for the now-line and the activity times (a demo, a test)."""
        self._clock = clock
        self.grid.clock = clock
        self.grid.viewport().update()
        self._update_actions()

    def say(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    def _live_state(self, state: str) -> None:
        self.live_indicator.set_state(ListenerState(state))
        if state == ListenerState.LIVE and self.night.night is not None:
            # Whatever was committed before the listener was listening (at
            # start-up too, between the first load and the first LIVE) never
            # reaches the feed: read the night again.
            self.night.reload()

    def _set_online(self, online: bool) -> None:
        self.banner.set_reason(self.connectivity.reason)
        self.banner.setVisible(not online)
        self.online_changed.emit(online)
        self._update_actions()

    def _update_actions(self) -> None:
        # Under the sign-in screen no shortcut may reach the window.
        ready = self.session.who is not None and not self._covered
        online = self.connectivity.online
        working = ready and online
        booking_id = self.grid.selected_booking_id()
        booking = self.model.booking(booking_id) if booking_id else None
        self.status_menu.update(working)
        self.act_open.setEnabled(ready and booking is not None)
        open_night = bool(self.model.slots)
        self.act_new.setEnabled(working and open_night)
        self.act_walk_in.setEnabled(working and open_night and self._night_is_on())
        self.act_walk_in.setToolTip(
            "Seat a party now" if self._night_is_on() else "Walk-ins only while the night is on"
        )
        stack, busy = self.booking_actions.undo_stack, self.booking_actions.busy
        self.act_undo.setEnabled(working and not busy and stack.canUndo())
        self.act_redo.setEnabled(working and not busy and stack.canRedo())
        self.act_undo.setToolTip(f"Undo {stack.undoText()}" if stack.canUndo() else "Undo")
        self.act_redo.setToolTip(f"Redo {stack.redoText()}" if stack.canRedo() else "Redo")
        for action in (self.act_prev, self.act_next, self.act_tonight, self.act_find):
            action.setEnabled(ready)
        for action in (self.act_lock, self.act_switch, self.act_sign_out):
            action.setEnabled(ready)
        self.run_sheet.set_ready(ready)
        self.manager.set_ready(ready)
        for action in (self.act_guest_data, self.act_setup):
            action.setEnabled(working and self.manager.manager)
            action.setToolTip("" if self.manager.manager else MANAGERS_ONLY)
        self.grid.set_editable(working)
        self.money.set_state(working)

    # ---- remembering ------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.store.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1600, 980)
        state = self.store.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.store.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([1220, 380])

    def save_layout(self) -> None:
        self.store.setValue("window/geometry", self.saveGeometry())
        self.store.setValue("window/state", self.saveState())
        self.store.setValue("window/splitter", self.splitter.saveState())
        self.store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.idle.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        super().closeEvent(event)


def _utc_now() -> datetime:
    return datetime.now(UTC)
