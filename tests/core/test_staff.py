"""Staff sign in with a PIN the database checks; sessions; the manager's staff
functions; the ``frontdesk staff`` command line (sql/engine/16_staff.sql)."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from frontdesk import cli
from tests.clock import LONDON, on_night, set_session_clock
from tests.core.desk_helpers import VENUE, Conn, a_customer, one, scalar
from tests.core.engine_helpers import Venue

Row = dict[str, Any]

#: The demo's staff who can sign in (sql/demo.sql).
SAM, SAM_PIN = "Sam", "1357"  # manager
PRIYA, PRIYA_PIN = "Priya", "2468"  # host


@pytest.fixture
def desk(demo_db_url: str, login_url: Callable[[str, str | None], str]) -> Iterator[Conn]:
    """A connection of a desk's login (frontdesk_desk), as the app has."""
    with psycopg.connect(login_url(demo_db_url, "desk"), autocommit=True) as conn:
        yield conn


ALEX, ALEX_PIN = "Alex", "3579"  # host

NEW_FUNCTIONS = (
    "public.sign_in(uuid, text, text)",
    "public.sign_out()",
    "public.add_staff(uuid, text, text, text)",
    "public.set_staff_pin(uuid, text, text)",
    "public.set_staff_active(uuid, text, boolean)",
    "public.unlock_staff(uuid, text)",
)


def sign_in(
    conn: psycopg.Connection[Any],
    name: str | None,
    pin: str | None,
    terminal: str | None = "DESK-1",
    venue: UUID | None = VENUE,
) -> Row:
    """sign_in from a desk whose frontdesk.terminal is ``terminal``."""
    conn.execute("SELECT set_config('frontdesk.terminal', %s, false)", [terminal or ""])
    row = (
        conn.cursor(row_factory=dict_row)
        .execute("SELECT * FROM sign_in(%s, %s, %s)", [venue, name, pin])
        .fetchone()
    )
    assert row is not None
    return row


def carry(conn: psycopg.Connection[Any], token: str | None, terminal: str = "DESK-1") -> None:
    """What a desk sends with each transaction: its terminal and its session."""
    conn.execute(
        "SELECT set_config('frontdesk.terminal', %s, false), "
        "set_config('frontdesk.session', %s, false)",
        [terminal, token or ""],
    )


def signed_in(conn: psycopg.Connection[Any], name: str, pin: str, terminal: str = "DESK-1") -> str:
    """Sign in and carry the session; its token."""
    row = sign_in(conn, name, pin, terminal)
    assert row["success"], row
    token: str = row["session_token"]
    carry(conn, token, terminal)
    return token


def session(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT staff_name, staff_role, terminal, venue_id FROM private.fd_session()"
    ).fetchall()
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]


def call(conn: Conn, query: str, params: Any = None) -> Row:
    row = conn.cursor(row_factory=dict_row).execute(query, params).fetchone()
    assert row is not None
    return row


def staff_row(conn: Conn, name: str) -> Row:
    return call(
        conn,
        "SELECT id, role, is_active, pin_hash, failed_pins, locked_until FROM staff "
        "WHERE venue_id = %s AND name = %s",
        [VENUE, name],
    )


def audit_count(conn: Conn) -> int:
    n: int = scalar(conn, "SELECT count(*) FROM audit_logs")
    return n


def snapshot(conn: Conn) -> tuple[Any, ...]:
    """What the staff functions may write."""
    return one(
        conn,
        "SELECT (SELECT md5(string_agg(s::text, '|' ORDER BY s.id)) FROM staff s),"
        " (SELECT count(*) FROM audit_logs),"
        " (SELECT count(*) FROM private.staff_sessions)",
    )


def tonight_at(conn: Conn, hhmm: str) -> datetime:
    """A time on a night the demo venue is open, a couple of weeks out."""
    night: date = scalar(
        conn,
        "SELECT min(night) FROM nights WHERE venue_id = %s AND event_name = 'La Fiesta' "
        "AND night > current_date + 7",
        [VENUE],
    )
    return on_night(night, hhmm)


# ---------------------------------------------------------------------------
# Signing in.


