"""Database logins, one per desk, website or report, each in its channel's group.

The database has a NOLOGIN group role per channel (sql/engine/90_grants.sql):
``frontdesk_desk`` (the desks), ``frontdesk_web`` (the venue's website) and
``frontdesk_report`` (reporting); the group holds the channel's rights.  A
login is a LOGIN role in one group with a generated password and no rights
of its own; it inherits the group's.  The database's owner (or a superuser)
adds logins and runs migrations; the desks never sign in as the owner.

On the private embedded server the window signs in as the desk login
``frontdesk_desk_local``, whose password lives in the data folder
(``ensure_desk_login``).  On the venue's server the desk signs in with the
login its admin gave it, and ``check_connection`` says whether that login
can run a desk there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from base64 import b64decode
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlencode

import psycopg
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from psycopg import sql

from frontdesk import migrations
from frontdesk.problems import SetupProblem, explain_connection_error, redact
from frontdesk.settings import write_private_file

log = logging.getLogger(__name__)

Channel = Literal["desk", "web", "report"]

#: Each channel's group role.
GROUPS: dict[Channel, str] = {
    "desk": "frontdesk_desk",
    "web": "frontdesk_web",
    "report": "frontdesk_report",
}

#: What a channel's logins may do, in a line for the venue's admin.
MAY: dict[Channel, str] = {
    "desk": "a desk: with a member of staff signed in, read the venue, its nights and guests, "
    "and book, seat and move parties through the engine's functions; it cannot write a "
    "table directly",
    "web": "the venue's website: read the venue's layout and hours, check availability and "
    "take bookings through the engine's functions; no guests' data, no table writes",
    "report": "reporting: read figures without guests' personal data; it cannot change anything",
}

#: The desk login of the private embedded server.
LOCAL_DESK_LOGIN = "frontdesk_desk_local"
#: Where its password is kept, in the data folder (this user's alone).
LOCAL_DESK_FILE = "desk-login.json"

_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
# Names PostgreSQL reserves, and frontdesk's own roles.
_NOT_A_LOGIN_NAME = frozenset(
    {"public", "none", "current_user", "session_user", "current_role", "frontdesk_app"}
    | set(GROUPS.values())
)
# Serialises ensure_desk_login between windows starting at once (any constant).
_DESK_LOGIN_LOCK = 7_401_305_002


def check_name(name: str) -> None:
    """Raise SetupProblem unless ``name`` may name a new login."""
    if not _NAME.fullmatch(name):
        raise SetupProblem(
            f"{name!r} cannot name a login: use lower-case letters, digits and _, starting "
            "with a letter, at most 63 characters."
        )
    if name.startswith("pg_") or name in _NOT_A_LOGIN_NAME:
        raise SetupProblem(f"{name!r} is reserved: choose another name for the login.")


def new_password() -> str:
    return secrets.token_urlsafe(24)


def login_url(owner_url: str, user: str, password: str) -> str:
    """``owner_url``'s server and database, signed in as ``user``."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(owner_url)
    except psycopg.ProgrammingError as exc:
        raise SetupProblem(f"That is not a database URL: {exc}") from exc
    for key in ("user", "password", "passfile"):
        info.pop(key, None)
    host = str(info.pop("host", None) or "")
    port = str(info.pop("port", None) or "")
    dbname = str(info.pop("dbname", None) or "")
    query = {k: str(v) for k, v in info.items() if v is not None}
    netloc = ""
    if host and not any(c in host for c in "/,"):  # one host name or address
        netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    else:  # a socket folder, several hosts, or none
        query = {"host": host, "port": port, **query}
    rest = urlencode({k: v for k, v in query.items() if v}, safe="/,")
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{netloc}"
        f"/{quote(dbname, safe='')}" + (f"?{rest}" if rest else "")
    )


@dataclass(frozen=True)
class _Role:
    can_login: bool
    plain: bool  # no superuser, createrole, createdb, replication or bypassrls
    groups: tuple[str, ...]  # the roles it is a direct member of

    def is_login_of(self, group: str) -> bool:
        return self.can_login and self.plain and self.groups == (group,)


