"""The engine's clock, for tests: set "now" on a test database, and the nights it needs.

Every engine rule that asks "what time is it" (past nights, the night in
progress, walk-ins, hold expiry) asks ``private.fd_now()``
(sql/engine/00_basics.sql), which on a venue's database is ``now()`` and
reads no setting.  ``install_test_clock`` replaces it, as the superuser and
only on one throwaway test database, with a version that reads the setting
``frontdesk.test_now`` and falls back to ``now()`` when it is not set:

    set_engine_clock(admin_url, db_url, instant)     # every new connection
    set_engine_clock(admin_url, db_url, instant, conn)  # ...and conn, already open
    set_session_clock(conn, instant)                  # that one connection only

``set_engine_clock`` is ``ALTER DATABASE <db> SET frontdesk.test_now``: the
app's pool, its listener and any connection opened afterwards see the same
frozen instant; connections already open do not (pass them as ``sessions``,
or open the app after setting the clock).  Re-applying the engine (an
upgrade inside a test) puts the real ``fd_now`` back.  The ``engine_clock``
fixture (tests/conftest.py) wraps it with the run's superuser URL.

A test that moves the clock moves it relative to the nights it uses
(``on_night(night, "02:30")``: the small hours of that night), never to a
fixed date: the demo database's nights are relative to today.

``FRONTDESK_TEST_NOW`` runs the suite as if it were another time: ``HH:MM``
(today, Europe/London) or an ISO date-time (Europe/London when naive).  Every
fresh test database then starts with its engine clock there (tests/pg.py),
and the demo is loaded relative to that day, e.g.
``FRONTDESK_TEST_NOW=23:59 pytest tests/core/test_engine_booking.py``.

``clock_changes`` finds the next spring-forward and fall-back nights of a
zone with zoneinfo, so no test pins a year.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

LONDON = ZoneInfo("Europe/London")

#: The setting the test clock reads (an instant, as text; empty or unset: now()).
SETTING = "frontdesk.test_now"

#: Run the suite as if it were this time (see the module's docstring).
SUITE_NOW_ENV = "FRONTDESK_TEST_NOW"

#: The engine's clock in a test database.  STABLE like now(): one value per
#: statement, so a rule reads one "now" throughout.
TEST_CLOCK_SQL = f"""
CREATE OR REPLACE FUNCTION private.fd_now() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(nullif(current_setting('{SETTING}', true), '')::timestamptz, now())
"""

#: Only databases the test harness creates (tests/pg.py) may get the test clock.
THROWAWAY_PREFIXES = ("fd_test_", "fd_tpl_")

Conn = psycopg.Connection[Any]


# ---------------------------------------------------------------------------
# The engine's clock.


def install_test_clock(conn: Conn) -> None:
    """Replace ``private.fd_now`` on ``conn``'s database by the test clock.

    ``conn`` must be a superuser's, on a throwaway test database."""
    name = conn.info.dbname
    if not name.startswith(THROWAWAY_PREFIXES):
        raise ValueError(f"{name} is not a test database: the engine's clock stays real there")
    conn.execute(TEST_CLOCK_SQL.encode())


def set_engine_clock(
    admin_url: str, db_url: str, instant: datetime | None, *sessions: Conn
) -> None:
    """Freeze the engine's "now" at ``instant`` on ``db_url``'s database
    (None: the real time again), for every connection opened from now on and
    for the already open ``sessions`` on it."""
    with psycopg.connect(_on_database(admin_url, db_url), autocommit=True) as admin:
        install_test_clock(admin)
        database = sql.Identifier(admin.info.dbname)
        if instant is None:
            admin.execute(sql.SQL("ALTER DATABASE {} RESET {}").format(database, sql.SQL(SETTING)))
        else:
            admin.execute(
                sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    database, sql.SQL(SETTING), sql.Literal(_text(instant))
                )
            )
    for session in sessions:
        _set_session(session, instant)


def set_session_clock(conn: Conn, instant: datetime | None) -> None:
    """Freeze the engine's "now" for this (superuser's) connection only."""
    install_test_clock(conn)
    _set_session(conn, instant)


def engine_now(conn: Conn) -> datetime:
    """What the engine takes for now on this connection."""
    row = conn.execute("SELECT private.fd_now()").fetchone()
    assert row is not None
    now: datetime = row[0] if isinstance(row, tuple) else next(iter(row.values()))
    return now