def test_the_right_pin_signs_in_and_the_session_names_the_person(demo_conn: Conn) -> None:
    row = sign_in(demo_conn, SAM, SAM_PIN)
    assert row["success"] is True and row["error_code"] is None
    assert re.fullmatch(r"[0-9a-f]{64}", row["session_token"])
    assert row["staff_id"] == staff_row(demo_conn, SAM)["id"]
    assert row["staff_role"] == "manager"
    assert row["expires_at"] > scalar(demo_conn, "SELECT private.fd_now()")
    carry(demo_conn, row["session_token"])
    assert session(demo_conn) == [(SAM, "manager", "DESK-1", VENUE)]
    # Names are read as typed at a desk: spaces around them do not matter.
    assert sign_in(demo_conn, "  Priya ", PRIYA_PIN)["success"] is True


def test_a_wrong_pin_says_how_many_tries_are_left_and_a_right_one_starts_again(
    demo_conn: Conn,
) -> None:
    first = sign_in(demo_conn, PRIYA, "0000")
    assert (first["success"], first["error_code"], first["session_token"]) == (
        False,
        "WRONG_PIN",
        None,
    )
    assert "4 tries left" in first["error_message"]
    assert "3 tries left" in sign_in(demo_conn, PRIYA, "1111")["error_message"]
    assert staff_row(demo_conn, PRIYA)["failed_pins"] == 2
    assert sign_in(demo_conn, PRIYA, PRIYA_PIN)["success"] is True
    assert staff_row(demo_conn, PRIYA)["failed_pins"] == 0
    assert "4 tries left" in sign_in(demo_conn, PRIYA, "0000")["error_message"]


def test_five_wrong_pins_lock_out_for_five_minutes_audited(demo_conn: Conn) -> None:
    start = tonight_at(demo_conn, "23:40")
    set_session_clock(demo_conn, start)
    before = scalar(demo_conn, "SELECT coalesce(max(id), 0) FROM audit_logs")
    answers = [sign_in(demo_conn, ALEX, pin) for pin in ("1111", "2222", "3333", "4444")]
    assert [a["error_code"] for a in answers] == ["WRONG_PIN"] * 4
    assert "1 try left" in answers[-1]["error_message"]

    fifth = sign_in(demo_conn, ALEX, "5555")
    until = (start + timedelta(minutes=5)).astimezone(LONDON).strftime("%H:%M")
    assert fifth["error_code"] == "LOCKED_OUT"
    assert f"until {until}" in fifth["error_message"]  # the venue's local time
    # Locked: even the right PIN is refused, and it is not even checked.
    set_session_clock(demo_conn, start + timedelta(minutes=4, seconds=59))
    still = sign_in(demo_conn, ALEX, ALEX_PIN)
    assert still["error_code"] == "LOCKED_OUT" and f"until {until}" in still["error_message"]
    # Five minutes on, the right PIN signs in and the count starts again.
    set_session_clock(demo_conn, start + timedelta(minutes=5))
    assert sign_in(demo_conn, ALEX, ALEX_PIN)["success"] is True
    assert staff_row(demo_conn, ALEX)["locked_until"] is None

    trail = demo_conn.execute(
        "SELECT operation, terminal, old_values, new_values FROM audit_logs "
        "WHERE id > %s AND table_name = 'staff' AND record_id = %s ORDER BY id",
        [before, staff_row(demo_conn, ALEX)["id"]],
    ).fetchall()
    locks = [new for _, _, _, new in trail if new["locked_until"] is not None]
    assert len(locks) == 1 and locks[0]["failed_pins"] == 5
    assert all(term == "DESK-1" for _, term, _, _ in trail)
    assert trail[-1][3]["failed_pins"] == 0  # the unlock by the right PIN, audited too
    assert not any("pin_hash" in (old or {}) or "pin_hash" in new for _, _, old, new in trail)


def test_after_a_lockout_runs_out_a_wrong_pin_starts_a_new_count(demo_conn: Conn) -> None:
    start = tonight_at(demo_conn, "22:00")
    set_session_clock(demo_conn, start)
    for pin in ("1111", "2222", "3333", "4444", "5555"):
        sign_in(demo_conn, ALEX, pin)
    set_session_clock(demo_conn, start + timedelta(minutes=6))
    again = sign_in(demo_conn, ALEX, "6666")
    assert again["error_code"] == "WRONG_PIN" and "4 tries left" in again["error_message"]