def _role(conn: psycopg.Connection[tuple[object, ...]], name: str) -> _Role | None:
    row = conn.execute(
        "SELECT r.rolcanlogin,"
        "       NOT (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication"
        "            OR r.rolbypassrls),"
        "       ARRAY(SELECT g.rolname::text FROM pg_auth_members m"
        "               JOIN pg_roles g ON g.oid = m.roleid"
        "              WHERE m.member = r.oid ORDER BY 1)"
        "  FROM pg_roles r WHERE r.rolname = %s",
        [name],
    ).fetchone()
    if row is None:
        return None
    can_login, plain, groups = row
    assert isinstance(groups, list)
    return _Role(bool(can_login), bool(plain), tuple(groups))


def _require_group(conn: psycopg.Connection[tuple[object, ...]], group: str) -> None:
    if conn.execute("SELECT to_regrole(%s)", [group]).fetchone() == (None,):
        raise SetupProblem(
            f"The server has no {group} role yet: run `frontdesk db upgrade` as the "
            "database's owner first."
        )


def _set_password(
    conn: psycopg.Connection[tuple[object, ...]], name: str, password: str, *, group: str | None
) -> None:
    """CREATE the login in ``group``, or (group None) ALTER its password.

    The password goes as its SCRAM verifier, computed here: the plain text
    never reaches the server (nor its log)."""
    verifier = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
    secret = sql.Literal(verifier.decode())
    if group is None:
        statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), secret)
    else:
        statement = sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION "
            "NOBYPASSRLS PASSWORD {} IN ROLE {}"
        ).format(sql.Identifier(name), secret, sql.Identifier(group))
    conn.execute(statement)


def add_login(owner_url: str, name: str, channel: Channel, *, reset_password: bool = False) -> str:
    """Create the LOGIN role ``name`` in ``channel``'s group; its URL.

    ``owner_url`` signs in as the database's owner or a superuser (who may
    create roles).  With ``reset_password``, an existing login of that
    channel (and nothing else) gets a new password instead.  Raises
    SetupProblem for a bad or taken name, a missing group, a server that
    cannot be reached, or an account that may not create logins.
    """
    check_name(name)
    if channel not in GROUPS:
        raise SetupProblem(f"{channel!r} is not a channel: use desk, web or report.")
    group = GROUPS[channel]
    password = new_password()
    where = redact(owner_url)
    try:
        with psycopg.connect(owner_url, autocommit=True) as conn, conn.transaction():
            _require_group(conn, group)
            role = _role(conn, name)
            if role is None and reset_password:
                raise SetupProblem(
                    f"There is no login {name} to give a new password: leave out "
                    "--reset-password to add it."
                )
            if role is not None and not reset_password:
                raise SetupProblem(
                    f"A role named {name} already exists on {where}: choose another name, or "
                    f"add --reset-password to give the {channel} login {name} a new password."
                )
            if role is not None and not role.is_login_of(group):
                raise SetupProblem(
                    f"{name} is not a {channel} login (one that can sign in, is in {group} "
                    "and nothing else, with no rights of its own): its password stays as it is."
                )
            _set_password(conn, name, password, group=None if role else group)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise SetupProblem(
            f"The account used for {where} may not create logins in {group}: run this as "
            "the database's owner with CREATEROLE (and ADMIN on the group), or a superuser."
        ) from exc
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, where) from exc
    return login_url(owner_url, name, password)


