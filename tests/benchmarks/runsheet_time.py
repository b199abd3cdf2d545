"""How long the run sheet PDF of a busy night takes to make.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.runsheet_time \\
        [--bookings 300] [--runs 10] [--pdf /tmp/busy.pdf]

Builds a night of ``--bookings`` bookings in memory (60 tables on three
floors, five sittings, a tenth of them cancelled or no-shows, some with
occasions, long requests, guest notes, table combinations and paid
deposits), then times ``ui.runsheet.pdf_bytes`` — HTML, layout, pages, PDF —
``--runs`` times and prints the median and the slowest.  The database's part
(the night plan, a few milliseconds) is not in the figure.  Not a timed test:
the figures are for reading.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from frontdesk.exports import NightSheet
from frontdesk.plan import (
    Booking,
    Floor,
    FloorSummary,
    NightPlan,
    NightSummary,
    Status,
    TableRow,
)

ZONE = "Europe/London"
FIRST = ("Amelia", "Oliver", "Isla", "Jack", "Ava", "Harry", "Mia", "George", "Priya", "Noah")
LAST = ("Khan", "Smith", "Patel", "Jones", "Walker", "Brown", "Taylor", "Wilson", "Wright")


def busy_night_sheet(bookings: int = 300, night: date = date(2026, 12, 4)) -> NightSheet:
    """A night of ``bookings`` bookings, every kind a run sheet shows."""
    zone = ZoneInfo(ZONE)
    opens = datetime(night.year, night.month, night.day, 21, 0, tzinfo=zone)
    floors = tuple(
        Floor(uuid.uuid4(), name, order)
        for order, name in enumerate(("Downstairs", "Upstairs", "Terrace"), start=1)
    )
    tables = tuple(
        TableRow(
            id=uuid.uuid4(),
            floor_id=floors[i // 20].id,
            name=f"Booth {i + 1}",
            capacity=4 + 2 * (i % 5),
            min_spend=Decimal(100 + 50 * (i % 5)),
            deposit=Decimal(25 + 25 * (i % 3)),
            is_premium=i % 10 == 9,
            grid_order=i + 1,
        )
        for i in range(60)
    )
    rows = []
    for n in range(bookings):
        table = tables[n % len(tables)]
        pair = (table.id, tables[n % len(tables) + 1].id) if n % 17 == 0 and n % 20 != 19 else ()
        sitting = n // len(tables)
        starts = opens + timedelta(minutes=75 * (sitting % 5))
        status = (
            Status.CANCELLED
            if n % 13 == 0
            else Status.NO_SHOW
            if n % 19 == 0
            else Status.PENDING
            if n % 7 == 0
            else Status.CONFIRMED
        )
        rows.append(
            Booking(
                id=uuid.uuid4(),
                reference=f"BR-{night:%y%m%d}-{n:06d}",
                table_ids=pair or (table.id,),
                starts_at=starts,
                ends_at=starts + timedelta(minutes=75),
                party_size=1 + n % table.capacity,
                status=status,
                customer_id=uuid.uuid4(),
                customer_name=f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}",
                customer_phone=f"+4477009{10000 + n:05d}",
                customer_email=f"guest{n}@example.com",
                deposit=table.deposit,
                min_spend=table.min_spend,
                source=("phone", "web", "desk")[n % 3],
                occasion="Birthday" if n % 9 == 0 else None,
                special_requests=(
                    "Cake at midnight and a table near the dance floor if at all possible"
                    if n % 11 == 0
                    else None
                ),
                payment_ref=f"pi_{n:08d}" if n % 4 == 0 else None,
            )
        )
    plan = NightPlan(
        venue_id=uuid.uuid4(),
        venue_name="The Backroom Leeds",
        time_zone=ZONE,
        night=night,
        is_closed=False,
        event_name="La Fiesta",
        night_notes=None,
        opens_at=opens,
        closes_at=opens + timedelta(hours=7),
        default_booking_minutes=150,
        currency="GBP",
        phone_country="GB",
        reference_prefix="BR",
        min_party_size=1,
        max_party_size=50,
        status_transitions={},
        floors=floors,
        tables=tables,
        bookings=tuple(rows),
        holds=(),
    )
    noted = {b.id for b in rows[::23]}
    plan = dataclasses.replace(
        plan,
        bookings=tuple(
            dataclasses.replace(b, customer_notes="Allergic to nuts") if b.id in noted else b
            for b in plan.bookings
        ),
    )
    return NightSheet(plan=plan, summary=_summary(plan))


def _summary(plan: NightPlan) -> NightSummary:
    """What the engine's night_summary would say (active bookings, by the
    floor of the first table)."""
    floor_of = {t.id: t.floor_id for t in plan.tables}
    per_floor = []
    active = [b for b in plan.bookings if b.status.holds_table]
    for floor in plan.floors:
        mine = [b for b in active if floor_of[b.table_ids[0]] == floor.id]
        per_floor.append(_floor(floor.name, mine))
    return NightSummary(
        night=plan.night,
        event_name=plan.event_name,
        floors=tuple(per_floor),
        total=_floor("All floors", active),
    )


def _floor(name: str, bookings: list[Booking]) -> FloorSummary:
    return FloorSummary(
        floor_name=name,
        bookings=len(bookings),
        covers=sum(b.party_size for b in bookings),
        deposits=sum((b.deposit for b in bookings), start=Decimal(0)),
        min_spend=sum((b.min_spend for b in bookings), start=Decimal(0)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pdf", type=Path, help="also keep one PDF here")
    args = parser.parse_args()

    from PySide6.QtGui import QGuiApplication

    from ui import runsheet

    app = QGuiApplication.instance() or QGuiApplication(["runsheet_time"])
    sheet = busy_night_sheet(args.bookings)
    printed_at = datetime.now(ZoneInfo(ZONE))
    timings = []
    pages = 0
    data = b""
    for _ in range(args.runs):
        started = time.perf_counter()
        data, pages = runsheet.pdf_bytes(sheet, printed_at=printed_at, printed_by="Bench at B-1")
        timings.append(time.perf_counter() - started)
    if args.pdf is not None:
        args.pdf.write_bytes(data)
    print(
        f"run sheet PDF, {args.bookings} bookings, {pages} pages, {len(data) // 1024} KiB: "
        f"median {statistics.median(timings) * 1000:.0f} ms, "
        f"slowest {max(timings) * 1000:.0f} ms over {args.runs} runs"
    )
    del app


if __name__ == "__main__":
    main()
