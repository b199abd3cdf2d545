"""The first run: an empty database offers "Open the demo venue" or "Set up my
venue" (name, time zone, currency, phone country, the first manager's name
and PIN), before the window opens.

Only the database's owner adds a venue, so this runs on the private server
(where this computer is the owner); the work happens off the UI thread, as
the owner, in one transaction (``frontdesk.venue_setup.create_venue``).
The window then opens on the new venue, the manager signs in, and the
Setup window follows for floors, tables and hours.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any
from uuid import UUID

from PySide6.QtCore import QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.problems import SetupProblem
from frontdesk.venue_setup import NewVenue, SetupRefused, create_venue, open_demo
from ui.setup_common import message_label, show_message

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Europe/London"


class _Runner(QObject):
    """One blocking call on a worker thread; its answer on the GUI thread."""

    finished = Signal(object, object)  # result, exception

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="first-run")

    def run(self, fn: Callable[[], Any]) -> None:
        future = self._pool.submit(fn)
        future.add_done_callback(self._done)

    def _done(self, future: Future[Any]) -> None:
        exc = future.exception()
        self.finished.emit(None if exc else future.result(), exc)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


def local_zone() -> str:
    """This computer's time zone when it has an IANA name, else London."""
    zone = datetime.now().astimezone().tzinfo
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) and key in zoneinfo.available_timezones() else DEFAULT_ZONE


