"""The manager's reports (report_range, frontdesk.reports): the figures
against the bookings read directly, on a seeded range; CSV; a host may not
run them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from frontdesk import reports
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import InvalidInput, Refused
from tests.core.desk_helpers import VENUE, Conn, scalar


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext(terminal="OFFICE", staff_name="Sam"))
    yield database
    database.close()


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk(db, VENUE, wait=lambda _s: None)


def _seed(conn: Conn) -> tuple[date, date]:
    """The demo's two weeks, with walk-ins, no-shows and cancellations
    mixed in by hand (as a manager's psql would), and a range that runs
    past them (nights without bookings count as nights)."""
    first: date = scalar(conn, "SELECT min(night) FROM bookings WHERE venue_id = %s", [VENUE])
    conn.execute(
        "UPDATE bookings SET source = 'walk_in' WHERE venue_id = %s "
        "AND get_byte(decode(md5(id::text), 'hex'), 0) %% 7 = 0",
        [VENUE],
    )
    conn.execute(
        "UPDATE bookings SET status = 'no_show' WHERE venue_id = %s AND status = 'confirmed' "
        "AND source <> 'walk_in' AND get_byte(decode(md5(id::text), 'hex'), 1) %% 6 = 0",
        [VENUE],
    )
    conn.execute(
        "UPDATE bookings SET status = 'cancelled' WHERE venue_id = %s AND status = 'pending' "
        "AND get_byte(decode(md5(id::text), 'hex'), 2) %% 2 = 0",
        [VENUE],
    )
    return first, first + timedelta(days=20)


def _direct(conn: Conn, first: date, last: date) -> dict[str, dict[Any, dict[str, Any]]]:
    """The figures computed here from the bookings' rows, by night, weekday
    and source, and in all."""
    rows = conn.execute(
        "SELECT night, source, status, party_size, total_deposit, total_min_spend "
        "FROM bookings WHERE venue_id = %s AND night BETWEEN %s AND %s",
        [VENUE, first, last],
    ).fetchall()

    out: dict[str, dict[Any, dict[str, Any]]] = {
        k: defaultdict(lambda: defaultdict(int)) for k in ("night", "weekday", "source", "total")
    }
    for night, source, status, party, deposit, min_spend in rows:
        for kind, key in (
            ("night", night),
            ("weekday", night.isoweekday()),
            ("source", source),
            ("total", None),
        ):
            f = out[kind][key]
            f["bookings"] += 1
            f["walk_ins"] += source == "walk_in"
            f["cancellations"] += status == "cancelled"
            f["no_shows"] += status == "no_show"
            if status not in ("cancelled", "no_show"):
                f["covers"] += party
                f["min_spend"] += min_spend
            if status != "cancelled":
                f["deposits"] += deposit
    return out


def _same(figures: reports.Figures, expected: dict[str, Any]) -> None:
    assert (
        figures.bookings,
        figures.covers,
        figures.walk_ins,
        figures.cancellations,
        figures.no_shows,
        figures.deposits,
        figures.min_spend,
    ) == (
        expected["bookings"],
        expected["covers"],
        expected["walk_ins"],
        expected["cancellations"],
        expected["no_shows"],
        Decimal(expected["deposits"]),
        Decimal(expected["min_spend"]),
    ), figures.label
    expected_rate = expected["bookings"] - expected["cancellations"] - expected["walk_ins"]
    if expected_rate:
        # PostgreSQL rounds a half away from zero (5/32 is 0.1563), Python's
        # round() to even: the demo's booking ids are random, so the mix is too
        rate = Decimal(expected["no_shows"]) / expected_rate
        assert figures.no_show_rate == rate.quantize(Decimal("0.0001"), ROUND_HALF_UP)
    else:
        assert figures.no_show_rate is None


def test_the_figures_are_the_bookings(desk: Desk, demo_conn: Conn) -> None:
    first, last = _seed(demo_conn)
    direct = _direct(demo_conn, first, last)
    report = reports.load_report(desk, first, last)
    assert direct["total"][None]["no_shows"] > 0 and direct["total"][None]["walk_ins"] > 0
    assert direct["total"][None]["cancellations"] > 0

    assert [f.night for f in report.by_night] == [
        first + timedelta(days=n) for n in range(21)
    ]  # every night, with or without bookings
    for f in report.by_night:
        assert f.nights == 1
        _same(f, direct["night"][f.night])
    assert [f.weekday for f in report.by_weekday] == [1, 2, 3, 4, 5, 6, 7]
    for f in report.by_weekday:
        assert f.weekday is not None
        assert f.nights == 3 and f.label == reports.WEEKDAYS[f.weekday - 1]
        _same(f, direct["weekday"][f.weekday])
    assert [f.source for f in report.by_source] == [
        s for s in reports.SOURCES if s in direct["source"]
    ]
    for f in report.by_source:
        _same(f, direct["source"][f.source])
    _same(report.total, direct["total"][None])
    assert report.total.nights == 21
    assert report.total.label == "All nights" and report.currency == "GBP"


def test_a_range_without_bookings_is_all_zeros(desk: Desk) -> None:
    report = reports.load_report(desk, date(2001, 1, 1), date(2001, 1, 7))
    assert len(report.by_night) == 7 and report.by_source == ()
    assert report.total.bookings == 0 and report.total.no_show_rate is None
    assert report.total.nights == 7


def test_ranges_it_does_not_cover(desk: Desk, demo_conn: Conn) -> None:
    with pytest.raises(InvalidInput):
        reports.load_report(desk, date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        reports.load_report(desk, date(2020, 1, 1), date(2023, 1, 1))
    # the database answers nothing rather than raising, whoever calls it
    for first, last in (("2026-02-01", "2026-01-01"), ("1999-01-01", "2000-01-01"), (None, None)):
        assert (
            scalar(demo_conn, "SELECT count(*) FROM report_range(%s, %s, %s)", [VENUE, first, last])
            == 0
        )


def test_csv_of_a_table(desk: Desk, demo_conn: Conn, tmp_path: Path) -> None:
    first, last = _seed(demo_conn)
    report = reports.load_report(desk, first, last)
    path = tmp_path / "by-source.csv"
    count = reports.write_report_csv(path, "source", report.by_source, report.total)
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    assert count == len(report.by_source) + 1 == len(lines) - 1
    assert lines[0].startswith("source,nights,bookings,covers,walk_ins")
    assert lines[-1].startswith(f"All nights,21,{report.total.bookings},{report.total.covers},")
    night_path = tmp_path / "by-night.csv"
    reports.write_report_csv(night_path, "night", report.by_night, report.total)
    assert (
        night_path.read_text(encoding="utf-8-sig")
        .splitlines()[1]
        .startswith(first.isoformat() + ",")
    )


def test_a_host_may_not_run_a_report(desk: Desk) -> None:
    desk.sign_in("Priya", "2468")
    with pytest.raises(Refused) as refused:
        reports.load_report(desk, date(2026, 1, 1), date(2026, 1, 31))
    assert refused.value.code == "NOT_ALLOWED"
    desk.sign_in("Sam", "1357")
    assert reports.load_report(desk, date(2026, 1, 1), date(2026, 1, 31)).total.nights == 31


def test_money_and_rates_in_words() -> None:
    assert reports.money_text(Decimal("1250"), "GBP") == "£1,250"
    assert reports.money_text(Decimal("12.5"), "EUR") == "€12.50"
    assert reports.money_text(Decimal("-3"), "CHF") == "-CHF 3"
    assert reports.rate_text(Decimal("0.0425")) == "4.2 %"
    assert reports.rate_text(None) == "—"
    assert reports.range_text(date(2026, 1, 1), date(2026, 12, 31)) == ("1 Jan 2026 to 31 Dec 2026")
