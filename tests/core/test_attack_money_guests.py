"""Attacks on money and guests (issue 15: 62_money.sql, 64_guests.sql,
66_waitlist.sql, 46_guest_rights.sql) by someone with a login: the website's
and reporting's logins, a desk without a session, a host, another venue's
manager, and odd input.  Each test says what must hold; where it did not,
the engine was fixed and the test is its proof.

Only what the files' own tests do not already cover (test_money*.py,
test_pos_import.py, test_guest_profiles.py, test_waitlist.py,
test_channels.py, test_grants.py, test_guest_rights.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests import clock, logins
from tests.clock import EngineClock
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    Row,
    a_customer,
    call,
    desk_book,
    insert_booking,
    quiet_friday,
    scalar,
)
from tests.core.engine_helpers import connect, make_venue

LoginUrl = Callable[[str, str | None], str]


def desk(url: str, name: str, pin: str, terminal: str, venue: UUID = VENUE) -> Conn:
    conn = psycopg.connect(url, autocommit=True)
    logins.sign_in(conn, venue, name, pin, terminal=terminal)
    return conn


@pytest.fixture
def night(demo_db_url: str, demo_conn: Conn, engine_clock: EngineClock) -> date:
    """A quiet night in progress: the engine's clock at 23:00 on it."""
    quiet = quiet_friday(demo_conn)
    engine_clock.set(demo_db_url, clock.on_night(quiet, "23:00"), demo_conn)
    return quiet


@pytest.fixture
def desk_url(demo_db_url: str, login_url: LoginUrl, night: date) -> str:
    return login_url(demo_db_url, "desk")


@pytest.fixture
def manager(desk_url: str) -> Iterator[Conn]:
    with desk(desk_url, "Sam", "1357", "OFFICE") as conn:
        yield conn


@pytest.fixture
def host(desk_url: str) -> Iterator[Conn]:
    with desk(desk_url, "Priya", "2468", "DESK-1") as conn:
        yield conn


def tag(conn: Conn, name: str) -> UUID:
    tid: UUID = scalar(conn, "SELECT id FROM guest_tag_list(%s) WHERE name = %s", [VENUE, name])
    return tid


# ---------------------------------------------------------------------------
# Channels: the website and reporting reach none of it.

NEW_FUNCTIONS = [
    "SELECT * FROM record_spend(%(b)s, 10)",
    "SELECT * FROM set_deposit_status(%(b)s, 'refunded')",
    "SELECT * FROM pos_match(%(v)s, current_date, '[]')",
    "SELECT * FROM import_pos_spend(%(v)s, current_date, '[]')",
    "SELECT guest_profile(%(v)s, %(c)s)",
    "SELECT * FROM guest_tag_list(%(v)s)",
    "SELECT * FROM save_guest_tags(%(v)s, '[]')",
    "SELECT * FROM set_guest_tags(%(v)s, %(c)s, ARRAY[]::uuid[])",
    "SELECT * FROM set_guest_notes(%(v)s, %(c)s, 'x')",
    "SELECT * FROM override_guest_ban(%(c)s, 'x')",
    "SELECT * FROM add_to_waitlist(%(v)s, 'X', 2)",
    "SELECT waitlist_night(%(v)s)",
    "SELECT * FROM waitlist_suggestions(%(v)s, %(c)s)",
    "SELECT * FROM seat_from_waitlist(%(v)s, %(c)s, ARRAY[]::uuid[])",
    "SELECT * FROM waitlist_left(%(v)s, %(c)s)",
    "SELECT count(*) FROM booking_spend",
    "SELECT count(*) FROM guest_tags",
    "SELECT count(*) FROM customer_tags",
    "SELECT count(*) FROM waitlist",
    "SELECT deposit_status FROM bookings",
    "SELECT no_show_deposit FROM venues",  # reporting: the columns it has only
    "SELECT private.fd_spend_total(%(b)s)",
    "SELECT private.fd_ban_marker(%(c)s, NULL)",
    "SELECT private.fd_guest_history(%(v)s, %(c)s)",
    "INSERT INTO booking_spend (venue_id, booking_id, amount) VALUES (%(v)s, %(b)s, -1)",
    "INSERT INTO customer_tags (venue_id, customer_id, tag_id) VALUES (%(v)s, %(c)s, %(c)s)",
]


