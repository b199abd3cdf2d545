"""A guest's tags and notes, from the guest card ("Tags & notes…").

The venue's tags in use, ticked when the guest has them (a retired tag the
guest still has stays listed), and the guest's notes.  Save sets both
(``frontdesk.guests.set_guest_tags`` then ``set_guest_notes``, off the UI
thread); a refusal is said in the dialog in the engine's words and nothing
is closed: a host who adds or removes a banned tag is told only a manager
may, and the guest keeps the tags they had.
"""

from __future__ import annotations

from functools import partial
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk import guests
from frontdesk.desk import Desk
from frontdesk.guests import GuestProfile, GuestTag
from ui import text
from ui.ops import Ops

KIND_LABELS = {"vip": "VIP", "note": "note", "warning": "warning", "banned": "banned"}


class GuestTagsDialog(QDialog):
    """Tick the guest's tags, write their notes, Save."""

    saved = Signal()

    def __init__(self, ops: Ops, profile: GuestProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self.profile = profile
        self.setWindowTitle(f"Tags & notes — {profile.name}")
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        heading = QLabel(f"&Tags for {profile.name}", self)
        layout.addWidget(heading)
        self.tags = QListWidget(self)
        heading.setBuddy(self.tags)
        self.tags.itemActivated.connect(self._toggle)
        layout.addWidget(self.tags, 1)
        notes_label = QLabel("&Notes (seen on the guest card at every desk)", self)
        layout.addWidget(notes_label)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setPlainText(profile.notes or "")
        self.notes.setFixedHeight(80)
        notes_label.setBuddy(self.notes)
        layout.addWidget(self.notes)
        self.message = QLabel(self)
        self.message.setObjectName("MessageArea")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the venue's list is read
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._ops.query(_tag_list, owner=self, done=self._show_tags, failed=self._failed)

    def _show_tags(self, tags: list[GuestTag]) -> None:
        has = {t.id for t in self.profile.tags}
        self.tags.clear()
        for tag in tags:
            if not tag.is_active and tag.id not in has:
                continue  # retired: offered no more
            label = f"{tag.name}  ({KIND_LABELS.get(tag.kind, tag.kind)})"
            if not tag.is_active:
                label += " — retired"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, tag.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = tag.id in has
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.tags.addItem(item)
        if self.tags.count():
            self.tags.setCurrentRow(0)
        self.save_button.setEnabled(True)

    def _toggle(self, item: QListWidgetItem) -> None:
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def set_checked(self, name: str, checked: bool) -> None:
        """Tick (or untick) the tag called ``name``."""
        for item in self._items():
            if item.text().split("  (")[0] == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(name)

    def chosen(self) -> list[UUID]:
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def _items(self) -> list[QListWidgetItem]:
        return [self.tags.item(i) for i in range(self.tags.count())]

    def save(self) -> None:
        self.save_button.setEnabled(False)
        self.say("")
        self._ops.mutate(
            partial(_save, self.profile.id, self.chosen(), self.notes.toPlainText()),
            owner=self,
            done=self._saved,
            failed=self._failed,
        )

    def _saved(self, _none: None) -> None:
        self.saved.emit()
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        self.say(text.not_done("Not saved", exc))

    def say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))


def _tag_list(desk: Desk) -> list[GuestTag]:
    return guests.tag_list(desk)


def _save(customer_id: UUID, tag_ids: list[UUID], notes: str, desk: Desk) -> None:
    # Tags first: a refused tag (a host and a ban) leaves the notes as they were too.
    guests.set_guest_tags(desk, customer_id, tag_ids)
    guests.set_guest_notes(desk, customer_id, notes)