def ensure_desk_login(owner_url: str, data_dir: Path, *, name: str = LOCAL_DESK_LOGIN) -> str:
    """The URL of the private server's desk login, creating it when needed.

    Its password is kept in ``data_dir`` (``desk-login.json``, readable by
    this user only).  When the file or the role is missing, or the password
    no longer signs in, the role is (re)created or given a new password and
    the file rewritten.  Idempotent; two windows starting at once take turns.
    Raises SetupProblem when the server cannot be reached, when the desk
    group is missing (migrations not run), or when a role of that name
    exists that is not a desk login.
    """
    path = data_dir / LOCAL_DESK_FILE
    group = GROUPS["desk"]
    where = redact(owner_url)
    try:
        with psycopg.connect(owner_url, autocommit=True) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_DESK_LOGIN_LOCK])
            _require_group(conn, group)
            role = _role(conn, name)
            if role is not None and not role.is_login_of(group):
                raise SetupProblem(
                    f"The role {name} on {where} is not a desk login; frontdesk will not "
                    "use or change it: drop it, and the desk makes its own."
                )
            password = _kept_password(path, name)
            if (
                role is not None
                and password is not None
                and _password_is(conn, owner_url, name, password)
            ):
                return login_url(owner_url, name, password)
            password = new_password()
            # The file first: if the role's change then fails, the next start
            # finds a password that does not sign in, and sets it again.
            write_private_file(path, json.dumps({"login": name, "password": password}) + "\n")
            _set_password(conn, name, password, group=None if role else group)
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, where) from exc
    return login_url(owner_url, name, password)


def _kept_password(path: Path, name: str) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or damaged: a new password replaces it
    if not isinstance(data, dict) or data.get("login") != name:
        return None
    password = data.get("password")
    return password if isinstance(password, str) and password else None


def _password_is(
    conn: psycopg.Connection[tuple[object, ...]], owner_url: str, name: str, password: str
) -> bool:
    """Whether ``password`` is (still) ``name``'s: checked against the role's
    SCRAM verifier, which the private server's owner, a superuser, may read;
    by signing in as it otherwise."""
    try:
        with conn.transaction():
            row = conn.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", [name]
            ).fetchone()
    except psycopg.errors.InsufficientPrivilege:
        url = login_url(owner_url, name, password)
        try:
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.OperationalError as exc:
            if "password authentication failed" in str(exc):
                return False
            raise
        return True
    return bool(row and isinstance(row[0], str) and scram_matches(row[0], password))


def scram_matches(verifier: str, password: str) -> bool:
    """Whether ``password`` is the one a SCRAM-SHA-256 verifier (as PostgreSQL
    stores it) was made from (RFC 5802: StoredKey = H(HMAC(salted, "Client Key")))."""
    found = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)", verifier)
    if not found:
        return False
    iterations, salt, stored_key = int(found[1]), b64decode(found[2]), b64decode(found[3])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)


def owns_database(url: str) -> bool:
    """Whether ``url``'s login may migrate its database: a superuser, or the
    database's owner (or a member of the owning role).  Raises SetupProblem
    when the server cannot be reached."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT r.rolsuper OR pg_has_role(current_user, d.datdba, 'USAGE')"
                "  FROM pg_roles r, pg_database d"
                " WHERE r.rolname = current_user AND d.datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    return bool(row and row[0])


def require_current_schema(url: str) -> None:
    """Raise SetupProblem unless ``url``'s database is at this frontdesk's
    schema (for a login that may not migrate it)."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            problem = schema_problem(conn)
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    if problem:
        raise SetupProblem(problem)


def schema_problem(conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
    """What is wrong with the database's schema revision for this frontdesk,
    in words for the venue's admin; None when it is at head (or when this
    login may not read the revision: a warning is logged)."""
    upgrade = "the venue's admin must run `frontdesk db upgrade` as the database's owner"
    exists = conn.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
    if not (exists and exists[0]):
        return f"The database {conn.info.dbname} has no frontdesk schema yet: {upgrade}."
    readable = conn.execute(
        "SELECT has_table_privilege('public.alembic_version', 'SELECT')"
    ).fetchone()
    if not (readable and readable[0]):
        # Not a login of ours, or grants that do not cover the version: the
        # callers' own checks (and the engine's grants) decide, not this one.
        log.warning("%s may not read alembic_version: the schema is not checked", conn.info.user)
        return None
    found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    current = str(found[0]) if found else None
    head = migrations.head_revision()
    if current == head:
        return None
    if current is None:
        return f"The database {conn.info.dbname} has no frontdesk schema yet: {upgrade}."
    if not _known_revision(current):
        return (
            f"The database is at a newer schema ({current}) than this desk's frontdesk "
            f"({head}): update frontdesk on this computer."
        )
    return f"The database's schema ({current}) is behind this desk's ({head}): {upgrade}."


def _known_revision(revision: str) -> bool:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations.SQL_DIR / "alembic"))
    try:
        return ScriptDirectory.from_config(cfg).get_revision(revision) is not None
    except CommandError:
        return False


