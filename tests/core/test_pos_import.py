"""The till's export: read tolerantly, matched by the engine to the night's
bookings (by reference, or by table and time), imported once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import Refused
from frontdesk.pos_import import import_rows, match_rows, parse_amount, parse_when, read_rows
from tests.clock import LONDON, EngineClock, on_night
from tests.core.desk_helpers import VENUE, Conn, insert_booking, quiet_friday, scalar


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("45.50", Decimal("45.50")),
        ("£1,250.00", Decimal("1250.00")),
        (" £ 12 ", Decimal(12)),
        ("(12.50)", Decimal("-12.50")),
        ("-3.5 GBP", Decimal("-3.5")),
        ("twelve", None),
        ("", None),
        ("1.2.3", None),
    ],
)
def test_amounts_read_as_decimal(text: str, amount: Decimal | None) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("23:15", time(23, 15)),
        ("23.15", time(23, 15)),
        ("01:05:09", time(1, 5, 9)),
        ("11:15 pm", time(23, 15)),
        ("12:30 AM", time(0, 30)),
        ("2026-12-04 23:15", datetime(2026, 12, 4, 23, 15, tzinfo=LONDON)),
        ("04/12/2026 23:15", datetime(2026, 12, 4, 23, 15, tzinfo=LONDON)),
        ("2026-12-04T23:15:00+00:00", datetime.fromisoformat("2026-12-04T23:15:00+00:00")),
        ("25:00", None),
        ("soon", None),
    ],
)
def test_times_read_in_the_tills_spellings(text: str, when: object) -> None:
    assert parse_when(text, LONDON) == when


def test_a_file_with_a_header_in_any_order() -> None:
    text = 'Amount,Table,Closed At\r\n"£1,020.00",Booth 3,23:40\r\n\r\n12.00,Booth 4,11:50 PM\r\n'
    rows = read_rows(text, date(2026, 12, 4), LONDON)
    assert [(r.line, r.table, r.time, r.amount, r.problem) for r in rows] == [
        (2, "Booth 3", time(23, 40), Decimal("1020.00"), None),
        (4, "Booth 4", time(23, 50), Decimal("12.00"), None),  # its line in the file
    ]


def test_a_file_without_a_header_is_reference_or_table_time_amount() -> None:
    text = "br-261204-k7qx2m;23:15;45.50\nBooth 3;23:20;£10\nBooth 3;;£10\nBooth 9;23:20;ten\n"
    rows = read_rows(text, date(2026, 12, 4), LONDON)
    assert rows[0].reference == "BR-261204-K7QX2M" and rows[0].table is None
    assert (rows[1].table, rows[1].amount, rows[1].problem) == ("Booth 3", Decimal(10), None)
    assert rows[2].problem is not None and "time" in rows[2].problem
    assert rows[3].problem is not None and "ten" in rows[3].problem


def test_identical_rows_are_different_rows_but_the_same_file_has_the_same_keys() -> None:
    text = "Booth 3,23:15,10.00\nBooth 3,23:15,10.00\n"
    first = read_rows(text, date(2026, 12, 4), LONDON)
    again = read_rows(text, date(2026, 12, 4), LONDON)
    assert len({r.key for r in first}) == 2
    assert [r.key for r in first] == [r.key for r in again]


# ---- against the engine ----------------------------------------------------


@pytest.fixture
def night(demo_conn: Conn) -> date:
    return quiet_friday(demo_conn)


@pytest.fixture
def desk(
    demo_db_url: str, demo_conn: Conn, engine_clock: EngineClock, night: date
) -> Iterator[Desk]:
    engine_clock.set(demo_db_url, on_night(night, "23:55"), demo_conn)
    db = Database(demo_db_url, staff=StaffContext(terminal="DESK-1", staff_name="Priya"))
    try:
        desk = Desk(db, VENUE)
        desk.sign_in("Priya", "2468")
        yield desk
    finally:
        db.close()


def test_rows_match_by_reference_or_by_table_and_time(
    desk: Desk, demo_conn: Conn, night: date
) -> None:
    booth3 = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    booth4 = insert_booking(demo_conn, ["Booth 4"], night, "22:00", "23:00", status="seated")
    gone = insert_booking(demo_conn, ["Booth 5"], night, "22:00", "00:30", status="cancelled")
    ref4 = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [booth4])
    ref_gone = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [gone])
    text = (
        "reference,table,time,amount\n"
        ",Booth 3,23:15,£120.00\n"  # 2: Booth 3's booking, by time
        f"{ref4},,,45\n"  # 3: by reference
        ",Booth 4,23:30,20\n"  # 4: Booth 4 was free by then
        ",Booth 99,23:30,20\n"  # 5: no such table
        "BR-991231-AAAAAA,,23:30,20\n"  # 6: no such booking
        f"{ref_gone},,,20\n"  # 7: cancelled
        ",Booth 3,23:15,-5\n"  # 8: a refund on the till
        ",Booth 3,23:15,0\n"  # 9: nothing
        ",Booth 3,whenever,5\n"  # 10: unreadable time
    )
    matches = match_rows(desk, night, read_rows(text, night, desk.time_zone))
    by_line = {m.line: m for m in matches}
    assert [m.line for m in matches] == list(range(2, 11))
    assert (by_line[2].booking_id, by_line[2].amount, by_line[2].matched) == (
        booth3,
        Decimal("120.00"),
        True,
    )
    assert by_line[2].customer_name and by_line[2].table_names == "Booth 3"
    assert (by_line[3].booking_id, by_line[3].reference) == (booth4, ref4)
    codes = {line: m.reason_code for line, m in by_line.items() if not m.matched}
    assert codes == {
        4: "NO_BOOKING_THEN",
        5: "UNKNOWN_TABLE",
        6: "UNKNOWN_REFERENCE",
        7: "BOOKING_NOT_ACTIVE",
        8: "SPEND_NEGATIVE",
        9: "SPEND_ZERO",
        10: "UNREADABLE",
    }
    assert by_line[4].reason == "No booking was on Booth 4 at 23:30."


def test_importing_one_file_twice_adds_nothing_the_second_time(
    desk: Desk, demo_conn: Conn, night: date
) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    text = "Booth 3,23:15,£120.00\nBooth 3,23:15,£120.00\nBooth 3,23:40,30.5\nBooth 8,23:40,1\n"
    rows = read_rows(text, night, desk.time_zone)
    result = import_rows(desk, night, rows)
    assert (result.imported, result.already, result.unmatched) == (3, 0, 1)
    total = scalar(
        demo_conn, "SELECT sum(amount) FROM booking_spend WHERE booking_id = %s", [booking]
    )
    assert total == Decimal("270.50")
    again = import_rows(desk, night, read_rows(text, night, desk.time_zone))
    assert (again.imported, again.already) == (0, 3)
    assert all(m.already for m in match_rows(desk, night, rows) if m.matched)
    sources = scalar(
        demo_conn,
        "SELECT array_agg(DISTINCT source) FROM booking_spend WHERE booking_id = %s",
        [booking],
    )
    assert sources == ["pos"]


def test_nobody_signed_in_imports_nothing(
    demo_db_url: str,
    demo_conn: Conn,
    night: date,
    login_url: Callable[[str, str | None], str],
) -> None:
    db = Database(login_url(demo_db_url, "desk"), staff=StaffContext(terminal="DESK-9"))
    try:
        desk = Desk(db, VENUE)
        with pytest.raises(Refused) as refused:
            import_rows(desk, night, read_rows("Booth 3,23:15,10\n", night, LONDON))
        assert refused.value.code == "NOT_SIGNED_IN"
        assert scalar(demo_conn, "SELECT count(*) FROM booking_spend") == 0
    finally:
        db.close()
