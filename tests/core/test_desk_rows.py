"""Rows by name: a result column missing or renamed fails at once, naming it
and the call, and is logged as a bug, instead of quietly becoming a default."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import uuid4

import pytest

from frontdesk.database import ColumnMismatch, Database, StaffContext


@dataclass(frozen=True)
class Probe:
    id: int
    name: str


@pytest.fixture
def db(demo_db_url: str) -> Iterator[Database]:
    database = Database(demo_db_url, staff=StaffContext("DESK-1", "Priya", uuid4()))
    yield database
    database.close()


# --- Database.call_rows ---------------------------------------------------------------


def test_rows_come_as_the_dataclass_in_the_writers_transaction(db: Database) -> None:
    rows = db.call_rows(
        "SELECT n AS id, current_setting('frontdesk.terminal') || '/' || %(tag)s AS name "
        "FROM generate_series(1, 2) n",
        {"tag": "x"},
        row=Probe,
        what="probe",
    )
    assert rows == [Probe(1, "DESK-1/x"), Probe(2, "DESK-1/x")]


def test_the_right_columns_and_no_rows_is_no_rows(db: Database) -> None:
    query = "SELECT 1 AS id, 'Booth 3' AS name WHERE false"
    assert db.call_rows(query, row=Probe, what="probe_rows") == []


@pytest.mark.parametrize(
    ("query", "missing", "unexpected"),
    [
        ("SELECT 1 AS id", ("name",), ()),
        ("SELECT 1 AS id, 'Booth 3' AS table_name", ("name",), ("table_name",)),
        ("SELECT 1 AS id, 'Booth 3' AS name, 2 AS id", (), ("id",)),
        ("SELECT 1 AS id WHERE false", ("name",), ()),  # checked before any row
        ("SELECT", ("id", "name"), ()),
    ],
)
def test_a_column_missing_or_renamed_fails_naming_it(
    db: Database,
    caplog: pytest.LogCaptureFixture,
    query: str,
    missing: tuple[str, ...],
    unexpected: tuple[str, ...],
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="frontdesk.database"),
        pytest.raises(ColumnMismatch) as caught,
    ):
        db.call_rows(query, {"name": "Amelia Secret"}, row=Probe, what="probe_rows")
    error = caught.value
    assert (error.what, error.missing, error.unexpected) == ("probe_rows", missing, unexpected)
    for column in missing + unexpected:
        assert repr(column) in str(error)
    assert str(error).startswith("probe_rows returned ") and "Probe" in str(error)
    # logged as a bug, with the call and the column, without personal data
    assert "probe_rows" in caplog.text and str(error) in caplog.text
    assert "Amelia Secret" not in caplog.text
    assert db.call("SELECT 1 AS one", what="after") == [{"one": 1}]
