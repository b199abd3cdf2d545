"""The guest card: who the guest is to the venue, before the host says yes.

Tags as coloured chips (a VIP gold, a warning amber, a ban red, a note
grey; each says its name, never colour alone), one line of history ("VIP ·
7 visits · 2 no-shows · last 14 Nov · £1,240 spent"), what needs attention
("2 no-shows", "Banned: only a manager can book them"), and the guest's
notes.  Shown in the booking dialog when a guest is chosen and in the
selected-booking panel.  The card reads the profile itself, off the UI
thread (``show_guest``), or is given one (``show_profile``); "Tags &
notes…" opens ``ui.guest_tags_dialog`` and the card reads the guest again
once it is saved.
"""

from __future__ import annotations

import html
from functools import partial
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from frontdesk import guests
from frontdesk.desk import Desk
from frontdesk.guests import NO_SHOW_WARNING, GuestProfile
from ui import text
from ui.guest_tags_dialog import GuestTagsDialog
from ui.latest import Latest
from ui.ops import Ops

#: A chip's colours by the tag's kind: (fill, text, border).
CHIP_COLOURS = {
    "vip": ("#fdf3c4", "#6b4e00", "#d9b300"),
    "warning": ("#ffe3c2", "#7a3d00", "#e08a1e"),
    "banned": ("#fde0e0", "#8a1111", "#d33c3c"),
    "note": ("#e8ecf2", "#2c3a4d", "#a9b6c8"),
}

#: How wide a row of chips may be: the booking dialog's guest column, the narrowest place.
CHIP_ROW_WIDTH = 250


def history_line(profile: GuestProfile) -> str:
    """ "VIP · 7 visits · 2 no-shows · last 14 Nov · £1,240 spent"."""
    h = profile.history
    parts: list[str] = []
    if profile.is_vip:
        parts.append("VIP")
    parts.append("first visit" if h.visits == 0 else _count(h.visits, "visit"))
    if h.no_shows:
        parts.append(_count(h.no_shows, "no-show"))
    if h.cancellations:
        parts.append(_count(h.cancellations, "cancellation"))
    if h.last_visit is not None:
        parts.append(f"last {h.last_visit.day} {h.last_visit:%b}")
    if h.spend:
        parts.append(f"{text.money(h.spend)} spent")
    return " · ".join(parts)


def attention(profile: GuestProfile) -> list[str]:
    """What the host must see before saying yes, most serious first."""
    said = []
    if profile.is_banned:
        said.append("Banned: only a manager can book them")
    if profile.history.no_shows >= NO_SHOW_WARNING:
        said.append(f"{_count(profile.history.no_shows, 'no-show')} — confirm they are coming")
    said.extend(f"{t.name}: check the notes" for t in profile.tags if t.kind == "warning")
    return said


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