def test_a_manager_unlocks_and_a_host_may_not(demo_conn: Conn, demo_db_url: str) -> None:
    for pin in ("1111", "2222", "3333", "4444", "5555"):
        sign_in(demo_conn, ALEX, pin)
    assert sign_in(demo_conn, ALEX, ALEX_PIN)["error_code"] == "LOCKED_OUT"
    with psycopg.connect(demo_db_url, autocommit=True) as desk:
        signed_in(desk, PRIYA, PRIYA_PIN, "DESK-2")
        refused = call(desk, "SELECT * FROM unlock_staff(%s, %s)", [VENUE, ALEX])
        assert (refused["success"], refused["error_code"]) == (False, "NOT_ALLOWED")
        signed_in(desk, SAM, SAM_PIN, "DESK-2")
        done = call(desk, "SELECT * FROM unlock_staff(%s, %s)", [VENUE, ALEX])
        assert (done["success"], done["error_code"]) == (True, None)
    assert sign_in(demo_conn, ALEX, ALEX_PIN)["success"] is True
    unlock = call(
        demo_conn,
        "SELECT staff_name, terminal, new_values FROM audit_logs WHERE table_name = 'staff' "
        "AND record_id = %s AND old_values ->> 'failed_pins' = '5' "
        "AND new_values ->> 'failed_pins' = '0' ORDER BY id LIMIT 1",
        [staff_row(demo_conn, ALEX)["id"]],
    )
    assert (unlock["staff_name"], unlock["terminal"]) == (SAM, "DESK-2")


def test_a_disabled_person_and_an_unknown_name_get_the_same_answer(demo_conn: Conn) -> None:
    demo_conn.execute("UPDATE staff SET is_active = false WHERE name = %s", [ALEX])
    disabled = sign_in(demo_conn, ALEX, ALEX_PIN)
    wrong_disabled = sign_in(demo_conn, ALEX, "0000")
    unknown = sign_in(demo_conn, "Nobody", "1234")
    no_pin = sign_in(demo_conn, "Dan", "1234")  # on the staff list, no PIN yet
    other_venue = sign_in(demo_conn, SAM, SAM_PIN, venue=UUID(int=1))
    answers = {
        (r["success"], r["error_code"], r["error_message"])
        for r in (disabled, wrong_disabled, unknown, no_pin, other_venue)
    }
    assert answers == {(False, "UNKNOWN_STAFF", "Nobody of that name can sign in here.")}
    assert staff_row(demo_conn, ALEX)["failed_pins"] == 0


def test_no_terminal_no_sign_in(demo_conn: Conn) -> None:
    row = sign_in(demo_conn, SAM, SAM_PIN, terminal=None)
    assert (row["success"], row["error_code"]) == (False, "NO_TERMINAL")
    assert scalar(demo_conn, "SELECT count(*) FROM private.staff_sessions") == 0


@pytest.mark.parametrize(
    ("name", "pin", "code"),
    [
        ("x" * 10_000, "1357", "UNKNOWN_STAFF"),
        (SAM, None, "WRONG_PIN"),
        (None, None, "UNKNOWN_STAFF"),
        (SAM, "9" * 10_000, "WRONG_PIN"),
        (SAM, "", "WRONG_PIN"),
        (SAM, "12 34", "WRONG_PIN"),
        (SAM, "١٣٥٧", "WRONG_PIN"),  # Arabic-Indic digits are not the PIN's digits
        ("Sam'; DROP TABLE staff; --", "1357", "UNKNOWN_STAFF"),
        ("", "1357", "UNKNOWN_STAFF"),
    ],
)
def test_sign_in_answers_a_code_for_any_input(
    demo_conn: Conn, name: str | None, pin: str | None, code: str
) -> None:
    row = sign_in(demo_conn, name, pin)
    assert (row["success"], row["error_code"], row["session_token"]) == (False, code, None)
    # Something that is not a PIN at all is said, not counted against the person.
    assert staff_row(demo_conn, SAM)["failed_pins"] == 0
    assert sign_in(demo_conn, SAM, SAM_PIN, venue=None)["error_code"] == "UNKNOWN_STAFF"


