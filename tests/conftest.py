"""Fixtures shared by every test: a real PostgreSQL and fresh databases."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from tests import clock, logins, pg

DEMO_VENUE_ID = "b4c12000-0000-4000-8000-000000000001"


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A superuser URL on the run's server (external or embedded)."""
    external = os.environ.get(pg.TEST_URL_ENV)
    if external:
        yield external
        return
    from frontdesk import server

    pgdata = Path(tmp_path_factory.mktemp("pg")) / "data"
    url = pg.start_embedded(pgdata)
    yield url
    server.stop(pgdata)


@pytest.fixture(scope="session")
def template_db(admin_url: str) -> str:
    return pg.ensure_template(admin_url, demo=False)


@pytest.fixture(scope="session")
def demo_template_db(admin_url: str) -> str:
    return pg.ensure_template(admin_url, demo=True)


@pytest.fixture
def db_url(admin_url: str, template_db: str) -> Iterator[str]:
    """A fresh, migrated, empty database for this test."""
    with pg.fresh_database(admin_url, template_db) as url:
        yield url


@pytest.fixture
def demo_db_url(admin_url: str, demo_template_db: str) -> Iterator[str]:
    """A fresh database holding the demo venue (The Backroom Leeds)."""
    with pg.fresh_database(admin_url, demo_template_db) as url:
        yield url


@pytest.fixture
def demo_conn(demo_db_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit superuser connection to a fresh demo database."""
    with psycopg.connect(demo_db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def engine_clock(admin_url: str) -> clock.EngineClock:
    """Sets the engine's "now" on a test's database (tests/clock.py):
    ``engine_clock.set(db_url, clock.on_night(night, "02:30"), *open_connections)``."""
    return clock.EngineClock(admin_url)


@pytest.fixture
def login_url(admin_url: str) -> Iterator[Callable[[str, str | None], str]]:
    """Makes logins of a channel: ``login_url(db_url, "desk")`` is the URL of a
    new login in frontdesk_desk on that database ("web", "report", or None
    for a login in no group); each is dropped after the test."""
    with ExitStack() as stack:

        def make(db_url: str, channel: str | None) -> str:
            return stack.enter_context(logins.login(admin_url, db_url, channel))

        yield make