@pytest.mark.parametrize("channel", ["web", "report", None])
def test_website_reporting_and_strangers_reach_no_money_or_guest_data(
    demo_db_url: str, demo_conn: Conn, login_url: LoginUrl, channel: str | None
) -> None:
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "23:00", status="seated")
    ids = {"v": VENUE, "b": booking, "c": a_customer(demo_conn)}
    with psycopg.connect(login_url(demo_db_url, channel), autocommit=True) as conn:
        for query in NEW_FUNCTIONS:
            if channel == "web" and "no_show_deposit" in query:
                continue  # the website reads the venue's row (no one's data)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(query, ids)


def test_every_security_definer_function_pins_its_search_path(demo_conn: Conn) -> None:
    """Private ones too (test_grants checks those the groups may call)."""
    loose = demo_conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " WHERE p.pronamespace IN ('public'::regnamespace, 'private'::regnamespace)"
        "   AND p.prosecdef"
        "   AND NOT coalesce('search_path=public, pg_temp' = ANY (p.proconfig), false)"
    ).fetchall()
    assert loose == []


# ---------------------------------------------------------------------------
# A desk without a session, or with an ended one, reads no one.


def test_an_ended_session_reads_no_guest_names(demo_conn: Conn, manager: Conn, night: date) -> None:
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    entry = call(
        manager, "SELECT * FROM add_to_waitlist(%s, 'Ann Other', 2, '07700900123')", [VENUE]
    )["entry_id"]
    rows = json.dumps([{"table": "Booth 3", "time": "23:15", "amount": "5", "key": "k"}])
    assert call(manager, "SELECT * FROM sign_out()")["success"]
    reads: list[tuple[str, list[Any]]] = [
        ("SELECT * FROM pos_match(%s, %s, %s)", [VENUE, night, rows]),
        ("SELECT guest_profile(%s, %s)", [VENUE, a_customer(demo_conn)]),
        ("SELECT waitlist_night(%s)", [VENUE]),
        ("SELECT * FROM waitlist_suggestions(%s, %s)", [VENUE, entry]),
        ("SELECT * FROM guest_tag_list(%s)", [VENUE]),
    ]
    for query, params in reads:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            manager.execute(query, params)


# ---------------------------------------------------------------------------
# Another venue's manager: nothing here, by this venue's ids or their own.


def test_another_venues_manager_reaches_nothing_here(
    demo_db_url: str, demo_conn: Conn, desk_url: str, manager: Conn, night: date
) -> None:
    with connect(demo_db_url) as setup:
        other = make_venue(setup, name="Elsewhere")
    demo_conn.execute(
        "SELECT * FROM private.fd_add_staff(%s, 'Kim', 'manager', '8642')", [other.id]
    )
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    guest = a_customer(demo_conn)
    entry = call(manager, "SELECT * FROM add_to_waitlist(%s, 'Ann', 2)", [VENUE])["entry_id"]

    def state() -> tuple[Any, ...] | None:
        """What the other venue's manager must not change here."""
        return demo_conn.execute(
            "SELECT (SELECT count(*) FROM booking_spend), (SELECT count(*) FROM customer_tags),"
            " (SELECT count(*) FROM audit_logs), (SELECT string_agg(state, ',') FROM waitlist),"
            " (SELECT deposit_status FROM bookings WHERE id = %s),"
            " (SELECT notes FROM customers WHERE id = %s)",
            [booking, guest],
        ).fetchone()

    before = state()
    vip = tag(manager, "VIP")
    reference = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [booking])
    with desk(desk_url, "Kim", "8642", "THEIRS", venue=other.id) as kim:
        for venue in (VENUE, other.id):
            ids = {"v": venue, "b": booking, "c": guest, "e": entry, "t": vip, "n": night}
            answers = [
                call(kim, "SELECT * FROM record_spend(%(b)s, 10)", ids),
                call(kim, "SELECT * FROM record_spend(%(b)s, -10)", ids),
                call(kim, "SELECT * FROM set_deposit_status(%(b)s, 'paid', 'X')", ids),
                call(kim, "SELECT * FROM set_guest_tags(%(v)s, %(c)s, ARRAY[%(t)s])", ids),
                call(kim, "SELECT * FROM set_guest_notes(%(v)s, %(c)s, 'mine now')", ids),
                call(kim, "SELECT * FROM override_guest_ban(%(c)s, 'x')", ids),
                call(kim, "SELECT * FROM seat_from_waitlist(%(v)s, %(e)s, ARRAY[]::uuid[])", ids),
                call(kim, "SELECT * FROM waitlist_left(%(v)s, %(e)s)", ids),
                call(
                    kim,
                    "SELECT * FROM save_guest_tags(%(v)s, jsonb_build_array("
                    "jsonb_build_object('id', %(t)s::text, 'name', 'Mine')))",
                    ids,
                ),
            ]
            for row in answers:
                assert row["success"] is False, (venue, row)
            imported = call(
                kim,
                "SELECT * FROM import_pos_spend(%(v)s, %(n)s, json_build_array("
                "json_build_object('table', 'Booth 3', 'time', '23:15', 'amount', '5',"
                " 'key', 'x')))",
                ids,
            )
            assert imported["imported"] == 0, imported  # refused here; nothing matched there
            if venue == VENUE:
                for query in [
                    "SELECT guest_profile(%(v)s, %(c)s)",
                    "SELECT waitlist_night(%(v)s)",
                    "SELECT * FROM pos_match(%(v)s, %(n)s, '[]')",
                    "SELECT * FROM guest_tag_list(%(v)s)",
                ]:
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        kim.execute(query, ids)
            else:
                assert scalar(kim, "SELECT guest_profile(%(v)s, %(c)s)", ids) is None
                assert scalar(kim, "SELECT waitlist_night(%(v)s)", ids)["entries"] == []
                matched = kim.execute(
                    "SELECT booking_id, customer_name FROM pos_match(%(v)s, %(n)s,"
                    " json_build_array(json_build_object('reference', %(r)s::text,"
                    " 'amount', '5', 'key', 'k')))",
                    {**ids, "r": reference},
                ).fetchall()
                assert matched == [(None, None)]
    assert state() == before


