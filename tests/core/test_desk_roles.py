"""Least privilege: a desk's login reads and calls functions, never writes tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from tests import logins
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    a_customer,
    at,
    insert_booking,
    one,
    quiet_friday,
    scalar,
    table_id,
)

LoginUrl = Callable[[str, str | None], str]


@pytest.fixture
def app(demo_db_url: str, login_url: LoginUrl) -> Iterator[Conn]:
    """A session of a desk's login (a member of frontdesk_desk)."""
    with psycopg.connect(login_url(demo_db_url, "desk"), autocommit=True) as conn:
        yield conn


@pytest.fixture
def web(demo_db_url: str, login_url: LoginUrl) -> Iterator[Conn]:
    """A session of the website's login (a member of frontdesk_web)."""
    with psycopg.connect(login_url(demo_db_url, "web"), autocommit=True) as conn:
        yield conn


@pytest.fixture
def nobody(demo_db_url: str, login_url: LoginUrl) -> Iterator[Conn]:
    """A session of a LOGIN role with no grants at all."""
    with psycopg.connect(login_url(demo_db_url, None), autocommit=True) as conn:
        yield conn


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at, ends_at, "
        "party_size) SELECT venue_id, 'BR-991231-AAAAAA', customer_id, night, starts_at, "
        "ends_at, 2 FROM bookings LIMIT 1",
        "UPDATE bookings SET status = 'cancelled'",
        "DELETE FROM booking_tables",
        "INSERT INTO holds (venue_id, table_id, night, period, terminal, expires_at) "
        "SELECT venue_id, id, current_date, tstzrange(now(), now() + interval '1h'), 'X', now() "
        "FROM venue_tables LIMIT 1",
        "UPDATE customers SET name = 'Mallory'",
        "DELETE FROM audit_logs",
        "INSERT INTO change_outbox (venue_id, kind) VALUES (gen_random_uuid(), 'x')",
        "TRUNCATE change_feed",
        "UPDATE venues SET hold_minutes = 1",
    ],
)
def test_the_app_role_cannot_write_tables(app: Conn, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute(statement)


def test_the_desk_and_the_website_book_through_the_functions(
    app: Conn, web: Conn, demo_conn: Conn
) -> None:
    night = quiet_friday(demo_conn)
    booth3, booth4 = table_id(demo_conn, "Booth 3"), table_id(demo_conn, "Booth 4")
    row = one(
        web,
        "SELECT success, error_code, booking_id FROM create_booking_atomic("
        "%s, 'new.guest@example.com', '07700 900777', 'New Guest', %s, %s, '22:00', "
        "'00:30', 4)",
        [VENUE, [booth3], night],
    )
    assert row[:2] == (True, None)
    web_booking = row[2]
    logins.sign_in(app, VENUE, "Priya", "2468", "DESK-1")
    assert scalar(app, "SELECT night_plan(%s, %s) ->> 'venue_name'", [VENUE, night]) == (
        "The Backroom Leeds"
    )
    row = one(
        app,
        "SELECT success, error_code, booking_id FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
        [
            VENUE,
            a_customer(demo_conn),
            [booth4],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    assert row[:2] == (True, None)
    desk_booking = row[2]
    assert one(
        app,
        "SELECT * FROM move_booking(%s, NULL, %s, %s)",
        [desk_booking, at(demo_conn, night, "23:00"), at(demo_conn, night, "00:00")],
    )[0]
    assert one(app, "SELECT * FROM set_booking_status(%s, 'cancelled')", [web_booking])[0]
    assert one(
        app,
        "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            VENUE,
            [table_id(demo_conn, "Booth 5")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )[0]
    assert one(app, "SELECT * FROM release_holds(%s)", [VENUE])[3] == 1
    assert scalar(app, "SELECT relay_changes()") > 0
    assert scalar(app, "SELECT count(*) FROM night_summary(%s, %s)", [VENUE, night]) == 3
    # The desk's writes were audited as the person signed in there, the
    # website's as the website.
    who = demo_conn.execute(
        "SELECT DISTINCT record_id = %s, staff_name, terminal FROM audit_logs "
        "WHERE record_id IN (%s, %s) AND operation = 'INSERT' AND table_name = 'bookings'",
        [desk_booking, desk_booking, web_booking],
    ).fetchall()
    web_login = scalar(web, "SELECT session_user")
    assert sorted(who) == [(False, "Website", f"web:{web_login}"), (True, "Priya", "DESK-1")]
    sources: dict[Any, str] = dict(
        demo_conn.execute(
            "SELECT id, source FROM bookings WHERE id IN (%s, %s)", [desk_booking, web_booking]
        ).fetchall()
    )
    assert sources == {desk_booking: "desk", web_booking: "web"}


def test_owner_rights_functions_are_not_for_everyone(nobody: Conn, demo_conn: Conn) -> None:
    booking = insert_booking(demo_conn, ["Booth 3"], quiet_friday(demo_conn), "22:00", "00:30")
    for call, args in [
        ("SELECT * FROM set_booking_status(%s, 'cancelled')", [booking]),
        ("SELECT relay_changes()", None),
        (
            "SELECT * FROM create_booking_atomic(%s, 'a@example.com', NULL, 'A', "
            "ARRAY[]::uuid[], current_date, '22:00', '23:00', 2)",
            [VENUE],
        ),
    ]:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            nobody.execute(call, args)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        nobody.execute("SELECT count(*) FROM bookings")
    assert scalar(demo_conn, "SELECT status FROM bookings WHERE id = %s", [booking]) == "confirmed"


def test_every_writing_function_runs_with_its_owners_rights_and_a_pinned_path(
    demo_conn: Conn,
) -> None:
    rows = demo_conn.execute(
        """
        SELECT p.proname, p.prosecdef, p.proconfig,
               has_function_privilege('public', p.oid, 'EXECUTE'),
               has_function_privilege('frontdesk_desk', p.oid, 'EXECUTE')
          FROM pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace
           AND p.proname IN ('create_booking_atomic', 'desk_book', 'move_booking', 'walk_in',
                             'set_booking_status', 'hold_tables', 'release_holds',
                             'relay_changes')
        """
    ).fetchall()
    assert len(rows) == 8
    for name, definer, config, public, app in rows:
        assert definer, name
        assert config[0] == "search_path=public, pg_temp", name
        # and no wait on another transaction beyond 2 s (a frozen desk)
        assert "lock_timeout=2s" in config, name
        assert (public, app) == (False, True), name
