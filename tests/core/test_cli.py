"""The ``frontdesk`` command line, as a person at a terminal uses it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from frontdesk import cli, migrations, server
from frontdesk.problems import SetupProblem
from tests import pg

REPO = Path(__file__).resolve().parents[2]


def run_frontdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line_problem(result: subprocess.CompletedProcess[str]) -> str:
    """The error output of a refused command: exactly one line, no traceback."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("frontdesk: ")
    return lines[0]


@pytest.fixture
def private_home(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An empty data folder and no venue server: the embedded path."""
    env = {"FRONTDESK_DATA_DIR": str(tmp_path / "data"), "FRONTDESK_DATABASE_URL": ""}
    yield env
    server.stop(tmp_path / "data" / "postgres")


@pytest.mark.slow
def test_db_url_upgrade_and_stop_on_the_embedded_server(private_home: dict[str, str]) -> None:
    upgraded = run_frontdesk("db", "upgrade", "--demo", env=private_home)
    assert upgraded.returncode == 0, upgraded.stderr
    assert migrations.head_revision() in upgraded.stdout

    shown = run_frontdesk("db", "url", env=private_home)
    assert shown.returncode == 0, shown.stderr
    url = shown.stdout.strip()
    # The server stays up after the command, for psql "$(frontdesk db url)".
    with psycopg.connect(url) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables").fetchall()}
        venue = conn.execute("SELECT name FROM venues").fetchone()
    assert {"bookings", "booking_tables", "venues"} <= tables
    assert venue == ("The Backroom Leeds",)

    stopped = run_frontdesk("db", "stop", env=private_home)
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped" in stopped.stdout
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
    again = run_frontdesk("db", "stop", env=private_home)
    assert "was not running" in again.stdout


def test_an_unreachable_server_is_one_line_and_exit_1() -> None:
    result = run_frontdesk(
        "db",
        "upgrade",
        env={"FRONTDESK_DATABASE_URL": "postgresql://frontdesk@127.0.0.1:9/frontdesk"},
    )
    line = one_line_problem(result)
    assert "Cannot reach the database server at 127.0.0.1:9/frontdesk" in line
    assert "is it running" in line


def test_a_missing_database_names_the_fix(admin_url: str) -> None:
    url = pg.with_database(admin_url, f"fd_missing_{uuid.uuid4().hex[:8]}")
    line = one_line_problem(run_frontdesk("db", "upgrade", env={"FRONTDESK_DATABASE_URL": url}))
    assert "does not exist" in line and "createdb" in line


@pytest.fixture
def password_role(admin_url: str) -> Iterator[str]:
    """A role that must log in with a password (scram), on the test server."""
    role = f"fd_pw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'right-password'")
        row = conn.execute("SHOW hba_file").fetchone()
        assert row is not None
        hba = Path(str(row[0]))
        original = hba.read_text()
        rules = "".join(
            f"{kind} all {role} {addr} scram-sha-256\n"
            for kind, addr in (("local", ""), ("host", "127.0.0.1/32"), ("host", "::1/128"))
        )
        hba.write_text(rules + original)
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield role
    finally:
        hba.write_text(original)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")
            conn.execute(f"DROP ROLE {role}")


def test_a_wrong_password_is_named(admin_url: str, password_role: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(admin_url)
    info.update(user=password_role, password="wrong-password")
    url = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})
    line = one_line_problem(run_frontdesk("db", "upgrade", env={"FRONTDESK_DATABASE_URL": url}))
    assert "refused the password" in line


def test_a_server_without_btree_gist_is_refused_before_anything_is_written(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No server at hand lacks btree_gist, so ask this real one for an
    # extension it does not have: the same check, the same answer.
    monkeypatch.setattr(migrations, "REQUIRED_EXTENSIONS", ("btree_gist_not_installed",))
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", db_url)
    with psycopg.connect(db_url) as conn:
        before = conn.execute("SELECT count(*) FROM alembic_version").fetchone()
    assert cli.main(["db", "upgrade", "--demo"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "has no btree_gist_not_installed extension" in err[0]
    assert "postgresql-contrib" in err[0]
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == before
        assert conn.execute("SELECT count(*) FROM venues").fetchone() == (0,)


def test_a_failing_migration_leaves_the_database_as_it_was(
    admin_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy of sql/ whose newest migration fails at its very end: the
    # migrations before it must not stay applied either.
    broken_sql = tmp_path / "sql"
    shutil.copytree(migrations.SQL_DIR, broken_sql)
    newest = sorted((broken_sql / "migrations").glob("0*.sql"))[-1]
    newest.write_text(newest.read_text() + "\nSELECT no_such_function();\n")
    with pg.fresh_database(admin_url, "template1") as url:
        monkeypatch.setattr(migrations, "SQL_DIR", broken_sql)
        with pytest.raises(SetupProblem, match="no_such_function"):
            migrations.upgrade(url)
        with psycopg.connect(url) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        assert tables == (0,)
        monkeypatch.undo()
        migrations.upgrade(url)  # the real migrations still apply afterwards
        assert migrations.current_revision(url) == migrations.head_revision()


def test_a_failing_engine_file_leaves_the_database_as_it_was(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An engine file that fails at its end, on an upgrade that re-applies the
    # engine: the engine dropped before it must come back with the rollback.
    broken_sql = tmp_path / "sql"
    shutil.copytree(migrations.SQL_DIR, broken_sql)
    last = sorted((broken_sql / "engine").glob("*.sql"))[-1]
    last.write_text(last.read_text() + "\nSELECT no_such_function();\n")
    monkeypatch.setattr(migrations, "SQL_DIR", broken_sql)
    with pytest.raises(SetupProblem, match="no_such_function"):
        migrations.upgrade(db_url)
    with psycopg.connect(db_url) as conn:
        functions = conn.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = 'create_booking_atomic'"
        ).fetchone()
    assert functions == (1,)


def test_help_describes_each_command() -> None:
    for args in (
        ("--help",),
        ("db", "--help"),
        ("db", "upgrade", "--help"),
        ("db", "url", "--help"),
        ("db", "stop", "--help"),
    ):
        result = run_frontdesk(*args, env={})
        assert result.returncode == 0
        assert "usage: frontdesk" in result.stdout


@pytest.mark.slow
def test_db_stop_refuses_while_desks_are_connected_and_force_stops(
    private_home: dict[str, str],
) -> None:
    shown = run_frontdesk("db", "url", env=private_home)
    assert shown.returncode == 0, shown.stderr
    url = shown.stdout.strip()
    with (
        psycopg.connect(url, application_name="frontdesk BAR-1"),
        psycopg.connect(url, application_name="frontdesk BAR-2"),
        psycopg.connect(url, application_name="frontdesk listener"),
    ):
        refused = run_frontdesk("db", "stop", env=private_home)  # no terminal to ask at
        problem = one_line_problem(refused)
        assert "2 desks (BAR-1, BAR-2)" in problem and "--force" in problem
        with psycopg.connect(url, connect_timeout=3) as still:  # still up
            assert still.execute("SELECT 1").fetchone() == (1,)
        forced = run_frontdesk("db", "stop", "--force", env=private_home)
        assert forced.returncode == 0, forced.stderr
        assert "stopped" in forced.stdout
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
