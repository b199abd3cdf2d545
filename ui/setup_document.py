"""The setup document being edited in the Setup window, with undo.

The document is the engine's JSON (``Desk.venue_setup``); every edit is a
command on a ``QUndoStack`` holding the whole document before and after (it
is small), so undo is exact whatever the edit touched (renaming a floor
renames it on its tables too).  ``problems`` checks what can be checked
without the database, for inline hints; the engine checks everything again
on save and its answer points at the same paths.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from frontdesk.venue_setup import WEEKDAYS

Doc = dict[str, Any]
Path = tuple[str, ...]

TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
MONEY = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")
FACTOR = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3})?$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _Edit(QUndoCommand):
    def __init__(self, document: SetupDocument, before: Doc, after: Doc, label: str, key: str):
        super().__init__(label)
        self._document = document
        self.before = before
        self.after = after
        self.key = key

    def id(self) -> int:
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        # Typing into one field (a spin box's steps) is one edit to undo.
        if isinstance(other, _Edit) and other.key == self.key and self.key:
            self.after = other.after
            return True
        return False

    def redo(self) -> None:
        self._document._show(self.after)

    def undo(self) -> None:
        self._document._show(self.before)


class SetupDocument(QObject):
    """The document on screen; ``changed`` after every edit, undo and load."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._doc: Doc = {}
        #: A place the engine refused at the last save (path -> message).
        self.server_problem: tuple[Path, str] | None = None

    @property
    def doc(self) -> Doc:
        return self._doc

    @property
    def loaded(self) -> bool:
        return bool(self._doc)

    def load(self, doc: Mapping[str, Any]) -> None:
        """A document read from the database: nothing to undo, clean."""
        self._doc = copy.deepcopy(dict(doc))
        self.server_problem = None
        self.undo_stack.clear()
        self.changed.emit()

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def edit(self, label: str, change: Callable[[Doc], None], *, merge_key: str = "") -> bool:
        """Apply ``change`` to a copy of the document, as one undoable edit
        (nothing when it changes nothing)."""
        after = copy.deepcopy(self._doc)
        change(after)
        if after == self._doc:
            return False
        self.undo_stack.push(_Edit(self, self._doc, after, label, merge_key))
        return True

    def set(self, path: Path, value: Any, label: str) -> bool:
        """One value at ``path`` (keys and list indexes as text, from 0)."""

        def change(doc: Doc) -> None:
            target: Any = doc
            for key in path[:-1]:
                target = (
                    target[int(key)] if isinstance(target, list) else target.setdefault(key, {})
                )
            if isinstance(target, list):
                target[int(path[-1])] = value
            elif value is None:
                target.pop(path[-1], None)
            else:
                target[path[-1]] = value

        return self.edit(label, change, merge_key="/".join(path))

    def _show(self, doc: Doc) -> None:
        self._doc = doc
        self.server_problem = None
        self.changed.emit()


# --- checks a manager sees as they type ---------------------------------------


def problems(doc: Mapping[str, Any]) -> dict[Path, str]:
    """What is wrong in the document that needs no database to see, by path
    (list indexes from 0).  The engine checks it all again on save."""
    out: dict[Path, str] = {}
    if not str(doc.get("name") or "").strip():
        out[("name",)] = "The venue needs a name."
    if doc.get("currency") and not re.fullmatch(r"[A-Z]{3}", doc["currency"]):
        out[("currency",)] = "A currency is three capital letters (GBP, EUR)."
    if doc.get("phone_country") and not re.fullmatch(r"[A-Z]{2}", doc["phone_country"]):
        out[("phone_country",)] = "A country is two capital letters (GB, IE)."
    floors = [str(f.get("name") or "").strip() for f in doc.get("floors", [])]
    for i, name in enumerate(floors):
        if not name:
            out[("floors", str(i), "name")] = "A floor needs a name."
        elif floors.index(name) != i:
            out[("floors", str(i), "name")] = f"There are two floors called {name}."
    _table_problems(doc, floors, out)
    _hours_problems(doc, out)
    _night_problems(doc, out)
    return out


