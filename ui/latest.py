"""Latest answer wins: of several asks of the same thing in flight, only the
newest one's answer is shown.

A dialog asks again as the host types (the guest search, the suggestions,
the night's plan); an older answer that arrives late must not overwrite a
newer one.  Each ask takes a ticket; an answer comes through only while its
ticket is the newest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Latest:
    """Tickets for one kind of ask."""

    def __init__(self) -> None:
        self._newest = 0

    def ask(self, answer: Callable[[T], None]) -> Callable[[T], None]:
        """``answer``, called only if no later ask (or ``forget``) came since."""
        self._newest += 1
        ticket = self._newest

        def newest_only(value: T) -> None:
            if ticket == self._newest:
                answer(value)

        return newest_only

    def forget(self) -> None:
        """Whatever is in flight is no longer wanted."""
        self._newest += 1
