"""The crash kit: tonight's run sheet saved as a PDF on each desk, a set
time before opening, so that the night can be run on paper if the server
or the network dies.

This module decides when a save is due (``next_step``: N minutes before
tonight's opening, from the night plan's hours; straight away when a desk
starts later than that while the night is still on), where the file goes
(the data folder's ``crash-kit``, one file per night), writes it whole and
forgets nights older than a week (the sheet holds guests' phone numbers).
The clock is always passed in, so tests choose the time.  The PDF itself is
drawn by the window's part (ui/runsheet.py), handed in as ``Render``: no Qt
here.
"""

from __future__ import annotations

import enum
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from frontdesk.desk import Desk
from frontdesk.exports import NightSheet, load_night_sheet
from frontdesk.plan import NightPlan
from frontdesk.settings import Settings

#: Where the kit goes instead of the data folder's crash-kit (a folder a
#: manager backs up, or a USB stick).
FOLDER_ENV = "FRONTDESK_CRASH_KIT_DIR"
#: How many minutes before opening it is saved (default 60).
LEAD_ENV = "FRONTDESK_CRASH_KIT_MINUTES"
DEFAULT_LEAD_MINUTES = 60
#: Nights kept in the folder; older sheets are deleted (guests' data).
KEEP_DAYS = 7
FOLDER_NAME = "crash-kit"
_FILE = re.compile(r"^run-sheet-(\d{4}-\d{2}-\d{2})\.pdf$")

#: Draws a run sheet as PDF bytes: (sheet, printed at) -> (bytes, pages).
Render = Callable[[NightSheet, datetime], tuple[bytes, int]]


@dataclass(frozen=True)
class CrashKitConfig:
    folder: Path
    lead: timedelta = timedelta(minutes=DEFAULT_LEAD_MINUTES)
    keep_days: int = KEEP_DAYS

    @classmethod
    def for_settings(
        cls, settings: Settings, environ: Mapping[str, str] | None = None
    ) -> CrashKitConfig:
        """The data folder's crash-kit, or ``FRONTDESK_CRASH_KIT_DIR``; the
        lead from ``FRONTDESK_CRASH_KIT_MINUTES`` (ignored unless 0 to 720)."""
        env = os.environ if environ is None else environ
        folder = Path(env.get(FOLDER_ENV) or settings.data_dir / FOLDER_NAME)
        minutes = DEFAULT_LEAD_MINUTES
        typed = (env.get(LEAD_ENV) or "").strip()
        if typed.isdigit() and 0 <= int(typed) <= 720:
            minutes = int(typed)
        return cls(folder=folder, lead=timedelta(minutes=minutes))

    def file_for(self, night: date) -> Path:
        """'run-sheet-2026-12-04.pdf' in the folder: a night's kit."""
        return self.folder / f"run-sheet-{night.isoformat()}.pdf"


class Action(enum.Enum):
    SAVE = "save"  # now
    WAIT = "wait"  # until ``at``
    IDLE = "idle"  # nothing due tonight (closed, saved, or over): look again later


@dataclass(frozen=True)
class NextStep:
    action: Action
    at: datetime | None = None  # when WAIT ends
    night: date | None = None


def due_at(plan: NightPlan, lead: timedelta) -> datetime | None:
    """When the night's kit is due: ``lead`` before it opens; None when
    the night is closed."""
    if plan.is_closed or plan.opens_at is None:
        return None
    return plan.opens_at - lead


def next_step(now: datetime, plan: NightPlan, config: CrashKitConfig) -> NextStep:
    """What the desk does next for the night ``plan`` (tonight: the night in
    progress, else today's): save now, wait until the kit is due, or nothing
    (closed, already saved since it was due, or the night is over).  A desk
    that starts after the due time but before closing saves at once."""
    due = due_at(plan, config.lead)
    if due is None or plan.closes_at is None:
        return NextStep(Action.IDLE, night=plan.night)
    if now >= plan.closes_at or saved_since(config, plan.night, due):
        return NextStep(Action.IDLE, night=plan.night)
    if now >= due:
        return NextStep(Action.SAVE, night=plan.night)
    return NextStep(Action.WAIT, at=due, night=plan.night)


def saved_since(config: CrashKitConfig, night: date, since: datetime) -> bool:
    """True when the night's kit was written at ``since`` or later."""
    path = config.file_for(night)
    try:
        return path.stat().st_mtime >= since.timestamp()
    except OSError:
        return False


def tonight(desk: Desk) -> NightPlan:
    """The plan of the night in progress, else today's (blocking; needs
    somebody signed in at the desk)."""
    return desk.night_plan(desk.current_night())


def save(
    desk: Desk,
    config: CrashKitConfig,
    render: Render,
    now: datetime,
    night: date | None = None,
) -> Path:
    """Read the night (tonight by default), draw its run sheet, write it to
    the folder (replaced whole) and delete sheets older than a week; the
    file written.  Blocking: run it off the UI thread.  Raises as the desk
    does, and OSError when the folder cannot be written."""
    chosen = night if night is not None else desk.current_night()
    sheet = load_night_sheet(desk, chosen)
    data, _pages = render(sheet, now.astimezone(desk.time_zone))
    path = write_kit(config, chosen, data)
    prune(config, today=now.astimezone(desk.time_zone).date())
    return path


def write_kit(config: CrashKitConfig, night: date, data: bytes) -> Path:
    """Write a night's kit (the folder made if need be; never half-written)."""
    config.folder.mkdir(parents=True, exist_ok=True)
    path = config.file_for(night)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=config.folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def prune(config: CrashKitConfig, today: date) -> list[Path]:
    """Delete the kits of nights more than ``keep_days`` before ``today``;
    what was deleted.  Other files in the folder are left alone."""
    removed: list[Path] = []
    try:
        entries = list(config.folder.iterdir())
    except OSError:
        return removed
    oldest = today - timedelta(days=config.keep_days)
    for path in entries:
        match = _FILE.match(path.name)
        if not match:
            continue
        try:
            night = date.fromisoformat(match.group(1))
        except ValueError:
            continue
        if night < oldest:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def latest(config: CrashKitConfig) -> Path | None:
    """The newest night's kit in the folder, if any."""
    try:
        kits = sorted(p for p in config.folder.iterdir() if _FILE.match(p.name))
    except OSError:
        return None
    return kits[-1] if kits else None
