"""Guests' profiles (sql/engine/64_guests.sql, frontdesk/guests.py): the
history against direct SQL on the same rows, the venue's tag list and who
may edit what, the banned guest's refusal on the desk and the website, and
a manager's override (audited; nobody else's, not even by hand).

Sessions are real desk logins signed in as the demo's staff: Sam (manager)
and Priya (host), each on a terminal of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from frontdesk import guest_rights, guests
from frontdesk.database import Database, StaffContext
from frontdesk.desk import BookingRequest, Desk
from frontdesk.errors import Refused
from tests import logins
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    Row,
    a_customer,
    at,
    call,
    counts,
    desk_book,
    insert_booking,
    quiet_friday,
    scalar,
    table_id,
)

LoginUrl = Callable[[str, str | None], str]

WEB_MESSAGE = "We can't take this booking online; please call the venue."


@pytest.fixture
def desk_url(demo_db_url: str, login_url: LoginUrl) -> str:
    return login_url(demo_db_url, "desk")


@pytest.fixture
def manager(desk_url: str) -> Iterator[Conn]:
    with psycopg.connect(desk_url, autocommit=True) as conn:
        logins.sign_in(conn, VENUE, "Sam", "1357", terminal="OFFICE")
        yield conn


@pytest.fixture
def host(desk_url: str) -> Iterator[Conn]:
    with psycopg.connect(desk_url, autocommit=True) as conn:
        logins.sign_in(conn, VENUE, "Priya", "2468", terminal="DESK-1")
        yield conn


@pytest.fixture
def web(demo_db_url: str, login_url: LoginUrl) -> Iterator[Conn]:
    with psycopg.connect(login_url(demo_db_url, "web"), autocommit=True) as conn:
        yield conn


def tag(conn: Conn, name: str) -> UUID:
    tid: UUID = scalar(conn, "SELECT id FROM guest_tag_list(%s) WHERE name = %s", [VENUE, name])
    return tid


def set_tags(conn: Conn, customer: UUID, *names: str) -> Row:
    return call(
        conn,
        "SELECT * FROM set_guest_tags(%s, %s, %s::uuid[])",
        [VENUE, customer, [tag(conn, n) for n in names]],
    )


def profile(conn: Conn, customer: UUID) -> dict[str, Any]:
    data: dict[str, Any] = scalar(conn, "SELECT guest_profile(%s, %s)", [VENUE, customer])
    return data


# ---------------------------------------------------------------------------
# History.


def test_history_matches_direct_sql_for_every_guest(demo_conn: Conn, host: Conn) -> None:
    """Visits, no-shows, cancellations, last visit and spend, for every demo
    guest with bookings, against the same figures read straight from the
    tables; with statuses and spend of every kind added first."""
    night = quiet_friday(demo_conn)
    guest = a_customer(demo_conn, 3)
    booking_ids = [
        insert_booking(demo_conn, [t], night, "22:00", "23:00", status=s, customer=3)
        for t, s in (
            ("Booth 1", "completed"),
            ("Booth 2", "no_show"),
            ("Booth 3", "no_show"),
            ("Booth 4", "cancelled"),
            ("Booth 5", "seated"),
        )
    ]
    for amount in ("120.50", "300.00", "-20.50"):
        demo_conn.execute(
            "INSERT INTO booking_spend (venue_id, booking_id, amount) VALUES (%s, %s, %s)",
            [VENUE, booking_ids[0], Decimal(amount)],
        )
    customers = [
        r[0]
        for r in demo_conn.execute(
            "SELECT DISTINCT customer_id FROM bookings WHERE venue_id = %s", [VENUE]
        ).fetchall()
    ]
    assert guest in customers and len(customers) > 5
    for customer in customers:
        direct = call(
            demo_conn,
            """
            SELECT count(*) FILTER (WHERE status IN ('arrived', 'seated', 'completed')) AS visits,
                   count(*) FILTER (WHERE status = 'no_show') AS no_shows,
                   count(*) FILTER (WHERE status = 'cancelled') AS cancellations,
                   count(*) AS bookings,
                   max(night) FILTER (WHERE status IN ('arrived', 'seated', 'completed'))
                       AS last_visit,
                   (SELECT coalesce(sum(s.amount), 0) FROM booking_spend s
                      JOIN bookings b2 ON b2.id = s.booking_id
                     WHERE b2.customer_id = %(c)s) AS spend
              FROM bookings WHERE venue_id = %(v)s AND customer_id = %(c)s
            """,
            {"v": VENUE, "c": customer},
        )
        history = profile(host, customer)["history"]
        assert history == {
            **direct,
            "last_visit": direct["last_visit"].isoformat() if direct["last_visit"] else None,
            "spend": str(direct["spend"]),
        }
    mine = profile(host, guest)["history"]
    assert mine["no_shows"] >= 2 and mine["visits"] >= 2 and Decimal(mine["spend"]) >= 400


def test_profile_needs_a_signed_in_desk(demo_db_url: str, login_url: LoginUrl) -> None:
    with psycopg.connect(login_url(demo_db_url, "desk"), autocommit=True) as conn:
        customer = UUID(int=1)
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            conn.execute("SELECT guest_profile(%s, %s)", [VENUE, customer])
        assert caught.value.diag.message_detail == "NOT_SIGNED_IN"


def test_the_python_profile(demo_db_url: str, demo_conn: Conn, manager: Conn) -> None:
    customer = a_customer(demo_conn, 5)
    assert set_tags(manager, customer, "VIP", "Allergy")["success"]
    night = quiet_friday(demo_conn)
    insert_booking(demo_conn, ["Booth 7"], night, "22:00", "23:00", customer=5)
    db = Database(demo_db_url, staff=StaffContext("DESK-9", "Sam"))
    try:
        desk = Desk(db, VENUE)
        desk.sign_in("Sam", "1357")
        p = guests.guest_profile(desk, customer)
        assert [t.name for t in p.tags] == ["VIP", "Allergy"]
        assert p.is_vip and p.needs_attention and not p.is_banned
        assert any(u.night == night and u.tables == ("Booth 7",) for u in p.upcoming)
        with pytest.raises(Refused) as caught:
            guests.guest_profile(desk, UUID(int=7))
        assert caught.value.code == "UNKNOWN_CUSTOMER"
    finally:
        db.close()


# ---------------------------------------------------------------------------
# The venue's tags, and who may do what.


def test_a_new_venue_gets_the_default_tags(demo_conn: Conn) -> None:
    venue = scalar(demo_conn, "INSERT INTO venues (name) VALUES ('Tag Test Bar') RETURNING id")
    rows = demo_conn.execute(
        "SELECT name, kind FROM guest_tags WHERE venue_id = %s ORDER BY sort_order", [venue]
    ).fetchall()
    assert rows == [
        ("VIP", "vip"),
        ("Regular", "note"),
        ("Allergy", "warning"),
        ("Banned", "banned"),
    ]


def tag_list(conn: Conn) -> list[Row]:
    return (
        conn.cursor(row_factory=dict_row)
        .execute("SELECT * FROM guest_tag_list(%s)", [VENUE])
        .fetchall()
    )


def save(conn: Conn, tags: list[dict[str, Any]]) -> Row:
    return call(conn, "SELECT * FROM save_guest_tags(%s, %s::jsonb)", [VENUE, json.dumps(tags)])


def listed(rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {"id": str(r["id"]), "name": r["name"], "kind": r["kind"], "is_active": r["is_active"]}
        for r in rows
    ]


def test_only_a_manager_edits_the_list(demo_conn: Conn, manager: Conn, host: Conn) -> None:
    before = tag_list(host)
    assert [r["name"] for r in before] == ["VIP", "Regular", "Allergy", "Banned"]
    refused = save(host, [*listed(before), {"name": "Birthday", "kind": "note"}])
    assert (refused["success"], refused["error_code"]) == (False, "NOT_ALLOWED")
    # add one, rename one, put the warning first
    tags = listed(before)
    tags[1]["name"] = "Regular guest"
    tags.insert(0, tags.pop(2))
    assert save(manager, [*tags, {"name": "Birthday", "kind": "note"}])["success"]
    after = tag_list(host)
    assert [r["name"] for r in after] == ["Allergy", "VIP", "Regular guest", "Banned", "Birthday"]
    # a tag nobody has is deleted when left out; one in use is refused, retiring works
    customer = a_customer(demo_conn, 2)
    assert set_tags(host, customer, "Allergy")["success"]
    without_allergy = [t for t in listed(after) if t["name"] not in ("Allergy", "Birthday")]
    refused = save(manager, without_allergy)
    assert refused["error_code"] == "TAG_IN_USE" and "Allergy" in refused["error_message"]
    retired = [dict(t, is_active=t["name"] != "Allergy") for t in listed(after)]
    assert save(manager, [t for t in retired if t["name"] != "Birthday"])["success"]
    rows = {r["name"]: r for r in tag_list(host)}
    assert "Birthday" not in rows
    assert rows["Allergy"]["is_active"] is False and rows["Allergy"]["guests"] == 1
    # a retired tag stays on its guest but is added to nobody new
    assert set_tags(host, customer, "Allergy", "VIP")["success"]
    refused = set_tags(host, a_customer(demo_conn, 4), "Allergy")
    assert refused["error_code"] == "UNKNOWN_TAG"
    dup = save(manager, [*listed(tag_list(host)), {"name": "vip", "kind": "vip"}])
    assert dup["error_code"] == "DUPLICATE_TAG"
    bad = save(manager, [{"name": "Odd", "kind": "odd"}])
    assert bad["error_code"] == "INVALID_INPUT"


def test_a_host_tags_guests_but_only_a_manager_bans(
    demo_conn: Conn, manager: Conn, host: Conn
) -> None:
    customer = a_customer(demo_conn, 6)
    assert set_tags(host, customer, "VIP", "Regular")["success"]
    refused = set_tags(host, customer, "VIP", "Banned")
    assert (refused["error_code"], refused["error_message"]) == (
        "NOT_ALLOWED",
        "Only a manager may add or remove Banned.",
    )
    assert set_tags(manager, customer, "VIP", "Banned")["success"]
    assert [t["name"] for t in profile(host, customer)["tags"]] == ["VIP", "Banned"]
    assert set_tags(host, customer, "Banned")["success"]  # VIP off, the ban untouched
    assert set_tags(host, customer)["error_code"] == "NOT_ALLOWED"  # the ban off: no
    assert set_tags(manager, customer)["success"]
    trail = demo_conn.execute(
        "SELECT operation, staff_name, terminal FROM audit_logs "
        "WHERE table_name = 'customer_tags' AND record_id = %s ORDER BY id",
        [customer],
    ).fetchall()
    assert ("INSERT", "Priya", "DESK-1") in trail and ("DELETE", "Sam", "OFFICE") in trail
    assert len(trail) == 6  # VIP, Regular, Banned added; VIP, Regular, Banned removed


# ---------------------------------------------------------------------------
# Banned guests.


@pytest.fixture
def banned(demo_conn: Conn, manager: Conn) -> UUID:
    customer = a_customer(demo_conn, 8)
    assert set_tags(manager, customer, "Banned")["success"]
    return customer


def test_a_banned_guest_is_refused_at_the_desk(demo_conn: Conn, host: Conn, banned: UUID) -> None:
    night = quiet_friday(demo_conn)
    name = scalar(demo_conn, "SELECT name FROM customers WHERE id = %s", [banned])
    before = counts(demo_conn)
    row = desk_book(host, demo_conn, banned, night)
    assert (row["success"], row["error_code"]) == (False, "GUEST_BANNED")
    assert row["error_message"] == (
        f"{name} is tagged Banned: only a manager can book them (Override and book)."
    )
    assert counts(demo_conn) == before


def test_the_website_is_refused_without_being_told_why(
    demo_conn: Conn, web: Conn, banned: UUID
) -> None:
    night = quiet_friday(demo_conn)
    name, email, phone = demo_conn.execute(
        "SELECT name, email, phone FROM customers WHERE id = %s", [banned]
    ).fetchone() or ("", "", "")
    before = counts(demo_conn)
    # by email, by phone (under another name too): the same neutral answer
    for mail, tel, who in ((email, None, name), (None, phone, name), (None, phone, "Someone Else")):
        row = call(
            web,
            "SELECT success, error_code, error_message FROM create_booking_atomic("
            "%s, %s, %s, %s, %s, %s, '22:00', '00:30', 2)",
            [VENUE, mail, tel, who, [table_id(demo_conn, "Booth 3")], night],
        )
        assert row == {"success": False, "error_code": "GUEST_BANNED", "error_message": WEB_MESSAGE}
    assert counts(demo_conn) == before


def test_a_manager_overrides_a_ban_with_a_reason(
    demo_conn: Conn, manager: Conn, banned: UUID
) -> None:
    night = quiet_friday(demo_conn)
    other = a_customer(demo_conn, 9)
    assert set_tags(manager, other, "Banned")["success"]
    with manager.transaction():
        row = call(
            manager, "SELECT * FROM override_guest_ban(%s, 'Apologised; owner agreed')", [banned]
        )
        assert row["success"], row
        assert (
            desk_book(manager, demo_conn, other, night, "Booth 4")["error_code"] == "GUEST_BANNED"
        )  # not them
        assert desk_book(manager, demo_conn, banned, night)["success"]
    entry = call(
        demo_conn,
        "SELECT operation, staff_name, terminal, new_values FROM audit_logs "
        "WHERE table_name = 'customers' AND record_id = %s AND operation = 'BAN_OVERRIDE'",
        [banned],
    )
    assert entry["staff_name"] == "Sam" and entry["terminal"] == "OFFICE"
    assert entry["new_values"]["reason"] == "Apologised; owner agreed"
    assert [t["name"] for t in entry["new_values"]["tags"]] == ["Banned"]
    # The marker is for that transaction only.
    assert desk_book(manager, demo_conn, banned, night, "Booth 5")["error_code"] == "GUEST_BANNED"
    refused = call(manager, "SELECT * FROM override_guest_ban(%s, '  ')", [banned])
    assert refused["error_code"] == "INVALID_INPUT"


def test_a_host_cannot_override_not_even_by_hand(
    demo_conn: Conn, manager: Conn, host: Conn, banned: UUID
) -> None:
    night = quiet_friday(demo_conn)
    refused = call(host, "SELECT * FROM override_guest_ban(%s, 'my mate')", [banned])
    assert (refused["success"], refused["error_code"]) == (False, "NOT_ALLOWED")
    with manager.transaction():
        assert call(manager, "SELECT * FROM override_guest_ban(%s, 'ok')", [banned])["success"]
        marker = scalar(manager, "SELECT current_setting('frontdesk.ban_override')")
    before = counts(demo_conn)
    for forged in (marker, str(banned), "true"):
        with host.transaction():
            host.execute("SELECT set_config('frontdesk.ban_override', %s, true)", [forged])
            assert desk_book(host, demo_conn, banned, night)["error_code"] == "GUEST_BANNED"
    assert counts(demo_conn) == before


def test_book_overriding_ban_from_python(demo_db_url: str, demo_conn: Conn, banned: UUID) -> None:
    night = quiet_friday(demo_conn)
    request = BookingRequest(
        night=night,
        starts_at=at(demo_conn, night, "22:00"),
        ends_at=at(demo_conn, night, "00:30"),
        party_size=2,
        table_ids=(table_id(demo_conn, "Booth 3"),),
        customer_id=banned,
    )
    db = Database(demo_db_url, staff=StaffContext("DESK-2", "Priya"))
    try:
        desk = Desk(db, VENUE)
        desk.sign_in("Priya", "2468")
        with pytest.raises(Refused) as caught:
            desk.book(request)
        assert caught.value.code == "GUEST_BANNED"
        with pytest.raises(Refused) as caught:
            guests.book_overriding_ban(desk, request, "ok")
        assert caught.value.code == "NOT_ALLOWED"
        desk.sign_in("Sam", "1357")
        taken = replace(request, table_ids=(table_id(demo_conn, "Booth 9"),))
        insert_booking(demo_conn, ["Booth 9"], night, "22:00", "23:00")
        audits = scalar(demo_conn, "SELECT count(*) FROM audit_logs")
        with pytest.raises(Refused) as caught:
            guests.book_overriding_ban(desk, taken, "ok")
        assert caught.value.code == "TABLE_UNAVAILABLE"
        assert scalar(demo_conn, "SELECT count(*) FROM audit_logs") == audits  # nothing kept
        result = guests.book_overriding_ban(desk, request, "Spoke to the owner")
        assert (
            scalar(demo_conn, "SELECT customer_id FROM bookings WHERE id = %s", [result.booking_id])
            == banned
        )
    finally:
        db.close()


# ---------------------------------------------------------------------------
# Guests' rights: tags and history are exported, and go with erasure.


def test_tags_and_history_are_exported_and_erased(
    demo_conn: Conn, manager: Conn, banned: UUID
) -> None:
    night = quiet_friday(demo_conn)
    assert set_tags(manager, banned, "VIP", "Banned")["success"]
    with manager.transaction():
        assert call(manager, "SELECT * FROM override_guest_ban(%s, 'Owner vouched')", [banned])
        assert desk_book(manager, demo_conn, banned, night)["success"]
    data = call(manager, "SELECT * FROM export_guest(%s, %s)", [VENUE, banned])["data"]
    assert [t["name"] for t in data["tags"]] == ["VIP", "Banned"]
    assert data["history"] == profile(manager, banned)["history"]
    assert guest_rights.held(data).tags == ("VIP", "Banned")
    operations = {(a["table_name"], a["operation"]) for a in data["audit"]}
    assert {("customer_tags", "INSERT"), ("customers", "BAN_OVERRIDE")} <= operations

    assert call(manager, "SELECT * FROM erase_guest(%s, %s)", [VENUE, banned])["success"]
    assert (
        scalar(demo_conn, "SELECT count(*) FROM customer_tags WHERE customer_id = %s", [banned])
        == 0
    )
    left = demo_conn.execute(
        "SELECT count(*) FROM audit_logs WHERE record_id = %s "
        "AND (coalesce(old_values, '{}') || coalesce(new_values, '{}'))::text "
        "~ ('Owner vouched|' || %s || '|' || %s)",
        [banned, str(tag(demo_conn, "VIP")), str(tag(demo_conn, "Banned"))],
    ).fetchone()
    assert left == (0,)
    erased = call(
        demo_conn,
        "SELECT new_values FROM audit_logs WHERE record_id = %s AND operation = 'ERASE'",
        [banned],
    )
    assert erased["new_values"]["tags_removed"] == 2
    after = call(manager, "SELECT * FROM export_guest(%s, %s)", [VENUE, banned])["data"]
    assert after["tags"] == [] and after["history"]["bookings"] == data["history"]["bookings"]
