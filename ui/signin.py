"""The sign-in screen: who is at the desk, proved with a PIN.

It lies over the main window (a child covering all of it, the night dimmed
behind) in one of two ways:

- **sign in**: the venue's staff, names and roles, and a PIN;
- **locked**: the PIN of the person signed in, and "Switch person".

Everything works by keyboard: the PIN field keeps the focus; a letter picks
the next name starting with it, the arrow keys move through the names,
digits go into the PIN, Backspace takes one back, Esc clears it, Enter signs
in.  The PIN pad (``ui.pin_pad``) does the same by mouse or touch; the
names are a ``ui.staff_list.StaffList``.  The screen only asks
(``sign_in_wanted``); the window's ``DeskSession`` makes the call and the
window tells the screen the answer.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSignalBlocker, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import SignedIn, StaffMember
from ui import theme
from ui.pin_pad import PinPad
from ui.signin_style import style_sheet
from ui.staff_list import StaffList

CARD_MIN_WIDTH = 600
NO_STAFF = (
    "Nobody can sign in at this venue yet. A manager adds staff on this computer's "
    "command line: frontdesk staff add NAME --role manager"
)
#: Keys the PIN field hands to the list of names.
LIST_KEYS = frozenset(
    {
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
    }
)


class SignInScreen(QWidget):
    """Covers its parent (the main window) while nobody is signed in, or the
    desk is locked."""

    sign_in_wanted = Signal(str, str)  # name, PIN
    settings_wanted = Signal()  # "Connection settings…"

    SIGN_IN = "sign-in"
    LOCKED = "locked"

    def __init__(self, venue_name: str, colours: theme.Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("SignInScreen")
        # Clicks and the wheel stop here: nothing behind the screen is reachable.
        self.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation)
        self._colours = colours
        self._mode = self.SIGN_IN
        self._locked_name = ""
        self._busy = False
        self._staff: list[StaffMember] = []
        self._build(venue_name)
        self.apply_theme(colours)
        parent.installEventFilter(self)  # follow the window's size
        self.hide()

    # ---- building ---------------------------------------------------------

    def _build(self, venue_name: str) -> None:
        self.card = QFrame(self)
        self.card.setObjectName("SignInCard")
        self.card.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.venue = QLabel(venue_name, self.card)
        self.venue.setObjectName("SignInVenue")
        self.title = QLabel(self.card)
        self.title.setObjectName("SignInTitle")
        self.subtitle = QLabel(self.card)
        self.subtitle.setObjectName("SignInSubtitle")
        self.subtitle.setWordWrap(True)
        self.message = QLabel(self.card)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        self.message.hide()

        self.staff_list = StaffList(self._colours, self.card)
        self.staff_list.currentItemChanged.connect(self._person_changed)

        self.pad = PinPad(self.card)
        self.staff_list.itemClicked.connect(self.pad.focus_pin)
        self.pin = self.pad.pin
        self.keys = self.pad.keys
        self.pin_label = self.pad.label
        self.pin.returnPressed.connect(self.submit)
        self.pin.installEventFilter(self)
        self.pad.entered.connect(self.submit)

        middle = QHBoxLayout()
        middle.setSpacing(24)
        middle.addWidget(self.staff_list)
        middle.addWidget(self.pad)

        self.hint = QLabel(self.card)
        self.hint.setObjectName("Hint")
        self.hint.setWordWrap(True)
        self.switch_button = QPushButton("Switch person", self.card)
        self.switch_button.setAutoDefault(True)  # Enter presses it when it has the focus
        self.switch_button.setToolTip("Someone else signs in; nothing typed is lost")
        self.switch_button.clicked.connect(self.switch_person)
        self.settings_button = QPushButton("Connection settings…", self.card)
        self.settings_button.setObjectName("SignInLink")
        self.settings_button.setAutoDefault(True)
        self.settings_button.setFlat(True)
        self.settings_button.clicked.connect(self.settings_wanted)
        bottom = QHBoxLayout()
        bottom.addWidget(self.switch_button)
        bottom.addStretch(1)
        bottom.addWidget(self.settings_button)

        layout = QVBoxLayout(self.card)
        layout.setContentsMargins(36, 30, 36, 26)
        layout.setSpacing(10)
        layout.addWidget(self.venue)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addLayout(middle)
        layout.addSpacing(2)
        layout.addWidget(self.hint)
        layout.addLayout(bottom)
        self.card.setMinimumWidth(CARD_MIN_WIDTH)

    def apply_theme(self, colours: theme.Theme) -> None:
        self._colours = colours
        self.staff_list.colours = colours
        self.setStyleSheet(style_sheet(colours))
        self.update()

    # ---- what the screen asks ---------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def chosen_name(self) -> str | None:
        if self._mode == self.LOCKED:
            return self._locked_name
        member = self.staff_list.current_member()
        return member.name if member is not None else None

    def ask_anyone(self, message: str = "", *, kind: str = "info", preselect: str = "") -> None:
        """Sign in: the staff list and a PIN (``preselect``: that person chosen)."""
        self._mode = self.SIGN_IN
        self._locked_name = ""
        self.title.setText("Sign in")
        self.subtitle.setText("Choose your name, then type your PIN.")
        self.hint.setText("Type the first letter of your name or use ↑ ↓, then your PIN and Enter.")
        self.staff_list.show()
        self.switch_button.hide()
        self.keys["Enter"].setText("Sign in")
        if preselect:
            self.choose(preselect)
        self._show_whose_pin()
        self._reset(message, kind)

    def ask_pin_of(self, who: SignedIn) -> None:
        """Locked: only ``who``'s PIN unlocks (or someone else signs in)."""
        self._mode = self.LOCKED
        self._locked_name = who.staff_name
        self.title.setText("Locked")
        self.subtitle.setText(
            f"{who.staff_name} ({who.role}) is signed in. Type your PIN to carry on."
        )
        self.hint.setText("Everything on screen and in open windows is kept.")
        self.staff_list.hide()
        self.switch_button.show()
        self.keys["Enter"].setText("Unlock")
        self._show_whose_pin()
        self._reset("", "info")

    def switch_person(self) -> None:
        """From the lock to the staff list: someone else signs in."""
        locked = self._locked_name
        self.ask_anyone(
            f"{locked} stays signed in until someone signs in." if locked else "",
        )

    def set_staff(self, members: list[StaffMember]) -> None:
        """The people who can sign in here; the chosen one stays chosen."""
        chosen = self.chosen_name if self._mode == self.SIGN_IN else None
        self._staff = list(members)
        # Refilled quietly: a message about the chosen person (they were
        # disabled) stays, and the typed PIN too.
        with QSignalBlocker(self.staff_list):
            self.staff_list.fill(members)
            if chosen:
                self.choose(chosen)
        self._show_whose_pin()
        if not members:
            self.show_message(NO_STAFF, "error")
        elif self.message.text() == NO_STAFF:
            self.show_message("")

    def staff_unavailable(self, why: str) -> None:
        if not self._staff:
            self.show_message(why, "error")

    @property
    def staff_names(self) -> list[str]:
        return [m.name for m in self._staff]

    def choose(self, name: str) -> bool:
        """Pick ``name`` in the list (False: nobody of that name there)."""
        return self.staff_list.choose(name)

    def cover(self) -> None:
        """Lie over the whole window and take the keyboard."""
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self._place_card()
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- answers ----------------------------------------------------------

    def submit(self) -> None:
        """Enter: sign the chosen person in with the typed PIN."""
        if self._busy or not self.isVisible():
            return
        name = self.chosen_name
        if not name:
            self.show_message(
                "Choose your name first: type its first letter, or click it.", "error"
            )
            return
        pin = self.pin.text()
        if not pin:
            self.show_message("Type your PIN.", "error")
            return
        self.set_busy(True)
        self.sign_in_wanted.emit(name, pin)

    def refused(self, _code: str, message: str) -> None:
        """The engine said no (a wrong PIN with the tries left, a lockout, …)."""
        self.set_busy(False)
        self.pin.clear()
        self.show_message(message, "error")
        self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    def signed_in(self) -> None:
        self.set_busy(False)
        self.pin.clear()
        self.show_message("")

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.pin.setReadOnly(busy)
        for button in (*self.keys.values(), self.switch_button):
            button.setEnabled(not busy)
        self.staff_list.setEnabled(not busy)
        if busy:
            self.show_message("Signing in…", "info")

    def show_message(self, message: str, kind: str = "info") -> None:
        self.message.setText(message)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(message))
        self._place_card()

    # ---- keys and the pad -------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if watched is parent and parent is not None and event.type() == QEvent.Type.Resize:
            if self.isVisible():
                self.setGeometry(parent.rect())
        elif watched is self.pin and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._pin_key(event)
        return super().eventFilter(watched, event)

    def _pin_key(self, event: QKeyEvent) -> bool:
        """Keys typed at the PIN field that are not the PIN's: True when taken."""
        if self._busy:
            return event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        listing = self._mode == self.SIGN_IN and self.staff_list.count() > 0
        if event.key() in LIST_KEYS:
            if listing:
                QApplication.sendEvent(self.staff_list, event)
            return True
        if event.key() == Qt.Key.Key_Escape:
            self.pin.clear()
            return True
        typed = event.text()
        if typed.isalpha() and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            if listing:
                self.staff_list.keyboardSearch(typed)
            return True
        return False

    def _person_changed(self, current: QListWidgetItem | None, previous: object) -> None:
        if current is not None and previous is not None and not self._busy:
            # A PIN typed for someone else is not this person's.
            self.pin.clear()
            if self.message.property("kind") == "error" and self.message.text() != NO_STAFF:
                self.show_message("")
        if current is not None:
            self.staff_list.scrollToItem(current)
        self._show_whose_pin()

    def _show_whose_pin(self) -> None:
        self.pad.show_whose(self.chosen_name)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab goes round the screen's own fields, never to the window behind.
        chain = [
            w
            for w in (self.pin, self.switch_button, self.settings_button)
            if w.isVisible() and w.isEnabled()
        ]
        if not chain:
            return True
        focused = QApplication.focusWidget()
        at = chain.index(focused) if focused in chain else -1
        chain[(at + (1 if next else -1)) % len(chain)].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def _reset(self, message: str, kind: str) -> None:
        self.set_busy(False)
        self.pin.clear()
        self.show_message(message, kind)
        if self.isVisible():
            self.pin.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- drawing ----------------------------------------------------------

    def _place_card(self) -> None:
        self.card.adjustSize()
        size = self.card.sizeHint()
        area = self.rect()
        # Placed as if there were no message, which grows downwards: the
        # card does not jump when one comes and goes.
        shown = self.message.height() + 10 if self.message.isVisible() else 0
        x = max(0, (area.width() - size.width()) // 2)
        y = max(0, (area.height() - size.height() + shown) // 2 - area.height() // 20)
        self.card.setGeometry(QRect(x, y, size.width(), size.height()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place_card()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        # The night stays visible behind, dimmed.
        # (In the dark theme any colour but black would lighten it.)
        veil = QColor("#000000" if self._colours.is_dark else self._colours.floor_bg)
        veil.setAlpha(150)
        painter.fillRect(self.rect(), veil)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()
        self.pad.focus_pin()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        event.accept()