def test_the_pin_is_a_salted_pbkdf2_hash_any_implementation_can_check(demo_conn: Conn) -> None:
    # pgcrypto's bcrypt ($2a$) is not available on the embedded server (built
    # without OpenSSL); the engine computes PBKDF2-HMAC-SHA256 from core SQL.
    stored = staff_row(demo_conn, PRIYA)["pin_hash"]
    algorithm, rounds, salt, digest = stored.split("$")
    assert algorithm == "pbkdf2_sha256" and int(rounds) >= 20_000
    assert re.fullmatch(r"[0-9a-f]{32}", salt)
    expected = hashlib.pbkdf2_hmac("sha256", PRIYA_PIN.encode(), salt.encode(), int(rounds))
    assert base64.b64decode(digest) == expected
    # Salted: the same PIN hashes differently each time.
    again = scalar(demo_conn, "SELECT private.fd_pin_hash(%s)", [PRIYA_PIN])
    assert again != stored and again.split("$")[2] != salt
    assert scalar(demo_conn, "SELECT private.fd_pin_matches(%s, %s)", [PRIYA_PIN, again]) is True
    # The RFC 7914 test vector for PBKDF2-HMAC-SHA256 (1 round).
    vector = scalar(demo_conn, "SELECT private.fd_pbkdf2_sha256('passwd', 'salt', 1)")
    assert bytes(vector).hex().startswith("55ac046e56e3089fec1691c22544b605")


# ---------------------------------------------------------------------------
# Sessions.


def test_the_token_is_stored_only_as_its_hash(demo_conn: Conn) -> None:
    token = sign_in(demo_conn, SAM, SAM_PIN)["session_token"]
    tables = demo_conn.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname IN ('public', 'private')"
    ).fetchall()
    assert len(tables) > 10
    for (table,) in tables:
        query = f"SELECT count(*) FROM {table} x WHERE strpos(x::text, %s) > 0"
        assert scalar(demo_conn, query, [token]) == 0, table
    stored = scalar(demo_conn, "SELECT token_hash FROM private.staff_sessions")
    assert bytes(stored) == hashlib.sha256(token.encode()).digest()


def test_a_session_from_another_terminal_is_not_valid(demo_conn: Conn) -> None:
    token = signed_in(demo_conn, SAM, SAM_PIN, "DESK-1")
    carry(demo_conn, token, "DESK-2")
    assert session(demo_conn) == []
    refusal = one(demo_conn, "SELECT (private.fd_require_session(%s, false)).*", [VENUE])
    assert refusal[0] == "NOT_SIGNED_IN"
    carry(demo_conn, token, "DESK-1")
    assert len(session(demo_conn)) == 1


def test_a_session_ends_two_hours_after_the_night_closes(demo_conn: Conn) -> None:
    # The demo's La Fiesta nights close at 03:00 (or as the venue says).
    at = tonight_at(demo_conn, "23:00")
    set_session_clock(demo_conn, at)
    night = at.astimezone(LONDON).date()
    closes = scalar(demo_conn, "SELECT upper(private.fd_night_span(%s, %s))", [VENUE, night])
    token = signed_in(demo_conn, SAM, SAM_PIN)
    expires = scalar(demo_conn, "SELECT expires_at FROM private.staff_sessions")
    assert expires == closes + timedelta(hours=2)
    # Before the night opens, the session lasts until that night's close too.
    set_session_clock(demo_conn, on_night(night, "15:00"))
    assert sign_in(demo_conn, SAM, SAM_PIN)["expires_at"] == expires

    set_session_clock(demo_conn, expires - timedelta(seconds=1))
    carry(demo_conn, token)
    assert len(session(demo_conn)) == 1
    set_session_clock(demo_conn, expires)
    assert session(demo_conn) == []
    assert one(demo_conn, "SELECT (private.fd_require_session(%s, true)).code", [VENUE]) == (
        "NOT_SIGNED_IN",
    )


def test_a_session_lasts_a_day_at_most(conn: Any, venue: Venue) -> None:
    # The test venue opens 21:00-04:00 every night; at 05:00 the next close
    # is 23 hours away, plus two hours: a day is the limit.
    conn.execute("SELECT * FROM private.fd_add_staff(%s, 'Kim', 'manager', '8642')", [venue.id])
    night = venue.today + timedelta(days=3)
    at = on_night(night, "05:00")
    set_session_clock(conn, at)
    row = sign_in(conn, "Kim", "8642", venue=venue.id)
    assert row["success"] is True
    assert row["expires_at"] == at + timedelta(hours=24)


