"""The crash kit: when tonight's run sheet is due (an injected clock), where
it goes, that it is written whole and old nights are forgotten."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk import crash_kit
from frontdesk.crash_kit import Action, CrashKitConfig, next_step
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.exports import NightSheet
from frontdesk.plan import NightPlan
from frontdesk.settings import Settings
from tests.benchmarks.runsheet_time import busy_night_sheet
from tests.core.desk_helpers import VENUE, Conn

LONDON = ZoneInfo("Europe/London")
NIGHT = date(2026, 12, 4)


def _at(hhmm: str, day: date = NIGHT) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON)


@pytest.fixture
def plan() -> NightPlan:
    """A Friday open 21:00 to 04:00."""
    sheet = busy_night_sheet(3, NIGHT)
    return replace(sheet.plan, opens_at=_at("21:00"), closes_at=_at("04:00", date(2026, 12, 5)))


@pytest.fixture
def config(tmp_path: Path) -> CrashKitConfig:
    return CrashKitConfig(folder=tmp_path / "kit", lead=timedelta(minutes=60))


def test_it_is_due_an_hour_before_opening(plan: NightPlan, config: CrashKitConfig) -> None:
    assert next_step(_at("09:00"), plan, config) == crash_kit.NextStep(
        Action.WAIT, at=_at("20:00"), night=NIGHT
    )
    assert next_step(_at("19:59"), plan, config).action is Action.WAIT
    assert next_step(_at("20:00"), plan, config).action is Action.SAVE


def test_a_desk_started_late_saves_at_once_until_closing(
    plan: NightPlan, config: CrashKitConfig
) -> None:
    assert next_step(_at("23:30"), plan, config).action is Action.SAVE
    assert next_step(_at("03:59", date(2026, 12, 5)), plan, config).action is Action.SAVE
    assert next_step(_at("04:00", date(2026, 12, 5)), plan, config).action is Action.IDLE


def test_once_saved_after_it_was_due_nothing_more_is_due(
    plan: NightPlan, config: CrashKitConfig
) -> None:
    path = crash_kit.write_kit(config, NIGHT, b"%PDF-1.4 kit")
    os.utime(path, (_at("19:00").timestamp(),) * 2)  # an early save on demand
    assert next_step(_at("20:05"), plan, config).action is Action.SAVE
    os.utime(path, (_at("20:01").timestamp(),) * 2)
    assert next_step(_at("20:05"), plan, config).action is Action.IDLE


def test_a_closed_night_has_nothing_due(plan: NightPlan, config: CrashKitConfig) -> None:
    closed = replace(plan, is_closed=True, opens_at=None, closes_at=None)
    assert next_step(_at("20:30"), closed, config).action is Action.IDLE


def test_the_lead_and_folder_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(None, tmp_path, tmp_path / "logs", terminal="DESK-1", staff_name="")
    default = CrashKitConfig.for_settings(settings, environ={})
    assert default.folder == tmp_path / "crash-kit"
    assert default.lead == timedelta(minutes=60)
    assert default.file_for(NIGHT).name == "run-sheet-2026-12-04.pdf"
    chosen = CrashKitConfig.for_settings(
        settings,
        environ={crash_kit.FOLDER_ENV: str(tmp_path / "usb"), crash_kit.LEAD_ENV: "90"},
    )
    assert (chosen.folder, chosen.lead) == (tmp_path / "usb", timedelta(minutes=90))
    odd = CrashKitConfig.for_settings(settings, environ={crash_kit.LEAD_ENV: "-5"})
    assert odd.lead == timedelta(minutes=60)


def test_old_nights_are_forgotten(config: CrashKitConfig) -> None:
    for days in range(10):
        crash_kit.write_kit(config, NIGHT - timedelta(days=days), b"%PDF")
    (config.folder / "notes.txt").write_text("kept")
    removed = crash_kit.prune(config, today=NIGHT)
    assert sorted(p.name for p in removed) == [
        "run-sheet-2026-11-25.pdf",
        "run-sheet-2026-11-26.pdf",
    ]
    assert (config.folder / "notes.txt").exists()
    assert crash_kit.latest(config) == config.file_for(NIGHT)
    assert not list(config.folder.glob(".run-sheet-*"))  # no temporary file left


@pytest.fixture
def desk(demo_db_url: str) -> Iterator[Desk]:
    db = Database(demo_db_url, staff=StaffContext(terminal="DESK-1", staff_name="Priya"))
    yield Desk(db, VENUE, wait=lambda _s: None)
    db.close()


def test_save_writes_tonights_sheet(desk: Desk, demo_conn: Conn, config: CrashKitConfig) -> None:
    drawn: list[tuple[NightSheet, datetime]] = []

    def render(sheet: NightSheet, at: datetime) -> tuple[bytes, int]:
        drawn.append((sheet, at))
        return b"%PDF-1.4 " + sheet.plan.night.isoformat().encode(), 1

    now = datetime.now(LONDON)
    path = crash_kit.save(desk, config, render, now)
    tonight = desk.current_night()
    assert path == config.file_for(tonight)
    assert path.read_bytes() == b"%PDF-1.4 " + tonight.isoformat().encode()
    ((sheet, at),) = drawn
    assert sheet.plan.night == tonight and at == now
    assert crash_kit.tonight(desk).night == tonight


def test_a_folder_that_cannot_be_written_raises(
    desk: Desk, tmp_path: Path, config: CrashKitConfig
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(OSError):
        crash_kit.save(
            desk, replace(config, folder=blocked), lambda s, a: (b"%PDF", 1), datetime.now(LONDON)
        )
