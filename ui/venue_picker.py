"""Several venues in one database: which one this desk works.  Asked once per
machine (the choice is kept in the window's settings) and again when the
venue kept there is gone."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.venue_setup import VenueChoice

KEY = "venue/id"


def remembered(store: QSettings, venues: Sequence[VenueChoice]) -> VenueChoice | None:
    """The venue this machine chose before, if it is still there."""
    saved = str(store.value(KEY, "") or "")
    return next((v for v in venues if str(v.id) == saved), None)


def remember(store: QSettings, venue_id: UUID) -> None:
    store.setValue(KEY, str(venue_id))
    store.sync()


class VenuePicker(QDialog):
    """A list of the database's venues; Enter or double-click picks one."""

    def __init__(self, venues: Sequence[VenueChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Which venue?")
        self._venues = list(venues)
        self.list = QListWidget(self)
        for venue in self._venues:
            QListWidgetItem(venue.name, self.list)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Open this venue")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(self.accept)
        layout = QVBoxLayout(self)
        words = QLabel(
            "This database holds several venues. Which one does this desk work? "
            "(It is remembered on this computer.)",
            self,
        )
        words.setWordWrap(True)
        layout.addWidget(words)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.setFocus()

    @property
    def chosen(self) -> VenueChoice | None:
        row = self.list.currentRow()
        return self._venues[row] if 0 <= row < len(self._venues) else None
