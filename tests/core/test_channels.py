"""Who is writing is proved in the database: a desk's login writes nothing
without a valid session, forged names and tokens count for nothing, the
website's login has the seed's contract and nothing personal, reporting has
figures only.  Each test connects as a real login of its channel."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tests import logins
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    a_customer,
    as_desk,
    at,
    counts,
    insert_booking,
    one,
    quiet_friday,
    scalar,
    table_id,
)

LoginUrl = Callable[[str, str | None], str]


def attempts(conn: Conn) -> int:
    return int(scalar(conn, "SELECT count(*) FROM booking_attempts"))


@pytest.fixture
def connect_as(demo_db_url: str, login_url: LoginUrl) -> Iterator[Callable[[str | None], Conn]]:
    """Opens a connection of a new login of a channel ("desk", "web", "report")."""
    opened: list[Conn] = []

    def open_(channel: str | None) -> Conn:
        conn = psycopg.connect(login_url(demo_db_url, channel), autocommit=True)
        opened.append(conn)
        return conn

    yield open_
    for conn in opened:
        conn.close()


def writes(conn: Conn, night: Any) -> list[tuple[str, list[Any]]]:
    """Every desk write, as a statement and its arguments."""
    booking = insert_booking(conn, ["Booth 3"], night, "22:00", "00:00")
    booth4 = table_id(conn, "Booth 4")
    starts, ends = at(conn, night, "22:00"), at(conn, night, "23:00")
    return [
        (
            "SELECT * FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
            [VENUE, a_customer(conn), [booth4], night, starts, ends],
        ),
        (
            "SELECT * FROM create_booking_atomic(%s, 'x@example.com', NULL, 'X', %s, %s, "
            "'22:00', '23:00', 2)",
            [VENUE, [booth4], night],
        ),
        ("SELECT * FROM walk_in(%s, %s, 2)", [VENUE, [booth4]]),
        ("SELECT * FROM move_booking(%s, %s, NULL, NULL)", [booking, [booth4]]),
        ("SELECT * FROM set_booking_status(%s, 'cancelled')", [booking]),
        ("SELECT * FROM hold_tables(%s, %s, %s, %s, %s)", [VENUE, [booth4], night, starts, ends]),
        ("SELECT * FROM release_holds(%s)", [VENUE]),
        ("SELECT * FROM create_customer(%s, 'Mallory', '07700 900666')", [VENUE]),
        ("SELECT * FROM match_or_create_customer(%s, 'Mallory', '07700 900666')", [VENUE]),
        (
            "SELECT * FROM update_customer(%s, %s, 'Mallory', NULL, NULL, NULL, NULL)",
            [VENUE, a_customer(conn)],
        ),
        ("SELECT * FROM add_staff(%s, 'Mallory', 'manager', '1111')", [VENUE]),
        ("SELECT * FROM set_staff_pin(%s, 'Sam', '1111')", [VENUE]),
    ]


@pytest.mark.parametrize(
    "forgery",
    ["nothing", "a manager's name", "a random token", "another login's token", "another terminal"],
)
def test_a_desk_without_a_valid_session_writes_nothing(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn], forgery: str
) -> None:
    night = quiet_friday(demo_conn)
    statements = writes(demo_conn, night)
    desk = connect_as("desk")
    sam = scalar(demo_conn, "SELECT id FROM staff WHERE name = 'Sam'")
    if forgery == "a manager's name":
        as_desk(desk, "DESK-1", "Sam", str(sam))
    elif forgery == "a random token":
        as_desk(desk, "DESK-1")
        desk.execute("SELECT set_config('frontdesk.session', %s, false)", [secrets.token_hex(32)])
    elif forgery == "another login's token":
        # Sam's real token, read off another desk's screen.
        token = logins.sign_in(connect_as("desk"), VENUE, "Sam", "1357", "DESK-1")
        as_desk(desk, "DESK-1")
        desk.execute("SELECT set_config('frontdesk.session', %s, false)", [token])
    elif forgery == "another terminal":
        token = logins.sign_in(desk, VENUE, "Sam", "1357", "DESK-1")
        as_desk(desk, "DESK-2")
        desk.execute("SELECT set_config('frontdesk.session', %s, false)", [token])
    before, tried = counts(demo_conn), attempts(demo_conn)
    staff_before = demo_conn.execute("SELECT * FROM staff ORDER BY id").fetchall()
    for statement, args in statements:
        row = desk.cursor(row_factory=dict_row).execute(statement, args).fetchone()
        assert row is not None
        assert (row["success"], row["error_code"]) == (False, "NOT_SIGNED_IN"), statement
    assert (
        scalar(desk, "SELECT acquire_booking_lock(%s, %s, '22:00')", [a_table(demo_conn), night])
        is False
    )
    assert counts(demo_conn) == before
    assert attempts(demo_conn) == tried  # not even the attempt is counted
    assert demo_conn.execute("SELECT * FROM staff ORDER BY id").fetchall() == staff_before


def a_table(conn: Conn) -> Any:
    return table_id(conn, "Booth 5")


@pytest.mark.parametrize(
    "read",
    [
        "SELECT night_plan(%(venue)s, %(night)s)",
        "SELECT * FROM search_customers(%(venue)s, ARRAY['a'], NULL, NULL)",
        "SELECT * FROM find_bookings(%(venue)s, ARRAY['a'], NULL, NULL, NULL, %(night)s)",
        "SELECT * FROM audit_entries(%(venue)s, NULL, NULL)",
    ],
)
def test_a_desk_without_a_session_reads_no_guest(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn], read: str
) -> None:
    desk = connect_as("desk")
    as_desk(desk, "DESK-1", "Sam")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as denied:
        desk.execute(read, {"venue": VENUE, "night": quiet_friday(demo_conn)})
    assert denied.value.diag.message_detail == "NOT_SIGNED_IN"
    assert "Sign in first" in str(denied.value)


def test_the_audit_names_the_verified_person_not_the_name_sent(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn]
) -> None:
    night = quiet_friday(demo_conn)
    desk = connect_as("desk")
    logins.sign_in(desk, VENUE, "Priya", "2468", "BAR-2")
    sam = scalar(demo_conn, "SELECT id FROM staff WHERE name = 'Sam'")
    desk.execute(
        "SELECT set_config('frontdesk.staff_name', 'Sam', false), "
        "set_config('frontdesk.staff_id', %s, false)",
        [str(sam)],
    )
    booked = one(
        desk,
        "SELECT success, booking_id FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
        [
            VENUE,
            a_customer(demo_conn),
            [table_id(demo_conn, "Booth 4")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    assert booked[0] is True
    priya = scalar(demo_conn, "SELECT id FROM staff WHERE name = 'Priya'")
    audit = demo_conn.execute(
        "SELECT DISTINCT staff_id, staff_name, terminal FROM audit_logs WHERE record_id = %s",
        [booked[1]],
    ).fetchall()
    assert audit == [(priya, "Priya", "BAR-2")]
    assert scalar(
        demo_conn,
        "SELECT created_by = %s AND terminal = 'BAR-2' FROM bookings WHERE id = %s",
        [priya, booked[1]],
    )


def test_holds_belong_to_the_session_terminal_which_another_desk_cannot_claim(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn]
) -> None:
    night = quiet_friday(demo_conn)
    first, second = connect_as("desk"), connect_as("desk")
    logins.sign_in(first, VENUE, "Priya", "2468", "DESK-1")
    held = one(
        first,
        "SELECT success FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            VENUE,
            [table_id(demo_conn, "Booth 5")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    assert held == (True,)
    logins.sign_in(second, VENUE, "Alex", "3579", "DESK-2")
    # Alex's desk claims to be DESK-1: its session is DESK-2's, so it is not valid there.
    as_desk(second, "DESK-1")
    refused = one(second, "SELECT success, error_code FROM release_holds(%s)", [VENUE])
    assert refused == (False, "NOT_SIGNED_IN")
    as_desk(second, "DESK-2")
    assert one(second, "SELECT released FROM release_holds(%s)", [VENUE]) == (0,)
    assert scalar(demo_conn, "SELECT count(*) FROM holds WHERE terminal = 'DESK-1'") == 1


def test_the_website_books_by_the_contract_and_reaches_nothing_else(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn]
) -> None:
    night = quiet_friday(demo_conn)
    web = connect_as("web")
    booth = table_id(demo_conn, "Booth 4")
    # It may claim to be a desk and a manager: it is the website all the same.
    as_desk(web, "DESK-1", "Sam")
    assert scalar(web, "SELECT acquire_booking_lock(%s, %s, '22:00')", [booth, night]) is True
    row = one(
        web,
        "SELECT success, booking_id FROM create_booking_atomic(%s, 'web.guest@example.com', "
        "NULL, 'Web Guest', %s, %s, '22:00', '23:00', 2)",
        [VENUE, [booth], night],
    )
    assert row[0] is True
    assert scalar(web, "SELECT release_booking_lock(%s, %s, '22:00')", [booth, night]) is True
    login = scalar(web, "SELECT session_user")
    assert demo_conn.execute(
        "SELECT b.source, a.staff_name, a.terminal FROM bookings b JOIN audit_logs a"
        " ON a.record_id = b.id AND a.table_name = 'bookings' WHERE b.id = %s",
        [row[1]],
    ).fetchall() == [("web", "Website", f"web:{login}")]
    assert (
        scalar(
            web,
            "SELECT count(*) FROM get_optimal_table_combinations(%s, %s, '22:00', '23:00', 2)",
            [VENUE, night],
        )
        > 0
    )
    assert scalar(web, "SELECT count(*) FROM venue_tables") > 0
    for denied in [
        "SELECT * FROM desk_book(%(v)s, NULL, ARRAY[]::uuid[], %(n)s, now(), now(), 2)",
        "SELECT * FROM hold_tables(%(v)s, ARRAY[]::uuid[], %(n)s, now(), now())",
        "SELECT * FROM release_holds(%(v)s)",
        "SELECT night_plan(%(v)s, %(n)s)",
        "SELECT * FROM search_customers(%(v)s, ARRAY['a'], NULL, NULL)",
        "SELECT * FROM sign_in(%(v)s, 'Sam', '1357')",
        "SELECT * FROM audit_entries(%(v)s, NULL, NULL)",
        "SELECT count(*) FROM customers",
        "SELECT count(*) FROM bookings",
        "SELECT count(*) FROM audit_logs",
        "SELECT count(*) FROM staff",
        "SELECT * FROM private.fd_book(%(v)s, NULL, NULL, NULL, 'X', NULL, ARRAY[]::uuid[],"
        " %(n)s, now(), now(), 2, NULL, NULL, NULL, 'desk', 'confirmed')",
        "SELECT count(*) FROM report_nights",
    ]:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            web.execute(denied, {"v": VENUE, "n": night})


def test_reporting_reads_figures_and_no_person(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn]
) -> None:
    report = connect_as("report")
    nights = report.execute(
        "SELECT sum(bookings), sum(covers) FROM report_nights WHERE venue_id = %s", [VENUE]
    ).fetchone()
    assert nights is not None and nights[0] == scalar(
        demo_conn, "SELECT count(*) FROM bookings WHERE venue_id = %s", [VENUE]
    )
    assert scalar(report, "SELECT count(*) FROM monitoring_figures") == 1
    assert scalar(report, "SELECT name FROM venues WHERE id = %s", [VENUE]) == "The Backroom Leeds"
    for denied in [
        "SELECT count(*) FROM customers",
        "SELECT count(*) FROM bookings",
        "SELECT count(*) FROM audit_logs",
        "SELECT phone_country FROM venues",
        "SELECT night_plan(%(v)s, current_date)",
        "SELECT * FROM create_booking_atomic(%(v)s, 'a@example.com', NULL, 'A',"
        " ARRAY[]::uuid[], current_date, '22:00', '23:00', 2)",
        "SELECT * FROM sign_in(%(v)s, 'Sam', '1357')",
    ]:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            report.execute(denied, {"v": VENUE})


def test_a_host_cannot_read_the_audit_log(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn]
) -> None:
    desk = connect_as("desk")
    logins.sign_in(desk, VENUE, "Priya", "2468")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as denied:
        desk.execute("SELECT * FROM audit_entries(%s, NULL, NULL)", [VENUE])
    assert denied.value.diag.message_detail == "NOT_ALLOWED"
    assert "Only a manager" in str(denied.value)
    logins.sign_in(desk, VENUE, "Sam", "1357")
    assert scalar(desk, "SELECT count(*) FROM audit_entries(%s, NULL, NULL)", [VENUE]) > 0


def test_disabling_someone_ends_their_session_at_once(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn]
) -> None:
    night = quiet_friday(demo_conn)
    host, manager = connect_as("desk"), connect_as("desk")
    logins.sign_in(host, VENUE, "Alex", "3579", "DESK-1")
    logins.sign_in(manager, VENUE, "Sam", "1357", "OFFICE")
    assert one(manager, "SELECT success FROM set_staff_active(%s, 'Alex', false)", [VENUE]) == (
        True,
    )
    refused = one(
        host,
        "SELECT success, error_code FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            VENUE,
            [table_id(demo_conn, "Booth 5")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    assert refused == (False, "NOT_SIGNED_IN")


def test_a_host_reads_no_managers_figures(
    demo_conn: Conn, connect_as: Callable[[str | None], Conn]
) -> None:
    desk = connect_as("desk")
    logins.sign_in(desk, VENUE, "Priya", "2468")
    for read in [
        "SELECT * FROM monitoring_now(%(v)s)",
        "SELECT * FROM report_range(%(v)s, current_date - 30, current_date)",
    ]:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as denied:
            desk.execute(read, {"v": VENUE})
        assert denied.value.diag.message_detail == "NOT_ALLOWED", read
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        desk.execute("SELECT count(*) FROM monitoring_figures")
    logins.sign_in(desk, VENUE, "Sam", "1357")
    assert scalar(desk, "SELECT count(*) FROM monitoring_now(%s)", [VENUE]) == 1