class EngineClock:
    """The ``engine_clock`` fixture: sets the engine's clock of a test's database."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def set(self, db_url: str, instant: datetime, *sessions: Conn) -> datetime:
        """Freeze "now" at ``instant`` on ``db_url`` (and ``sessions``); ``instant``."""
        set_engine_clock(self.admin_url, db_url, instant, *sessions)
        return instant

    def reset(self, db_url: str, *sessions: Conn) -> None:
        """The real time again (or the suite's, under FRONTDESK_TEST_NOW)."""
        set_engine_clock(self.admin_url, db_url, pinned_suite_now(), *sessions)


def _set_session(conn: Conn, instant: datetime | None) -> None:
    value = "" if instant is None else _text(instant)
    conn.execute("SELECT set_config(%s, %s, false)", [SETTING, value])


def _text(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("the engine's clock needs an aware datetime")
    return instant.astimezone(UTC).isoformat()


def _on_database(admin_url: str, db_url: str) -> str:
    """The superuser's URL, naming ``db_url``'s database."""
    name = urlsplit(db_url).path
    return urlunsplit(urlsplit(admin_url)._replace(path=name))


# ---------------------------------------------------------------------------
# The suite's "now" and wall-clock instants.


def pinned_suite_now() -> datetime | None:
    """``FRONTDESK_TEST_NOW`` as an instant, or None when it is not set."""
    raw = os.environ.get(SUITE_NOW_ENV, "").strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{1,2}:\d{2}", raw):
        today = datetime.now(LONDON).date()
        return wall_clock(today, time.fromisoformat(raw.zfill(5)))
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:
        return wall_clock(parsed.date(), parsed.time())
    return parsed.astimezone(UTC)


def suite_now() -> datetime:
    """The instant the suite runs at: the real one, or FRONTDESK_TEST_NOW."""
    return pinned_suite_now() or datetime.now(UTC)


def suite_today() -> date:
    """The suite's today in Europe/London."""
    return suite_now().astimezone(LONDON).date()


def wall_clock(day: date, at: time | str, zone: ZoneInfo = LONDON) -> datetime:
    """``day`` at the local time ``at``, by the engine's rule for odd times: a
    time the clock skips moves forward by the gap, a time it shows twice is
    the later (standard-time) one.  In UTC: a zone's datetime in the repeated
    hour never equals another zone's (PEP 495), the database's included."""
    if isinstance(at, str):
        at = time.fromisoformat(at)
    candidates = [datetime.combine(day, at, zone).replace(fold=f) for f in (0, 1)]
    return max(d.astimezone(UTC) for d in candidates)


def on_night(night: date, at: time | str, zone: ZoneInfo = LONDON) -> datetime:
    """A local time on a night: before noon, the morning after (``02:30``
    on Friday's night is Saturday 02:30)."""
    if isinstance(at, str):
        at = time.fromisoformat(at)
    day = night + timedelta(days=1) if at < time(12) else night
    return wall_clock(day, at, zone)


# ---------------------------------------------------------------------------
# Clock-change nights.


@dataclass(frozen=True)
class ClockChange:
    """A change of a zone's UTC offset, and the night it happens in."""

    night: date  # the evening before the change (the night that is open then)
    at: datetime  # the instant, in UTC
    before: timedelta  # the UTC offset before
    after: timedelta  # ...and after

    @property
    def springs_forward(self) -> bool:
        return self.after > self.before


@dataclass(frozen=True)
class ClockChanges:
    spring_forward: ClockChange
    fall_back: ClockChange


def clock_changes(after: date, zone: ZoneInfo = LONDON) -> ClockChanges:
    """The next spring-forward and fall-back nights of ``zone`` after the
    date ``after``, from zoneinfo: the nights (noon to noon) during which the
    UTC offset changes."""
    found: dict[bool, ClockChange] = {}
    day = after + timedelta(days=1)
    for _ in range(2 * 366):
        change = _change_during(day, zone)
        if change is not None:
            found.setdefault(change.springs_forward, change)
            if len(found) == 2:
                return ClockChanges(spring_forward=found[True], fall_back=found[False])
        day += timedelta(days=1)
    raise AssertionError(f"{zone.key} does not change its clocks twice in two years")


def _change_during(night: date, zone: ZoneInfo) -> ClockChange | None:
    noon = datetime.combine(night, time(12), zone).astimezone(UTC)
    before = noon.astimezone(zone).utcoffset()
    after = (noon + timedelta(days=1)).astimezone(zone).utcoffset()
    assert before is not None and after is not None
    if before == after:
        return None
    step = timedelta(minutes=15)
    at = noon
    while (at + step).astimezone(zone).utcoffset() == before:
        at += step
    return ClockChange(night=night, at=at + step, before=before, after=after)
