# mypy: disable-error-code="no-untyped-call"
"""The night grid's model: layout by floor, the night's real slots, roles, one signal per change."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from frontdesk.database import Database
from frontdesk.desk import Desk
from frontdesk.plan import NightPlan, Status
from tests import clock
from tests.core import engine_helpers as eh
from ui.grid_model import NightGridModel, Role, RowKind
from ui.grid_view import NightGridView
from ui.timeline import elapsed, night_slots

LONDON = ZoneInfo("Europe/London")


def test_the_model_passes_qts_model_tester(
    qtmodeltester: ModelTester, desk: Desk, friday: date
) -> None:
    model = NightGridModel()
    model.set_plan(desk.night_plan(friday))
    qtmodeltester.check(model)
    model.set_plan(desk.night_plan(friday + timedelta(days=1)))  # another night: a reset
    qtmodeltester.check(model)


def test_floors_then_their_tables(desk: Desk, friday: date) -> None:
    model = NightGridModel()
    plan = desk.night_plan(friday)
    model.set_plan(plan)
    kinds = [model.data(model.index(r, 0), Role.ROW_KIND) for r in range(model.rowCount())]
    assert kinds[0] == RowKind.FLOOR and kinds[9] == RowKind.FLOOR
    assert kinds.count(RowKind.TABLE) == len(plan.tables) == 16
    assert model.headerData(0, _vertical()) == "Downstairs"
    assert model.headerData(1, _vertical()) == "Booth 1"
    assert model.headerData(10, _vertical()) == "Booth 9"
    tooltip = model.headerData(8, _vertical(), _tooltip())
    assert "DJ Booth: 12 seats · minimum spend £1,000" in tooltip and "★" in tooltip


def test_a_night_over_midnight(desk: Desk, friday: date) -> None:
    model = NightGridModel()
    plan = desk.night_plan(friday)
    model.set_plan(plan)
    labels = [model.headerData(c, _horizontal()) for c in range(model.columnCount())]
    assert len(labels) == 28  # 21:00 to 04:00
    assert labels[0] == "21:00" and labels[12] == "00:00" and labels[-1] == "03:45"
    starts = [model.data(model.index(1, c), Role.STARTS_AT) for c in range(model.columnCount())]
    assert starts[12] == datetime(friday.year, friday.month, friday.day, tzinfo=LONDON) + timedelta(
        days=1
    )
    for block in model.blocks():
        b = block.booking
        assert model.slot(block.first).starts_at <= b.starts_at < model.slot(block.first).ends_at  # type: ignore[union-attr]
        assert model.data(model.index(block.row, block.first), Role.BLOCK_START) is True
        assert model.data(model.index(block.row, block.last), Role.BOOKING) == b
        assert b.customer_name in model.data(model.index(block.row, block.first))


def test_one_change_is_one_data_changed(qtbot: QtBot, desk: Desk, friday: date) -> None:
    model = NightGridModel()
    plan = desk.night_plan(friday)
    model.set_plan(plan)
    resets: list[bool] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda tl, br, roles=(): changed.append((tl.row(), br.row())))
    model.set_plan(plan)  # the same plan again: nothing to repaint
    assert changed == [] and resets == []
    first = next(b for b in plan.bookings if b.status.holds_table)
    seated = dataclasses.replace(first, status=Status.SEATED)
    model.set_plan(
        dataclasses.replace(
            plan, bookings=tuple(seated if b.id == first.id else b for b in plan.bookings)
        )
    )
    assert resets == []
    assert len(changed) == 1
    row = model.row_for_table(first.table_ids[0])
    assert changed[0][0] <= row <= changed[0][1]
    assert model.booking(first.id) == seated


def clock_change_nights(today: date) -> tuple[date, date]:
    """The next fall-back and spring-forward Saturday nights (UK) after today."""
    changes = clock.clock_changes(today, LONDON)
    return changes.fall_back.night, changes.spring_forward.night


@pytest.fixture
def late_venue(demo_db_url: str) -> Any:
    with eh.connect(demo_db_url) as conn:
        return eh.make_venue(conn, name="Clock Change Club"), demo_db_url


def test_fall_back_night_has_one_oclock_twice(late_venue: Any, db: Database, qtbot: QtBot) -> None:
    venue, url = late_venue
    night, _ = clock_change_nights(venue.today)
    with eh.connect(url) as conn:
        starts = eh.instant(conn, venue, night, "00:30")  # BST
        ends = clock.on_night(night, "02:30")  # GMT
        booked = eh.desk_book(conn, venue, night, starts, ends, party=2)
        assert booked["success"], booked
        second_one = clock.on_night(night, "01:00")  # GMT, the later one
        late = eh.desk_book(
            conn,
            venue,
            night,
            second_one,
            second_one + timedelta(minutes=45),
            tables=venue.t("T4"),
            party=2,
        )
        assert late["success"], late
    plan = Desk(db, venue.id).night_plan(night)
    model = NightGridModel()
    model.set_plan(plan)
    slots = model.slots
    assert len(slots) == 32  # 21:00 BST to 04:00 GMT is eight hours
    labels = [s.label for s in slots]
    assert labels[16:24] == ["01:00", "01:15", "01:30", "01:45"] * 2
    assert [s.zone for s in slots[16:24]] == ["BST"] * 4 + ["GMT"] * 4
    assert model.headerData(16, _horizontal()) == "01:00 BST"
    assert model.headerData(20, _horizontal()) == "01:00 GMT"
    assert all(elapsed(s.starts_at, s.ends_at) == timedelta(minutes=15) for s in slots)
    assert slots[19].ends_at == slots[20].starts_at  # 01:45 BST is followed by 01:00 GMT
    booking = next(b for b in model.blocks() if b.table_id == venue.tables["T2"])
    assert (booking.first, booking.last) == (14, 25)  # 00:30 BST .. 02:30 GMT: three hours
    late_block = next(b for b in model.blocks() if b.table_id == venue.tables["T4"])
    assert (late_block.first, late_block.last) == (20, 22)  # the second 01:00, 45 minutes
    view = NightGridView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1400, 500)
    view.show()
    qtbot.waitExposed(view)
    rect = view.block_rect(booking.booking.id)
    assert rect.width() > 11 * view.columnWidth(0)


def test_spring_forward_night_skips_one_oclock(late_venue: Any, db: Database) -> None:
    venue, _url = late_venue
    _, night = clock_change_nights(venue.today)
    plan = Desk(db, venue.id).night_plan(night)
    model = NightGridModel()
    model.set_plan(plan)
    labels = [s.label for s in model.slots]
    assert len(labels) == 24  # 21:00 GMT to 04:00 BST is six hours
    assert labels[:12] == [f"{h:02d}:{m:02d}" for h in (21, 22, 23) for m in (0, 15, 30, 45)]
    assert labels[12:16] == ["00:00", "00:15", "00:30", "00:45"]
    assert labels[16] == "02:00"  # 01:00 GMT is 02:00 BST
    assert not any(label.startswith("01:") for label in labels)
    assert not any(s.repeated for s in model.slots)


def test_slots_step_in_real_time() -> None:
    # pure: no database; the next Saturday night the clocks go back in
    night = clock.clock_changes(clock.suite_today(), LONDON).fall_back.night
    opens = clock.on_night(night, "21:00").astimezone(LONDON)
    closes = clock.on_night(night, "04:00").astimezone(LONDON)
    slots = night_slots(opens, closes, LONDON)
    assert len(slots) == 32
    assert [s.full_label for s in slots[15:21]] == [
        "00:45",
        "01:00 BST",
        "01:15 BST",
        "01:30 BST",
        "01:45 BST",
        "01:00 GMT",
    ]


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def _vertical() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Vertical


def _tooltip() -> int:
    from PySide6.QtCore import Qt

    return int(Qt.ItemDataRole.ToolTipRole)


def test_holds_of_other_desks_show_but_not_our_own(qtbot: QtBot, desk: Desk, friday: date) -> None:
    plan = desk.night_plan(friday)
    assert plan.opens_at is not None
    # tables free in the holds' hour: the demo's bookings move with today's weekday
    held = (plan.opens_at + timedelta(hours=1), plan.opens_at + timedelta(hours=2))
    table, other = [
        t
        for t in plan.tables
        if not any(
            t.id in b.table_ids and b.starts_at < held[1] and held[0] < b.ends_at
            for b in plan.bookings
        )
    ][:2]
    theirs = _hold(plan, table.id, "DESK-2")
    ours = _hold(plan, other.id, "TEST-DESK")
    model = NightGridModel(own_terminal="TEST-DESK")
    model.set_plan(dataclasses.replace(plan, holds=(theirs, ours)))
    assert [h.hold for h in model.hold_blocks()] == [theirs]
    row = model.row_for_table(table.id)
    col = model.column_for(theirs.starts_at)
    assert model.data(model.index(row, col), Role.HOLD) == theirs
    assert "Being booked" in model.data(model.index(row, col), _tooltip())


def _hold(plan: NightPlan, table_id: Any, terminal: str) -> Any:
    import uuid

    from frontdesk.plan import Hold

    assert plan.opens_at is not None
    return Hold(
        uuid.uuid4(),
        table_id,
        plan.opens_at + timedelta(hours=1),
        plan.opens_at + timedelta(hours=2),
        terminal,
        plan.opens_at + timedelta(hours=3),
    )


def test_expired_holds_are_not_drawn_and_drop_off_when_they_expire(
    qtbot: QtBot, desk: Desk, friday: date
) -> None:
    plan = desk.night_plan(friday)
    assert plan.opens_at is not None
    now = plan.opens_at  # whatever the real time: holds are compared with the model's clock
    expired = dataclasses.replace(_hold(plan, plan.tables[2].id, "DESK-2"), expires_at=now)
    soon = dataclasses.replace(
        _hold(plan, plan.tables[3].id, "DESK-2"), expires_at=now + timedelta(minutes=5)
    )
    model = NightGridModel(own_terminal="TEST-DESK")
    model.clock = lambda: now
    model.set_plan(dataclasses.replace(plan, holds=(expired, soon)))
    assert [h.hold for h in model.hold_blocks()] == [soon]
    # five minutes on, with no new plan (an expiry writes nothing to the feed)
    model.clock = lambda: now + timedelta(minutes=5)
    with qtbot.waitSignal(model.dataChanged):
        model.recheck_holds()
    assert model.hold_blocks() == ()
    row = model.row_for_table(soon.table_id)
    assert model.data(model.index(row, model.column_for(soon.starts_at)), Role.HOLD) is None


def test_the_model_rechecks_holds_on_a_timer_while_it_shows_any(
    qtbot: QtBot, desk: Desk, friday: date
) -> None:
    from ui.grid_model import HOLD_RECHECK_MS

    plan = desk.night_plan(friday)
    model = NightGridModel()
    timer = model._hold_timer
    model.set_plan(dataclasses.replace(plan, holds=()))
    assert not timer.isActive()
    model.set_plan(dataclasses.replace(plan, holds=(_hold(plan, plan.tables[2].id, "DESK-2"),)))
    assert timer.isActive() and timer.interval() == HOLD_RECHECK_MS <= 30_000
