"""Logins per channel: what `frontdesk db add-login` makes, the private
server's desk login, and a desk login that may not migrate."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from frontdesk import cli, logins, migrations, server
from frontdesk.problems import SetupProblem
from tests import pg

Conn = psycopg.Connection[tuple[object, ...]]


def channel_groups(owner_url: str) -> None:
    """The channel groups and what a desk login needs of them, in this database.

    sql/engine/90_grants.sql creates the groups; until it grants the desks
    SELECT on alembic_version (which says whether the schema is current), the
    test database gets that grant here.
    """
    with psycopg.connect(owner_url, autocommit=True) as conn:
        for group in logins.GROUPS.values():
            if conn.execute("SELECT to_regrole(%s)", [group]).fetchone() == (None,):
                # another database's migration may make it meanwhile
                with contextlib.suppress(
                    psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation
                ):
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
        readable = conn.execute(
            "SELECT has_table_privilege('frontdesk_desk', 'public.alembic_version', 'SELECT')"
        ).fetchone()
        if readable == (False,):
            conn.execute("GRANT SELECT ON public.alembic_version TO frontdesk_desk")


def drop_role(owner_url: str, name: str) -> None:
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    user = parts.netloc.split(":", 1)[0]
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


def trusts_logins(login_url: str) -> bool:
    """Whether the server lets a login in without its password (an external
    test server may); the embedded one asks for it."""
    try:
        psycopg.connect(with_password(login_url, "not-the-password")).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture
def new_login(db_url: str) -> Iterator[Callable[[str], str]]:
    """Names for logins on the test server; each dropped afterwards."""
    channel_groups(db_url)
    names: list[str] = []

    def name(prefix: str = "fd_login") -> str:
        names.append(f"{prefix}_{uuid.uuid4().hex[:10]}")
        return names[-1]

    yield name
    for n in names:
        drop_role(db_url, n)


def role_facts(conn: Conn, name: str) -> tuple[object, ...]:
    row = conn.execute(
        "SELECT rolcanlogin, rolinherit, rolsuper, rolcreatedb, rolcreaterole, rolreplication,"
        "       rolbypassrls,"
        "       ARRAY(SELECT g.rolname::text FROM pg_auth_members m"
        "               JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid)"
        "  FROM pg_roles r WHERE rolname = %s",
        [name],
    ).fetchone()
    assert row is not None
    return tuple(row)


# -- frontdesk db add-login ------------------------------------------------


@pytest.mark.parametrize("channel", ["desk", "web", "report"])
def test_a_login_is_in_its_channel_group_with_no_rights_of_its_own(
    db_url: str, new_login: Callable[[str], str], channel: logins.Channel
) -> None:
    name = new_login(f"fd_{channel}")
    url = logins.add_login(db_url, name, channel)

    with psycopg.connect(db_url, autocommit=True) as admin:
        facts = role_facts(admin, name)
        own_grants = admin.execute(
            "SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = %s",
            [name],
        ).fetchone()
    # LOGIN, INHERIT (the group's rights), nothing else; one group.
    assert facts == (True, True, False, False, False, False, False, [logins.GROUPS[channel]])
    assert own_grants == (0,)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_user, session_user").fetchone() == (name, name)
        assert conn.info.dbname == psycopg.conninfo.conninfo_to_dict(db_url)["dbname"]


def test_the_url_carries_the_password_and_nothing_else_signs_in(
    db_url: str, admin_url: str, new_login: Callable[[str], str]
) -> None:
    name = new_login("fd_web")
    url = logins.add_login(db_url, name, "web")
    assert urlsplit(url).username == name and urlsplit(url).password
    if trusts_logins(url):
        pytest.skip("this test server lets logins in without a password")
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(with_password(url, "not-the-password")).close()
    assert "password authentication failed" in str(refused.value)


@pytest.mark.parametrize(
    "name",
    ["Desk1", "1desk", "desk-1", "desk 1", "", "a" * 64, "pg_desk", "public", "frontdesk_desk"],
)
def test_a_bad_name_is_refused_before_the_server_is_asked(name: str) -> None:
    # An unreachable server: the name is refused without connecting.
    with pytest.raises(SetupProblem, match=r"cannot name a login|is reserved"):
        logins.add_login("postgresql://postgres@127.0.0.1:9/frontdesk", name, "desk")


def test_a_taken_name_is_refused_unless_its_password_is_reset(
    db_url: str, admin_url: str, new_login: Callable[[str], str]
) -> None:
    name = new_login("fd_desk")
    first = logins.add_login(db_url, name, "desk")
    with pytest.raises(SetupProblem, match=r"already exists.*--reset-password"):
        logins.add_login(db_url, name, "desk")

    second = logins.add_login(db_url, name, "desk", reset_password=True)
    assert second != first
    psycopg.connect(second).close()
    if not trusts_logins(second):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(first).close()


def test_only_a_login_of_that_channel_gets_a_new_password(
    db_url: str, new_login: Callable[[str], str]
) -> None:
    web = new_login("fd_web")
    logins.add_login(db_url, web, "web")
    with pytest.raises(SetupProblem, match="is not a desk login"):
        logins.add_login(db_url, web, "desk", reset_password=True)
    with pytest.raises(SetupProblem, match="is not a desk login"):
        logins.add_login(db_url, "postgres", "desk", reset_password=True)
    with pytest.raises(SetupProblem, match="no login"):
        logins.add_login(db_url, new_login("fd_nobody"), "desk", reset_password=True)


def test_frontdesk_db_add_login_prints_a_url_that_connects(
    db_url: str,
    new_login: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))
    name = new_login("fd_web")

    assert cli.main(["db", "add-login", name, "--for", "web"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1
    with psycopg.connect(out.strip()) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (name,)
    assert err.strip() == f"{name} may sign in as {logins.MAY['web']}."

    assert cli.main(["db", "add-login", name, "--for", "web"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("frontdesk: A role named") and len(err.splitlines()) == 1

    assert cli.main(["db", "add-login", "Bad-Name", "--for", "desk"]) == 1
    assert "cannot name a login" in capsys.readouterr().err


# -- the private server's desk login -----------------------------------------


@pytest.fixture
def desk_login(db_url: str, new_login: Callable[[str], str]) -> str:
    return new_login("fd_desk_local")


def test_the_desk_login_is_made_once_and_kept_in_a_private_file(
    db_url: str, desk_login: str, tmp_path: Path
) -> None:
    url = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    again = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)

    assert again == url
    kept = tmp_path / logins.LOCAL_DESK_FILE
    if sys.platform != "win32":
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [logins.LOCAL_DESK_FILE]  # no temp left
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (desk_login,)


def test_two_windows_starting_at_once_get_the_same_login(
    db_url: str, desk_login: str, tmp_path: Path
) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        urls = list(
            pool.map(lambda _: logins.ensure_desk_login(db_url, tmp_path, name=desk_login), [1, 2])
        )
    assert urls[0] == urls[1]
    psycopg.connect(urls[0]).close()


def test_a_lost_password_file_gives_the_desk_login_a_new_password(
    db_url: str, admin_url: str, desk_login: str, tmp_path: Path
) -> None:
    old = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    (tmp_path / logins.LOCAL_DESK_FILE).unlink()

    new = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    assert new != old
    psycopg.connect(new).close()
    if not trusts_logins(new):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(old).close()


def test_a_dropped_desk_login_is_made_again(db_url: str, desk_login: str, tmp_path: Path) -> None:
    logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    drop_role(db_url, desk_login)

    url = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    psycopg.connect(url).close()


def test_a_password_that_no_longer_signs_in_is_set_again(
    db_url: str, admin_url: str, desk_login: str, tmp_path: Path
) -> None:
    first = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    if trusts_logins(first):
        pytest.skip("this test server lets logins in without a password")
    with psycopg.connect(db_url, autocommit=True) as admin:  # e.g. a failed reset
        admin.execute(
            sql.SQL("ALTER ROLE {} PASSWORD 'something-else'").format(sql.Identifier(desk_login))
        )
    url = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    psycopg.connect(url).close()


def test_a_role_of_that_name_that_is_no_desk_login_is_left_alone(
    db_url: str, desk_login: str, tmp_path: Path
) -> None:
    with psycopg.connect(db_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB").format(sql.Identifier(desk_login)))
    with pytest.raises(SetupProblem, match="is not a desk login"):
        logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    assert not (tmp_path / logins.LOCAL_DESK_FILE).exists()


def test_the_desk_login_has_no_power_over_the_server_or_the_tables(
    demo_db_url: str, new_login: Callable[[str], str], tmp_path: Path
) -> None:
    channel_groups(demo_db_url)
    name = new_login("fd_desk_local")
    url = logins.ensure_desk_login(demo_db_url, tmp_path, name=name)

    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s",
            [name],
        ).fetchone() == (False, False, False)
        for statement in (
            "INSERT INTO bookings DEFAULT VALUES",
            "CREATE ROLE fd_sneaky LOGIN SUPERUSER",
            "CREATE DATABASE fd_sneaky",
            "CREATE TABLE public.fd_sneaky (x int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        writable = conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c"
            " WHERE c.relkind IN ('r', 'p', 'v', 'm')"
            "   AND c.relnamespace::regnamespace::text IN ('public', 'private')"
            "   AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')"
        ).fetchall()
    assert writable == []


def test_the_embedded_server_asks_every_login_but_its_owner_for_a_password(
    admin_url: str, db_url: str, desk_login: str, tmp_path: Path
) -> None:
    if os.environ.get(pg.TEST_URL_ENV):
        pytest.skip("an external test server has pg_hba.conf of its own")
    url = logins.ensure_desk_login(db_url, tmp_path, name=desk_login)
    parts = urlsplit(url)
    no_password = urlunsplit(parts._replace(netloc=f"{desk_login}@{parts.netloc.split('@')[1]}"))
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(no_password).close()
    psycopg.connect(admin_url).close()  # the owner: no password, as `frontdesk db url` prints
    with psycopg.connect(admin_url) as conn:
        hba = conn.execute("SELECT pg_read_file(current_setting('hba_file'))").fetchone()
    assert hba == (server.HBA_RULES,)


# -- a desk login on the venue's server does not migrate ----------------------


@pytest.fixture
def desk_url(db_url: str, new_login: Callable[[str], str]) -> str:
    return logins.add_login(db_url, new_login("fd_desk"), "desk")


def set_revision(owner_url: str, revision: str) -> None:
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = %s", [revision])


@pytest.fixture
def desk_env(desk_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", desk_url)
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))

    def no_migrations(url: str) -> None:
        raise AssertionError("a desk login must not migrate")

    monkeypatch.setattr(migrations, "upgrade", no_migrations)
    return desk_url


def recorder(opened: list[str]) -> cli.OpenWindow:
    def open_window(_settings: object, url: str) -> int:
        opened.append(url)
        return 0

    return open_window


def test_a_desk_login_opens_the_window_on_a_current_schema_without_migrating(
    desk_env: str,
) -> None:
    opened: list[str] = []
    assert cli.main([], open_window=recorder(opened)) == 0
    assert opened == [desk_env]


def test_a_desk_login_on_a_schema_behind_names_who_must_upgrade(
    db_url: str, desk_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    set_revision(db_url, "0007_staff")
    opened: list[str] = []
    assert cli.main([], open_window=recorder(opened)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert opened == []
    assert len(err) == 1
    assert "is behind" in err[0]
    assert "the venue's admin must run `frontdesk db upgrade` as the database's owner" in err[0]


def test_a_desk_login_is_told_the_database_is_newer_than_its_frontdesk(
    db_url: str, desk_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    set_revision(db_url, "9999_from_the_future")
    assert cli.main([], open_window=lambda _s, _u: 0) == 1
    assert "update frontdesk on this computer" in capsys.readouterr().err


def test_frontdesk_db_upgrade_with_a_desk_login_is_refused_politely(
    desk_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "needs the database's owner" in err[0]
    assert "FRONTDESK_DATABASE_URL" in err[0]


def test_the_private_server_opens_the_window_as_its_desk_login(
    demo_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The private server, as the test server's database: the owner migrates,
    # the window signs in as frontdesk_desk_local.
    channel_groups(demo_db_url)
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", "")
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(server, "ensure_running", lambda _pgdata: demo_db_url)
    seen: list[tuple[str, bool]] = []

    def open_window(_settings: object, url: str) -> int:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
        assert row is not None
        seen.append((str(row[0]), bool(row[1])))
        return 0

    try:
        assert cli.main([], open_window=open_window) == 0
    finally:
        drop_role(demo_db_url, logins.LOCAL_DESK_LOGIN)
    assert seen == [(logins.LOCAL_DESK_LOGIN, False)]
    assert (tmp_path / logins.LOCAL_DESK_FILE).exists()


# -- URLs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (
            "postgresql://owner:secret@db.venue.local:6432/frontdesk?sslmode=require",
            "postgresql://desk1:p%40ss@db.venue.local:6432/frontdesk?sslmode=require",
        ),
        (
            "postgresql://postgres:@/frontdesk?host=/home/sam/.local/share/frontdesk/postgres",
            "postgresql://desk1:p%40ss@/frontdesk?host=/home/sam/.local/share/frontdesk/postgres",
        ),
        ("host=::1 port=5432 dbname=fd user=x", "postgresql://desk1:p%40ss@[::1]:5432/fd"),
    ],
)
def test_a_login_url_keeps_the_server_and_database(owner: str, expected: str) -> None:
    assert logins.login_url(owner, "desk1", "p@ss") == expected
