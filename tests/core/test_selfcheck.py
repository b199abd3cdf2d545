"""`frontdesk db check`: the engine's proof on a venue's server, rolled back."""

from __future__ import annotations

import psycopg
import pytest

from frontdesk import cli, selfcheck
from tests import pg

COUNTED = (
    "venues",
    "customers",
    "bookings",
    "booking_tables",
    "audit_logs",
    "booking_attempts",
    "change_outbox",
    "holds",
)


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in COUNTED
        }


def test_every_check_passes_and_nothing_stays(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _counts(db_url)
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", db_url)
    assert cli.main(["db", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(selfcheck._CHECKS) + 1
    assert all(line.startswith("✓ ") for line in out[:-1]), out
    assert out[-1] == f"{len(selfcheck._CHECKS)} of {len(selfcheck._CHECKS)} checks passed."
    assert _counts(db_url) == before
    with psycopg.connect(db_url) as conn:  # no phone lock left behind either
        locks = conn.execute("SELECT count(*) FROM private.phone_locks").fetchone()
    assert locks == (0,)


def test_a_broken_engine_fails_the_checks_it_breaks(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A server whose validation trigger is gone (someone dropped it by hand).
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER trigger_validate_booking_constraints ON bookings")
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", db_url)
    assert cli.main(["db", "check"]) == 1
    out = capsys.readouterr().out
    assert "✗ trigger refuses a past night (PAST_DATE): a plain SQL INSERT that breaks" in out
    assert "✓ a booking: create_booking_atomic" in out


def test_an_unmigrated_database_says_what_to_do(
    admin_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pg.fresh_database(admin_url, "template1") as url:
        monkeypatch.setenv("FRONTDESK_DATABASE_URL", url)
        assert cli.main(["db", "check"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "frontdesk: The database is not at the current schema: run `frontdesk db upgrade` first."
    ]
