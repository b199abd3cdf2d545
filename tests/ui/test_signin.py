# mypy: disable-error-code="no-untyped-call"
"""Staff sign in at the desk: the sign-in screen, the lock, switching person,
the idle lock, and a session the engine has ended.

The window connects as a desk's login (``desk_url``): without a signed-in
session the engine reads no guest's name and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QMenu
from pytestqt.qtbot import QtBot

from tests.ui.conftest import PINS, TERMINAL, Conn, settle, sign_in
from tests.ui.test_booking_dialog import activate, open_dialog_by_dragging
from ui.booking_dialog import SIGNED_IN_AGAIN, BookingDialog
from ui.composition import Desktop
from ui.mainwindow import MainWindow
from ui.runsheet import RunSheetActions
from ui.signin import SignInScreen

OpenDesktop = Callable[..., Desktop]


@pytest.fixture
def signed_out(desk_url: str, open_desktop: OpenDesktop) -> Desktop:
    """The window as it opens: nobody signed in yet."""
    return open_desktop(desk_url, staff=None)


def who(window: MainWindow) -> str:
    return window.who_label.text()


def type_pin(qtbot: QtBot, screen: SignInScreen, pin: str) -> None:
    qtbot.keyClicks(screen.pin, pin)


def click_key(qtbot: QtBot, screen: SignInScreen, key: str) -> None:
    qtbot.mouseClick(screen.keys[key], Qt.MouseButton.LeftButton)


def wait_for_staff(qtbot: QtBot, screen: SignInScreen) -> None:
    qtbot.waitUntil(lambda: screen.staff_list.count() == 3, timeout=15_000)


def audited_staff(conn: Conn, reference: str) -> set[tuple[str, str]]:
    rows = conn.execute(
        "SELECT a.staff_name, a.terminal FROM audit_logs a JOIN bookings b ON b.id = a.record_id "
        "WHERE b.reference = %s",
        [reference],
    ).fetchall()
    assert rows
    return {(r[0], r[1]) for r in rows}


def open_sessions(conn: Conn) -> list[str]:
    """Who has a session that has not ended."""
    rows = conn.execute(
        "SELECT s.name FROM private.staff_sessions x JOIN staff s ON s.id = x.staff_id "
        "WHERE x.ended_at IS NULL ORDER BY s.name"
    ).fetchall()
    return [r[0] for r in rows]


def book_a_new_guest(qtbot: QtBot, dialog: BookingDialog, name: str) -> None:
    qtbot.keyClicks(dialog.guest.search, name)
    qtbot.mouseClick(dialog.guest.new_guest_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.guest.phone, "07700 900123")
    qtbot.keyClicks(dialog.requests, "Typed before the sign-in ended")


# ---- the sign-in screen ------------------------------------------------------


def test_the_window_opens_under_the_sign_in_screen_and_signs_in_by_keyboard(
    qtbot: QtBot, signed_out: Desktop, friday: date
) -> None:
    window = signed_out.window
    screen = window.sign_in_screen
    assert window.locked and screen.isVisible() and screen.mode == SignInScreen.SIGN_IN
    assert screen.geometry() == window.rect()  # the whole window, menus too
    assert window.night.night is None  # nothing of the night before someone signs in
    assert who(window) == "Nobody signed in"
    assert not window.act_new.isEnabled() and not window.act_lock.isEnabled()
    wait_for_staff(qtbot, screen)
    rows = [screen.staff_list.item(r) for r in range(screen.staff_list.count())]
    assert [r.text() for r in rows] == ["Alex", "Priya", "Sam"]
    assert [r.toolTip() for r in rows] == ["Alex · host", "Priya · host", "Sam · manager"]
    assert screen.pin.hasFocus()

    # A letter picks a name, the arrows move, digits are the PIN.
    qtbot.keyClick(screen.pin, Qt.Key.Key_P)
    assert screen.chosen_name == "Priya" and screen.pin.text() == ""
    qtbot.keyClick(screen.pin, Qt.Key.Key_Down)
    assert screen.chosen_name == "Sam"
    qtbot.keyClick(screen.pin, Qt.Key.Key_Up)
    assert screen.chosen_name == "Priya"
    type_pin(qtbot, screen, "2469")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Backspace)
    type_pin(qtbot, screen, "8")
    assert screen.pin.text() == "2468"
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert screen.isHidden()
    assert who(window) == "Priya · host"
    assert window.act_lock.isEnabled()
    settle(qtbot, signed_out)  # the night is read now
    window.night.show_night(friday)
    settle(qtbot, signed_out)
    assert window.model.blocks()


def test_signing_in_with_the_pin_pad(qtbot: QtBot, signed_out: Desktop) -> None:
    window = signed_out.window
    screen = window.sign_in_screen
    wait_for_staff(qtbot, screen)
    sam = screen.staff_list.item(2)
    rect = screen.staff_list.visualItemRect(sam)
    qtbot.mouseClick(screen.staff_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert screen.chosen_name == "Sam"
    for key in "1359":
        click_key(qtbot, screen, key)
    click_key(qtbot, screen, "Clear")
    assert screen.pin.text() == ""
    for key in PINS["Sam"]:
        click_key(qtbot, screen, key)
    assert screen.pin.hasFocus()  # the pad never takes the keyboard away
    click_key(qtbot, screen, "Enter")
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert who(window) == "Sam · manager"


def test_a_wrong_pin_says_how_many_tries_are_left(qtbot: QtBot, signed_out: Desktop) -> None:
    window = signed_out.window
    screen = window.sign_in_screen
    wait_for_staff(qtbot, screen)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert "Choose your name" in screen.message.text()
    qtbot.keyClick(screen.pin, Qt.Key.Key_A)
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    assert screen.message.text() == "Type your PIN."
    type_pin(qtbot, screen, "0000")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Wrong PIN" in screen.message.text(), timeout=15_000)
    assert "4 tries left" in screen.message.text()
    assert screen.message.property("kind") == "error" and screen.message.isVisible()
    assert screen.pin.text() == "" and screen.pin.hasFocus()
    assert window.locked and signed_out.desk.signed_in is None
    type_pin(qtbot, screen, PINS["Alex"])
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert who(window) == "Alex · host"


def test_five_wrong_pins_lock_the_person_out_until_a_time(
    qtbot: QtBot, signed_out: Desktop
) -> None:
    screen = signed_out.window.sign_in_screen
    wait_for_staff(qtbot, screen)
    assert screen.choose("Alex")
    for n in range(5):
        type_pin(qtbot, screen, "9999")
        qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: screen.message.property("kind") == "error", timeout=15_000)
        if n < 4:
            assert f"{4 - n} {'try' if n == 3 else 'tries'} left" in screen.message.text()
    message = screen.message.text()
    assert "Alex is locked out until" in message and "A manager can unlock" in message


# ---- lock, switch, sign out -----------------------------------------------------


def test_ctrl_l_locks_with_the_night_behind_and_the_pin_unlocks(
    qtbot: QtBot, desktop: Desktop
) -> None:
    window = desktop.window
    screen = window.sign_in_screen
    blocks = window.model.blocks()
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and screen.isVisible() and screen.mode == SignInScreen.LOCKED
    assert "Priya (host) is signed in" in screen.subtitle.text()
    assert screen.staff_list.isHidden() and screen.switch_button.isVisible()
    # the night is still there, behind
    assert window.grid.isVisible() and window.model.blocks() == blocks
    assert desktop.desk.signed_in is not None  # locked, not signed out
    # nothing behind the screen answers the keyboard
    assert not window.act_new.isEnabled() and not window.act_next.isEnabled()
    assert not any(a.isEnabled() for a in window.status_actions.values())
    assert not window.menuBar().isEnabled()
    qtbot.keyClick(screen.pin, Qt.Key.Key_Tab)
    assert screen.isAncestorOf(screen.focusWidget() or screen)

    screen.pin.setFocus()
    type_pin(qtbot, screen, "1111")
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Wrong PIN" in screen.message.text(), timeout=15_000)
    assert window.locked
    type_pin(qtbot, screen, PINS["Priya"])
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=15_000)
    assert who(window) == "Priya · host"
    assert window.act_new.isEnabled() and window.menuBar().isEnabled()


def test_a_lock_keeps_an_open_booking_dialog_and_everything_typed(
    qtbot: QtBot, desktop: Desktop
) -> None:
    window = desktop.window
    dialog = open_dialog_by_dragging(qtbot, desktop)
    qtbot.keyClicks(dialog.requests, "Corner booth if we can")
    activate(qtbot, dialog)
    dialog.guest.search.setFocus()
    qtbot.keyClicks(dialog.guest.search, "Lock Lol")
    qtbot.keyClick(dialog.guest.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and dialog.isHidden()  # the prompt is not behind a modal dialog
    qtbot.waitUntil(window.sign_in_screen.pin.hasFocus)  # the window has the keyboard again
    sign_in(qtbot, desktop, "Priya")
    assert dialog.isVisible()
    assert dialog.requests.toPlainText() == "Corner booth if we can"
    # the caret is where it was, nothing selected: the next key adds to the text
    search = dialog.guest.search
    assert search.text() == "Lock Lol" and not search.hasSelectedText()
    assert search.cursorPosition() == len("Lock Lol")
    qtbot.keyClicks(search, "a")
    assert search.text() == "Lock Lola"


def test_switching_person_without_restarting(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    window = desktop.window
    screen = window.sign_in_screen
    assert who(window) == "Priya · host"
    window.act_switch.trigger()
    assert window.locked and screen.mode == SignInScreen.SIGN_IN
    sign_in(qtbot, desktop, "Alex")
    assert who(window) == "Alex · host"
    assert window.statusBar().currentMessage() == "Signed in: Alex"
    assert open_sessions(conn) == ["Alex"]  # Priya's session ended when Alex's began

    dialog = open_dialog_by_dragging(qtbot, desktop)
    book_a_new_guest(qtbot, dialog, "Switch Sally")
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=15_000)
    assert audited_staff(conn, dialog.reference_label.text()) == {("Alex", TERMINAL)}


def test_the_lock_can_switch_person(qtbot: QtBot, desktop: Desktop) -> None:
    window = desktop.window
    screen = window.sign_in_screen
    window.act_lock.trigger()
    qtbot.mouseClick(screen.switch_button, Qt.MouseButton.LeftButton)
    assert screen.mode == SignInScreen.SIGN_IN and screen.staff_list.isVisible()
    assert "Priya stays signed in until someone signs in" in screen.message.text()
    sign_in(qtbot, desktop, "Sam")
    assert who(window) == "Sam · manager"


def test_the_desk_menu_and_sign_out(
    qtbot: QtBot, desktop: Desktop, conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = desktop.window
    desk_menu = window.menuBar().actions()[0].menu()
    assert isinstance(desk_menu, QMenu) and desk_menu.title() == "&Desk"
    labels = [a.text() for a in desk_menu.actions() if not a.isSeparator()]
    assert labels == ["Lock", "Switch person…", "Sign out", "Connection settings…"]
    assert window.act_lock.shortcut().toString() == "Ctrl+L"

    import ui.settings_dialog

    opened: list[object] = []
    monkeypatch.setattr(
        ui.settings_dialog, "open_settings_dialog", lambda *args: opened.append(args)
    )
    window.act_connection.trigger()
    assert opened == [(window, desktop.settings)]

    window.act_sign_out.trigger()
    screen = window.sign_in_screen
    assert window.locked and screen.mode == SignInScreen.SIGN_IN
    assert screen.message.text().startswith("Signed out")
    assert who(window) == "Nobody signed in"
    qtbot.waitUntil(lambda: desktop.desk.signed_in is None)
    qtbot.waitUntil(lambda: open_sessions(conn) == [], timeout=15_000)
    qtbot.mouseClick(screen.settings_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 2  # also from the sign-in screen
    sign_in(qtbot, desktop, "Alex")


def test_a_host_sees_the_managers_paperwork_disabled(qtbot: QtBot, desktop: Desktop) -> None:
    window = desktop.window
    actions = window.run_sheet.actions
    assert not any(a.isEnabled() for a in actions)
    assert {a.toolTip() for a in actions} == {RunSheetActions.MANAGERS_ONLY}
    window.act_switch.trigger()
    sign_in(qtbot, desktop, "Sam")
    assert all(a.isEnabled() for a in actions)
    assert window.run_sheet.act_print.toolTip() == "Print run sheet"
    assert window.run_sheet.printed_by == f"Sam at {TERMINAL}"


# ---- the idle lock, and a session the engine ended ------------------------------


def test_the_desk_locks_itself_when_left_alone(qtbot: QtBot, desktop: Desktop) -> None:
    window = desktop.window
    minutes = desktop.desk.idle_lock_minutes
    assert minutes == 5 and window.idle.interval_ms == minutes * 60_000
    assert window.idle.counting
    window.idle.set_interval(50)
    qtbot.waitUntil(lambda: window.locked, timeout=5_000)
    assert window.sign_in_screen.mode == SignInScreen.LOCKED
    assert not window.idle.counting  # nothing to count while locked
    window.idle.set_interval(60_000)
    sign_in(qtbot, desktop, "Priya")
    assert window.idle.counting


def test_an_ended_session_asks_again_and_the_booking_carries_on(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    window = desktop.window
    screen = window.sign_in_screen
    dialog = open_dialog_by_dragging(qtbot, desktop)
    book_a_new_guest(qtbot, dialog, "Ended Edna")
    qtbot.waitUntil(lambda: "Held for you" in dialog.tables.note.text(), timeout=15_000)
    # signed out elsewhere (a manager disabled the session, or it expired)
    conn.execute("UPDATE private.staff_sessions SET ended_at = now() WHERE ended_at IS NULL")

    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.locked, timeout=15_000)
    assert screen.mode == SignInScreen.SIGN_IN
    assert "sign in again" in screen.message.text()
    assert "Everything you typed is kept" in screen.message.text()
    assert screen.chosen_name == "Priya"  # who was signed in, chosen already
    assert desktop.desk.signed_in is None and who(window) == "Nobody signed in"
    assert dialog.isHidden() and dialog.result_value is None
    assert dialog.message.text().startswith("Not booked: Your sign-in ended")

    sign_in(qtbot, desktop, "Priya")
    assert dialog.isVisible()
    assert dialog.guest.name.text() == "Ended Edna"
    assert dialog.requests.toPlainText() == "Typed before the sign-in ended"
    assert dialog.message.text().startswith(SIGNED_IN_AGAIN)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=15_000)
    assert audited_staff(conn, dialog.reference_label.text()) == {("Priya", TERMINAL)}


def test_an_ended_session_found_by_the_night_asks_again(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    window = desktop.window
    conn.execute("UPDATE private.staff_sessions SET ended_at = now() WHERE ended_at IS NULL")
    reloads = window.night.reloads
    window.act_next.trigger()  # reading the next night needs a session
    qtbot.waitUntil(lambda: window.locked, timeout=15_000)
    # no other night's figures under its date, and no "retrying" for a sign-in
    qtbot.waitUntil(lambda: window.summary.event_name.text() == "Sign in to see this night")
    assert not window.statusBar().currentMessage().startswith("Couldn't load")
    sign_in(qtbot, desktop, "Priya")
    qtbot.waitUntil(lambda: window.night.reloads > reloads and window.night.settled, timeout=15_000)
    assert window.model.plan is not None and window.model.plan.night == window.night.night


def test_a_dialog_run_in_its_own_loop_is_cancelled_by_the_lock(
    qtbot: QtBot, desktop: Desktop
) -> None:
    # (the print and file dialogs: hidden, their loop would end with nobody
    # to show them again)
    window = desktop.window
    printing = QDialog(window)
    QTimer.singleShot(0, window.lock)
    assert printing.exec() == QDialog.DialogCode.Rejected
    assert window.locked
    sign_in(qtbot, desktop, "Priya")
    assert printing.isHidden()


def test_closing_the_window_signs_out(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    assert open_sessions(conn) == ["Priya"]
    desktop.close()
    assert open_sessions(conn) == []


def test_someone_disabled_since_the_list_was_read(
    qtbot: QtBot, signed_out: Desktop, conn: Conn
) -> None:
    screen = signed_out.window.sign_in_screen
    wait_for_staff(qtbot, screen)
    conn.execute("UPDATE staff SET is_active = false WHERE name = 'Alex'")
    assert screen.choose("Alex")
    type_pin(qtbot, screen, PINS["Alex"])
    qtbot.keyClick(screen.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.staff_names == ["Priya", "Sam"], timeout=15_000)
    assert screen.message.text() == "Nobody of that name can sign in here."
    sign_in(qtbot, signed_out, "Sam")
    assert signed_out.window.who_label.toolTip().startswith("Signed in until ")
