"""The manager's windows: the audit log's filters and pages, reports,
monitoring and its status-bar alert, the crash kit's timer (an injected
clock), and that a host gets none of them.

Each window runs on its own ``Ops`` over a superuser's connection to a
fresh demo database (the owner needs no session); hosts are signed in on
it to show that the database refuses them, whatever the window does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from frontdesk import audit_log, reports
from frontdesk.crash_kit import Action, CrashKitConfig
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from tests.clock import EngineClock, on_night
from tests.core.desk_helpers import VENUE, at, insert_booking, one, quiet_friday, table_id
from tests.ui.conftest import Conn
from ui.audit_window import KIND_CHOICES, AuditWindow, open_audit_window
from ui.crash_kit import CrashKitFolder, CrashKitTimer
from ui.manager_menu import MANAGERS_ONLY, ManagerActions
from ui.monitoring_panel import MonitoringAlert, open_monitoring_panel
from ui.ops import Ops
from ui.reports_window import TABS, open_reports_window

WAIT = 15_000


@pytest.fixture
def office(demo_db_url: str) -> Iterator[Desk]:
    database = Database(demo_db_url, staff=StaffContext(terminal="OFFICE", staff_name="Sam"))
    yield Desk(database, VENUE, wait=lambda _s: None)
    database.close()


@pytest.fixture
def ops(qtbot: QtBot, office: Desk) -> Iterator[Ops]:
    ops = Ops(office)
    yield ops
    ops.shutdown()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _night_of_changes(conn: Conn, engine_clock: EngineClock, db_url: str) -> dict[str, UUID]:
    """Priya at DESK-1 books and seats a party; Dan at DESK-2 moves it and
    cancels another.  The party arrives and sits while its night is on (the
    engine's clock at 22:30 that night): the night's statuses are refused at
    any other time."""
    night = quiet_friday(conn)
    conn.execute(
        "SELECT set_config('frontdesk.terminal', 'DESK-1', false), "
        "set_config('frontdesk.staff_name', 'Priya', false)"
    )
    made = insert_booking(conn, ["Booth 3"], night, "22:00", "00:30", party=4)
    engine_clock.set(db_url, on_night(night, "22:30"), conn)
    for status in ("arrived", "seated"):
        assert one(conn, "SELECT success FROM set_booking_status(%s, %s)", [made, status])[0]
    conn.execute(
        "SELECT set_config('frontdesk.terminal', 'DESK-2', false), "
        "set_config('frontdesk.staff_name', 'Dan', false)"
    )
    assert one(
        conn,
        "SELECT success FROM move_booking(%s, %s, %s, %s)",
        [made, [table_id(conn, "Booth 14")], at(conn, night, "22:30"), at(conn, night, "01:00")],
    )[0]
    other = insert_booking(conn, ["Booth 5"], night, "23:00", "01:00", customer=3)
    assert one(conn, "SELECT success FROM set_booking_status(%s, 'cancelled')", [other])[0]
    return {"made": made, "other": other}


# --- the audit log -----------------------------------------------------------------


def _audit(qtbot: QtBot, parent: QWidget, ops: Ops, **kw: object) -> AuditWindow:
    window = open_audit_window(parent, ops, **kw)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: window.message.text() != "Reading…", timeout=WAIT)
    return window


def _settled(qtbot: QtBot, window: AuditWindow) -> None:
    qtbot.waitUntil(
        lambda: not window._filter_timer.isActive() and window.message.text() != "Reading…",
        timeout=WAIT,
    )


def test_the_audit_window_filters(
    qtbot: QtBot,
    parent: QWidget,
    ops: Ops,
    conn: Conn,
    engine_clock: EngineClock,
    demo_db_url: str,
) -> None:
    ids = _night_of_changes(conn, engine_clock, demo_db_url)
    window = _audit(qtbot, parent, ops)
    assert {c.record_id for c in window.model.changes} >= set(ids.values())
    assert window.model.rowCount() == len(window.model.changes)
    # what a manager reads
    moved = next(c for c in window.model.changes if "moved" in c.kinds)
    row = window.model.changes.index(moved)
    assert window.model.index(row, 3).data() == "Moved, details changed"
    assert window.model.index(row, 6).data().startswith("table Booth 3 → Booth 14\n")
    assert window.model.index(row, 1).data() == "Dan"

    window.staff.setCurrentText("Dan")
    _settled(qtbot, window)
    assert window.model.changes and {c.staff_name for c in window.model.changes} == {"Dan"}

    window.staff.setCurrentIndex(0)  # anyone
    window.terminal.setText("DESK-1")
    _settled(qtbot, window)
    assert {c.terminal for c in window.model.changes} == {"DESK-1"}
    assert len(window.model.changes) == 3  # booked, arrived, seated

    window.terminal.clear()
    window.kind.setCurrentIndex(
        next(i for i, (_, kinds) in enumerate(KIND_CHOICES) if kinds == frozenset({"status"}))
    )
    _settled(qtbot, window)
    assert [c.what for c in window.model.changes] == ["Status changed"] * 3

    reference = conn.execute("SELECT reference FROM bookings WHERE id = %s", [ids["other"]])
    ref = reference.fetchone()
    assert ref is not None
    window.kind.setCurrentIndex(1)  # everything
    # the start is enough, any case (all but its last letter: the first two of
    # six would match another booking of that night one time in a few hundred)
    window.booking.setText(ref[0][:-1].lower())
    _settled(qtbot, window)
    assert {c.record_id for c in window.model.changes} == {ids["other"]}

    window.booking.setText("Oliver")
    _settled(qtbot, window)
    assert "reference" in window.message.text()

    # days before the changes: nothing
    window.booking.clear()
    yesterday = window.today() - timedelta(days=2)
    window.set_days(yesterday - timedelta(days=1), yesterday)
    window.refresh()
    _settled(qtbot, window)
    assert window.model.changes == [] and window.message.text().startswith("No change")


def test_the_audit_window_pages_newer_and_older(
    qtbot: QtBot,
    parent: QWidget,
    ops: Ops,
    conn: Conn,
    engine_clock: EngineClock,
    demo_db_url: str,
) -> None:
    _night_of_changes(conn, engine_clock, demo_db_url)
    window = AuditWindow(ops, parent, page_size=2)
    window.show()
    window.staff.setCurrentText("Dan")
    window.refresh()
    _settled(qtbot, window)
    pages = [window.model.changes]
    assert not window.newer_button.isEnabled() and window.older_button.isEnabled()
    while window.older_button.isEnabled():
        window.older_button.click()
        _settled(qtbot, window)
        pages.append(window.model.changes)
    assert window.page_label.text().startswith(f"Page {len(pages)} · ")
    seen = [c.key for page in pages for c in page]
    assert len(seen) == len(set(seen)) == 3  # the move, the other booking made and cancelled
    assert [len(page) for page in pages] == [2, 1]
    window.newer_button.click()
    _settled(qtbot, window)
    assert window.model.changes == pages[-2]
    window.close()


def test_the_audit_window_exports_every_matching_change(
    qtbot: QtBot,
    parent: QWidget,
    ops: Ops,
    conn: Conn,
    engine_clock: EngineClock,
    demo_db_url: str,
    tmp_path: Path,
) -> None:
    _night_of_changes(conn, engine_clock, demo_db_url)
    window = _audit(qtbot, parent, ops)
    window.staff.setCurrentText("Dan")
    _settled(qtbot, window)
    target = tmp_path / "dan.csv"
    window.ask_save_path = lambda *_a: str(target)
    window.export_csv()
    qtbot.waitUntil(lambda: window.message.text().startswith("Saved"), timeout=WAIT)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join(audit_log.CSV_HEADER)
    assert len(lines) - 1 == len(window.model.changes) == 3
    assert all(",Dan,DESK-2," in line for line in lines[1:])


def test_one_booking_s_whole_history(
    qtbot: QtBot,
    parent: QWidget,
    ops: Ops,
    conn: Conn,
    engine_clock: EngineClock,
    demo_db_url: str,
) -> None:
    ids = _night_of_changes(conn, engine_clock, demo_db_url)
    row = conn.execute("SELECT reference FROM bookings WHERE id = %s", [ids["made"]]).fetchone()
    assert row is not None
    window = _audit(qtbot, parent, ops, booking=row[0])
    assert [c.what for c in window.model.changes] == [
        "Moved, details changed",
        "Status changed",
        "Status changed",
        "New booking",
    ]


# --- reports -------------------------------------------------------------------------


def test_the_reports_window_shows_the_databases_figures(
    qtbot: QtBot, parent: QWidget, ops: Ops, office: Desk, conn: Conn, tmp_path: Path
) -> None:
    first = conn.execute("SELECT min(night) FROM bookings").fetchone()[0]  # type: ignore[index]
    window = open_reports_window(parent, ops, clock=lambda: datetime(2026, 6, 15, 12, tzinfo=UTC))
    assert window.chosen_range() == (date(2026, 6, 8), date(2026, 6, 14))  # the last 7 nights
    qtbot.waitUntil(lambda: window.report is not None, timeout=WAIT)
    window.set_range(first, first + timedelta(days=13))
    window.run()
    qtbot.waitUntil(
        lambda: window.report is not None and window.report.first == first, timeout=WAIT
    )
    expected = reports.load_report(office, first, first + timedelta(days=13))
    assert window.report == expected
    nights = window.tab_pages[0]
    assert nights.model.rowCount() == 14 + 1  # and the total
    total_row = [nights.model.index(14, c).data() for c in range(10)]
    assert total_row[:4] == [
        "All nights",
        "14",
        f"{expected.total.bookings:,}",
        f"{expected.total.covers:,}",
    ]
    assert nights.chart.data.labels[0] == f"{first:%a} {first.day} {first:%b %Y}"
    assert f"{expected.total.bookings:,} bookings" in window.totals.text()
    window.tabs.setCurrentIndex(2)  # by source
    target = tmp_path / "sources.csv"
    window.ask_save_path = lambda *_a: str(target)
    window.export_csv()
    assert target.read_text(encoding="utf-8-sig").splitlines()[0].startswith("source,nights,")
    assert window.message.text() == f"Saved {len(expected.by_source) + 1} rows to {target}"
    assert [t for t, _, _ in TABS] == [window.tabs.tabText(i) for i in range(3)]


def test_the_reports_window_says_what_is_wrong_with_a_range(
    qtbot: QtBot, parent: QWidget, ops: Ops
) -> None:
    window = open_reports_window(parent, ops)
    qtbot.waitUntil(lambda: window.report is not None, timeout=WAIT)
    window.set_range(date(2026, 3, 1), date(2026, 2, 1))
    window.run()
    assert window.message.text() == "The last night is before the first."
    window.first.setDate(window.first.date().addDays(-40))
    assert window.preset.currentText() == "Chosen dates"


# --- monitoring ----------------------------------------------------------------------


def _conflict(conn: Conn) -> None:
    night = quiet_friday(conn)
    for start in ("22:00", "23:00"):
        conn.execute(
            "SELECT * FROM create_booking_atomic(%s, 'g@example.com', NULL, 'Guest', %s, %s, "
            "%s, '01:00', 2)",
            [VENUE, [table_id(conn, "Booth 3")], night, start],
        )


def test_the_monitoring_panel_shows_figures_thresholds_and_the_night(
    qtbot: QtBot, parent: QWidget, ops: Ops, conn: Conn
) -> None:
    _conflict(conn)
    panel = open_monitoring_panel(parent, ops)
    qtbot.waitUntil(lambda: panel.shown is not None, timeout=WAIT)
    assert panel.state_label("conflict_rate").text() == "Over"
    assert panel.state_label("lock_busy_rate").text() == "OK"
    assert panel.state_label("attempts_today").text() == ""
    assert sum(v or 0 for v in panel.attempts_chart.data.bars[1].values) == 1
    assert panel.time_chart.data.threshold == 100
    assert "%" in panel._rows["conflict_rate"][1].text()
    panel.close()


def test_the_status_bar_alert_is_a_managers(
    qtbot: QtBot, parent: QWidget, ops: Ops, conn: Conn
) -> None:
    alert = MonitoringAlert(ops, parent)
    alert.set_ready(True)
    alert.set_staff(False)  # a host: it does not even ask
    assert not alert.active and alert.isHidden()
    _conflict(conn)
    with qtbot.waitSignal(alert.changed, timeout=WAIT) as said:
        alert.set_staff(True)
    assert said.args == ["Monitoring: conflict rate 50 % (over 1 %)"]
    assert alert.text().startswith("⚠ Monitoring: conflict rate")
    with qtbot.waitSignal(alert.open_panel, timeout=1000):
        qtbot.mouseClick(alert, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    alert.set_staff(False)
    assert alert.text() == "" and alert.isHidden()


# --- a host ----------------------------------------------------------------------------


def test_a_host_gets_none_of_them(
    qtbot: QtBot, parent: QWidget, ops: Ops, office: Desk, tmp_path: Path
) -> None:
    actions = ManagerActions(
        ops, parent, crash_kit=CrashKitConfig(tmp_path / "kit"), terminal="OFFICE"
    )
    actions.set_ready(True)
    actions.set_staff("Priya", manager=False)
    assert [a.isEnabled() for a in actions.actions] == [False] * 5
    assert {a.toolTip() for a in actions.actions} == {MANAGERS_ONLY}
    assert actions.open_audit() is None and actions.open_reports() is None
    assert actions.open_monitoring() is None and actions.open_tags() is None
    actions.set_staff("Sam", manager=True)
    assert [a.isEnabled() for a in actions.actions] == [True] * 5
    assert [m.text() for m in actions.menu(parent).actions() if m.text()] == [
        "Audit log…",
        "Monitoring",
        "Reports…",
        "Guest tags…",
        "Save crash kit now",
    ]
    # ...and the database refuses a host whatever a window does
    office.sign_in("Priya", "2468")
    audit = open_audit_window(parent, ops)
    report = open_reports_window(parent, ops)
    panel = open_monitoring_panel(parent, ops)
    refused = "Only a manager may do that; Priya is signed in as a host."
    qtbot.waitUntil(
        lambda: (
            (audit.message.text(), report.message.text(), panel.message.text()) == (refused,) * 3
        ),
        timeout=WAIT,
    )
    assert audit.model.changes == [] and report.report is None and panel.shown is None
    for window in (audit, report, panel):
        window.close()


# --- the crash kit -----------------------------------------------------------------------


@pytest.fixture
def friday_noon(engine_clock: EngineClock, demo_db_url: str, conn: Conn) -> date:
    """The engine's clock at noon on the next La Fiesta Friday (open 21:00)."""
    night = quiet_friday(conn)
    engine_clock.set(demo_db_url, on_night(night, "12:00"), conn)
    return night


def test_the_crash_kit_is_written_at_its_time(
    qtbot: QtBot, friday_noon: date, demo_db_url: str, tmp_path: Path
) -> None:
    database = Database(demo_db_url, staff=StaffContext(terminal="DESK-1"))
    ops = Ops(Desk(database, VENUE))
    zone = ops.desk.time_zone
    now = [datetime.combine(friday_noon, time(18, 0), zone)]
    config = CrashKitConfig(tmp_path / "kit", lead=timedelta(minutes=60))
    timer = CrashKitTimer(ops, config, terminal="DESK-1", clock=lambda: now[0])
    try:
        timer.set_ready(True)
        timer.start()
        qtbot.waitUntil(lambda: timer.last_step is not None, timeout=WAIT)
        assert timer.last_step is not None
        assert timer.last_step.action is Action.WAIT
        assert timer.last_step.at == datetime.combine(friday_noon, time(20, 0), zone)
        assert timer.timer.isActive() and timer.timer.interval() == 30 * 60_000  # again at 18:30
        assert not config.file_for(friday_noon).exists()

        now[0] = datetime.combine(friday_noon, time(20, 0), zone)  # it is due
        with qtbot.waitSignal(timer.saved, timeout=WAIT) as saved:
            timer.check()
        path = saved.args[0]
        assert path == config.file_for(friday_noon)
        assert path.read_bytes().startswith(b"%PDF")
        assert timer.saved_nights == {friday_noon}

        now[0] = datetime.combine(friday_noon, time(21, 30), zone)  # saved: nothing more
        timer.last_step = None
        timer.check()
        qtbot.waitUntil(lambda: timer.last_step is not None, timeout=WAIT)
        assert timer.last_step is not None and timer.last_step.action is Action.IDLE
    finally:
        timer.stop()
        ops.shutdown()
        database.close()


def test_the_crash_kit_waits_for_somebody_and_says_why_it_could_not_save(
    qtbot: QtBot, ops: Ops, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    timer = CrashKitTimer(ops, CrashKitConfig(blocked), terminal="DESK-1")
    timer.start()
    assert timer.last_step is None and timer.timer.isActive()  # nobody signed in yet
    with qtbot.waitSignal(
        timer.message, timeout=WAIT, check_params_cb=lambda words: "not saved" in words
    ) as said:
        timer.save_now()
    timer.stop()
    assert said.args == [f"Crash kit not saved: cannot write to {blocked} (File exists)"]


def test_the_settings_row_shows_the_folder(qtbot: QtBot, tmp_path: Path) -> None:
    row = CrashKitFolder(CrashKitConfig(tmp_path / "kit"))
    qtbot.addWidget(row)
    assert row.path.text() == str(tmp_path / "kit")
    assert "60 minutes before opening" in row.path.toolTip()