def test_sign_out_ends_the_session(demo_conn: Conn) -> None:
    signed_in(demo_conn, SAM, SAM_PIN)
    assert call(demo_conn, "SELECT * FROM sign_out()")["success"] is True
    assert session(demo_conn) == []
    again = call(demo_conn, "SELECT * FROM sign_out()")
    assert (again["success"], again["error_code"]) == (False, "NOT_SIGNED_IN")
    assert (
        scalar(demo_conn, "SELECT count(*) FROM private.staff_sessions WHERE ended_at IS NULL") == 0
    )


def test_disabling_a_person_ends_their_sessions(demo_conn: Conn, demo_db_url: str) -> None:
    with psycopg.connect(demo_db_url, autocommit=True) as desk:
        signed_in(desk, PRIYA, PRIYA_PIN, "DESK-2")
        signed_in(demo_conn, SAM, SAM_PIN)
        done = call(demo_conn, "SELECT * FROM set_staff_active(%s, %s, false)", [VENUE, PRIYA])
        assert done["success"] is True
        assert session(desk) == []
        # Enabled again, the old session stays ended.
        assert call(demo_conn, "SELECT * FROM set_staff_active(%s, %s, true)", [VENUE, PRIYA])[
            "success"
        ]
        assert session(desk) == []


def test_the_audit_names_the_verified_person_not_the_name_the_client_sends(
    demo_conn: Conn,
) -> None:
    priya = staff_row(demo_conn, PRIYA)["id"]
    manager = staff_row(demo_conn, "Manager")["id"]
    customer = a_customer(demo_conn)
    token = sign_in(demo_conn, PRIYA, PRIYA_PIN)["session_token"]
    with demo_conn.transaction():
        demo_conn.execute(
            "SELECT set_config('frontdesk.session', %s, true), "
            "set_config('frontdesk.staff_name', 'Manager', true), "
            "set_config('frontdesk.staff_id', %s, true), "
            "set_config('frontdesk.terminal', 'DESK-1', true)",
            [token, str(manager)],
        )
        demo_conn.execute("UPDATE customers SET notes = 'window seat' WHERE id = %s", [customer])
    row = call(
        demo_conn,
        "SELECT staff_id, staff_name, terminal FROM audit_logs WHERE record_id = %s "
        "ORDER BY id DESC LIMIT 1",
        [customer],
    )
    assert row == {"staff_id": priya, "staff_name": PRIYA, "terminal": "DESK-1"}


def test_without_a_session_the_audit_still_reads_the_settings(demo_conn: Conn) -> None:
    # Until every writing function asks for a session (the next step).
    customer = a_customer(demo_conn)
    carry(demo_conn, None, "DESK-3")
    demo_conn.execute("SELECT set_config('frontdesk.staff_name', 'Dan', false)")
    demo_conn.execute("UPDATE customers SET notes = 'quiet table' WHERE id = %s", [customer])
    row = one(
        demo_conn,
        "SELECT staff_name, terminal FROM audit_logs WHERE record_id = %s ORDER BY id DESC LIMIT 1",
        [customer],
    )
    assert row == ("Dan", "DESK-3")


def test_a_forged_token_writes_nothing(demo_conn: Conn) -> None:
    signed_in(demo_conn, SAM, SAM_PIN)  # a real session exists, just not this one
    carry(demo_conn, secrets.token_hex(32))
    before = snapshot(demo_conn)
    row = call(demo_conn, "SELECT * FROM add_staff(%s, 'Mallory', 'manager', '1234')", [VENUE])
    assert (row["success"], row["error_code"]) == (False, "NOT_SIGNED_IN")
    assert call(demo_conn, "SELECT * FROM sign_out()")["error_code"] == "NOT_SIGNED_IN"
    assert snapshot(demo_conn) == before


# ---------------------------------------------------------------------------
# Staff management: a manager's session.

MANAGEMENT = [
    ("SELECT * FROM add_staff(%s, 'Jo', 'host', '2580')", [VENUE]),
    ("SELECT * FROM set_staff_pin(%s, 'Alex', '9999')", [VENUE]),
    ("SELECT * FROM set_staff_active(%s, 'Alex', false)", [VENUE]),
    ("SELECT * FROM unlock_staff(%s, 'Alex')", [VENUE]),
]