# ---------------------------------------------------------------------------
# The ban's override: this manager, this guest, this transaction.


def test_an_override_marker_is_worth_nothing_later_or_to_a_host(
    demo_conn: Conn, manager: Conn, host: Conn, night: date
) -> None:
    banned = a_customer(demo_conn, 8)
    ban = tag(manager, "Banned")
    assert call(manager, "SELECT * FROM set_guest_tags(%s, %s, %s)", [VENUE, banned, [ban]])[
        "success"
    ]
    host_token = scalar(host, "SELECT current_setting('frontdesk.session')")
    host_terminal = "DESK-1"

    def book_banned() -> Row:
        return desk_book(manager, demo_conn, banned, night, start="23:30", end="01:30")

    with manager.transaction():
        assert call(manager, "SELECT * FROM override_guest_ban(%s, 'ok')", [banned])["success"]
        marker = scalar(manager, "SELECT current_setting('frontdesk.ban_override')")
        # The host's session carried in the manager's transaction: not theirs.
        manager_token = scalar(manager, "SELECT current_setting('frontdesk.session')")
        manager.execute("SELECT set_config('frontdesk.session', %s, true)", [host_token])
        manager.execute("SELECT set_config('frontdesk.terminal', %s, true)", [host_terminal])
        assert book_banned()["error_code"] == "GUEST_BANNED"
        manager.execute("SELECT set_config('frontdesk.session', %s, true)", [manager_token])
        manager.execute("SELECT set_config('frontdesk.terminal', 'OFFICE', true)")
        # Signed out within it: no longer a manager writing.
        assert call(manager, "SELECT * FROM sign_out()")["success"]
        assert book_banned()["success"] is False
        raise psycopg.Rollback()  # the sign-out too
    # The marker set again by hand in a later transaction.
    with manager.transaction():
        manager.execute("SELECT set_config('frontdesk.ban_override', %s, true)", [marker])
        assert book_banned()["error_code"] == "GUEST_BANNED"


# ---------------------------------------------------------------------------
# Odd input: a code, never an exception.


