"""Help: the shortcuts sheet (F1) and the host guide, in one window.

The shortcuts are read from the window's own menus and actions, so the
sheet lists what the keys do today, not what someone once wrote down.  The
guide is ``resources/help/host-guide.md`` (packaged with the app; its
screenshots beside it), shown as Markdown.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from frontdesk.package_data import resources_dir

GUIDE = "host-guide.md"

#: Keys that belong to the grid itself, not to a command in a menu.
GRID_KEYS: tuple[tuple[str, str], ...] = (
    ("Arrow keys", "Move around the grid (floor rows are skipped)"),
    ("Shift+Left / Shift+Right", "Select empty time on one table"),
    ("Enter", "Open the selected booking, or book the selected time"),
    ("Any letter or digit", "Start finding a guest (name, phone or reference)"),
    ("Right-click", "What can be done to the booking or the time under the mouse"),
    ("Esc", "Close a dialog or a menu; cancel a drag"),
)


def help_folder() -> str:
    return str(resources_dir() / "help")


def guide_text() -> str:
    """The host guide's Markdown."""
    return (resources_dir() / "help" / GUIDE).read_text(encoding="utf-8")


def shortcut_rows(menu_bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every command with keys in ``menu_bar``'s menus."""
    rows: list[tuple[str, str, str]] = []
    for top in menu_bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        heading = top.text().replace("&", "")
        for action in menu.actions():
            if not isinstance(action, QAction):
                continue
            keys = _keys(action)
            if keys and not action.isSeparator():
                rows.append((heading, action.text().replace("&", ""), keys))
    return rows


def _keys(action: QAction) -> str:
    seen: list[str] = []
    for sequence in action.shortcuts():
        words = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        if words and words not in seen:
            seen.append(words)
    return " or ".join(seen)


def shortcuts_html(menu_bar: QMenuBar) -> str:
    rows = ["<h2>Shortcuts</h2>", "<p>Every command is also in the menus above the grid.</p>"]
    heading = ""
    rows.append("<table cellspacing='0' cellpadding='5'>")
    for menu, command, keys in shortcut_rows(menu_bar):
        if menu != heading:
            heading = menu
            rows.append(f"<tr><td colspan='2'><br><b>{menu}</b></td></tr>")
        rows.append(f"<tr><td><tt>{keys}</tt></td><td>{command}</td></tr>")
    rows.append("<tr><td colspan='2'><br><b>On the grid</b></td></tr>")
    for keys, what in GRID_KEYS:
        rows.append(f"<tr><td><tt>{keys}</tt></td><td>{what}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


class HelpDialog(QDialog):
    """Shortcuts and the host guide; ``show_guide`` / ``show_shortcuts`` pick the tab."""

    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HelpDialog")
        self.setWindowTitle("Help")
        self.resize(820, 720)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.shortcuts = QTextBrowser(self)
        self.shortcuts.setObjectName("Shortcuts")
        self.shortcuts.setHtml(shortcuts_html(menu_bar))
        self.guide = QTextBrowser(self)
        self.guide.setObjectName("HostGuide")
        self.guide.setOpenExternalLinks(True)
        self.guide.setSearchPaths([help_folder()])
        self.guide.document().setBaseUrl(QUrl.fromLocalFile(help_folder() + "/"))
        self.guide.setMarkdown(guide_text())
        self.tabs.addTab(self.shortcuts, "Shortcuts")
        self.tabs.addTab(self.guide, "Host guide")
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_shortcuts(self) -> None:
        self.tabs.setCurrentWidget(self.shortcuts)

    def show_guide(self) -> None:
        self.tabs.setCurrentWidget(self.guide)