@pytest.mark.parametrize(("query", "params"), MANAGEMENT)
def test_staff_functions_refuse_without_a_session_and_for_a_host(
    demo_conn: Conn, desk: Conn, query: str, params: list[Any]
) -> None:
    before = snapshot(demo_conn)
    carry(desk, None)
    row = call(desk, query, params)
    assert (row["success"], row["error_code"]) == (False, "NOT_SIGNED_IN")
    assert snapshot(demo_conn) == before
    signed_in(desk, PRIYA, PRIYA_PIN)
    before = snapshot(demo_conn)  # the sign-in wrote its session
    row = call(desk, query, params)
    assert (row["success"], row["error_code"]) == (False, "NOT_ALLOWED")
    assert row["error_message"] == "Only a manager may do that; Priya is signed in as a host."
    assert snapshot(demo_conn) == before


def test_a_manager_adds_staff_sets_pins_and_disables_audited_without_the_pin(
    demo_conn: Conn,
) -> None:
    signed_in(demo_conn, SAM, SAM_PIN)
    before = scalar(demo_conn, "SELECT max(id) FROM audit_logs")
    added = call(demo_conn, "SELECT * FROM add_staff(%s, ' Jo  Bloggs ', 'host', '2580')", [VENUE])
    assert added["success"] is True and added["staff_id"] is not None
    assert staff_row(demo_conn, "Jo Bloggs")["role"] == "host"
    assert (
        call(demo_conn, "SELECT * FROM add_staff(%s, 'Jo Bloggs', 'host', '2580')", [VENUE])[
            "error_code"
        ]
        == "DUPLICATE_STAFF"
    )
    assert call(demo_conn, "SELECT * FROM set_staff_pin(%s, 'Jo Bloggs', '97531')", [VENUE])[
        "success"
    ]
    assert sign_in(demo_conn, "Jo Bloggs", "2580")["error_code"] == "WRONG_PIN"
    assert sign_in(demo_conn, "Jo Bloggs", "97531")["success"] is True
    carry(demo_conn, sign_in(demo_conn, SAM, SAM_PIN)["session_token"])
    assert call(demo_conn, "SELECT * FROM set_staff_active(%s, 'Jo Bloggs', false)", [VENUE])[
        "success"
    ]
    assert sign_in(demo_conn, "Jo Bloggs", "97531")["error_code"] == "UNKNOWN_STAFF"
    assert (
        call(demo_conn, "SELECT * FROM set_staff_pin(%s, 'Nobody', '1234')", [VENUE])["error_code"]
        == "UNKNOWN_STAFF"
    )

    trail = demo_conn.execute(
        "SELECT operation, staff_name, old_values, new_values FROM audit_logs "
        "WHERE id > %s AND table_name = 'staff' AND record_id = %s ORDER BY id",
        [before, added["staff_id"]],
    ).fetchall()
    assert [(op, who) for op, who, _, _ in trail] == [
        ("INSERT", SAM),
        ("UPDATE", SAM),  # the new PIN
        ("UPDATE", None),  # the wrong PIN, counted at sign-in: nobody proved yet
        ("UPDATE", "Jo Bloggs"),  # the right one clears the count
        ("UPDATE", SAM),  # disabled
    ]
    assert trail[1][3]["pin_changed"] is True
    assert trail[-1][3]["is_active"] is False
    text = str(trail)
    assert "pin_hash" not in text and "pbkdf2" not in text and "97531" not in text


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", None, " 1234"])
def test_pin_rules(demo_conn: Conn, pin: str | None) -> None:
    signed_in(demo_conn, SAM, SAM_PIN)
    before = snapshot(demo_conn)
    for query in (
        "SELECT * FROM add_staff(%s, 'Jo', 'host', %s)",
        "SELECT * FROM set_staff_pin(%s, 'Alex', %s)",
    ):
        row = call(demo_conn, query, [VENUE, pin])
        assert (row["success"], row["error_code"], row["error_message"]) == (
            False,
            "INVALID_INPUT",
            "A PIN is 4 to 8 digits.",
        )
    assert snapshot(demo_conn) == before


