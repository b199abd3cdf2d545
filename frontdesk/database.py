"""The desk's connections to PostgreSQL: a pool, who is writing, errors by kind.

One ``Database`` per app, shared by every worker thread.  Each call runs in
its own transaction that first says who is writing (staff and terminal, for
the audit) and then runs the statement, in one round trip: the two
statements go as one simple-protocol query, which PostgreSQL runs as one
implicit transaction.  No prepared statements are used, so the desk also
works behind a transaction-pooling PgBouncer.

The pool pings a connection before handing it out (``pool_pre_ping``), so a
restarted server is survived without restarting the app: dead connections
are replaced on their next use.

Rows come back by name.  ``call_rows`` maps each row onto a dataclass
through a psycopg row factory that first checks the result's columns against
the dataclass's fields: a column missing, renamed or unexpected raises
``ColumnMismatch`` naming it and the call, instead of quietly becoming a
default.  (``call`` still gives plain dicts, for ad hoc statements.)

Errors come out by kind (see ``frontdesk.errors``): the server gone is
``ServerUnavailable``, a slot taken is ``Refused``; anything else is our bug
(a ``ColumnMismatch`` too) and is logged with its context, then re-raised.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

import psycopg
import sqlalchemy as sa
from psycopg.rows import DictRow, RowFactory, RowMaker, class_row, dict_row

from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.migrations import sqlalchemy_url
from frontdesk.problems import redact

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

log = logging.getLogger(__name__)

Row = dict[str, Any]
Params = Mapping[str, Any]

#: A dataclass that rows are mapped onto by ``Database.call_rows``.
D = TypeVar("D", bound="DataclassInstance")

#: Parameter names whose values are personal data: never logged.
PERSONAL = frozenset(
    {
        "name",
        "customer_name",
        "phone",
        "email",
        "date_of_birth",
        "notes",
        "text",
        "pattern",
        "words",
        "special_requests",
        "occasion",
        "payment_ref",
    }
)

#: Limits on every desk transaction, so that a frozen transaction elsewhere
#: (or a slow statement here) never hangs the desk: the engine itself waits
#: at most 2 s for another booking; these are the outer bounds.  Set per
#: transaction (not as connection options) so they also work behind a
#: transaction-pooling PgBouncer.
TIMEOUTS = {
    "lock_timeout": "3s",
    "statement_timeout": "15s",
    "idle_in_transaction_session_timeout": "30s",
}

_WHO_SQL = (
    "SELECT set_config('frontdesk.session', %(_session)s, true), "
    "set_config('frontdesk.staff_id', %(_staff_id)s, true), "
    "set_config('frontdesk.staff_name', %(_staff_name)s, true), "
    "set_config('frontdesk.terminal', %(_terminal)s, true), "
    + ", ".join(f"set_config('{name}', '{value}', true)" for name, value in TIMEOUTS.items())
)

_CODE_IN_DETAIL = re.compile(r"\b([A-Z][A-Z_]{3,})\b")


class ColumnMismatch(psycopg.ProgrammingError):
    """A result's columns are not the ones the code reads: a bug in our code
    or the SQL, never something a host can act on.

    ``what`` is the call (the SQL function); ``missing`` and ``unexpected``
    name the columns (or, for a JSON result, the keys).  A psycopg
    ``ProgrammingError``, so ``Database`` logs it as a bug like any other.
    """

    def __init__(
        self,
        what: str,
        *,
        missing: Sequence[str] = (),
        unexpected: Sequence[str] = (),
        returned: Sequence[str] | None = None,
        reader: str | None = None,
        item: str = "column",
    ) -> None:
        self.what = what
        self.missing = tuple(missing)
        self.unexpected = tuple(unexpected)
        problems = []
        if self.missing:
            problems.append(f"no {item} {_names(self.missing)}")
        if self.unexpected:
            problems.append(f"an unexpected {item} {_names(self.unexpected)}")
        text = f"{what} returned {' and '.join(problems) or f'the wrong {item}s'}"
        if reader:
            text += f" (read as {reader})"
        if returned is not None:
            text += f"; it returned: {', '.join(returned) or f'no {item}s'}"
        super().__init__(text)


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)


def dataclass_rows(cls: type[D], *, what: str) -> RowFactory[D]:
    """A psycopg row factory making each row a ``cls`` by column name.

    Before the first row it checks the result's columns against ``cls``'s
    fields, both ways, and raises ``ColumnMismatch`` naming every column
    missing, unexpected or repeated, and ``what``.
    """
    wanted = [f.name for f in fields(cls) if f.init]
    make = class_row(cls)

    def factory(cursor: psycopg.Cursor[Any]) -> RowMaker[D]:
        returned = [column.name for column in cursor.description or ()]
        missing = [name for name in wanted if name not in returned]
        unexpected = [name for name in returned if name not in wanted]
        repeated = sorted({name for name in returned if returned.count(name) > 1})
        if missing or unexpected or repeated:
            raise ColumnMismatch(
                what,
                missing=missing,
                unexpected=unexpected + repeated,
                returned=returned,
                reader=cls.__name__,
            )
        return make(cursor)

    return factory


@dataclass(frozen=True)
class StaffContext:
    """Who is writing: the terminal (the desk's name), and who is signed in.

    ``session`` is the token ``sign_in`` gave; the engine verifies it on
    every write and read of guests' data, and takes the name and id for the
    audit from it.  ``staff_name`` and ``staff_id`` are only what the
    command line (the database's owner) says of itself; the engine ignores
    them from a desk's login.
    """

    terminal: str
    staff_name: str = ""
    staff_id: UUID | None = None
    session: str | None = field(default=None, repr=False)


class Database:
    """A pool of connections to one database; thread-safe; one per app."""

    def __init__(
        self,
        url: str,
        *,
        staff: StaffContext,
        min_size: int = 1,
        max_size: int = 8,
        checkout_timeout: float = 10.0,
        connect_timeout: int = 5,
    ) -> None:
        """Nothing connects yet beyond ``min_size`` warm connections, and a
        server that is down now is not an error here (calls raise
        ServerUnavailable until it is back)."""
        self.url = url
        self._staff = staff
        self._staff_lock = threading.Lock()
        self._engine = sa.create_engine(
            sqlalchemy_url(url),
            poolclass=sa.QueuePool,
            pool_size=max_size,
            max_overflow=0,
            pool_timeout=checkout_timeout,
            pool_pre_ping=True,
            connect_args={
                # psycopg's automatic prepared statements break behind a
                # transaction-pooling PgBouncer; we never prepare.
                "prepare_threshold": None,
                "autocommit": True,
                "connect_timeout": connect_timeout,
                "application_name": f"frontdesk {staff.terminal}"[:63],
            },
        )
        self._warm(min_size)

    def _warm(self, count: int) -> None:
        conns = []
        try:
            for _ in range(count):
                conns.append(self._engine.raw_connection())
        except (sa.exc.DBAPIError, psycopg.Error) as exc:
            log.info("database not reachable yet (%s): will connect on first use", exc)
        finally:
            for conn in conns:
                conn.close()

    @property
    def staff(self) -> StaffContext:
        return self._staff

    def set_staff(self, staff: StaffContext) -> None:
        """Who writes from now on (a different host signed in)."""
        with self._staff_lock:
            self._staff = staff

    def set_session(
        self, token: str | None, *, staff_name: str = "", staff_id: UUID | None = None
    ) -> None:
        """Carry this session (None: nobody signed in) from the next call on."""
        with self._staff_lock:
            self._staff = replace(
                self._staff, session=token, staff_name=staff_name, staff_id=staff_id
            )

    def close(self) -> None:
        """Close every pooled connection.  Safe to call twice."""
        self._engine.dispose()

    # --- running SQL ------------------------------------------------------

    def call(self, query: str, params: Params | None = None, *, what: str) -> list[Row]:
        """Run one statement in its own transaction; its rows as dicts.

        ``query`` uses psycopg's ``%(name)s`` placeholders.  ``what`` names the
        operation for the log (e.g. the SQL function).  Raises
        ServerUnavailable, Refused (an exclusion or trigger refusal), or the
        original error after logging it.
        """
        params = dict(params or {})
        with self._cursor(what, params) as cur:
            self._execute(cur, query, params)
            return cur.fetchall() if cur.description else []

    def call_rows(
        self, query: str, params: Params | None = None, *, row: type[D], what: str
    ) -> list[D]:
        """As ``call``, each row as a ``row`` (a dataclass) by column name.

        The result's columns must be exactly ``row``'s fields: otherwise
        ``ColumnMismatch`` (naming the column and ``what``), logged as a
        bug.  The statement has run by then: a write is not undone.
        """
        params = dict(params or {})
        with self._cursor(what, params) as cur:
            self._execute(cur, query, params)
            # The who-is-writing result came first, as dicts; from here on
            # rows are ``row``s (setting the factory checks the columns).
            typed = cast("psycopg.ClientCursor[D]", cur)
            typed.row_factory = dataclass_rows(row, what=what)
            return typed.fetchall()

    def _execute(self, cur: psycopg.Cursor[DictRow], query: str, params: Params) -> None:
        """Who is writing and the statement, in one round trip; the cursor
        left on the statement's result."""
        text = f"{_WHO_SQL}; {query}"
        cur.execute(text.encode(), {**params, **self._who()})
        cur.nextset()

    @contextmanager
    def transaction(self, what: str) -> Iterator[psycopg.Cursor[DictRow]]:
        """A cursor in an explicit transaction that already says who writes,
        for the rare operation that needs several statements.  Commits on
        normal exit, rolls back on error.  Errors as for ``call``."""
        with self._cursor(what, {}) as cur:
            conn = cur.connection
            with conn.transaction():
                cur.execute(_WHO_SQL.encode(), self._who())
                yield cur

    def _who(self) -> dict[str, str]:
        staff = self._staff
        return {
            "_session": staff.session or "",
            "_staff_id": str(staff.staff_id) if staff.staff_id else "",
            "_staff_name": staff.staff_name,
            "_terminal": staff.terminal,
        }

    @contextmanager
    def _cursor(self, what: str, params: Params) -> Iterator[psycopg.Cursor[DictRow]]:
        try:
            raw = self._engine.raw_connection()
        except sa.exc.TimeoutError as exc:
            raise ServerUnavailable(
                "Every connection to the database is busy: try again in a moment."
            ) from exc
        except sa.exc.DBAPIError as exc:
            raise self._unavailable(exc.orig or exc) from exc
        except psycopg.Error as exc:
            raise self._unavailable(exc) from exc
        try:
            conn = raw.driver_connection
            assert isinstance(conn, psycopg.Connection)
            with psycopg.ClientCursor(conn, row_factory=dict_row) as cur:
                yield cur
        except psycopg.Error as exc:
            translated = translate(exc)
            if isinstance(translated, ServerUnavailable) or _is_broken(raw):
                raw.invalidate(exc)
            if translated is None:
                log.error(
                    "database call %s failed: %s (%s); args %s",
                    what,
                    type(exc).__name__,
                    str(exc).strip(),
                    redacted(params),
                    exc_info=True,
                )
                raise
            raise translated from exc
        except BaseException:
            # the caller's own exception: a connection left mid-transaction
            # must not go back to the pool
            conn = raw.driver_connection
            if not (
                isinstance(conn, psycopg.Connection)
                and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            ):
                raw.invalidate()
            raise
        finally:
            raw.close()  # back to the pool (or gone, when invalidated)

    def _unavailable(self, exc: BaseException) -> ServerUnavailable:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.warning("cannot reach the database at %s: %s", redact(self.url), first)
        return ServerUnavailable(
            f"The database server at {redact(self.url)} cannot be reached ({first}). "
            "Your work is kept; try again when it is back."
        )


def _is_broken(raw: Any) -> bool:
    conn = getattr(raw, "driver_connection", None)
    return isinstance(conn, psycopg.Connection) and (conn.broken or conn.closed)


# Admin shutdown, crash shutdown, cannot connect now.
_SHUTDOWN_STATES = frozenset({"57P01", "57P02", "57P03"})


def translate(exc: psycopg.Error) -> Refused | ServerUnavailable | None:
    """The kind of a database error: ServerUnavailable when the server is
    gone, Refused when the engine's rules said no, None for a bug."""
    state = exc.sqlstate
    if state is None:
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            return ServerUnavailable(_server_gone_message(exc))
        return None
    if state.startswith("08") or state in _SHUTDOWN_STATES:
        return ServerUnavailable(_server_gone_message(exc))
    if state == "23P01":  # exclusion_violation: booking_tables_no_overlap
        return Refused(
            "TABLE_UNAVAILABLE", "That table was just booked at another desk for that time."
        )
    if state == "23514":  # check_violation: the validation trigger puts its code in DETAIL
        detail = exc.diag.message_detail or ""
        match = _CODE_IN_DETAIL.search(detail)
        if match:
            return Refused(match.group(1), exc.diag.message_primary or detail)
    if state == "42501":  # insufficient_privilege: a read that needs a session says which
        detail = (exc.diag.message_detail or "").strip()
        if detail in {"NOT_SIGNED_IN", "NOT_ALLOWED"}:
            return Refused(detail, exc.diag.message_primary or detail)
    return None


def _server_gone_message(exc: psycopg.Error) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"The connection to the database server was lost ({first}). Try again when it is back."


def redacted(params: Params) -> dict[str, Any]:
    """Params fit for a log line: personal values replaced."""
    return {
        key: ("<personal>" if key in PERSONAL and value is not None else value)
        for key, value in params.items()
        if not key.startswith("_")
    }
