"""Fixtures for the engine's tests: a connection and a test venue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.core.engine_helpers import Conn, Venue, connect, make_venue


@pytest.fixture
def conn(db_url: str) -> Iterator[Conn]:
    """An autocommit connection to a fresh, empty, migrated database."""
    with connect(db_url) as c:
        yield c


@pytest.fixture
def venue(conn: Conn) -> Venue:
    """A venue open every night into the small hours, bookable 400 days ahead."""
    return make_venue(conn)
