"""The run sheet on paper, read back from the PDF; and printing, saving and
exporting from the window, with its dialogs replaced."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.desk import Desk
from frontdesk.exports import NightSheet, load_night_sheet
from frontdesk.plan import Status
from tests.benchmarks.runsheet_time import busy_night_sheet
from tests.ui.conftest import Conn
from ui import runsheet, text
from ui.composition import Desktop

PRINTED_AT = datetime(2026, 12, 4, 22, 15, tzinfo=ZoneInfo("Europe/London"))
BY = "Priya at TEST-DESK"


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, ligatures undone and spaces collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in reader.pages
    ]


def render(sheet: NightSheet) -> tuple[list[str], int]:
    """The sheet as a PDF (needs the ``qapp`` fixture), read back."""
    data, count = runsheet.pdf_bytes(sheet, printed_at=PRINTED_AT, printed_by=BY)
    assert data.startswith(b"%PDF-")
    pages = pdf_pages(data)
    assert len(pages) == count
    return pages, count


def test_the_pdf_holds_every_active_booking_and_the_totals(
    qapp: QApplication, desk: Desk, friday: date
) -> None:
    sheet = load_night_sheet(desk, friday)
    pages, count = render(sheet)
    whole = " ".join(pages)
    zone = desk.time_zone
    active = [b for b in sheet.plan.bookings if b.status.holds_table]
    assert len(active) > 10
    for b in active:
        assert b.reference in whole
        assert b.customer_name in whole
        assert text.clock(b.starts_at, zone) in whole
    first = pages[0]
    assert first.startswith("The Backroom Leeds — run sheet")
    assert f"{friday:%A} {friday.day} {friday:%B %Y} · La Fiesta · 21:00 → 04:00" in first
    total = sheet.summary.total
    totals = f"All floors {total.bookings} {total.covers} {text.money(total.deposits)} "
    assert totals + text.money(total.min_spend) in first
    for floor in sheet.summary.floors:
        assert f"{floor.floor_name} {floor.bookings} {floor.covers}" in first
    for number, page in enumerate(pages, start=1):
        assert page.endswith(f"Printed Fri 4 Dec 2026 22:15 by {BY} Page {number} of {count}")
    assert "Page 1 of" in first


def test_cancelled_and_no_shows_come_last_in_each_floor_marked_not_struck(
    desk: Desk, friday: date
) -> None:
    sheet = load_night_sheet(desk, friday)
    html = runsheet.run_sheet_html(sheet)
    assert "line-through" not in html + runsheet.CSS
    gone = 0
    for floor in sheet.floors():
        for b in floor.not_coming:
            gone += 1
            assert all(html.index(a.reference) < html.index(b.reference) for a in floor.active)
            row = html[html.rindex("<tr>", 0, html.index(b.reference)) :]
            assert text.status_text(b.status) in row[: row.index("</tr>")]
    assert gone  # the demo Friday has cancellations


def test_a_long_night_is_cut_between_rows_and_numbered(qapp: QApplication) -> None:
    sheet = busy_night_sheet(300)
    pages, count = render(sheet)
    assert count >= 5
    whole = " ".join(pages)
    for b in sheet.plan.bookings:  # every row once: none lost or doubled at a cut
        assert whole.count(b.reference) == 1, b.reference
    title = runsheet.running_title(sheet)
    floors = [f.name for f in sheet.plan.floors]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page
        if number > 1:
            assert title in page
            # a page that goes on with a floor says which, with the column names
            assert any(page.startswith(f"{name} ·") for name in floors), page[:80]
            assert "Time Table Guest Party Status Phone Deposit" in page


def test_a_row_taller_than_a_page_is_cut_where_it_must(qapp: QApplication) -> None:
    sheet = busy_night_sheet(2)
    long = replace(sheet.plan.bookings[0], special_requests="Ask for Sam. " * 3000)
    plan = replace(sheet.plan, bookings=(long, sheet.plan.bookings[1]))
    pages, count = render(replace(sheet, plan=plan))
    assert count >= 3
    assert all(f"Page {n} of {count}" in page for n, page in enumerate(pages, start=1))
    assert sheet.plan.bookings[1].reference in " ".join(pages)


def test_a_closed_night_and_an_empty_night(
    qapp: QApplication, desk: Desk, conn: Conn, friday: date
) -> None:
    row = conn.execute("SELECT night FROM nights WHERE is_closed LIMIT 1").fetchone()
    assert row is not None
    pages, count = render(load_night_sheet(desk, row[0]))
    assert count == 1
    assert "· Private hire · Closed" in pages[0]
    assert "The venue is closed this night." in pages[0]
    assert "Note: Closed to the public" in pages[0]
    assert "No bookings." in pages[0]
    monday = friday + timedelta(days=3)  # the demo venue opens Wednesday to Saturday
    pages, _ = render(load_night_sheet(desk, monday))
    assert "Closed" in pages[0] and "No bookings." in pages[0]


# --- from the window ----------------------------------------------------------


@pytest.fixture
def desktop(manager_desktop: Desktop) -> Desktop:
    """The run sheet is a manager's paperwork: Sam is signed in."""
    return manager_desktop


