"""The manager's monitoring panel, live, and the status bar's alert.

``MonitoringPanel`` shows the seed's figures against their alert
thresholds (each row says OK or Over, in words and colour, and its tooltip
what the figure means and what to do), and the night so far: booking
attempts and the conflicts among them per 15 minutes, and the booking
function's 95th percentile against its 100 ms.  It reads every
``REFRESH_MS`` while open.

``MonitoringAlert`` is a label for the status bar of every manager's desk:
it reads the figures every ``ALERT_MS`` while a manager is signed in, and
shows what is over its threshold (hidden when nothing is); a click asks for
the panel.  Reads go through ``Ops`` off the UI thread; the engine refuses
hosts, and the alert does not even ask for them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk import monitoring
from frontdesk.desk import Desk, MonitoringFigure
from frontdesk.errors import InvalidInput, Refused, ServerUnavailable
from frontdesk.monitoring import Monitoring
from ui.charts import ALERT_RED, BarChart, ChartData, Series
from ui.ops import Ops

#: The panel reads the figures this often while it is open.
REFRESH_MS = 15_000
#: The status bar's alert reads them this often while a manager is signed in.
ALERT_MS = 60_000

#: The figures the panel shows, in order (the two connection counts are
#: folded into one row, "connections").
SHOWN = (
    "conflicts_prevented_today",
    "attempts_today",
    "lock_busy_rate",
    "conflict_rate",
    "booking_fn_avg_ms",
    "booking_fn_p95_ms",
    "connections_in_use",
    "connections_used",
)
_OK_STYLE = "QLabel { background: #e3f5e9; color: #0f5132; border-radius: 4px; padding: 2px 8px; }"
_OVER_STYLE = (
    f"QLabel {{ background: {ALERT_RED}; color: #ffffff; border-radius: 4px; padding: 2px 8px;"
    " font-weight: 700; }"
)


def _now(desk: Desk) -> Monitoring:
    return monitoring.monitoring_now(desk)


class MonitoringPanel(QDialog):
    """The figures, their thresholds and the night so far; refreshes itself."""

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._reading = False
        self.shown: Monitoring | None = None
        self.setWindowTitle("Monitoring")
        self.setMinimumSize(860, 700)
        self._rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.reject)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Today's booking figures from the database, against the alert thresholds. "
            "Hover a figure to see what it means and what to do when it turns red.",
            self,
        )
        intro.setObjectName("Hint")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        for column, heading in enumerate(("Figure", "Now", "Alert when", "")):
            label = QLabel(f"<b>{heading}</b>", self)
            if column == 1:
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
            grid.addWidget(label, 0, column)
        for row, name in enumerate(SHOWN, start=1):
            title = QLabel("", self)
            value = QLabel("—", self)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            limit = QLabel("", self)
            state = QLabel("", self)
            state.setAlignment(Qt.AlignmentFlag.AlignCenter)
            for widget in (title, value, limit, state):
                widget.setToolTip(monitoring.ADVICE[name])
            grid.addWidget(title, row, 0)
            grid.addWidget(value, row, 1)
            grid.addWidget(limit, row, 2)
            grid.addWidget(state, row, 3)
            self._rows[name] = (title, value, limit)
            setattr(self, f"state_{name}", state)
        grid.setColumnStretch(4, 1)
        layout.addLayout(grid)
        self.attempts_chart = BarChart("Booking attempts per 15 minutes", self)
        self.time_chart = BarChart("Booking function, 95th percentile per 15 minutes", self)
        layout.addWidget(self.attempts_chart, 1)
        layout.addWidget(self.time_chart, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.updated = QLabel("", self)
        self.updated.setObjectName("Hint")
        self.refresh_button = QPushButton("Refresh", self)
        self.close_button = QPushButton("Close", self)
        for button in (self.refresh_button, self.close_button):
            button.setAutoDefault(False)
        buttons.addWidget(self.updated)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def state_label(self, name: str) -> QLabel:
        label: QLabel = getattr(self, f"state_{name}")
        return label

    # ---- reading -----------------------------------------------------------

    def start(self) -> None:
        """Read now and every REFRESH_MS while open."""
        self.refresh()
        self._timer.start()

    def refresh(self) -> None:
        if self._reading:
            return
        self._reading = True
        self._ops.query(_now, owner=self, done=self.show_figures, failed=self._failed)

    def show_figures(self, now: Monitoring) -> None:
        self._reading = False
        self.shown = now
        figures = {f.name: f for f in now.figures}
        for name in SHOWN:
            self._show_row(name, figures[name], figures)
        since = f"since {now.series_since:%H:%M}"
        self.attempts_chart.title = f"Booking attempts per {now.step_minutes} minutes, {since}"
        self.time_chart.title = (
            f"Booking function, 95th percentile per {now.step_minutes} minutes, {since}"
        )
        self.attempts_chart.set_data(attempts_data(now))
        self.time_chart.set_data(time_data(now))
        self.updated.setText(
            f"Updated {now.measured_at:%H:%M:%S} · refreshes every {REFRESH_MS // 1000} s"
        )
        self.message.setText("")

    def _show_row(
        self, name: str, figure: MonitoringFigure, figures: dict[str, MonitoringFigure]
    ) -> None:
        title, value, limit = self._rows[name]
        state = self.state_label(name)
        if name == "connections_in_use":
            title.setText("Connections (this database / the server)")
            value.setText(
                f"{figures['connections_in_use'].value:,.0f} / "
                f"{figures['server_connections'].value:,.0f}"
            )
        else:
            title.setText(figure.label)
            value.setText(monitoring.value_text(figure))
        limit.setText(monitoring.threshold_text(figure))
        if figure.threshold is None:
            state.setText("")
            state.setStyleSheet("")
        elif figure.alert:
            state.setText("Over")
            state.setStyleSheet(_OVER_STYLE)
        else:
            state.setText("OK")
            state.setStyleSheet(_OK_STYLE)
        state.setAccessibleName(f"{figure.label}: {state.text() or 'no threshold'}")

    def _failed(self, exc: Exception) -> None:
        self._reading = False
        self.message.setText(_failure_words(exc))
        if isinstance(exc, Refused):
            self._timer.stop()  # a host, or signed out: asking again changes nothing

    def done(self, result: int) -> None:
        self._timer.stop()
        super().done(result)


def attempts_data(now: Monitoring) -> ChartData:
    steps = now.series
    return ChartData(
        labels=[f"{s.at:%H:%M}" for s in steps],
        bars=(
            Series("Attempts", [s.attempts for s in steps], colour="#8d8698"),
            Series("Conflicts", [s.conflicts for s in steps], colour=ALERT_RED),
        ),
    )


def time_data(now: Monitoring) -> ChartData:
    steps = now.series
    threshold = now.figure("booking_fn_p95_ms").threshold
    return ChartData(
        labels=[f"{s.at:%H:%M}" for s in steps],
        line=Series(
            "95th percentile",
            [None if s.p95_ms is None else float(s.p95_ms) for s in steps],
            unit=" ms",
        ),
        threshold=None if threshold is None else float(threshold),
        threshold_label=f"alert over {threshold:.0f} ms" if threshold is not None else "",
    )


def _failure_words(exc: Exception) -> str:
    if isinstance(exc, (Refused, InvalidInput)):
        return exc.message
    if isinstance(exc, ServerUnavailable):
        return "The database cannot be reached just now; the figures will come back with it."
    return f"Something went wrong ({type(exc).__name__}); it has been logged."


class MonitoringAlert(QLabel):
    """The status bar's alert: shown only while a figure is over its
    threshold, on a manager's desk.  ``open_panel`` when clicked."""

    open_panel = Signal()
    changed = Signal(str)  # the alert's words ("" when none)

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._ops = ops
        self._manager = False
        self._online = True
        self._ready = True
        self._reading = False
        self.setObjectName("MonitoringAlert")
        self.setStyleSheet(_OVER_STYLE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("A monitoring figure is over its threshold: click for the panel")
        self.hide()
        self._timer = QTimer(self)
        self._timer.setInterval(ALERT_MS)
        self._timer.timeout.connect(self.check)

    @property
    def active(self) -> bool:
        return self._manager and self._online and self._ready

    def set_staff(self, manager: bool) -> None:
        self._manager = manager
        self._follow()

    def set_online(self, online: bool) -> None:
        self._online = online
        self._follow()

    def set_ready(self, ready: bool) -> None:
        """False while nobody is signed in or the desk is locked."""
        self._ready = ready
        self._follow()

    def _follow(self) -> None:
        if self.active:
            if not self._timer.isActive():
                self._timer.start()
                self.check()
        else:
            self._timer.stop()
            self._show_alert(None)

    def check(self) -> None:
        """Read the figures now (when a manager is signed in)."""
        if not self.active or self._reading:
            return
        self._reading = True
        self._ops.query(_now, owner=self, done=self._answered, failed=self._not_answered)

    def _answered(self, now: Monitoring) -> None:
        self._reading = False
        self._show_alert(monitoring.alert_text(now) if self.active else None)

    def _not_answered(self, _exc: Exception) -> None:
        # The server being gone has its own banner; a refusal (signed out)
        # is the session's business: the alert only goes quiet.
        self._reading = False
        self._show_alert(None)

    def _show_alert(self, words: str | None) -> None:
        text = f"⚠ {words}" if words else ""
        if text != self.text():
            self.setText(text)
            self.setVisible(bool(text))
            self.changed.emit(words or "")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.open_panel.emit()
        super().mousePressEvent(event)


def open_monitoring_panel(parent: QWidget, ops: Ops) -> MonitoringPanel:
    """Open the Monitoring panel (not modal; deleted when closed), reading
    now and every REFRESH_MS."""
    panel = MonitoringPanel(ops, parent)
    panel.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    panel.show()
    panel.start()
    return panel
