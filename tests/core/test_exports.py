"""CSV exports and the run sheet's data, against the demo venue; and
``frontdesk runsheet`` as a person at a terminal runs it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from frontdesk import cli
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.exports import (
    CSV_COLUMNS,
    deposit_state,
    load_night_sheet,
    night_plans,
    write_csv,
)
from frontdesk.plan import DepositStatus, Status
from tests.core.desk_helpers import VENUE, Conn, event_night, insert_booking, quiet_friday, scalar

REPO = Path(__file__).resolve().parents[2]
REQUIRED = "reference,table,guest,party,starts,ends,status,deposit,min_spend"

#: The bookings of a night as the database has them, one row per booking:
#: the tables named in grid order, joined as the CSV joins them.
BOOKINGS_SQL = """
SELECT b.reference,
       string_agg(t.name, ' + ' ORDER BY t.grid_order, t.name) AS tables,
       c.name, b.party_size, b.starts_at, b.ends_at, b.status,
       b.total_deposit, b.total_min_spend, b.night
  FROM bookings b
  JOIN customers c ON c.id = b.customer_id
  JOIN booking_tables bt ON bt.booking_id = b.id
  JOIN venue_tables t ON t.id = bt.table_id
 WHERE b.venue_id = %s AND b.night BETWEEN %s AND %s
 GROUP BY b.id, c.name