def check_connection(url: str, timeout: float = 5) -> tuple[bool, str]:
    """Whether this desk can run on ``url``, and a line saying why not.

    Signs in (waiting at most ``timeout`` seconds), checks that the schema
    is at this frontdesk's revision and that the login is a desk login.
    Never raises for the world being wrong: wrong password, unreachable
    server, missing database, schema behind, not a desk login all come back
    as ``(False, what the venue's admin can do)``.  Blocks: run it off the
    UI thread.
    """
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        return False, f"That is not a database URL: {exc}"
    where = redact(url)
    login = str(info.get("user") or "(your user name)")
    try:
        with psycopg.connect(url, connect_timeout=max(1, round(timeout)), autocommit=True) as conn:
            problem = schema_problem(conn)
            if problem:
                return False, problem
            row = conn.execute(
                "SELECT pg_has_role(current_user, %s, 'USAGE'), r.rolsuper,"
                "       pg_has_role(current_user, d.datdba, 'USAGE')"
                "  FROM pg_roles r, pg_database d"
                " WHERE r.rolname = current_user AND d.datname = current_database()",
                [GROUPS["desk"]],
            ).fetchone()
            login = str(conn.info.user)
    except psycopg.errors.UndefinedObject:  # no frontdesk_desk role yet
        return False, (
            f"The server at {where} has no desk logins yet: the venue's admin must run "
            "`frontdesk db upgrade` as the database's owner."
        )
    except psycopg.OperationalError as exc:
        return False, _connection_failure(exc, where, login)
    except psycopg.Error as exc:
        return False, f"The database at {where} failed: {_first_line(exc)}"
    assert row is not None
    is_desk, is_super, is_owner = (bool(v) for v in row)
    if is_super or is_owner:
        return True, (
            f"Connected to {where} as {login}, who owns the database: it works, but a desk "
            "should sign in with a desk login of its own (frontdesk db add-login NAME --for desk)."
        )
    if not is_desk:
        return False, (
            f"{login} is not a desk login: ask the venue's admin for one "
            "(frontdesk db add-login NAME --for desk)."
        )
    return True, f"Connected to {where} as {login}, a desk login; the database is up to date."


def _connection_failure(exc: psycopg.OperationalError, where: str, login: str) -> str:
    # A failed sign-in carries no SQLSTATE in psycopg, only libpq's text.
    text = str(exc).lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return (
            f"The server at {where} refused the password for {login}: check the login and "
            "password with the venue's admin."
        )
    if "database" in text and "does not exist" in text:
        return f"There is no such database at {where}: check the database's name."
    if "permission denied for database" in text:
        return (
            f"{login} may not connect to the database at {where}: it is not a frontdesk login "
            "(ask the venue's admin for one: frontdesk db add-login NAME --for desk)."
        )
    if "pg_hba.conf" in text or ("role" in text and "does not exist" in text):
        return (
            f"The server at {where} does not let {login} in from this computer "
            f"({_server_said(exc)}): ask the venue's admin."
        )
    if "too many clients" in text or "starting up" in text or "shutting down" in text:
        return f"The server at {where} is busy or starting up ({_server_said(exc)}): try again."
    return (
        f"Cannot reach the server at {where} ({_first_line(exc)}): is it running, and are "
        "the address and port right?"
    )


def _server_said(exc: Exception) -> str:
    """The server's own words (FATAL: ...) from a failed sign-in."""
    text = str(exc)
    return text.rsplit("FATAL:", 1)[-1].strip() if "FATAL:" in text else _first_line(exc)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