def test_other_staff_input_is_refused_in_words(demo_conn: Conn) -> None:
    signed_in(demo_conn, SAM, SAM_PIN)
    cases = {
        "admin": ("Jo", "admin"),
        "blank": ("  ", "host"),
        "long": ("J" * 101, "host"),
    }
    for name, role in cases.values():
        row = call(demo_conn, "SELECT * FROM add_staff(%s, %s, %s, '1234')", [VENUE, name, role])
        assert row["error_code"] == "INVALID_INPUT", row
    other = call(demo_conn, "SELECT * FROM add_staff(%s, 'Jo', 'host', '1234')", [UUID(int=7)])
    assert other["error_code"] == "NOT_ALLOWED"  # a session of another venue


def test_a_manager_cannot_disable_themselves(demo_conn: Conn) -> None:
    signed_in(demo_conn, SAM, SAM_PIN)
    row = call(demo_conn, "SELECT * FROM set_staff_active(%s, %s, false)", [VENUE, SAM])
    assert (row["success"], row["error_code"]) == (False, "NOT_ALLOWED")
    assert staff_row(demo_conn, SAM)["is_active"] is True


def test_roles_are_host_and_manager(demo_conn: Conn) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        demo_conn.execute(
            "INSERT INTO staff (venue_id, name, role) VALUES (%s, 'Root', 'admin')", [VENUE]
        )


# ---------------------------------------------------------------------------
# Who may call what.


def test_public_cannot_call_the_new_functions_nor_a_desk_any_private_helper(
    demo_conn: Conn,
) -> None:
    for function in NEW_FUNCTIONS:
        acl = one(
            demo_conn,
            "SELECT coalesce(bool_or(a.grantee = 0), false),"
            "       has_function_privilege('frontdesk_desk', %s::regprocedure, 'EXECUTE')"
            "  FROM pg_proc p LEFT JOIN LATERAL aclexplode(p.proacl) a ON true"
            " WHERE p.oid = %s::regprocedure",
            [function, function],
        )
        assert acl == (False, True), function
        assert scalar(
            demo_conn,
            "SELECT proacl IS NOT NULL AND prosecdef FROM pg_proc WHERE oid = %s::regprocedure",
            [function],
        ), function
    callable_helpers = demo_conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " WHERE p.pronamespace = 'private'::regnamespace"
        "   AND (has_function_privilege('frontdesk_desk', p.oid, 'EXECUTE')"
        "        OR has_function_privilege('frontdesk_app', p.oid, 'EXECUTE'))"
    ).fetchall()
    assert callable_helpers == []
    assert one(
        demo_conn,
        "SELECT has_column_privilege('frontdesk_desk', 'public.staff', 'pin_hash', 'SELECT'),"
        "       has_column_privilege('frontdesk_desk', 'public.staff', 'name', 'SELECT'),"
        "       has_table_privilege('frontdesk_desk', 'private.staff_sessions', 'SELECT'),"
        "       has_schema_privilege('frontdesk_desk', 'private', 'USAGE')",
    ) == (False, False, False, False)


# ---------------------------------------------------------------------------
# The command line.


@pytest.fixture
def staff_cli(
    demo_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Any]:
    """``frontdesk staff ...`` against the demo database: (exit code, out, err)."""
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", demo_db_url)
    monkeypatch.setenv("FRONTDESK_TERMINAL", "OFFICE-PC")

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["staff", *args])
        out, err = capsys.readouterr()
        return code, out, err

    yield run