class FirstRunDialog(QDialog):
    """Demo or a venue of one's own; ``venue_id`` once one is ready."""

    venue_ready = Signal(object)  # UUID

    def __init__(self, owner_url: str, *, terminal: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to frontdesk")
        self.setObjectName("FirstRun")
        self._owner_url = owner_url
        self._terminal = terminal
        self.venue_id: UUID | None = None
        self.created_new = False
        self.manager_name = ""
        self._runner = _Runner(self)
        self._runner.finished.connect(self._finished)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._venue_page())
        self.problem = message_label(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.problem)
        self.resize(620, 460)
        self._busy = False

    # ---- the pages --------------------------------------------------------

    def _choice_page(self) -> QWidget:
        page = QWidget(self)
        title = QLabel("<h2>Welcome to frontdesk</h2>", page)
        words = QLabel(
            "This database has no venue yet. Look around the demo venue (The Backroom "
            "Leeds, with bookings on its next nights), or set up your own: its name and "
            "clock, and who manages it, then its floors, tables and hours.",
            page,
        )
        words.setWordWrap(True)
        self.demo_button = QPushButton("Open the demo venue", page)
        self.demo_button.setToolTip("The Backroom Leeds: staff Sam (manager, PIN 1357), Priya…")
        self.own_button = QPushButton("Set up my venue", page)
        self.own_button.setObjectName("Primary")
        self.own_button.setDefault(True)
        for button in (self.demo_button, self.own_button):
            button.setMinimumHeight(48)
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.own_button)
        layout = QVBoxLayout(page)
        layout.addWidget(title)
        layout.addWidget(words)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.demo_button.clicked.connect(self.open_demo)
        self.own_button.clicked.connect(self.show_venue_form)
        return page

    def _venue_page(self) -> QWidget:
        page = QWidget(self)
        self.name = QLineEdit(page)
        self.name.setPlaceholderText("The Crypt Bar")
        self.name.setMaxLength(100)
        self.zone = QComboBox(page)
        self.zone.setEditable(True)
        self.zone.addItems(sorted(zoneinfo.available_timezones()))
        self.zone.setCurrentText(local_zone())
        completer = self.zone.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.currency = QLineEdit("GBP", page)
        self.currency.setValidator(_letters(3, self.currency))
        self.country = QLineEdit("GB", page)
        self.country.setValidator(_letters(2, self.country))
        self.country.setToolTip("How guests' phone numbers without a country code are read")
        self.manager = QLineEdit(page)
        self.manager.setPlaceholderText("Your name, as you sign in")
        self.pin = QLineEdit(page)
        self.pin_again = QLineEdit(page)
        for edit in (self.pin, self.pin_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,8}"), edit))
            edit.setPlaceholderText("4 to 8 digits")
        form = QFormLayout()
        form.addRow("Venue &name", self.name)
        form.addRow("&Time zone", self.zone)
        form.addRow("&Currency", self.currency)
        form.addRow("&Phone country", self.country)
        form.addRow(QLabel("<b>The first manager</b>", page))
        form.addRow("&Name", self.manager)
        form.addRow("P&IN", self.pin)
        form.addRow("PIN a&gain", self.pin_again)
        self.back_button = QPushButton("Back", page)
        self.create_button = QPushButton("Create the venue", page)
        self.create_button.setObjectName("Primary")
        self.create_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        intro = QLabel(
            "Floors, tables, opening hours and nights come next, in the Setup window.", page
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("<h2>Your venue</h2>", page))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.show_choice)
        self.create_button.clicked.connect(self.make_venue)
        return page

    def show_choice(self) -> None:
        self.pages.setCurrentIndex(0)
        self._say("")

    def show_venue_form(self) -> None:
        self.pages.setCurrentIndex(1)
        self.name.setFocus()

    # ---- doing it -----------------------------------------------------------

    def open_demo(self) -> None:
        if self._busy:
            return
        self._start("Loading the demo venue…")
        url = self._owner_url
        self._runner.run(lambda: open_demo(url))

    def make_venue(self) -> None:
        if self._busy:
            return
        problem = self._check()
        if problem:
            self._say(problem)
            return
        new = NewVenue(
            name=" ".join(self.name.text().split()),
            time_zone=self.zone.currentText().strip(),
            currency=self.currency.text().strip().upper(),
            phone_country=self.country.text().strip().upper(),
            manager_name=" ".join(self.manager.text().split()),
            manager_pin=self.pin.text(),
        )
        self.manager_name = new.manager_name
        self.created_new = True
        self._start(f"Creating {new.name}…")
        url, terminal = self._owner_url, self._terminal
        self._runner.run(lambda: create_venue(url, new, terminal=terminal))

    def _check(self) -> str:
        if not self.name.text().strip():
            self.name.setFocus()
            return "Give the venue a name."
        if self.zone.currentText().strip() not in zoneinfo.available_timezones():
            self.zone.setFocus()
            return "Choose the venue's time zone from the list (Europe/London, America/New_York…)."
        if len(self.currency.text().strip()) != 3:
            self.currency.setFocus()
            return "The currency is three letters, like GBP or EUR."
        if len(self.country.text().strip()) != 2:
            self.country.setFocus()
            return "The phone country is two letters, like GB or IE."
        if not self.manager.text().strip():
            self.manager.setFocus()
            return "Who manages the venue? Their name, as they will sign in."
        if not 4 <= len(self.pin.text()) <= 8:
            self.pin.setFocus()
            return "The PIN is 4 to 8 digits."
        if self.pin.text() != self.pin_again.text():
            self.pin_again.clear()
            self.pin_again.setFocus()
            return "The two PINs differ: type it again."
        return ""

    def _start(self, message: str) -> None:
        self._busy = True
        self._say(message, error=False)
        for button in (self.demo_button, self.own_button, self.create_button, self.back_button):
            button.setEnabled(False)

    def _finished(self, result: object, exc: BaseException | None) -> None:
        self._busy = False
        for button in (self.demo_button, self.own_button, self.create_button, self.back_button):
            button.setEnabled(True)
        if exc is None and isinstance(result, UUID):
            self.venue_id = result
            self.venue_ready.emit(result)
            self.accept()
            return
        self.created_new = False
        if isinstance(exc, SetupRefused) and exc.code == "DUPLICATE_VENUE":
            self._say(f"{exc.message}")
        elif isinstance(exc, (Refused, ServerUnavailable, SetupProblem)):
            self._say(getattr(exc, "message", None) or str(exc))
        else:
            log.error("first run failed", exc_info=exc)
            self._say(f"Something went wrong ({type(exc).__name__}); it has been logged.")

    def _say(self, message: str, *, error: bool = True) -> None:
        show_message(self.problem, message, error=error)

    def done(self, result: int) -> None:
        if self._busy:
            return  # the venue is being made: wait for it
        self._runner.shutdown()
        super().done(result)


def _letters(count: int, parent: QObject) -> QRegularExpressionValidator:
    return QRegularExpressionValidator(QRegularExpression(f"[A-Za-z]{{0,{count}}}"), parent)
