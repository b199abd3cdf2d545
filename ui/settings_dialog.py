"""Settings: connect this desk to the venue's server, or use its private database.

The venue's admin hands each desk a login (``frontdesk db add-login NAME
--for desk`` prints its URL).  Here it is pasted as that URL or typed as
server, port, database, login and password; "Test connection" tries it on a
worker thread (the window never waits on the network) and says what to fix;
Save writes it to this computer's data folder (frontdesk/settings.py), and
the desk uses it from its next start.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import ClassVar

import psycopg
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk import logins
from frontdesk.crash_kit import CrashKitConfig
from frontdesk.problems import SetupProblem, redact
from frontdesk.settings import (
    DATABASE_URL_ENV,
    Settings,
    clear_connection,
    save_connection,
)
from ui.crash_kit import CrashKitFolder

log = logging.getLogger(__name__)

DEFAULT_PORT = 5432
DEFAULT_DATABASE = "frontdesk"


class _Result(QObject):
    """Carries one test's answer from the worker thread to the GUI thread.

    It has no parent and stays referenced here until its answer has been
    delivered, so the worker never emits on a deleted object, even when the
    dialog closes first (its own slot is then simply disconnected)."""

    answered = Signal(int, bool, str)  # ticket, ok, message
    _pending: ClassVar[set[_Result]] = set()

    def __init__(self, receiver: Callable[[int, bool, str], None]) -> None:
        """``receiver``: a bound method of a QObject (disconnected if it goes)."""
        super().__init__()
        _Result._pending.add(self)
        self.answered.connect(receiver)
        self.answered.connect(self._delivered)  # after the receiver

    def _delivered(self, _ticket: int, _ok: bool, _message: str) -> None:
        _Result._pending.discard(self)
        self.deleteLater()


class _ConnectionTest(QRunnable):
    def __init__(self, url: str, ticket: int, result: _Result) -> None:
        super().__init__()
        self._url = url
        self._ticket = ticket
        self._result = result

    def run(self) -> None:
        try:
            ok, message = logins.check_connection(self._url)
        except Exception as exc:  # our bug: say so, and keep the dialog usable
            log.exception("testing a connection failed")
            ok, message = False, f"The test itself failed: {exc}"
        self._result.answered.emit(self._ticket, ok, message)


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._pool = pool or QThreadPool.globalInstance()
        self._ticket = 0
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        heading = QLabel("Connect this desk to the venue's server", self)
        heading.setObjectName("PanelHeading")
        layout.addWidget(heading)
        self.now = QLabel(self._now_text(), self)
        self.now.setObjectName("Hint")
        self.now.setWordWrap(True)
        layout.addWidget(self.now)

        self.by_url = QRadioButton("Address (URL)", self)
        self.by_fields = QRadioButton("Server and login", self)
        modes = QButtonGroup(self)
        modes.addButton(self.by_url, 0)
        modes.addButton(self.by_fields, 1)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.by_url)
        mode_row.addWidget(self.by_fields)
        mode_row.addStretch(1)
        layout.addLayout(mode_row)

        # One page shown at a time; a hidden one takes no room.
        self._pages = (self._url_page(), self._fields_page())
        for page in self._pages:
            page.hide()
            layout.addWidget(page)
        modes.idToggled.connect(self._mode_toggled)

        extra = QFormLayout()
        self.listen_url = QLineEdit(self)
        self.listen_url.setPlaceholderText("only when the address goes through PgBouncer")
        self.listen_url.setToolTip(
            "A direct address to the server for live updates, when the address above goes "
            "through a transaction-pooling PgBouncer."
        )
        extra.addRow(self._label("Live updates"), self.listen_url)
        layout.addLayout(extra)

        test_row = QHBoxLayout()
        self.test_button = QPushButton("Test connection", self)
        self.test_button.clicked.connect(self.test_connection)
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout.addLayout(test_row)
        self.answer = QLabel("", self)
        self.answer.setWordWrap(True)
        self.answer.setMinimumHeight(self.answer.fontMetrics().lineSpacing() * 2)
        layout.addWidget(self.answer)

        self.private_button = QPushButton("Use the private database on this computer", self)
        self.private_button.clicked.connect(self.use_private)
        private_row = QHBoxLayout()
        private_row.addWidget(self.private_button)
        private_row.addStretch(1)
        layout.addLayout(private_row)

        folder = QFormLayout()
        self.data_dir = QLineEdit(str(settings.data_dir), self)
        self.data_dir.setReadOnly(True)
        self.data_dir.setToolTip("Logs, the crash kit and the private database live here.")
        folder.addRow(self._label("Data folder"), self.data_dir)
        folder.addRow(
            self._label("Crash kit folder"),
            CrashKitFolder(CrashKitConfig.for_settings(settings), self),
        )
        layout.addLayout(folder)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        # Enter in a field tests the connection; Save and Cancel only when
        # focused (or clicked); Esc cancels (QDialog's own).
        for button in (self.save_button, self.cancel_button, self.private_button):
            button.setAutoDefault(False)
        self.test_button.setAutoDefault(False)
        self.test_button.setDefault(True)
        # The style sheet draws the default button bold; its size must allow for that.
        bold = self.test_button.font()
        bold.setBold(True)
        self.test_button.setFont(bold)

        for edit in (*self._edits(), self.listen_url):
            edit.textEdited.connect(self._edited)
        self.port.valueChanged.connect(self._edited)
        self._fill(settings)
        self._tab_order()

    # -- building --------------------------------------------------------

    def _url_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.url = QLineEdit(page)
        self.url.setPlaceholderText("postgresql://desk1:…@db.venue.local/frontdesk")
        form.addRow(self._label("URL"), self.url)
        hint = QLabel("As the venue's admin got it from frontdesk db add-login NAME --for desk.")
        hint.setObjectName("Hint")
        hint.setWordWrap(True)
        form.addRow(self._label(""), hint)
        return page

    def _fields_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.host = QLineEdit(page)
        self.host.setPlaceholderText("db.venue.local")
        self.port = QSpinBox(page)
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit(DEFAULT_DATABASE, page)
        self.login = QLineEdit(page)
        self.password = QLineEdit(page)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for text, field in (
            ("Server", self.host),
            ("Port", self.port),
            ("Database", self.database),
            ("Login", self.login),
            ("Password", self.password),
        ):
            form.addRow(self._label(text, field), field)
        return page

    def _label(self, text: str, buddy: QWidget | None = None) -> QLabel:
        """A form label; every form's labels share one width, so fields line up."""
        label = QLabel(text, self)
        label.setMinimumWidth(self.fontMetrics().horizontalAdvance("Live updates") + 12)
        if buddy is not None:
            label.setBuddy(buddy)
        return label

    def _edits(self) -> tuple[QLineEdit, ...]:
        return (self.url, self.host, self.database, self.login, self.password)

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.by_url,
            self.by_fields,
            self.url,
            self.host,
            self.port,
            self.database,
            self.login,
            self.password,
            self.listen_url,
            self.test_button,
            self.private_button,
            self.data_dir,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _fill(self, settings: Settings) -> None:
        """Start from the connection in use: its parts, password included."""
        self.listen_url.setText(settings.listen_url or "")
        info: dict[str, object] = {}
        if settings.database_url:
            try:
                info = dict(psycopg.conninfo.conninfo_to_dict(settings.database_url))
            except psycopg.ProgrammingError:
                self.url.setText(settings.database_url)
        if not info:
            self.by_url.setChecked(True)
            return
        self.host.setText(str(info.get("host") or ""))
        port = str(info.get("port") or DEFAULT_PORT)
        self.port.setValue(int(port) if port.isdigit() else DEFAULT_PORT)
        self.database.setText(str(info.get("dbname") or DEFAULT_DATABASE))
        self.login.setText(str(info.get("user") or ""))
        self.password.setText(str(info.get("password") or ""))
        self.by_fields.setChecked(True)

    def _now_text(self) -> str:
        s = self._settings
        if not s.database_url:
            return "Now: the private database on this computer."
        where = redact(s.database_url)
        if s.database_url_from_env:
            return (
                f"Now: {where}, from {DATABASE_URL_ENV}, which wins over what is saved here "
                "until it is unset."
            )
        return f"Now: the venue's server at {where}, saved on this computer."

    # -- behaviour -------------------------------------------------------

    def _mode_toggled(self, index: int, checked: bool) -> None:
        if checked:
            for i, page in enumerate(self._pages):
                page.setVisible(i == index)
            if not (self.by_url.hasFocus() or self.by_fields.hasFocus()):
                (self.url if index == 0 else self.host).setFocus()
            self.adjustSize()
            self._edited()

    def _edited(self, *_args: object) -> None:
        self._ticket += 1  # an answer to the old values would mislead
        self.answer.clear()
        self.save_button.setEnabled(True)

    def entered_url(self) -> str:
        """The URL the fields say.  Raises SetupProblem when something is missing."""
        if self.by_url.isChecked():
            url = self.url.text().strip()
            if not url:
                raise SetupProblem("Paste the URL the venue's admin gave you.")
            try:
                psycopg.conninfo.conninfo_to_dict(url)
            except psycopg.ProgrammingError as exc:
                raise SetupProblem(f"That is not a database URL: {exc}") from exc
            return url
        host, login = self.host.text().strip(), self.login.text().strip()
        database = self.database.text().strip()
        missing = [
            name
            for name, value in (("server", host), ("database", database), ("login", login))
            if not value
        ]
        if missing:
            raise SetupProblem(f"Fill in the {' and '.join(missing)}.")
        where = psycopg.conninfo.make_conninfo(host=host, port=self.port.value(), dbname=database)
        return logins.login_url(where, login, self.password.text())

    def test_connection(self) -> None:
        """Try the entered connection on a worker thread; the answer shows below."""
        try:
            url = self.entered_url()
        except SetupProblem as problem:
            self._show(False, str(problem))
            return
        self._ticket += 1
        self.answer.setText("Testing…")
        result = _Result(self._answered)
        self._pool.start(_ConnectionTest(url, self._ticket, result))

    def _answered(self, ticket: int, ok: bool, message: str) -> None:
        if ticket == self._ticket:
            self._show(ok, message)

    def _show(self, ok: bool, message: str) -> None:
        self.answer.setText(f"{'✓' if ok else '✗'} {message}")

    def save(self) -> None:
        """Save the entered connection for this computer's next start."""
        try:
            url = self.entered_url()
            path = save_connection(
                self._settings.data_dir, url, self.listen_url.text().strip() or None
            )
        except SetupProblem as problem:
            self._show(False, str(problem))
            return
        except OSError as exc:
            self._show(False, f"Could not save the connection: {exc}")
            return
        self._done(f"Saved in {path}. Restart the desk to connect with it.")

    def use_private(self) -> None:
        """Forget the saved connection: the private database from the next start."""
        try:
            clear_connection(self._settings.data_dir)
        except OSError as exc:
            self._show(False, f"Could not forget the saved connection: {exc}")
            return
        self._done("This desk will use the private database on this computer from its next start.")

    def _done(self, message: str) -> None:
        if self._settings.database_url_from_env:
            message += f" ({DATABASE_URL_ENV} is set here and wins until it is unset.)"
        self._ticket += 1
        self._show(True, message)
        self.save_button.setEnabled(False)
        self.cancel_button.setText("Close")


def open_settings_dialog(parent: QWidget | None, settings: Settings) -> None:
    """Show the settings dialog (modal) until it is closed."""
    dialog = SettingsDialog(settings, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
