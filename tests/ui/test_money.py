"""Money on the grid: spend recorded from the side panel (and refused with the
reason), the balance left to the minimum, progress drawn on the block, tables
short near closing flagged, the summary's committed and achieved, the till's
import previewed and imported, the run sheet's deposit and spend."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import shiboken6
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from pytestqt.qtbot import QtBot

from frontdesk.exports import NightSheet
from frontdesk.plan import Booking, DepositStatus, Status
from tests.ui.conftest import Conn
from ui import theme
from ui.composition import Desktop
from ui.grid_paint import BlockFonts, paint_booking
from ui.pos_import_dialog import PosImportDialog
from ui.runsheet_html import run_sheet_html
from ui.spend_dialog import DepositDialog, SpendDialog


def a_booking(desktop: Desktop) -> Booking:
    plan = desktop.window.model.plan
    assert plan is not None
    return next(b for b in plan.bookings if b.status.holds_table and b.min_spend > 0)


def select(qtbot: QtBot, desktop: Desktop, booking: Booking) -> None:
    window = desktop.window
    window.grid.select_booking(booking.id)
    qtbot.waitUntil(lambda: window.booking_panel.booking is not None, timeout=5_000)
    assert window.booking_panel.booking is not None
    assert window.booking_panel.booking.id == booking.id


def shown(desktop: Desktop, booking_id: UUID) -> Booking:
    found = desktop.window.model.booking(booking_id)
    assert found is not None
    return found


def test_a_host_records_spend_and_the_panel_shows_the_balance(
    qtbot: QtBot, desktop: Desktop
) -> None:
    window = desktop.window
    booking = a_booking(desktop)
    select(qtbot, desktop, booking)
    fields = window.booking_panel.field_labels()
    assert fields["Spend"].text() == "£0"
    assert window.money.act_record_spend.isEnabled()
    dialog = window.money.record_spend()
    assert isinstance(dialog, SpendDialog)
    dialog.amount.setText("£45.50")
    dialog.note.setText("Two bottles")
    dialog.accept()
    qtbot.waitUntil(
        lambda: shown(desktop, booking.id).spend_total == Decimal("45.50"), timeout=15_000
    )
    qtbot.waitUntil(lambda: fields["Spend"].text() == "£45.50", timeout=5_000)
    left = booking.min_spend - Decimal("45.50")
    assert fields["Left to min"].text().startswith(f"£{left:,.2f}")
    assert not shiboken6.isValid(dialog)  # closed (and gone)


def test_a_hosts_correction_is_refused_in_the_dialog(qtbot: QtBot, desktop: Desktop) -> None:
    booking = a_booking(desktop)
    select(qtbot, desktop, booking)
    dialog = desktop.window.money.record_spend()
    assert isinstance(dialog, SpendDialog)
    dialog.amount.setText("-20")
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=15_000)
    assert "manager" in dialog.message.text()
    assert dialog.isVisible() and dialog.amount.text() == "-20"  # what was typed stays
    dialog.amount.setText("nonsense")
    dialog.accept()
    assert "Type an amount" in dialog.message.text()


def test_spend_from_another_desk_reaches_the_grid(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    booking = a_booking(desktop)
    conn.execute("SELECT set_config('frontdesk.terminal', 'BAR-2', false)")
    row = conn.execute("SELECT * FROM record_spend(%s, 300)", [booking.id]).fetchone()
    assert row is not None and row[0], row
    qtbot.waitUntil(lambda: shown(desktop, booking.id).spend_total == 300, timeout=15_000)
    qtbot.waitUntil(
        lambda: any("Spend recorded" in line for line in desktop.window.activity.lines()),
        timeout=5_000,
    )


def test_the_deposit_is_marked_paid_with_its_reference(qtbot: QtBot, desktop: Desktop) -> None:
    booking = a_booking(desktop)
    select(qtbot, desktop, booking)
    assert booking.deposit_status is DepositStatus.DUE
    dialog = desktop.window.money.deposit()
    assert isinstance(dialog, DepositDialog)
    assert dialog.status.currentData() == DepositStatus.PAID
    dialog.reference.setText("card 4417")
    dialog.accept()
    qtbot.waitUntil(
        lambda: shown(desktop, booking.id).deposit_status is DepositStatus.PAID, timeout=15_000
    )
    fields = desktop.window.booking_panel.field_labels()
    qtbot.waitUntil(lambda: "(card 4417)" in fields["Deposit"].text(), timeout=5_000)
    assert "paid" in fields["Deposit"].text()


def test_the_summary_says_committed_and_achieved(
    qtbot: QtBot, desktop: Desktop, conn: Conn
) -> None:
    booking = a_booking(desktop)
    conn.execute("SELECT * FROM record_spend(%s, 40)", [booking.id])
    summary = desktop.window.summary

    def says() -> bool:
        return any("min spend £40 of £" in card for card in summary.card_texts())

    qtbot.waitUntil(says, timeout=15_000)


def test_the_till_import_previews_then_imports(qtbot: QtBot, desktop: Desktop, conn: Conn) -> None:
    booking = a_booking(desktop)
    text = (
        "Reference,Amount,Time\n"
        f"{booking.reference},£1,020.00,23:00\n"
        "BR-991231-ZZZZZZ,10,23:00\n"
        "Booth 99,5,23:00\n"
    ).replace("£1,020.00", '"£1,020.00"')
    plan = desktop.window.model.plan
    assert plan is not None
    desktop.window.money.act_import_till.setEnabled(True)
    dialog = desktop.window.money.import_till()
    assert isinstance(dialog, PosImportDialog)
    dialog.load_text(text)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=15_000)
    assert dialog.table.rowCount() == 1
    assert cell(dialog, 0, 1) == booking.reference
    assert cell(dialog, 0, 2) == booking.customer_name
    unmatched = [dialog.unmatched.item(i).text() for i in range(dialog.unmatched.count())]
    assert unmatched == [
        "Line 3: There is no booking BR-991231-ZZZZZZ.",
        "Line 4: There is no booking BOOTH 99.",
    ]
    assert dialog.import_button.text() == "Import 1"
    dialog.start_import()
    qtbot.waitUntil(
        lambda: shown(desktop, booking.id).spend_total == Decimal("1020.00"), timeout=15_000
    )
    # The same file again: nothing to import.
    again = desktop.window.money.import_till()
    assert isinstance(again, PosImportDialog)
    again.load_text(text)
    qtbot.waitUntil(lambda: "imported before" in again.summary.text(), timeout=15_000)
    assert not again.import_button.isEnabled()
    assert cell(again, 0, 5) == "Imported before"


def cell(dialog: PosImportDialog, row: int, column: int) -> str:
    item = dialog.table.item(row, column)
    assert item is not None
    return item.text()


def _block_image(booking: Booking, *, flagged: bool = False) -> QImage:
    image = QImage(300, 44, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_booking(
        painter,
        QRectF(0, 0, 300, 44),
        booking,
        theme.LIGHT,
        BlockFonts.for_font(QFont()),
        money=True,
        flagged=flagged,
    )
    painter.end()
    return image


def test_the_block_draws_its_progress_and_a_flag(desktop: Desktop) -> None:
    booking = replace(a_booking(desktop), min_spend=Decimal(200), deposit=Decimal(50))
    half = replace(booking, spend_total=Decimal(100))  # 100 of 200: half way
    done = replace(booking, spend_total=Decimal(150), deposit_status=DepositStatus.PAID)
    accent, ok = QColor(theme.LIGHT.accent), QColor(theme.LIGHT.ok_text)
    bar_y = 44 - 4
    half_image = _block_image(half)
    assert half_image.pixelColor(60, bar_y) == accent  # the first half is filled
    assert half_image.pixelColor(240, bar_y) != accent  # the second is not
    assert _block_image(done).pixelColor(240, bar_y) == ok  # the minimum reached
    flagged = _block_image(half, flagged=True)
    error = QColor(theme.LIGHT.error_text)
    outline = [flagged.pixelColor(x, 1) for x in range(20, 280)]
    assert error in outline


def test_tables_short_of_their_minimum_are_flagged_near_closing(desktop: Desktop) -> None:
    plan = desktop.window.model.plan
    assert plan is not None and plan.closes_at is not None and plan.spend_flag_from is not None
    assert plan.closes_at - plan.spend_flag_from == timedelta(minutes=60)
    booking = replace(a_booking(desktop), min_spend=Decimal(200), spend_total=Decimal(50))
    seated = replace(booking, status=Status.SEATED)
    before, near = plan.spend_flag_from - timedelta(minutes=1), plan.spend_flag_from
    assert not seated.below_minimum_at(before, plan.spend_flag_from)
    assert seated.below_minimum_at(near, plan.spend_flag_from)
    assert not replace(seated, spend_total=Decimal(200)).below_minimum_at(
        near, plan.spend_flag_from
    )
    assert not replace(seated, status=Status.COMPLETED).below_minimum_at(near, plan.spend_flag_from)


def test_the_run_sheet_shows_deposit_status_and_spend(desktop: Desktop, friday: date) -> None:
    window = desktop.window
    plan = window.model.plan
    assert plan is not None
    booking = a_booking(desktop)
    bookings = tuple(
        replace(
            b,
            spend_total=Decimal("80"),
            deposit_status=DepositStatus.FORFEITED,
        )
        if b.id == booking.id
        else b
        for b in plan.bookings
    )
    summary = window.desk.night_summary(friday)
    html = run_sheet_html(NightSheet(plan=replace(plan, bookings=bookings), summary=summary))
    assert "forfeited" in html
    assert "spent £80" in html
    assert "Minimum spend achieved" in html
