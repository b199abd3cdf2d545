"""The main window: the night grid with its toolbar, summary, side panel and status bar.

This is the composition root for the window: it makes the models,
controllers and widgets and connects them in one place,
``_connect_signals`` (qutebrowser's mainwindow).  The widgets do not know
each other; the grid asks for things (a booking here, a move there) and the
window routes the request to whoever carries it out.

Nobody works the desk without signing in: the window opens under the
sign-in screen, shows the night once someone has, locks itself (Ctrl+L, or
after the venue's idle time) with the night dimmed behind a PIN prompt, and
asks again whenever the engine says the session has ended.  Dialogs open
when the desk locks are hidden, not closed, and come back as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import shiboken6
from PySide6.QtCore import QByteArray, QDate, QPoint, QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.crash_kit import FOLDER_NAME, CrashKitConfig
from frontdesk.desk import BookingMatch, BookingResult, Desk, SignedIn
from frontdesk.listener import ListenerState
from frontdesk.plan import Change, NightPlan
from ui import text, theme
from ui.actions import BookingActions
from ui.bars import LiveIndicator, OfflineBanner, SummaryBar
from ui.booking_dialog import BookingDialog
from ui.connectivity import Connectivity
from ui.find_box import FindBox
from ui.grid_model import NightGridModel
from ui.grid_view import NightGridView
from ui.guest_rights_dialog import open_guest_rights_dialog
from ui.live import LiveUpdates
from ui.manager_menu import MANAGERS_ONLY, ManagerActions
from ui.night import NightController
from ui.ops import Ops
from ui.panels import ActivityModel, ActivityPanel, BookingPanel, SidePanel
from ui.runsheet import RunSheetActions
from ui.session import DeskSession, IdleWatch, SetAside
from ui.signin import SignInScreen
from ui.status_menu import StatusMenu
from ui.walk_in_dialog import WalkInDialog


class MainWindow(QMainWindow):
    online_changed = Signal(bool)
    connection_settings_wanted = Signal()  # the composition root opens the dialog

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
        # The toolbar is full at the default width (a button there clips the
        # night's date): the desk and the night's paperwork get a menu bar.
        self.menuBar().addMenu(self._desk_menu())
        self.menuBar().addMenu(self.run_sheet.menu(self))
        manager_menu = self.manager.menu(self)
        manager_menu.addSeparator()
        manager_menu.addAction(self.act_guest_data)
        self.menuBar().addMenu(manager_menu)
        self._make_status_bar(terminal)
        self.booking_panel.add_actions(
            [*self.status_actions.values(), self.status_menu.act_put_back, self.act_open]
        )
        self._connect_signals()
        self.apply_theme(colours)
        self._restore_layout()
        self._update_actions()

    # ---- building ---------------------------------------------------------

    def _action(
        self,
        label: str,
        shortcut: str | QKeySequence.StandardKey | None = None,
        icon: str | None = None,
    ) -> QAction:
        action = QAction(label, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon:
            action.setIcon(theme.icon(icon, self.colours.text))
        return action

    def _make_actions(self) -> None:
        self.act_prev = self._action("Previous night", "Alt+Left", "prev")
        self.act_next = self._action("Next night", "Alt+Right", "next")
        self.act_tonight = self._action("Tonight", "Ctrl+T", "tonight")
        self.act_find = self._action("Find a guest", QKeySequence.StandardKey.Find)
        self.act_new = self._action("New booking", "Ctrl+N", "new-booking")
        self.act_walk_in = self._action("Walk-in", "Ctrl+Shift+W", "walk-in")
        self.act_open = self._action("Open booking…", None)
        self.act_undo = self._action("Undo", QKeySequence.StandardKey.Undo, "undo")
        self.act_redo = self._action("Redo", QKeySequence.StandardKey.Redo, "redo")
        self.act_lock = self._action("Lock", "Ctrl+L")
        self.act_lock.setToolTip("Lock the desk: the night stays on screen behind a PIN")
        self.act_switch = self._action("Switch person…")
        self.act_sign_out = self._action("Sign out")
        self.act_connection = self._action("Connection settings…")
        self.act_guest_data = self._action("Guest data…")
        self.act_guest_data.triggered.connect(self.open_guest_data)
        # The walk-in key acts on the grid only, never while typing a search.
        self.act_walk_in.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.grid.addAction(self.act_walk_in)
        for action in (
            self.act_prev,
            self.act_next,
            self.act_tonight,
            self.act_find,
            self.act_new,
            self.act_undo,
            self.act_redo,
            self.act_lock,
            *self.run_sheet.actions,
        ):
            self.addAction(action)

    def open_guest_data(self) -> None:
        """Manager > Guest data…: a guest's data exported, or erased."""
        open_guest_rights_dialog(self, self.ops)

    def _desk_menu(self) -> QMenu:
        menu = QMenu("&Desk", self)
        menu.addAction(self.act_lock)
        menu.addAction(self.act_switch)
        menu.addAction(self.act_sign_out)
        menu.addSeparator()
        menu.addAction(self.act_connection)
        return menu

    def _make_toolbar(self) -> None:
        bar = QToolBar("Night", self)
        bar.setObjectName("NightBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(bar)
        bar.addAction(self.act_prev)
        self.date_picker = QDateEdit(self)
        self.date_picker.setCalendarPopup(True)
        self.date_picker.setDisplayFormat("dddd d MMMM yyyy")
        self.date_picker.setMinimumWidth(290)
        self.date_picker.setToolTip("Jump to a night")
        # Until a night is shown (after sign-in): today, not Qt's year 2000.
        today = datetime.now(self.desk.time_zone).date()
        self.date_picker.setDate(QDate(today.year, today.month, today.day))
        bar.addWidget(self.date_picker)
        bar.addAction(self.act_next)
        bar.addAction(self.act_tonight)
        for action in (self.act_prev, self.act_next):
            button = bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        bar.addSeparator()
        bar.addWidget(self.search)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.act_undo)
        bar.addAction(self.act_redo)
        bar.addSeparator()
        bar.addAction(self.act_walk_in)
        bar.addAction(self.act_new)
        new_button = bar.widgetForAction(self.act_new)
        if new_button is not None:
            new_button.setObjectName("PrimaryAction")
            self.act_new.setIcon(theme.icon("new-booking", self.colours.accent_text))
        self.toolbar = bar

    def _make_status_bar(self, terminal: str) -> None:
        status = self.statusBar()
        self.live_indicator = LiveIndicator(self)
        status.addPermanentWidget(self.live_indicator)
        status.addPermanentWidget(QLabel(f"Terminal {terminal}", self))
        self.who_label = QLabel(self)
        self.who_label.setObjectName("SignedIn")
        status.addPermanentWidget(self.who_label)
        status.addPermanentWidget(self.manager.alert)
        self._show_who(None)

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
        actions.walked_in.connect(self._walked_in)
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

    # ---- nights -----------------------------------------------------------

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
        self.activity.clear()
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

    def _plan_loaded(self, plan: NightPlan) -> None:
        text.use_venue(plan.currency, plan.phone_country)
        self.find_box.set_reference_prefix(plan.reference_prefix)
        self.activity.set_plan(plan)
        selected = self.grid.selected_booking_id()
        if self._pending_select is not None:
            booking_id, self._pending_select = self._pending_select, None
            self.grid.select_booking(booking_id)
            selected = booking_id
        self._show_selected(selected)

    def _log_activity(self, changes: list[Change]) -> None:
        for change in changes:
            if change.night == self.night.night:
                self.activity.add(change, at=self._clock())

    # ---- who is at the desk -----------------------------------------------

    @property
    def locked(self) -> bool:
        """The sign-in screen is over the window (locked, or nobody signed in)."""
        return self._covered

    def lock(self) -> None:
        """Lock the desk (Ctrl+L, or idle): the night stays visible behind a
        prompt for the same person's PIN; open dialogs wait, hidden."""
        who = self.session.who
        if who is None or self._covered:
            return
        self._cover()
        self.sign_in_screen.ask_pin_of(who)

    def switch_person(self) -> None:
        """Someone else signs in; whoever is signed in stays until they do."""
        if self.session.who is None or self._covered:
            return
        self._cover()
        self.sign_in_screen.ask_anyone()
        self.session.list_staff()

    def sign_out(self) -> None:
        if self.session.who is None:
            return
        self._cover()
        self.session.sign_out()
        self._show_who(None)
        self.sign_in_screen.ask_anyone("Signed out. The next person signs in here.")
        self.session.list_staff()

    def _session_ended(self, message: str) -> None:
        """The engine said the session is over (expired, or ended elsewhere)."""
        before = self._last_who
        self._show_who(None)
        self._cover()
        self.sign_in_screen.ask_anyone(
            f"{message} Everything you typed is kept.",
            preselect=before.staff_name if before is not None else "",
        )
        self.session.list_staff()

    def _signed_in(self, who: SignedIn) -> None:
        before = self._last_who
        self._show_who(who)
        self.sign_in_screen.signed_in()
        if (before is None or before.staff_id != who.staff_id) and not self.booking_actions.busy:
            # Undo is for the person who did it.
            self.booking_actions.undo_stack.clear()
        self._uncover()
        for dialog in self.findChildren(BookingDialog):
            dialog.resume()  # holds and reads refused while nobody was signed in
        if not self._night_started:
            self._show_first_night()
        elif self.night.night is not None:
            self.night.reload()  # a load may have been refused meanwhile
        self.say(f"Signed in: {who.staff_name}")

    def _show_who(self, who: SignedIn | None) -> None:
        if who is not None:
            self._last_who = who
        self.who_label.setText(f"{who.staff_name} · {who.role}" if who else "Nobody signed in")
        self.who_label.setToolTip(
            f"Signed in until {who.expires_at:%H:%M}. Lock the desk with Ctrl+L." if who else ""
        )
        manager = who is not None and who.is_manager
        self.run_sheet.set_staff(who.staff_name if who else "", manager=manager)
        self.manager.set_staff(who.staff_name if who else "", manager=manager)
        self._update_actions()

    def _list_staff_if_needed(self) -> None:
        if self._covered and not self.sign_in_screen.staff_names:
            self.session.list_staff()

    def _cover(self) -> None:
        """The sign-in screen over everything; open dialogs hidden, not closed."""
        if self._covered:
            return
        self._covered = True
        self.idle.stop()
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        focused = QApplication.focusWidget()
        self._focus_before = focused if focused is not None and self.isAncestorOf(focused) else None
        self.set_aside.hide([d for d in self.findChildren(QDialog) if d.isVisible()])
        self.menuBar().setEnabled(False)
        self.activateWindow()  # a hidden dialog had the keyboard
        self.sign_in_screen.cover()
        self._update_actions()

    def _uncover(self) -> None:
        if not self._covered:
            return
        self._covered = False
        self.sign_in_screen.hide()
        self.menuBar().setEnabled(True)
        focus, self._focus_before = self._focus_before, None
        if focus is not None and shiboken6.isValid(focus):
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        self.set_aside.restore()
        self.idle.start()
        self._update_actions()

    # ---- the selected booking ---------------------------------------------

    def _show_selected(self, booking_id: UUID | None) -> None:
        booking = self.model.booking(booking_id) if booking_id else None
        names = self.model.table_names(booking.table_ids) if booking else []
        self.booking_panel.show_booking(booking, names, self.model.zone)
        self._update_actions()

    def _context_menu(self, where: QPoint) -> None:
        if self.grid.selected_booking_id() is not None:
            self.status_menu.context_menu(where, [self.act_open])
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.act_new)
        menu.addAction(self.act_walk_in)
        menu.popup(where)

    # ---- dialogs ----------------------------------------------------------

    def _dialog(self, **kwargs: object) -> BookingDialog | None:
        night = self.night.night
        if night is None:
            return None
        dialog = BookingDialog(
            self.ops,
            night,
            self,
            plan=self.model.plan,
            online=self.connectivity.online,
            **kwargs,  # type: ignore[arg-type]
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.addAction(self.act_lock)  # Ctrl+L locks from the dialog too
        self.connectivity.online_changed.connect(dialog.set_online)
        dialog.booked.connect(self._booked)
        dialog.move_wanted.connect(self.booking_actions.move)
        dialog.open()
        return dialog

    def new_booking(self) -> BookingDialog | None:
        span = self.grid.selected_span()
        if span is not None:
            return self.new_booking_at(*span)
        return self._dialog()

    def new_booking_at(
        self, table_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> BookingDialog | None:
        return self._dialog(table_ids=(table_id,), starts_at=starts_at, ends_at=ends_at)

    def open_booking(self, booking_id: UUID) -> BookingDialog | None:
        booking = self.model.booking(booking_id)
        if booking is None:
            return None
        return self._dialog(booking=booking)

    def _open_selected(self) -> None:
        booking_id = self.grid.selected_booking_id()
        if booking_id is not None:
            self.open_booking(booking_id)

    def _booked(self, result: BookingResult) -> None:
        self._pending_select = result.booking_id
        self.say(f"Booked {result.reference} — deposit {text.money(result.deposit)}")

    def walk_in(self) -> WalkInDialog | None:
        plan = self.model.plan
        if plan is None or not self.connectivity.online:
            return None
        dialog = WalkInDialog(
            plan.tables,
            self,
            table_id=self.grid.current_table_id(),
            party_limits=(plan.min_party_size, plan.max_party_size),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.addAction(self.act_lock)
        dialog.walk_in_wanted.connect(self.booking_actions.walk_in)
        dialog.open()
        return dialog

    def _walked_in(self, result: BookingResult) -> None:
        self._pending_select = result.booking_id

    def _move_settled(self, booking_id: UUID) -> None:
        self.grid.settle_move(booking_id)
        for dialog in self.findChildren(BookingDialog):
            dialog.move_answered(booking_id, None)

    def _move_blocked(self, _booking_id: UUID, why: str) -> None:
        self.say(f"Not moved: {why}")

    def _move_refused(self, booking_id: UUID, why: str) -> None:
        self.grid.spring_back(booking_id)
        for dialog in self.findChildren(BookingDialog):
            dialog.move_answered(booking_id, why)

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
        self.act_walk_in.setEnabled(working and open_night)
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
        self.act_guest_data.setEnabled(working and self.manager.manager)
        self.act_guest_data.setToolTip("" if self.manager.manager else MANAGERS_ONLY)
        self.grid.set_editable(working)

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


def _current_night(desk: Desk) -> date:
    return desk.current_night()
