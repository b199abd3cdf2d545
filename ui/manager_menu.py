"""The Manager menu: Audit log…, Monitoring, Reports…, Guest tags…, Save crash kit now;
the status bar's monitoring alert; the crash kit's timer.  One object the
window makes and wires (``ManagerActions``), like ``RunSheetActions``.

Gated like the rest of the managers' paperwork: for a host the actions are
shown, disabled, with the tooltip "Managers only" (the database refuses
them anyway).  The crash kit is saved by its timer whoever is signed in;
saving it by hand is a manager's.  One window of each kind: asking again
brings it to the front.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from frontdesk.crash_kit import CrashKitConfig
from ui.audit_window import AuditWindow, open_audit_window
from ui.crash_kit import CrashKitTimer
from ui.monitoring_panel import MonitoringAlert, MonitoringPanel, open_monitoring_panel
from ui.ops import Ops
from ui.reports_window import ReportsWindow, open_reports_window
from ui.tags_dialog import TagsDialog, open_tags_dialog

MANAGERS_ONLY = "Managers only"


class ManagerActions(QObject):
    """The Manager menu's actions, the monitoring alert and the crash kit."""

    message = Signal(str)  # for the status bar

    def __init__(
        self,
        ops: Ops,
        parent: QWidget,
        *,
        crash_kit: CrashKitConfig,
        terminal: str,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._parent = parent
        self._clock = clock
        self._online = True
        self._ready = False
        self._manager = False
        self.audit: AuditWindow | None = None
        self.monitoring: MonitoringPanel | None = None
        self.reports: ReportsWindow | None = None
        self.tags: TagsDialog | None = None
        self.act_audit = QAction("Audit log…", parent)
        self.act_monitoring = QAction("Monitoring", parent)
        self.act_reports = QAction("Reports…", parent)
        self.act_tags = QAction("Guest tags…", parent)
        self.act_crash_kit = QAction("Save crash kit now", parent)
        self.act_audit.triggered.connect(self.open_audit)
        self.act_monitoring.triggered.connect(self.open_monitoring)
        self.act_reports.triggered.connect(self.open_reports)
        self.act_tags.triggered.connect(self.open_tags)
        self.act_crash_kit.triggered.connect(self.save_crash_kit)
        self._labels = {a: a.text().rstrip("…") for a in self.actions}
        #: For the status bar (``statusBar().addPermanentWidget``).
        self.alert = MonitoringAlert(ops, parent)
        self.alert.open_panel.connect(self.open_monitoring)
        self.crash_kit = CrashKitTimer(ops, crash_kit, terminal=terminal, clock=clock, parent=self)
        self.crash_kit.message.connect(self.message)
        self._refresh()

    @property
    def actions(self) -> list[QAction]:
        return [
            self.act_audit,
            self.act_monitoring,
            self.act_reports,
            self.act_tags,
            self.act_crash_kit,
        ]

    def menu(self, parent: QWidget) -> QMenu:
        """The window's Manager menu."""
        menu = QMenu("&Manager", parent)
        menu.setToolTipsVisible(True)  # "Managers only" on the disabled items
        menu.addAction(self.act_audit)
        menu.addAction(self.act_monitoring)
        menu.addAction(self.act_reports)
        menu.addAction(self.act_tags)
        menu.addSeparator()
        menu.addAction(self.act_crash_kit)
        return menu

    # ---- the desk's state --------------------------------------------------

    def start(self) -> None:
        """Start the crash kit's timer (it waits for somebody to sign in)."""
        self.crash_kit.start()

    def shutdown(self) -> None:
        self.crash_kit.stop()

    def set_online(self, online: bool) -> None:
        self._online = online
        self.alert.set_online(online)
        self._refresh()

    def set_ready(self, ready: bool) -> None:
        """False while nobody is signed in or the desk is locked."""
        self._ready = ready
        self.alert.set_ready(ready)
        self.crash_kit.set_ready(ready)
        self._refresh()

    def set_staff(self, name: str, *, manager: bool) -> None:
        """Who is signed in; a host's windows close (they would only be refused)."""
        self._manager = manager
        self.alert.set_staff(manager)
        if not manager:
            for window in (self.audit, self.monitoring, self.reports, self.tags):
                if window is not None and shiboken6.isValid(window):
                    window.close()
        self._refresh()

    @property
    def manager(self) -> bool:
        return self._manager

    def _refresh(self) -> None:
        enabled = self._online and self._ready and self._manager
        for action in self.actions:
            action.setEnabled(enabled)
            action.setToolTip(self._labels[action] if self._manager else MANAGERS_ONLY)

    # ---- opening -----------------------------------------------------------

    def open_audit(self, booking: str | None = None) -> AuditWindow | None:
        if not self._allowed():
            return None
        if _alive(self.audit) and not booking:
            assert self.audit is not None
            self.audit.raise_()
            self.audit.activateWindow()
            return self.audit
        self.audit = open_audit_window(
            self._parent, self._ops, booking=booking or None, clock=self._clock
        )
        return self.audit

    def open_monitoring(self) -> MonitoringPanel | None:
        if not self._allowed():
            return None
        if _alive(self.monitoring):
            assert self.monitoring is not None
            self.monitoring.raise_()
            self.monitoring.refresh()
            return self.monitoring
        self.monitoring = open_monitoring_panel(self._parent, self._ops)
        return self.monitoring

    def open_reports(self) -> ReportsWindow | None:
        if not self._allowed():
            return None
        if _alive(self.reports):
            assert self.reports is not None
            self.reports.raise_()
            return self.reports
        self.reports = open_reports_window(self._parent, self._ops, clock=self._clock)
        return self.reports

    def open_tags(self) -> TagsDialog | None:
        if not self._allowed():
            return None
        if _alive(self.tags):
            assert self.tags is not None
            self.tags.raise_()
            return self.tags
        self.tags = open_tags_dialog(self._parent, self._ops)
        return self.tags

    def save_crash_kit(self) -> None:
        if self._allowed():
            self.crash_kit.save_now()

    def _allowed(self) -> bool:
        # The actions are disabled for hosts; a shortcut or a stale signal
        # must not open a window either.
        return self._manager and self._ready and self._online


def _alive(window: QWidget | None) -> bool:
    return window is not None and shiboken6.isValid(window) and bool(window.isVisible())
