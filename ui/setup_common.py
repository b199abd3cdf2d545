"""What the setup screens share: the bookings a refusal names, in words and as
a list a manager works through (move or cancel them first)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QWidget

from frontdesk.venue_setup import StrandedBooking


def message_label(parent: QWidget) -> QLabel:
    """A message area (the booking dialog's style): hidden while empty."""
    label = QLabel(parent)
    label.setObjectName("MessageArea")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_message(label: QLabel, message: str, *, error: bool = True) -> None:
    label.setText(message)
    label.setProperty("kind", "error" if error else "info")
    label.style().unpolish(label)
    label.style().polish(label)
    label.setVisible(bool(message))


STRANDED_COLUMNS = ("Reference", "Guest", "When", "Tables", "Party", "Why")


def stranded_line(s: StrandedBooking) -> str:
    """'BR-261204-K7QX2M · Oliver Green · Fri 4 Dec 22:00–00:30 · Booth 3'."""
    return f"{s.reference} · {s.guest} · {when(s)} · {', '.join(s.tables)}"


def when(s: StrandedBooking) -> str:
    """The night and the times: 'Fri 4 Dec 22:00–00:30'."""
    return f"{s.night:%a} {s.night.day} {s.night:%b} {s.times}"


def stranded_text(stranded: Sequence[StrandedBooking], most: int = 8) -> str:
    lines = [stranded_line(s) for s in stranded[:most]]
    if len(stranded) > most:
        lines.append(f"… and {len(stranded) - most} more")
    return "\n".join(lines)


class StrandedList(QTreeWidget):
    """The bookings in the way of a save, one row each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StrandedList")
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setHeaderLabels(list(STRANDED_COLUMNS))
        self.setMinimumHeight(160)

    def show_bookings(self, stranded: Sequence[StrandedBooking]) -> None:
        self.clear()
        for s in stranded:
            item = QTreeWidgetItem(
                [s.reference, s.guest, when(s), ", ".join(s.tables), str(s.party_size), s.why_words]
            )
            self.addTopLevelItem(item)
        for column in range(len(STRANDED_COLUMNS)):
            self.resizeColumnToContents(column)
        self.setVisible(bool(stranded))

    def rows(self) -> list[list[str]]:
        """What the list shows (tests, screenshots)."""
        out = []
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item is not None:
                out.append([item.text(c) for c in range(len(STRANDED_COLUMNS))])
        return out
