# mypy: disable-error-code="no-untyped-call"
"""The night grid with a big night: 60 tables, 300 bookings.

Not run by default (pyproject's addopts has --benchmark-skip):

    QT_QPA_PLATFORM=offscreen /tmp/venv/bin/pytest tests/benchmarks/test_ui_bench.py \
        --benchmark-only -p no:randomly

- open a night: the night_plan query, the model reset and one full paint of
  the grid's viewport (1600x1000 window, offscreen);
- the same without the query (model and paint only);
- repaint after one change: a plan with one booking's status changed →
  ``set_plan`` (one dataChanged) and the paint that follows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.plan import NightPlan, Status
from tests.core import engine_helpers as eh
from ui import theme
from ui.grid_model import NightGridModel
from ui.grid_view import NightGridView

TABLES = 60
PER_TABLE = 5  # 300 bookings: five sittings of 75 minutes from 21:00 to 03:15


def big_venue(url: str) -> tuple[Any, date]:
    tables = {
        f"Table {n:02d}": (4 + n % 8, 100 + 25 * (n % 6), 20, n % 10 == 0)
        for n in range(1, TABLES + 1)
    }
    with eh.connect(url) as conn:
        venue = eh.make_venue(conn, name="Big Night Club", tables=tables, joins=())
        night = eh.night_ahead(venue, 14)
        params = {"v": venue.id, "n": night, "c": venue.adult, "per": PER_TABLE}
        with conn.transaction():
            conn.execute(
                "CREATE TEMP TABLE sittings ON COMMIT DROP AS "
                "SELECT t.id AS table_id, s, gen_random_uuid() AS booking_id "
                "FROM venue_tables t, generate_series(0, %(per)s - 1) s WHERE t.venue_id = %(v)s",
                params,
            )
            conn.execute(
                """
                INSERT INTO bookings (id, venue_id, reference, customer_id, night, starts_at,
                                      ends_at, party_size, status, total_deposit, total_min_spend)
                SELECT booking_id, %(v)s,
                       'BR-' || to_char(%(n)s::date, 'YYMMDD') || '-'
                             || translate(upper(substr(md5(booking_id::text), 1, 6)), '01', 'AB'),
                       %(c)s, %(n)s,
                       private.fd_night_instant(%(v)s, %(n)s, '21:00') + s * interval '75 minutes',
                       private.fd_night_instant(%(v)s, %(n)s, '21:00')
                           + (s + 1) * interval '75 minutes',
                       2, 'confirmed', 20, 100
                  FROM sittings
                """,
                params,
            )
            conn.execute(
                "INSERT INTO booking_tables (booking_id, table_id) "
                "SELECT booking_id, table_id FROM sittings"
            )
    return venue, night


@pytest.fixture
def big_night(db_url: str) -> Iterator[tuple[Desk, date]]:
    venue, night = big_venue(db_url)
    db = Database(db_url, staff=StaffContext("BENCH", "Bench"))
    try:
        yield Desk(db, venue.id), night
    finally:
        db.close()


@pytest.fixture
def grid(qtbot: QtBot) -> NightGridView:
    view = NightGridView()
    view.set_theme(theme.LIGHT)
    qtbot.addWidget(view)
    view.setModel(NightGridModel(view))
    view.resize(1600, 1000)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_open_a_night(benchmark: Any, big_night: tuple[Desk, date], grid: NightGridView) -> None:
    desk, night = big_night
    model = grid.grid()

    def open_night() -> None:
        model.set_plan(None)
        model.set_plan(desk.night_plan(night))
        grid.viewport().repaint()

    benchmark.pedantic(open_night, rounds=20, warmup_rounds=2)
    assert model.plan is not None and len(model.plan.bookings) == TABLES * PER_TABLE
    assert len(model.blocks()) == TABLES * PER_TABLE


def test_open_a_night_model_and_paint_only(
    benchmark: Any, big_night: tuple[Desk, date], grid: NightGridView
) -> None:
    desk, night = big_night
    plan = desk.night_plan(night)
    model = grid.grid()

    def show() -> None:
        model.set_plan(None)
        model.set_plan(plan)
        grid.viewport().repaint()

    benchmark.pedantic(show, rounds=30, warmup_rounds=2)


def _one_change(plan: NightPlan, n: int) -> NightPlan:
    first = plan.bookings[0]
    status = Status.ARRIVED if n % 2 else Status.SEATED
    changed = dataclasses.replace(first, status=status)
    return dataclasses.replace(plan, bookings=(changed, *plan.bookings[1:]))


@pytest.mark.parametrize("paint", ["changed-rows", "whole-viewport"])
def test_repaint_after_one_change(
    benchmark: Any, big_night: tuple[Desk, date], grid: NightGridView, paint: str
) -> None:
    """One booking changes: set_plan, then the paint Qt does for it (only the
    changed row's region, as in the app) or, for comparison, the whole viewport."""
    desk, night = big_night
    plans = [_one_change(desk.night_plan(night), n) for n in range(2)]
    model = grid.grid()
    model.set_plan(plans[1])
    grid.viewport().repaint()
    signals: list[int] = []
    resets: list[int] = []
    model.dataChanged.connect(lambda *_: signals.append(1))
    model.modelReset.connect(lambda: resets.append(1))
    count = iter(range(10**9))

    def change() -> None:
        model.set_plan(plans[next(count) % 2])
        if paint == "changed-rows":
            QApplication.processEvents()  # the update dataChanged asked for
        else:
            grid.viewport().repaint()

    benchmark.pedantic(change, rounds=60, warmup_rounds=2)
    assert len(signals) == 62 and not resets  # one dataChanged per change, never a reset
