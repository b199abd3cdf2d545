"""Screenshots of venue setup, for docs/setup-guide.md.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.setup_screenshots \\
        [--out docs] [--url postgresql://admin...]

A fresh database with the demo venue (a private embedded server unless
--url names one); the Setup window reads it as its owner would, and:

- ``screenshot-setup-tables.png``: floors and tables, a table's joins;
- ``screenshot-setup-hours.png``: opening hours, one day just changed;
- ``screenshot-setup-night-event.png``: nights, a new event being added,
  and a closure refused over the bookings it would strand;
- ``screenshot-first-run.png``: the first run's "Set up my venue" form.

Offscreen, in the light theme; nothing is saved to the database.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

from tests.benchmarks.customer_search import VENUE, fresh_database
from tests.ui.manager_screenshots import wait_until


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--url", help="an admin URL of a server to use (default: embedded)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with fresh_database(args.url) as url:
        return _shoot(url, args.out)


def _shoot(url: str, out: Path) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    from frontdesk.database import Database, StaffContext
    from frontdesk.desk import Desk
    from ui import theme
    from ui.app import make_application
    from ui.first_run import FirstRunDialog
    from ui.ops import Ops
    from ui.setup_window import SetupWindow

    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    theme.apply(app, theme.LIGHT)
    db = Database(url, staff=StaffContext(terminal="OFFICE", staff_name="Sam"))
    desk = Desk(db, VENUE)
    ops = Ops(desk)
    parent = QWidget()
    try:
        window = SetupWindow(ops, parent)
        window.resize(1380, 860)
        window.show()
        window.load()
        wait_until(lambda: window.document.loaded)

        # Floors and tables: Booth 3's row current, its joins in view.
        page = window.tables_page
        window.tabs.setCurrentWidget(page)
        page.floors.setCurrentIndex(page.floors_model.index(0, 0))
        tables = page.tables_model
        page.tables.setCurrentIndex(tables.index(2, 0))
        page.tables.setFocus()
        app.processEvents()
        window.grab().save(str(out / "screenshot-setup-tables.png"))

        # Opening hours: Sunday opened (it takes Saturday's hours), Thursday later.
        hours = window.hours_page.model
        hours.setData(
            hours.index(6, 1), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
        hours.setData(hours.index(6, 3), "01:00")
        window.tabs.setCurrentWidget(window.hours_page)
        window.hours_page.view.setCurrentIndex(hours.index(6, 3))
        window.hours_page.view.setFocus()
        app.processEvents()
        window.grab().save(str(out / "screenshot-setup-hours.png"))
        window.document.undo_stack.undo()
        window.document.undo_stack.undo()

        # Nights: a new event, and a closure over a busy night refused.
        nights = window.nights_page
        window.tabs.setCurrentWidget(nights)
        first_friday = window.document.doc["nights"][0]["date"]
        nights.new_night(closed=False)
        model = nights.model
        row = model.rowCount() - 1
        taken = {n["date"] for n in window.document.doc["nights"]}
        event_night = next(
            day.isoformat()
            for day in (desk.current_night() + timedelta(days=d) for d in range(30, 90))
            if day.weekday() == 3 and day.isoformat() not in taken  # a Thursday
        )
        for column, value in (
            (0, event_night),
            (2, "Charity gala"),
            (3, "20:00"),
            (4, "05:00"),
            (5, "1.5"),
            (6, "2"),
            (7, "Black tie; guest list from 19:00"),
        ):
            model.setData(model.index(row, column), value)
        nights.new_night(closed=True)
        row = model.rowCount() - 1
        model.setData(model.index(row, 0), first_friday)
        model.setData(model.index(row, 2), "Private hire")
        first = next(
            i
            for i, n in enumerate(window.document.doc["nights"])
            if n["date"] == first_friday and not n.get("closed")
        )

        def drop_first(doc: dict[str, object]) -> None:
            nights_list = doc["nights"]
            assert isinstance(nights_list, list)
            del nights_list[first]

        window.document.edit("Close the first Friday", drop_first)
        window.save()
        wait_until(lambda: window.status.text().startswith("Not saved"))
        nights.view.setCurrentIndex(model.index(model.rowCount() - 1, 2))
        nights.view.scrollToBottom()
        app.processEvents()
        window.grab().save(str(out / "screenshot-setup-night-event.png"))
        window.document.load(window.document.doc)  # nothing to ask on close
        window.close()

        dialog = FirstRunDialog(url, terminal="OFFICE", parent=parent)
        dialog.show()
        dialog.own_button.click()
        dialog.name.setText("The Crypt Bar")
        dialog.zone.setCurrentText("Europe/Dublin")
        dialog.currency.setText("EUR")
        dialog.country.setText("IE")
        dialog.manager.setText("Maeve Kelly")
        dialog.pin.setText("2580")
        dialog.pin_again.setText("2580")
        dialog.create_button.setFocus()
        app.processEvents()
        dialog.grab().save(str(out / "screenshot-first-run.png"))
        dialog.reject()
    finally:
        ops.shutdown()
        db.close()
    print(f"saved the setup screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
