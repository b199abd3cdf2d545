"""The venue's guest tags, a manager's (Manager ▸ Guest tags…).

One row a tag, in the list's order: its name, what it does (VIP, note,
warning, banned), whether it is offered ("In use"; unticked: retired, it
stays on the guests who have it) and how many guests have it.  Add, Remove,
Move up/down, then Save sends the whole list
(``frontdesk.guests.save_tag_list``, off the UI thread).  The engine's
refusals are said in its words (a tag on guests removed: TAG_IN_USE, "retire
it instead"; two tags of one name: DUPLICATE_TAG) and the list stays as
edited, to put right.
"""

from __future__ import annotations

from functools import partial
from uuid import UUID

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk import guests
from frontdesk.desk import Desk
from frontdesk.guests import TAG_KINDS, GuestTag
from ui import text
from ui.ops import Ops

#: What each kind does, in words a manager reads in the Kind column.
KIND_NAMES = {
    "vip": "VIP (shown first)",
    "note": "Note",
    "warning": "Warning (shown before booking)",
    "banned": "Banned (refuses bookings)",
}
NAME, KIND, IN_USE, GUESTS = range(4)
HEADERS = ("Name", "Kind", "In use", "Guests")


class TagsDialog(QDialog):
    """Edit the venue's list of guest tags; Save sends it whole."""

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.setWindowTitle("Guest tags")
        self.setObjectName("TagsDialog")
        self.resize(620, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The tags a desk can put on a guest. Untick “In use” to retire a tag "
            "that guests have: it stays on them but is offered no more.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column in (KIND, IN_USE, GUESTS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        row_buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add tag", self)
        self.remove_button = QPushButton("&Remove", self)
        self.up_button = QPushButton("Move &up", self)
        self.down_button = QPushButton("Move do&wn", self)
        for button, slot in (
            (self.add_button, self.add_tag),
            (self.remove_button, self.remove_selected),
            (self.up_button, self.move_up),
            (self.down_button, self.move_down),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            row_buttons.addWidget(button)
        row_buttons.addStretch(1)
        layout.addLayout(row_buttons)
        self.message = QLabel(self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the list is read
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.saves = 0
        self.reload()

    # ---- reading -----------------------------------------------------------

    def reload(self) -> None:
        self._ops.query(_tag_list, owner=self, done=self.show_tags, failed=self._failed)

    def show_tags(self, tags: list[GuestTag]) -> None:
        self.finish_editing()
        self.table.setRowCount(0)
        for tag in tags:
            self._append(tag)
        self.save_button.setEnabled(True)

    def _append(self, tag: GuestTag) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(tag.name)
        name.setData(Qt.ItemDataRole.UserRole, tag.id)
        self.table.setItem(row, NAME, name)
        kind = QComboBox(self.table)
        for key in TAG_KINDS:
            kind.addItem(KIND_NAMES[key], key)
        kind.setCurrentIndex(max(0, kind.findData(tag.kind)))
        self.table.setCellWidget(row, KIND, kind)
        in_use = QTableWidgetItem()
        in_use.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        in_use.setCheckState(Qt.CheckState.Checked if tag.is_active else Qt.CheckState.Unchecked)
        self.table.setItem(row, IN_USE, in_use)
        count = QTableWidgetItem(str(tag.guests) if tag.id is not None else "new")
        count.setFlags(Qt.ItemFlag.ItemIsEnabled)
        count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.setItem(row, GUESTS, count)
        return row

    # ---- the list as edited ------------------------------------------------

    def finish_editing(self) -> None:
        """A name still being typed counts (Save or a move by keyboard while
        the editor is open): commit it and close the editor first."""
        if self.table.state() != QAbstractItemView.State.EditingState:
            return
        viewport = self.table.viewport()
        for editor in viewport.findChildren(QLineEdit):
            if editor.parent() is viewport:  # the name's editor (not inside a cell's combo)
                self.table.commitData(editor)
                self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def tags(self) -> list[GuestTag]:
        """The rows as they stand, in order."""
        self.finish_editing()
        out = []
        for row in range(self.table.rowCount()):
            name, in_use, kind = (
                self.table.item(row, NAME),
                self.table.item(row, IN_USE),
                self.table.cellWidget(row, KIND),
            )
            assert name is not None and in_use is not None and isinstance(kind, QComboBox)
            tag_id: UUID | None = name.data(Qt.ItemDataRole.UserRole)
            out.append(
                GuestTag(
                    id=tag_id,
                    name=name.text(),
                    kind=str(kind.currentData()),
                    sort_order=row + 1,
                    is_active=in_use.checkState() == Qt.CheckState.Checked,
                )
            )
        return out

    def row_of(self, name: str) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, NAME)
            if item is not None and item.text() == name:
                return row
        raise KeyError(name)

    def add_tag(self) -> None:
        row = self._append(GuestTag(id=None, name="", kind="note"))
        self.table.selectRow(row)
        item = self.table.item(row, NAME)
        if item is not None:
            self.table.setCurrentItem(item)
            self.table.editItem(item)

    def remove_selected(self) -> None:
        self.finish_editing()
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def move_up(self) -> None:
        self._move(-1)

    def move_down(self) -> None:
        self._move(+1)

    def _move(self, step: int) -> None:
        row = self.table.currentRow()
        if row < 0 or not 0 <= row + step < self.table.rowCount():
            return
        tags = self.tags()
        guests_of = [self._guests_text(r) for r in range(len(tags))]
        tags[row], tags[row + step] = tags[row + step], tags[row]
        guests_of[row], guests_of[row + step] = guests_of[row + step], guests_of[row]
        self.table.setRowCount(0)
        for tag, count in zip(tags, guests_of, strict=True):
            new = self._append(tag)
            item = self.table.item(new, GUESTS)
            assert item is not None
            item.setText(count)
        self.table.selectRow(row + step)

    def _guests_text(self, row: int) -> str:
        item = self.table.item(row, GUESTS)
        return item.text() if item is not None else ""

    # ---- saving ------------------------------------------------------------

    def save(self) -> None:
        self.say("")
        self.save_button.setEnabled(False)
        self._ops.mutate(
            partial(_save, self.tags()), owner=self, done=self._saved, failed=self._failed
        )

    def _saved(self, _none: None) -> None:
        self.saves += 1
        self.say("Saved.")
        self.reload()

    def _failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.save_button.setEnabled(True)
        self.say(text.not_done("Not saved", exc))

    def say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))


def open_tags_dialog(parent: QWidget, ops: Ops) -> TagsDialog:
    dialog = TagsDialog(ops, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def _tag_list(desk: Desk) -> list[GuestTag]:
    return guests.tag_list(desk)


def _save(tags: list[GuestTag], desk: Desk) -> None:
    guests.save_tag_list(desk, tags)