@pytest.mark.parametrize(
    "tags",
    [
        [{"name": "VIP", "is_active": "maybe"}],
        [{"name": "VIP", "is_active": {"a": 1}}],
        [{"name": "VIP", "is_active": [True]}],
        [{"name": {"a": 1}}],
        [{"name": "VIP", "kind": ["banned"]}],
        [{"name": "VIP", "id": "not-a-uuid"}],
        [{"name": "VIP", "id": None}],
        [{"name": "x" * 100_000}],
        [[{"name": "VIP"}]],
        [None],
        {"name": "VIP"},
        None,
    ],
)
def test_save_guest_tags_answers_a_code_for_any_json(
    demo_conn: Conn, manager: Conn, tags: Any
) -> None:
    before = demo_conn.execute("SELECT count(*), string_agg(name, ',') FROM guest_tags").fetchone()
    row = call(
        manager,
        "SELECT * FROM save_guest_tags(%s, %s::jsonb)",
        [VENUE, None if tags is None else json.dumps(tags)],
    )
    assert row["success"] is False and row["error_code"] in ("INVALID_INPUT", "UNKNOWN_TAG")
    after = demo_conn.execute("SELECT count(*), string_agg(name, ',') FROM guest_tags").fetchone()
    assert after == before


ODD_ROWS: list[Any] = [
    {"reference": "x" * 100_000, "amount": "5", "key": "k1"},
    {"table": "Booth 3", "at": "infinity", "amount": "5", "key": "k2"},
    {"table": "Booth 3", "at": "-infinity", "amount": "5", "key": "k3"},
    {"table": "Booth 3", "at": "99999-01-01", "amount": "5", "key": "k4"},
    {"table": "Booth 3", "at": 12345, "amount": "5", "key": "k5"},
    {"table": "Booth 3", "at": {"a": 1}, "amount": "5", "key": "k6"},
    {"table": "Booth 3", "time": "23:15", "amount": "NaN", "key": "k7"},
    {"table": "Booth 3", "time": "23:15", "amount": "Infinity", "key": "k8"},
    {"table": "Booth 3", "time": "23:15", "amount": "999999999999.99", "key": "k9"},
    {"table": "Booth 3", "time": "23:15", "amount": 5e300, "key": "k10"},
    {"table": "Booth 3", "time": "23:15", "amount": "5", "line": "99999999999", "key": "k11"},
    {"table": "Booth 3", "time": "23:15", "amount": "5", "line": -1, "key": "k12"},
    {"table": ["Booth 3"], "time": ["23:15"], "amount": ["5"], "key": ["k13"]},
    {"table": "Booth 3", "time": "23:15", "amount": "5", "key": "k" * 100_000},
    {"table": "Booth 3", "time": "23:15", "amount": "5"},
    "Booth 3,23:15,5",
    None,
    [1, 2],
]


def test_the_tills_odd_rows_are_answered_never_raised(
    demo_conn: Conn, host: Conn, night: date
) -> None:
    insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    rows = json.dumps(ODD_ROWS)
    for n in (night, None):
        host.execute("SELECT * FROM pos_match(%s, %s, %s)", [VENUE, n, rows]).fetchall()
        row = call(host, "SELECT * FROM import_pos_spend(%s, %s, %s)", [VENUE, n, rows])
        assert row["success"], row
    for payload in ("null", '{"a": 1}', '"text"', "5", json.dumps([{}] * 5001)):
        assert (
            host.execute("SELECT * FROM pos_match(%s, %s, %s)", [VENUE, night, payload]).fetchall()
            == []
        )
        row = call(host, "SELECT * FROM import_pos_spend(%s, %s, %s)", [VENUE, night, payload])
        assert row["success"] is False and row["error_code"] in ("POS_INVALID", "POS_TOO_MANY")


# ---------------------------------------------------------------------------
# The till's key: a row's identity, which nobody can borrow for another row.