def test_cli_add_list_disable_reset_pin(staff_cli: Any, demo_conn: Conn) -> None:
    code, out, _ = staff_cli("add", "Jo", "--role", "manager", "--pin-stdin", stdin="2580\n")
    assert code == 0 and "Added Jo (manager)" in out
    assert sign_in(demo_conn, "Jo", "2580")["staff_role"] == "manager"
    audit = one(
        demo_conn,
        "SELECT staff_name, terminal, new_values ? 'pin_hash' FROM audit_logs "
        "WHERE table_name = 'staff' AND operation = 'INSERT' ORDER BY id DESC LIMIT 1",
    )
    assert audit == ("frontdesk staff (command line)", "OFFICE-PC", False)

    for pin in ("1111", "2222", "3333", "4444", "5555"):
        sign_in(demo_conn, ALEX, pin)
    code, out, _ = staff_cli("list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "ROLE", "ACTIVE", "PIN", "LOCKED", "UNTIL"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["Sam"] == ["manager", "yes", "set", "-"]
    assert rows["Dan"] == ["host", "yes", "none", "-"]
    assert rows["Jo"] == ["manager", "yes", "set", "-"]
    assert rows["Alex"][:3] == ["host", "yes", "set"] and rows["Alex"][3] != "-"

    code, out, _ = staff_cli("reset-pin", "Alex", "--pin-stdin", stdin="86420\n")
    assert code == 0 and "new PIN" in out
    assert sign_in(demo_conn, ALEX, "86420")["success"] is True  # the lockout is lifted too

    code, out, _ = staff_cli("disable", "Jo")
    assert code == 0 and "can no longer sign in" in out
    assert sign_in(demo_conn, "Jo", "2580")["error_code"] == "UNKNOWN_STAFF"
    code, out, _ = staff_cli("list")
    assert {line.split()[0]: line.split()[2] for line in out.splitlines()[1:]}["Jo"] == "no"


def test_cli_asks_for_the_pin_twice(
    staff_cli: Any, demo_conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["4321", "4321", "4321", "4312"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, _ = staff_cli("add", "Kim", "--role", "host")
    assert code == 0 and sign_in(demo_conn, "Kim", "4321")["success"] is True
    code, _, err = staff_cli("reset-pin", "Kim")
    assert code == 1 and err.strip() == "frontdesk: The two PINs differ: nothing changed."


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (("add", "Jo", "--role", "host", "--pin-stdin"), "12\n", "A PIN is 4 to 8 digits."),
        (("add", "Sam", "--role", "host", "--pin-stdin"), "1234\n", "already somebody called Sam"),
        (("disable", "Nobody"), "", "There is nobody called Nobody here."),
        (("reset-pin", "Nobody", "--pin-stdin"), "1234\n", "nobody called Nobody"),
        (("list", "--venue", "Elsewhere"), "", "no venue called 'Elsewhere'"),
        (("add", "Jo", "--role", "host", "--pin-stdin"), "", "No PIN on standard input."),
    ],
)
def test_cli_problems_are_one_line_and_exit_1(
    staff_cli: Any, args: tuple[str, ...], stdin: str, says: str
) -> None:
    code, out, err = staff_cli(*args, stdin=stdin)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("frontdesk: ")
    assert says in err


def test_cli_refuses_a_database_not_yet_upgraded(
    admin_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests import pg

    with pg.fresh_database(admin_url, "template1") as url:
        monkeypatch.setenv("FRONTDESK_DATABASE_URL", url)
        assert cli.main(["staff", "list"]) == 1
    assert "run `frontdesk db upgrade` first" in capsys.readouterr().err


def test_rolling_back_a_wrong_pin_undoes_the_count_but_not_the_pause(
    demo_db_url: str, demo_conn: Conn, login_url: Callable[[str, str | None], str]
) -> None:
    """A desk login running its own SQL can roll back the count of wrong
    PINs, never the pause: each guess is answered no sooner than a second
    (busy machines only make it later), and two guessers at one person take
    turns (or the second is told BUSY)."""
    url = login_url(demo_db_url, "desk")
    pause = 1.0

    def guess(pin: str) -> tuple[str, float, float]:
        with psycopg.connect(url) as conn:  # not autocommit: rolled back below
            conn.execute("SELECT set_config('frontdesk.terminal', 'MALLORY', false)")
            asked = time.monotonic()
            row = conn.execute(
                "SELECT error_code FROM sign_in(%s, 'Sam', %s)", [VENUE, pin]
            ).fetchone()
            answered = time.monotonic()
            conn.rollback()
        assert row is not None
        return str(row[0]), asked, answered

    for pin in ("0001", "0002"):
        code, asked, answered = guess(pin)
        assert code == "WRONG_PIN" and answered - asked >= pause
    assert staff_row(demo_conn, SAM)["failed_pins"] == 0  # the count was rolled back

    answers: list[tuple[str, float, float]] = []
    threads = [
        threading.Thread(target=lambda pin=pin: answers.append(guess(pin)))
        for pin in ("0003", "0004")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 2
    wrong = sorted(answered for code, _asked, answered in answers if code == "WRONG_PIN")
    assert {code for code, _a, _b in answers} <= {"WRONG_PIN", "BUSY"} and wrong
    if len(wrong) == 2:
        assert wrong[1] - wrong[0] >= pause
