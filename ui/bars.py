"""Strips across the window: the offline banner, the night's summary, the live state."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from frontdesk.listener import ListenerState
from frontdesk.plan import FloorSummary, NightPlan, NightSummary
from ui import text, theme


class OfflineBanner(QFrame):
    """Across the top while the database can't be reached."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OfflineBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 10, 20, 10)
        layout.setSpacing(14)
        self.icon = QLabel(self)
        self.icon.setPixmap(theme.icon("offline", "#ffffff").pixmap(28, 28))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.icon)
        layout.addWidget(self.message, 1)
        self.set_reason("")
        self.hide()

    def set_reason(self, reason: str) -> None:
        detail = f" ({reason})" if reason else ""
        self.message.setText(
            "Can't reach the booking database — retrying. "
            "The grid shows the last known state; booking and moving are paused. "
            f"Nothing you have typed is lost.{detail}"
        )


class _FloorCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SummaryCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(2)
        self.floor = QLabel(self)
        self.floor.setObjectName("SummaryFloor")
        self.figures = QLabel(self)
        self.figures.setObjectName("SummaryFigures")
        self.money = QLabel(self)
        self.money.setObjectName("SummaryMoney")
        # Narrow windows (1,024 px) wrap the figures rather than widen the window.
        self.figures.setWordWrap(True)
        self.money.setWordWrap(True)
        layout.addWidget(self.floor)
        layout.addWidget(self.figures)
        layout.addWidget(self.money)

    def show_floor(self, floor: FloorSummary) -> None:
        self.floor.setText(floor.floor_name.upper())
        self.figures.setText(f"{floor.bookings} bookings · {floor.covers} covers")
        # Minimum spend: committed by the bookings, and achieved so far
        # (paid deposits and spend, each booking's capped at its minimum).
        self.money.setText(
            f"{text.money(floor.deposits)} deposits · min spend "
            f"{text.money(floor.min_spend_achieved)} of {text.money(floor.min_spend)}"
        )
        self.money.setToolTip(
            f"Minimum spend committed {text.money(floor.min_spend)}, achieved "
            f"{text.money(floor.min_spend_achieved)}; spend recorded {text.money(floor.spend)}"
        )


class SummaryBar(QFrame):
    """The night at a glance: the event, then bookings, covers, deposits and
    minimum spend per floor and in all.  A closed night says when the venue
    next opens, with a button to go there (``go_to_night``)."""

    go_to_night = Signal(object)  # date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SummaryBar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(16, 10, 16, 10)
        self._layout.setSpacing(12)
        self.event_name = QLabel(self)
        self.event_name.setObjectName("EventName")
        self.hours = QLabel(self)
        self.hours.setObjectName("Hint")
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.event_name)
        heading.addWidget(self.hours)
        self._layout.addLayout(heading)
        self.next_open = QPushButton(self)
        self.next_open.setObjectName("NextOpen")
        self.next_open.hide()
        self.next_open.clicked.connect(self._next_open_chosen)
        self._next_open: date | None = None
        self._layout.addWidget(self.next_open)
        self._layout.addSpacing(12)
        self._cards: list[_FloorCard] = []
        self._layout.addStretch(1)

    def show_summary(self, summary: NightSummary) -> None:
        self.event_name.setText(summary.event_name or "No event")
        floors = [*summary.floors, summary.total]
        while len(self._cards) < len(floors):
            card = _FloorCard(self)
            self._layout.insertWidget(self._layout.count() - 1, card)
            self._cards.append(card)
        for card, floor in zip(self._cards, floors, strict=False):
            card.show_floor(floor)
            card.show()
        for card in self._cards[len(floors) :]:
            card.hide()

    def show_hours(self, plan: NightPlan) -> None:
        self.show_next_open(None)
        if plan.is_closed or plan.opens_at is None or plan.closes_at is None:
            self.hours.setText("Closed")
            return
        zone = ZoneInfo(plan.time_zone)
        self.hours.setText(f"Open {text.span(plan.opens_at, plan.closes_at, zone)}")

    def show_next_open(self, night: date | None) -> None:
        """The night on screen is closed and the venue next opens on ``night``
        (None: not known, or not closed)."""
        self._next_open = night
        self.next_open.setVisible(night is not None)
        if night is None:
            return
        self.hours.setText(f"Closed · next open {text.night_title(night)}")
        self.next_open.setText(f"Go to {text.short_night(night)}")
        self.next_open.setToolTip(f"Show {text.night_title(night)}")

    def _next_open_chosen(self) -> None:
        if self._next_open is not None:
            self.go_to_night.emit(self._next_open)

    def show_unloaded(self, message: str) -> None:
        """The night on screen could not be read: say so, show no figures."""
        self.event_name.setText(message)
        self.hours.setText("")
        self.show_next_open(None)
        for card in self._cards:
            card.hide()

    def card_texts(self) -> list[str]:
        return [
            f"{c.floor.text()}: {c.figures.text()} · {c.money.text()}"
            for c in self._cards
            if not c.isHidden()
        ]


class LiveIndicator(QLabel):
    """ "● Live" or "○ Reconnecting…" — a word as well as a colour."""

    WORDS: ClassVar[dict[ListenerState, str]] = {
        ListenerState.CONNECTING: "○ Connecting…",
        ListenerState.LIVE: "● Live",
        ListenerState.RECONNECTING: "○ Reconnecting…",
        ListenerState.STOPPED: "○ Not live",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LiveState")
        self.set_state(ListenerState.CONNECTING)

    def set_state(self, state: ListenerState) -> None:
        self.setText(self.WORDS[state])
        self.setToolTip(
            "Changes from other desks and the website appear as they happen."
            if state is ListenerState.LIVE
            else "Live updates are off until the database answers again."
        )
        self.setProperty("live", "true" if state is ListenerState.LIVE else "false")
        self.style().unpolish(self)
        self.style().polish(self)