def test_a_borrowed_pos_key_cannot_hide_the_tills_row(
    demo_conn: Conn, host: Conn, night: date
) -> None:
    """A host imports a made-up row (a penny, on another booking) under the
    key the real file's row will have: the real row still imports when the
    file comes, and a second look says which row is already in."""
    booth3 = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated")
    booth4 = insert_booking(demo_conn, ["Booth 4"], night, "22:00", "00:30", status="seated")
    real_key = f"{night.isoformat()}|booth 3|23:15:00|120.00|1"
    forged = [{"table": "Booth 4", "time": "23:15", "amount": "0.01", "key": real_key}]
    real = [{"table": "Booth 3", "time": "23:15", "amount": "120.00", "key": real_key}]
    got = call(
        host, "SELECT * FROM import_pos_spend(%s, %s, %s)", [VENUE, night, json.dumps(forged)]
    )
    assert (got["success"], got["imported"]) == (True, 1)
    seen = call(host, "SELECT * FROM pos_match(%s, %s, %s)", [VENUE, night, json.dumps(real)])
    assert (seen["booking_id"], seen["reason_code"], seen["already"]) == (booth3, None, False)
    got = call(host, "SELECT * FROM import_pos_spend(%s, %s, %s)", [VENUE, night, json.dumps(real)])
    assert (got["imported"], got["already"]) == (1, 0)
    again = call(
        host, "SELECT * FROM import_pos_spend(%s, %s, %s)", [VENUE, night, json.dumps(real)]
    )
    assert (again["imported"], again["already"]) == (0, 1)
    totals: dict[UUID, Any] = dict(
        demo_conn.execute(
            "SELECT booking_id, sum(amount) FROM booking_spend GROUP BY booking_id"
        ).fetchall()
    )
    assert totals[booth3] == 120 and str(totals[booth4]) == "0.01"
    # Each imported row names the host and their terminal, in its audit too.
    audit = demo_conn.execute(
        "SELECT DISTINCT staff_name, terminal FROM audit_logs WHERE table_name = 'booking_spend'"
    ).fetchall()
    assert audit == [("Priya", "DESK-1")]


# ---------------------------------------------------------------------------
# Erasure: what the door and the till kept about the guest goes too.


def test_erasure_clears_the_waitlist_by_phone_and_spend_notes(
    demo_conn: Conn, manager: Conn, night: date
) -> None:
    guest = a_customer(demo_conn, 4)
    name, phone = demo_conn.execute(
        "SELECT name, phone FROM customers WHERE id = %s", [guest]
    ).fetchone() or (None, None)
    assert phone, "the demo guest has a phone"
    booking = insert_booking(
        demo_conn, ["Booth 3"], night, "22:00", "00:30", status="seated", customer=4
    )
    entry = call(
        manager,
        "SELECT * FROM add_to_waitlist(%s, %s, 2, %s, NULL, %s)",
        [VENUE, name, phone, f"{name} wants the booth by the bar"],
    )["entry_id"]
    other = call(manager, "SELECT * FROM add_to_waitlist(%s, 'Someone Else', 2)", [VENUE])
    assert call(manager, "SELECT * FROM waitlist_left(%s, %s)", [VENUE, entry])["success"]
    assert call(manager, "SELECT * FROM record_spend(%s, 50, %s)", [booking, f"{name}'s card"])[
        "success"
    ]
    # Their export holds both: what erasure clears is what they are shown.
    data = call(manager, "SELECT * FROM export_guest(%s, %s)", [VENUE, guest])["data"]
    assert [(w["id"], w["phone"], w["notes"], w["state"]) for w in data["waitlist"]] == [
        (str(entry), phone, f"{name} wants the booth by the bar", "left")
    ]
    assert [(s["booking_id"], s["amount"], s["note"]) for s in data["spend"]] == [
        (str(booking), "50.00", f"{name}'s card")
    ]
    assert call(manager, "SELECT * FROM erase_guest(%s, %s)", [VENUE, guest])["success"]
    after = call(manager, "SELECT * FROM export_guest(%s, %s)", [VENUE, guest])["data"]
    assert after["waitlist"] == [] and [s["note"] for s in after["spend"]] == [None]
    for needle in (name, phone):
        assert not demo_conn.execute(
            "SELECT 1 FROM waitlist w WHERE w::text LIKE '%%' || %s || '%%'", [needle]
        ).fetchall(), needle
        assert not demo_conn.execute(
            "SELECT 1 FROM booking_spend s WHERE s::text LIKE '%%' || %s || '%%'", [needle]
        ).fetchall(), needle
        assert not demo_conn.execute(
            "SELECT a.table_name FROM audit_logs a WHERE a.table_name <> 'customers'"
            " AND (a.old_values::text LIKE '%%' || %s || '%%'"
            "      OR a.new_values::text LIKE '%%' || %s || '%%')",
            [needle, needle],
        ).fetchall(), needle
    # The amounts, and someone else's entry, stay.
    assert (
        scalar(demo_conn, "SELECT sum(amount) FROM booking_spend WHERE booking_id = %s", [booking])
        == 50
    )
    assert scalar(demo_conn, "SELECT name FROM waitlist WHERE id = %s", [other["entry_id"]]) == (
        "Someone Else"
    )