def _table_problems(doc: Mapping[str, Any], floors: list[str], out: dict[Path, str]) -> None:
    tables = doc.get("tables", [])
    names = [str(t.get("name") or "").strip() for t in tables]
    floor_of = {n: t.get("floor") for n, t in zip(names, tables, strict=True)}
    for i, t in enumerate(tables):
        at = ("tables", str(i))
        name = names[i] or f"Table {i + 1}"
        if not names[i]:
            out[(*at, "name")] = "A table needs a name."
        elif names.index(names[i]) != i:
            out[(*at, "name")] = f"There are two tables called {name}."
        if t.get("floor") not in floors:
            out[(*at, "floor")] = f"{name} needs one of the floors."
        capacity = t.get("capacity")
        if not isinstance(capacity, int) or not 1 <= capacity <= 500:
            out[(*at, "capacity")] = f"{name}'s seats must be a whole number from 1 to 500."
        for key, what in (("min_spend", "minimum spend"), ("deposit", "deposit")):
            if not MONEY.match(str(t.get(key, ""))):
                out[(*at, key)] = f"{name}'s {what} must be an amount like 150 or 150.00."
        for other in t.get("joins", []):
            if other not in floor_of:
                out[(*at, "joins")] = f"{name} joins {other}, which is not a table here."
            elif floor_of[other] != t.get("floor"):
                out[(*at, "joins")] = f"{name} and {other} are on different floors."
            elif other == names[i]:
                out[(*at, "joins")] = f"{name} cannot join itself."


def _hours_problems(doc: Mapping[str, Any], out: dict[Path, str]) -> None:
    for day, hours in (doc.get("hours") or {}).items():
        for key in ("opens", "closes"):
            if not TIME.match(str(hours.get(key, ""))):
                out[("hours", day, key)] = "A time is HH:MM, like 21:00."
        if hours.get("opens") == hours.get("closes") and ("hours", day, "closes") not in out:
            out[("hours", day, "closes")] = "Closing must differ from opening."


def _night_problems(doc: Mapping[str, Any], out: dict[Path, str]) -> None:
    nights = doc.get("nights", [])
    dates = [str(n.get("date") or "") for n in nights]
    for i, n in enumerate(nights):
        at = ("nights", str(i))
        if not DATE.match(dates[i]):
            out[(*at, "date")] = "A date is YYYY-MM-DD."
        elif dates.index(dates[i]) != i:
            out[(*at, "date")] = f"{dates[i]} is listed twice."
        if n.get("closed"):
            if not str(n.get("reason") or "").strip():
                out[(*at, "reason")] = "Say why the venue is closed that night."
            continue
        if not str(n.get("event") or "").strip():
            out[(*at, "event")] = "An event needs a name."
        opens, closes = n.get("opens"), n.get("closes")
        if (opens is None) != (closes is None):
            out[(*at, "opens" if opens is None else "closes")] = "Give both hours, or neither."
        for key in ("opens", "closes"):
            if n.get(key) is not None and not TIME.match(str(n[key])):
                out[(*at, key)] = "A time is HH:MM, like 22:00."
        for key in ("min_spend_factor", "deposit_factor"):
            if n.get(key) is not None and not FACTOR.match(str(n[key])):
                out[(*at, key)] = "A price factor is a number like 1.25."


def hours_words(opens: str, closes: str) -> str:
    """'21:00 → 03:00 next day' (closing at or before opening is after midnight)."""
    if not (TIME.match(opens) and TIME.match(closes)):
        return ""
    return f"{opens} → {closes}{' next day' if closes <= opens else ''}"


def weekday_hours(doc: Mapping[str, Any]) -> list[tuple[str, dict[str, str] | None]]:
    hours = doc.get("hours") or {}
    return [(day, hours.get(day)) for day in WEEKDAYS]
