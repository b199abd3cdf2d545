"""Phones read alike by the desk (Python) and the engine (SQL), for the venue's country.

The same guest typed at the desk and on the website must be one customer:
every case of tests/core/phone_cases.py goes through both
frontdesk.contacts.normalise_phone and private.fd_normalise_phone on a real
database, and both must give its answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import phonenumbers
import psycopg
import pytest

from frontdesk import contacts
from frontdesk.errors import InvalidInput
from tests import pg
from tests.core.phone_cases import PHONE_CASES

Conn = psycopg.Connection[tuple[Any, ...]]


@pytest.fixture(scope="module")
def conn(admin_url: str, template_db: str) -> Iterator[Conn]:
    """One fresh database for the module: the functions read no table."""
    with pg.fresh_database(admin_url, template_db) as url, psycopg.connect(url) as c:
        yield c


def _python(typed: str, country: str) -> str | None:
    try:
        return contacts.normalise_phone(typed, country)
    except InvalidInput:
        return None


def _sql(conn: Conn, typed: str, country: str) -> str | None:
    row = conn.execute("SELECT private.fd_normalise_phone(%s, %s)", [typed, country]).fetchone()
    assert row is not None
    value: str | None = row[0]
    return value


@pytest.mark.parametrize(("typed", "country", "expected"), PHONE_CASES)
def test_the_desk_and_the_engine_read_a_phone_alike(
    conn: Conn, typed: str, country: str, expected: str | None
) -> None:
    assert (_python(typed, country), _sql(conn, typed, country)) == (expected, expected)


def test_every_space_the_desk_knows_the_engine_knows(conn: Conn) -> None:
    """The desk tidies every Unicode space (Python's \\s); so does the engine."""
    spaces = [chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))]
    typed = [f"07700{space}900123" for space in spaces]
    assert {_python(t, "GB") for t in typed} == {"+447700900123"}
    row = conn.execute(
        "SELECT array_agg(DISTINCT private.fd_normalise_phone(t, 'GB')) FROM unnest(%s::text[]) t",
        [typed],
    ).fetchone()
    assert row == (["+447700900123"],)


def test_the_cases_are_distinct() -> None:
    keys = [(typed, country) for typed, country, _ in PHONE_CASES]
    assert len(keys) == len(set(keys))


def test_the_engines_countries_are_libphonenumbers(conn: Conn) -> None:
    """fd_phone_countries is copied from the metadata the desk uses: a new
    phonenumbers release that changes a country fails here, not at the desk."""
    rows = conn.execute(
        "SELECT country, calling_code, trunk_prefix, intl_prefix, lengths, pattern, main "
        "FROM private.fd_phone_countries() ORDER BY country"
    ).fetchall()
    assert rows
    for country, code, trunk, intl, lengths, pattern, main in rows:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(country)
        assert meta is not None and meta.general_desc is not None, country
        assert meta.country_code is not None, country
        assert code == str(meta.country_code), country
        assert lengths == list(meta.general_desc.possible_length), country
        assert pattern == meta.general_desc.national_number_pattern, country
        # the first alternative of the metadata's prefixes (see the SQL comment)
        assert trunk == _first_choice(meta.national_prefix_for_parsing or ""), country
        assert intl == (meta.preferred_international_prefix or meta.international_prefix), country
        assert main == (phonenumbers.region_code_for_country_code(meta.country_code) == country)


def _first_choice(prefix_pattern: str) -> str:
    """'0|180020' -> '0', '(183[12])|0' -> '0': the plain trunk prefix."""
    plain = [p for p in prefix_pattern.split("|") if p.isdigit()]
    return plain[0] if plain else ""