def wait_for_message(qtbot: QtBot, desktop: Desktop, start: str) -> str:
    bar = desktop.window.statusBar()
    qtbot.waitUntil(lambda: bar.currentMessage().startswith(start), timeout=15_000)
    return bar.currentMessage()


def test_ctrl_p_prints_the_night_through_the_print_dialog(
    qtbot: QtBot, desktop: Desktop, friday: date, tmp_path: Path
) -> None:
    window = desktop.window
    out = tmp_path / "printed.pdf"
    asked: list[QPrinter] = []

    def print_to_file(printer: QPrinter, parent: QWidget) -> bool:
        assert parent is window
        asked.append(printer)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    window.run_sheet.ask_print = print_to_file
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    said = wait_for_message(qtbot, desktop, "Run sheet for")
    assert len(asked) == 1 and "printed" in said
    plan = window.model.plan
    assert plan is not None and plan.night == friday
    pages = pdf_pages(out.read_bytes())
    assert "Page 1 of" in pages[0] and pages[0].endswith(f"Page 1 of {len(pages)}")
    assert "by Sam at TEST-DESK" in pages[0]
    whole = " ".join(pages)
    assert all(b.reference in whole for b in plan.bookings if b.status is Status.CONFIRMED)


def test_cancelling_the_print_dialog_prints_nothing(
    qtbot: QtBot, desktop: Desktop, tmp_path: Path
) -> None:
    window = desktop.window
    asked: list[QPrinter] = []

    def cancel(printer: QPrinter, parent: QWidget) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "never.pdf"))
        asked.append(printer)
        return False

    window.run_sheet.ask_print = cancel
    window.run_sheet.act_print.trigger()
    qtbot.waitUntil(lambda: bool(asked), timeout=15_000)
    assert not (tmp_path / "never.pdf").exists()
    assert not window.statusBar().currentMessage().startswith("Run sheet")


def test_save_as_pdf_and_export_csv_go_where_chosen(
    qtbot: QtBot, desktop: Desktop, friday: date, tmp_path: Path
) -> None:
    window = desktop.window
    offered: list[tuple[str, str]] = []

    def choose(parent: QWidget, caption: str, suggested: str, filter_: str) -> str:
        offered.append((caption, Path(suggested).name))
        return str(tmp_path / Path(suggested).name)

    window.run_sheet.ask_save_path = choose
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    menu = menus["&Night"]
    assert isinstance(menu, QMenu)
    labels = [a.text() for a in menu.actions() if not a.isSeparator()]
    # the night's moves first (Previous, Next, Tonight, Go to…), then the run sheet's
    at = labels.index("Print run sheet…")
    assert at > 0 and labels[at : at + 3] == [
        "Print run sheet…",
        "Save run sheet as PDF…",
        "Export night as CSV…",
    ]
    assert window.run_sheet.act_print.shortcut().toString() == "Ctrl+P"

    window.run_sheet.act_pdf.trigger()
    said = wait_for_message(qtbot, desktop, "Run sheet saved to")
    pdf = tmp_path / f"run-sheet-{friday.isoformat()}.pdf"
    assert offered[0] == ("Save run sheet as PDF", pdf.name)
    assert str(pdf) in said and "Page 1 of" in pdf_pages(pdf.read_bytes())[0]

    window.run_sheet.act_csv.trigger()
    said = wait_for_message(qtbot, desktop, "Exported")
    path = tmp_path / f"bookings-{friday.isoformat()}.csv"
    assert offered[1] == ("Export night as CSV", path.name)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    plan = window.model.plan
    assert plan is not None
    assert sorted(r["reference"] for r in rows) == sorted(b.reference for b in plan.bookings)
    assert said == f"Exported {len(rows)} bookings to {path}"


def test_a_save_cancelled_in_the_file_dialog_does_nothing(
    qtbot: QtBot, desktop: Desktop, tmp_path: Path
) -> None:
    window = desktop.window
    window.run_sheet.ask_save_path = lambda *_args: ""
    window.run_sheet.act_pdf.trigger()
    window.run_sheet.act_csv.trigger()
    assert not window.ops.busy  # no query was even started
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.csv"))


def test_offline_the_run_sheet_waits(desktop: Desktop) -> None:
    actions = desktop.window.run_sheet.actions
    assert all(a.isEnabled() for a in actions)
    desktop.window.connectivity.online_changed.emit(False)
    assert not any(a.isEnabled() for a in actions)
    desktop.window.connectivity.online_changed.emit(True)
    assert all(a.isEnabled() for a in actions)