class GuestCard(QFrame):
    """One guest's tags, history and notes; hidden when there is no guest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("GuestCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._ops: Ops | None = None
        self._asked = Latest()
        self._customer_id: UUID | None = None
        self.profile: GuestProfile | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        # Chips in rows that fit the narrow guest column (never squeezed to "Allerg").
        self._chips = QVBoxLayout()
        self._chips.setSpacing(4)
        self._chip_labels: list[QLabel] = []
        layout.addLayout(self._chips)
        self.history = QLabel(self)
        self.history.setObjectName("GuestHistory")
        self.history.setWordWrap(True)
        layout.addWidget(self.history)
        self.warning = QLabel(self)
        self.warning.setObjectName("GuestWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #a11; font-weight: 600;")
        layout.addWidget(self.warning)
        self.notes = QLabel(self)
        self.notes.setObjectName("GuestNotes")
        self.notes.setWordWrap(True)
        layout.addWidget(self.notes)
        edit_row = QHBoxLayout()
        edit_row.addStretch(1)
        self.edit_button = QPushButton("Tags && notes…", self)
        self.edit_button.setObjectName("GuestCardEdit")
        self.edit_button.setAutoDefault(False)
        self.edit_button.setToolTip("Tag this guest or change their notes")
        self.edit_button.clicked.connect(self.edit_tags)
        edit_row.addWidget(self.edit_button)
        layout.addLayout(edit_row)
        self.hide()

    def use(self, ops: Ops) -> None:
        """Where ``show_guest`` reads profiles from."""
        self._ops = ops

    def chip_texts(self) -> list[str]:
        return [chip.text() for chip in self._chip_labels]

    def edit_tags(self) -> GuestTagsDialog | None:
        """Open "Tags & notes…" for the guest shown; read them again once saved."""
        if self.profile is None or self._ops is None:
            return None
        dialog = GuestTagsDialog(self._ops, self.profile, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.refresh)
        dialog.open()
        return dialog

    def show_guest(self, customer_id: UUID | None) -> None:
        """Read this guest's profile and show it (None: hide the card)."""
        if customer_id == self._customer_id and self.profile is not None:
            return
        self._customer_id = customer_id
        self._asked.forget()
        if customer_id is None or self._ops is None:
            self.show_profile(None)
            return
        self._ops.query(
            partial(_profile, customer_id),
            owner=self,
            done=self._asked.ask(self.show_profile),
            failed=self._failed,
        )

    def refresh(self) -> None:
        """Read the shown guest's profile again (their history changed)."""
        customer_id, self.profile = self._customer_id, None
        self.show_guest(customer_id)

    def show_profile(self, profile: GuestProfile | None) -> None:
        self.profile = profile
        self._clear_chips()
        if profile is None:
            self.hide()
            return
        self._show_chips(profile)
        self.history.setText(history_line(profile))
        warnings = attention(profile)
        self.warning.setText("<br>".join(html.escape(w) for w in warnings))
        self.warning.setVisible(bool(warnings))
        self.notes.setText(f"Notes: {profile.notes}" if profile.notes else "")
        self.notes.setVisible(bool(profile.notes))
        self.edit_button.setVisible(self._ops is not None and not profile.erased)
        self.setToolTip(
            "\n".join(
                f"Upcoming: {text.short_night(u.night)} · {text.party(u.party_size)}"
                f" · {', '.join(u.tables)}"
                for u in profile.upcoming[:5]
            )
        )
        self.show()

    def _clear_chips(self) -> None:
        for chip in self._chip_labels:
            chip.deleteLater()
        self._chip_labels.clear()
        while (row := self._chips.takeAt(0)) is not None:
            if (inner := row.layout()) is not None:
                inner.deleteLater()

    def _show_chips(self, profile: GuestProfile) -> None:
        row: QHBoxLayout | None = None
        used = 0
        for tag in profile.tags:
            fill, ink, border = CHIP_COLOURS.get(tag.kind, CHIP_COLOURS["note"])
            chip = QLabel(("⚠ " if tag.kind in ("warning", "banned") else "") + tag.name, self)
            chip.setObjectName("GuestChip")
            chip.setProperty("kind", tag.kind)
            chip.setStyleSheet(
                f"background: {fill}; color: {ink}; border: 1px solid {border};"
                " border-radius: 9px; padding: 1px 8px; font-weight: 600;"
            )
            chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            width = chip.sizeHint().width() + 4
            if row is None or used + width > CHIP_ROW_WIDTH:
                row = QHBoxLayout()
                row.setSpacing(4)
                row.addStretch(1)
                self._chips.addLayout(row)
                used = 0
            row.insertWidget(row.count() - 1, chip)  # before the row's stretch
            used += width
            self._chip_labels.append(chip)

    def _failed(self, _exc: Exception) -> None:
        self.show_profile(None)


def _profile(customer_id: UUID, desk: Desk) -> GuestProfile:
    return guests.guest_profile(desk, customer_id)