"""


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext(terminal="TEST-DESK", staff_name="Priya"))
    yield database
    database.close()


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk.first_venue(db, wait=lambda _s: None)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would misread the accents"
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def database_rows(conn: Conn, first: date, last: date) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute(BOOKINGS_SQL, [VENUE, first, last]).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def assert_matches_database(rows: list[dict[str, str]], expected: dict[str, tuple[Any, ...]]):
    assert len(rows) == len(expected)
    assert {r["reference"] for r in rows} == set(expected)
    for row in rows:
        tables, guest, party, starts, ends, status, deposit, min_spend, night = expected[
            row["reference"]
        ]
        assert row["table"] == tables
        assert row["guest"] == guest
        assert row["party"] == str(party)
        # ISO 8601 with the venue's offset, the same instants
        for text, instant in ((row["starts"], starts), (row["ends"], ends)):
            parsed = datetime.fromisoformat(text)
            assert parsed.utcoffset() is not None and text[-6] in "+-"
            assert parsed == instant
        assert row["status"] == status
        assert row["deposit"] == f"{deposit:.2f}"
        assert row["min_spend"] == f"{min_spend:.2f}"
        assert row["night"] == night.isoformat()


def test_a_nights_csv_is_one_row_per_booking_as_the_database_has_it(
    desk: Desk, demo_conn: Conn, tmp_path: Path
) -> None:
    friday = event_night(demo_conn, min_days_ahead=1)
    path = tmp_path / "friday.csv"
    count = write_csv(path, [desk.night_plan(friday)])
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith(REQUIRED + ",")
    assert tuple(REQUIRED.split(",")) == CSV_COLUMNS
    rows = read_csv(path)
    assert count == len(rows) > 10
    assert_matches_database(rows, database_rows(demo_conn, friday, friday))
    assert {r["status"] for r in rows} >= {"confirmed", "cancelled"}  # every status
    assert all(r["deposit"].count(".") == 1 and len(r["deposit"].split(".")[1]) == 2 for r in rows)
    assert all(r["phone"].startswith("07700 ") for r in rows)  # as dialled here, not +44…


def test_combinations_accents_and_formula_like_text(
    desk: Desk, demo_conn: Conn, tmp_path: Path
) -> None:
    night = quiet_friday(demo_conn)
    combo = insert_booking(demo_conn, ["Booth 2", "Booth 1"], night, "22:00", "00:30", party=7)
    demo_conn.execute(
        "UPDATE bookings SET special_requests = %s, occasion = %s WHERE id = %s",
        ['=HYPERLINK("http://example.com/x","Click")', "@home party", combo],
    )
    customer = scalar(demo_conn, "SELECT customer_id FROM bookings WHERE id = %s", [combo])
    demo_conn.execute("UPDATE customers SET name = 'Zoë Ünal' WHERE id = %s", [customer])
    path = tmp_path / "quiet.csv"
    write_csv(path, [desk.night_plan(night)])
    (row,) = read_csv(path)
    assert row["table"] == "Booth 1 + Booth 2"  # grid order, one cell
    assert row["guest"] == "Zoë Ünal"
    # Excel must not run a guest's typing as a formula
    assert row["requests"] == '\'=HYPERLINK("http://example.com/x","Click")'
    assert row["occasion"] == "'@home party"
    assert_matches_database([row], database_rows(demo_conn, night, night))


def test_a_range_is_every_booking_of_every_night_in_it(
    desk: Desk, demo_conn: Conn, tmp_path: Path
) -> None:
    friday = event_night(demo_conn, min_days_ahead=1)
    first, last = friday - timedelta(days=2), friday + timedelta(days=1)
    path = tmp_path / "range.csv"
    write_csv(path, night_plans(desk, first, last))
    rows = read_csv(path)
    assert_matches_database(rows, database_rows(demo_conn, first, last))
    nights = [r["night"] for r in rows]
    assert nights == sorted(nights) and len(set(nights)) >= 2


def test_the_run_sheet_data_by_floor_active_first(desk: Desk, demo_conn: Conn) -> None:
    friday = event_night(demo_conn, min_days_ahead=1)
    plan = desk.night_plan(friday)
    someone = next(b for b in plan.bookings if b.status is Status.CONFIRMED)
    demo_conn.execute(
        "UPDATE customers SET notes = '  Allergic to nuts  ' WHERE id = %s", [someone.customer_id]
    )
    sheet = load_night_sheet(desk, friday)
    # The plan carries the guest's notes, trimmed; nobody else has any.
    assert {b.customer_id: b.customer_notes for b in sheet.plan.bookings if b.customer_notes} == {
        someone.customer_id: "Allergic to nuts"
    }
    assert sheet.plan.night_notes is None
    assert sheet.summary.total.bookings == sum(b.status.holds_table for b in plan.bookings)
    floors = sheet.floors()
    assert [f.name for f in floors] == [f.name for f in plan.floors]
    listed = [b.id for f in floors for b in (*f.active, *f.not_coming)]
    assert sorted(listed) == sorted(b.id for b in plan.bookings)  # each once
    for floor in floors:
        assert all(b.status.holds_table for b in floor.active)
        assert all(not b.status.holds_table for b in floor.not_coming)
        starts = [b.starts_at for b in floor.active]
        assert starts == sorted(starts)
        counted = next(s for s in sheet.summary.floors if s.floor_name == floor.name)
        assert counted.bookings == len(floor.active)
        assert counted.covers == sum(b.party_size for b in floor.active)
    assert any(f.not_coming for f in floors)  # the demo has cancellations


def test_a_closed_nights_note(desk: Desk, demo_conn: Conn) -> None:
    closed = scalar(
        demo_conn, "SELECT night FROM nights WHERE venue_id = %s AND is_closed", [VENUE]
    )
    sheet = load_night_sheet(desk, closed)
    assert sheet.plan.is_closed and not sheet.plan.bookings
    assert sheet.plan.night_notes == "Closed to the public"


def test_deposit_state(desk: Desk, demo_conn: Conn) -> None:
    booking = desk.night_plan(event_night(demo_conn, min_days_ahead=1)).bookings[0]
    # The engine's deposit status (62_money.sql), "none" without a deposit.
    for status in DepositStatus:
        if status is not DepositStatus.NONE:
            assert deposit_state(replace(booking, deposit=Decimal(50), deposit_status=status)) == (
                status.value
            )
    assert deposit_state(replace(booking, deposit=Decimal(0), payment_ref=None)) == "none"


# --- frontdesk runsheet -------------------------------------------------------


def runsheet(*args: str, url: str = "", headless: bool = True) -> subprocess.CompletedProcess[str]:
    """``frontdesk runsheet ...`` in a child, as from a terminal; with
    ``headless`` there is no display and no Qt platform chosen."""
    env = {**os.environ, "FRONTDESK_DATABASE_URL": url, "FRONTDESK_STAFF": "Priya"}
    if headless:
        for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "runsheet", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("frontdesk: "), result.stderr
    return lines[0]


def test_the_command_writes_the_pdf_and_the_csv(
    demo_db_url: str, demo_conn: Conn, tmp_path: Path
) -> None:
    friday = event_night(demo_conn, min_days_ahead=1)
    pdf, sheet = tmp_path / "friday.pdf", tmp_path / "friday.csv"
    result = runsheet(
        "--night", friday.isoformat(), "--pdf", str(pdf), "--csv", str(sheet), url=demo_db_url
    )
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert_matches_database(read_csv(sheet), database_rows(demo_conn, friday, friday))
    assert f"written to {pdf}" in result.stdout
    assert f"written to {sheet}" in result.stdout


def test_the_command_exports_a_range_and_names_the_venue(
    demo_db_url: str, demo_conn: Conn, tmp_path: Path
) -> None:
    friday = event_night(demo_conn, min_days_ahead=1)
    first, last = friday, friday + timedelta(days=6)
    path = tmp_path / "week.csv"
    result = runsheet(
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
        "--venue",
        "the backroom leeds",
        "--csv",
        str(path),
        url=demo_db_url,
    )
    assert result.returncode == 0, result.stderr
    assert_matches_database(read_csv(path), database_rows(demo_conn, first, last))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--night", "2026-02-30", "--csv", "x.csv"], "--night '2026-02-30' is not a date"),
        (["--night", "Friday", "--pdf", "x.pdf"], "write it as YYYY-MM-DD"),
        (["--from", "2026-12-10", "--to", "2026-12-01", "--csv", "x.csv"], "is before --from"),
        (["--from", "2026-12-01", "--to", "2026-12-02", "--pdf", "x.pdf"], "for one night"),
        (["--night", "2026-12-04"], "Nothing to write"),
    ],
)
def test_bad_requests_are_one_line_and_exit_1(args: list[str], says: str, tmp_path: Path) -> None:
    # Refused before any database is reached (none is configured here).
    env_url = "postgresql://frontdesk@127.0.0.1:9/frontdesk"
    assert says in one_line(runsheet(*args, url=env_url))


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    result = runsheet(
        "--night",
        "2026-12-04",
        "--csv",
        str(tmp_path / "x.csv"),
        url="postgresql://frontdesk@127.0.0.1:9/frontdesk",
    )
    line = one_line(result)
    assert "Cannot reach the database server at 127.0.0.1:9/frontdesk" in line


def test_an_unknown_venue_is_one_line(demo_db_url: str, tmp_path: Path) -> None:
    result = runsheet(
        "--night",
        "2026-12-04",
        "--venue",
        "The Frontroom",
        "--csv",
        str(tmp_path / "x.csv"),
        url=demo_db_url,
    )
    line = one_line(result)
    assert "No venue named 'The Frontroom'" in line and "The Backroom Leeds" in line
    assert not (tmp_path / "x.csv").exists()


def test_an_unwritable_path_is_one_line(demo_db_url: str, tmp_path: Path) -> None:
    result = runsheet(
        "--night", "2026-12-04", "--csv", str(tmp_path / "no" / "such" / "x.csv"), url=demo_db_url
    )
    assert "Cannot write" in one_line(result)


def test_a_csv_export_never_loads_qt(demo_db_url: str, demo_conn: Conn, tmp_path: Path) -> None:
    friday = event_night(demo_conn, min_days_ahead=1)
    args = ["runsheet", "--night", friday.isoformat(), "--csv", str(tmp_path / "f.csv")]
    check = (
        "import sys\n"
        "from frontdesk import cli\n"
        f"code = cli.main({args!r})\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'ui'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        env={**os.environ, "FRONTDESK_DATABASE_URL": demo_db_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 []"


def test_a_core_only_build_refuses_a_pdf_in_one_line(
    demo_db_url: str,
    demo_conn: Conn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The core draws no PDF itself: without the window's renderer handed in
    # (ui/launcher.py does), --pdf says so and writes nothing.
    friday = event_night(demo_conn, min_days_ahead=1)
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", demo_db_url)
    pdf = tmp_path / "f.pdf"
    assert cli.main(["runsheet", "--night", friday.isoformat(), "--pdf", str(pdf)]) == 1
    assert "cannot draw PDFs" in capsys.readouterr().err
    assert not pdf.exists()
