"""A venue as a file (frontdesk/venue_file.py, docs/venue-file.md):
``frontdesk venue export|import``.  Export → import round-trips exactly; a
malformed file is one line naming the key and the line, and writes nothing;
a refusal names the bookings and changes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from frontdesk import cli, venue_file
from tests import pg
from tests.core.desk_helpers import VENUE, Conn, quiet_friday, scalar
from tests.core.setup_helpers import state

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def venue_cli(
    demo_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """``frontdesk venue ...`` on the demo database, as its owner: (exit code,
    stdout, stderr)."""
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", demo_db_url)
    monkeypatch.setenv("FRONTDESK_TERMINAL", "OFFICE-PC")

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["venue", *args])
        out, err = capsys.readouterr()
        return code, out, err

    yield run


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def exported(venue_cli: Run, tmp_path: Path, name: str = "venue.toml", *args: str) -> str:
    path = tmp_path / name
    code, out, err = venue_cli("export", str(path), *args)
    assert code == 0, err
    assert out == f"Wrote {args[-1] if args else 'The Backroom Leeds'} to {path}.\n"
    return path.read_text(encoding="utf-8")


def test_export_writes_the_venue_as_toml(venue_cli: Run, tmp_path: Path, demo_conn: Conn) -> None:
    text = exported(venue_cli, tmp_path)
    assert 'name = "The Backroom Leeds"\ntime_zone = "Europe/London"\n' in text
    assert 'floors = ["Downstairs", "Upstairs"]\n' in text
    assert 'fri = { opens = "21:00", closes = "04:00" }\n' in text
    # the deposit policy travels with the venue
    assert (
        'no_show_deposit = "forfeit"\nlate_cancel_deposit = "forfeit"\nfree_cancel_hours = 48\n'
        "spend_flag_minutes = 60\n"
    ) in text
    assert (
        '[[tables]]\nname = "Booth 1"\nfloor = "Downstairs"\ncapacity = 4\nmin_spend = 100.00\n'
        "deposit = 25.00\npremium = false\ngrid_order = 1\nretired = false\n"
        'joins = ["Booth 2"]\n'
    ) in text
    friday = quiet_friday(demo_conn)
    assert f'[[nights]]\ndate = {friday.isoformat()}\nevent = "La Fiesta"\n' in text
    assert 'closed = true\nreason = "Private hire"\nnotes = "Closed to the public"\n' in text
    assert "blocks = []\n" in text
    code, out, _ = venue_cli("export", "-")
    assert code == 0 and out == text


def test_export_then_import_round_trips_exactly(
    venue_cli: Run, tmp_path: Path, demo_conn: Conn
) -> None:
    friday = quiet_friday(demo_conn)
    demo_conn.execute("SELECT set_config('frontdesk.terminal', 'OFFICE', false)")
    row = demo_conn.execute(
        "SELECT success FROM block_table(%s, (SELECT id FROM venue_tables WHERE name = 'Booth 6'),"
        " %s, private.fd_night_instant(%s, %s, '23:00'), NULL, 'Leak \"over\" the booth')",
        [VENUE, friday, VENUE, friday],
    ).fetchone()
    assert row == (True,)
    text = exported(venue_cli, tmp_path)
    assert (
        f'[[blocks]]\ntable = "Booth 6"\nnight = {friday.isoformat()}\nfrom = "23:00"\n'
        'reason = "Leak \\"over\\" the booth"\n'
    ) in text
    before = state(demo_conn, VENUE)

    # into the same venue: nothing to change
    code, out, err = venue_cli("import", str(tmp_path / "venue.toml"))
    assert (code, out, err) == (0, "The Backroom Leeds: nothing to change.\n", "")
    assert state(demo_conn, VENUE) == before

    # as a new venue: created, and exported again it is the same file
    copy = tmp_path / "copy.toml"
    copy.write_text(text.replace("The Backroom Leeds", "The Backroom York"), encoding="utf-8")
    code, out, err = venue_cli("import", str(copy))
    assert (code, out) == (0, "Created The Backroom York.\n"), err
    again = exported(venue_cli, tmp_path, "again.toml", "--venue", "The Backroom York")
    assert again == copy.read_text(encoding="utf-8")


def test_an_import_updates_the_venue_and_the_audit_names_the_command_line(
    venue_cli: Run, tmp_path: Path, demo_conn: Conn
) -> None:
    text = exported(venue_cli, tmp_path)
    path = tmp_path / "venue.toml"
    changed = text.replace(
        'name = "Booth 1"\nfloor = "Downstairs"\ncapacity = 4\n',
        'name = "Booth 1"\nfloor = "Downstairs"\ncapacity = 5\n',
    )
    changed = changed.replace("min_age = 18\n", "min_age = 21\n")
    path.write_text(changed, encoding="utf-8")
    before = state(demo_conn, VENUE)
    last_audit = scalar(demo_conn, "SELECT max(id) FROM audit_logs")
    code, out, err = venue_cli("import", str(path), "--dry-run")
    assert (code, out) == (
        0,
        "The Backroom Leeds: would change the venue's settings and 1 table.\n",
    ), err
    assert state(demo_conn, VENUE) == before
    code, out, err = venue_cli("import", str(path))
    assert (code, out) == (0, "The Backroom Leeds: changed the venue's settings and 1 table.\n")
    assert scalar(demo_conn, "SELECT capacity FROM venue_tables WHERE name = 'Booth 1'") == 5
    who = demo_conn.execute(
        "SELECT DISTINCT staff_name, terminal FROM audit_logs WHERE id > %s"
        " AND table_name IN ('venues', 'venue_tables')",
        [last_audit],
    ).fetchall()
    assert who == [(venue_file.AUDIT_NAME, "OFFICE-PC")]


def _spoil(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # a wrong type
            'name = "Booth 3"\nfloor = "Downstairs"\ncapacity = 6\n',
            'name = "Booth 3"\nfloor = "Downstairs"\ncapacity = "six"\n',
            "{line}: tables[3].capacity: Booth 3's capacity must be a whole number from 1 to 500.",
        ),
        (  # an unknown floor
            'name = "Booth 9"\nfloor = "Upstairs"\n',
            'name = "Booth 9"\nfloor = "Roof"\n',
            "{line}: tables[9].floor: There is no floor called Roof (the floors are Downstairs "
            "and Upstairs).",
        ),
        (  # a duplicate table
            'name = "Booth 2"\n',
            'name = "Booth 1"\n',
            "{line}: tables[2].name: There are two tables called Booth 1.",
        ),
        (  # a bad time
            'fri = { opens = "21:00"',
            'fri = { opens = "9pm"',
            '{line}: hours.fri.opens: Friday\'s opening time must be a time such as "21:00" '
            "(00:00 to 23:59).",
        ),
        (  # a key nobody knows
            "min_age = 18\n",
            "min_age = 18\nmaximum_fun = 11\n",
            '{line}: policy.maximum_fun: The policy has no setting called "maximum_fun" (it has '
            "max_days_ahead, min_party_size, max_party_size, min_age, default_booking_minutes, "
            "hold_minutes, idle_lock_minutes, no_show_deposit, late_cancel_deposit, "
            "free_cancel_hours and spend_flag_minutes).",
        ),
        (  # not TOML at all
            "capacity = 4\n",
            "capacity = \n",
            "{line}: this is not TOML: Invalid value.",
        ),
    ],
)
def test_a_malformed_file_is_one_line_naming_the_key_and_line_and_writes_nothing(
    venue_cli: Run, tmp_path: Path, demo_conn: Conn, old: str, new: str, expected: str
) -> None:
    path = tmp_path / "venue.toml"
    text = exported(venue_cli, tmp_path)
    spoilt = _spoil(text, old, new)
    path.write_text(spoilt, encoding="utf-8")
    # the line of the key changed: the last line of what replaced the original
    line = text[: text.index(old)].count("\n") + len(new.rstrip("\n").split("\n"))
    before = state(demo_conn, VENUE)
    for args in ((str(path),), (str(path), "--dry-run")):
        code, out, err = venue_cli("import", *args)
        assert (code, out) == (1, "")
        assert one_line(err) == "frontdesk: " + expected.format(line=f"{path}:{line}")
    assert state(demo_conn, VENUE) == before


def test_a_file_that_would_strand_bookings_is_refused_naming_them(
    venue_cli: Run, tmp_path: Path, demo_conn: Conn
) -> None:
    friday = quiet_friday(demo_conn)
    demo_conn.execute("SELECT set_config('frontdesk.terminal', 'OFFICE', false)")
    booked = demo_conn.execute(
        "SELECT booking_reference FROM desk_book(%s, (SELECT id FROM customers"
        " WHERE venue_id = %s ORDER BY email LIMIT 1),"
        " ARRAY[(SELECT id FROM venue_tables WHERE name = 'Booth 3')], %s,"
        " private.fd_night_instant(%s, %s, '22:00'), private.fd_night_instant(%s, %s, '23:30'), 2)",
        [VENUE, VENUE, friday, VENUE, friday, VENUE, friday],
    ).fetchone()
    assert booked is not None and booked[0]
    guest = scalar(
        demo_conn, "SELECT name FROM customers WHERE venue_id = %s ORDER BY email LIMIT 1", [VENUE]
    )
    text = exported(venue_cli, tmp_path)
    path = tmp_path / "venue.toml"
    path.write_text(
        _spoil(
            text,
            f'date = {friday.isoformat()}\nevent = "La Fiesta"\n',
            f'date = {friday.isoformat()}\nclosed = true\nreason = "Flood"\n',
        ),
        encoding="utf-8",
    )
    before = state(demo_conn, VENUE)
    code, out, err = venue_cli("import", str(path))
    assert (code, out) == (1, "")
    label = f"{friday:%a} {friday.day} {friday:%b}"
    assert one_line(err) == (
        f"frontdesk: Closing {label} {friday.year} would strand 1 booking: {booked[0]} "
        f"({guest}, {label} 22:00–23:30, Booth 3). Move or cancel it first."
    )
    assert state(demo_conn, VENUE) == before


def test_the_line_of_a_key(tmp_path: Path) -> None:
    text = (
        'name = "X"\n'
        "[policy]\n"
        "min_age = 18\n"
        "[hours.fri]\n"
        'opens = "21:00"\n'
        "[[tables]]\n"
        'name = "A"\n'
        "[[tables]]\n"
        'name = "B"\n'
        "capacity = 4\n"
    )
    assert venue_file.line_of(text, ["name"]) == 1
    assert venue_file.line_of(text, ["policy", "min_age"]) == 3
    assert venue_file.line_of(text, ["hours", "fri", "opens"]) == 5
    assert venue_file.line_of(text, ["tables", "2", "capacity"]) == 10
    assert venue_file.line_of(text, ["tables", "2", "floor"]) == 8  # missing: its header
    assert venue_file.key_name(["tables", "2", "joins", "1"]) == "tables[2].joins[1]"


def test_import_needs_a_current_schema_and_a_file(
    admin_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "venue.toml"
    path.write_text('name = "X"\ntime_zone = "UTC"\n', encoding="utf-8")
    with pg.fresh_database(admin_url, "template1") as url:
        monkeypatch.setenv("FRONTDESK_DATABASE_URL", url)
        assert cli.main(["venue", "import", str(path)]) == 1
        assert "frontdesk db upgrade" in one_line(capsys.readouterr().err)
        assert cli.main(["venue", "import", str(tmp_path / "missing.toml")]) == 1
        assert one_line(capsys.readouterr().err) == (
            f"frontdesk: There is no file {tmp_path / 'missing.toml'}."
        )


def test_a_new_venue_from_a_small_file(venue_cli: Run, tmp_path: Path, demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    path = tmp_path / "small.toml"
    path.write_text(
        'name = "Tiny Bar"\ntime_zone = "Europe/Dublin"\nfloors = ["Bar"]\n'
        '[hours]\nfri = { opens = "20:00", closes = "01:00" }\n'
        '[[tables]]\nname = "Snug"\nfloor = "Bar"\ncapacity = 6\nmin_spend = 50\n'
        "deposit = 10.5\n"
        f'[[nights]]\ndate = {night.isoformat()}\nevent = "Trad session"\nmin_spend_factor = 1.5\n',
        encoding="utf-8",
    )
    code, out, err = venue_cli("import", str(path))
    assert (code, out) == (0, "Created Tiny Bar.\n"), err
    row = demo_conn.execute(
        "SELECT t.min_spend::text, t.deposit::text, n.min_spend_factor::text FROM venues v"
        " JOIN venue_tables t ON t.venue_id = v.id JOIN nights n ON n.venue_id = v.id"
        " WHERE v.name = 'Tiny Bar'"
    ).fetchone()
    assert row == ("50.00", "10.50", "1.500")
