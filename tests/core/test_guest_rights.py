"""Guests' rights (UK GDPR): a manager exports one guest's data and erases a
guest (sql/engine/46_guest_rights.sql, frontdesk/guest_rights.py).

The erasure test searches every text, varchar, json and jsonb column of
every table in every schema but PostgreSQL's own (private included) for the
guest's phone, email and date of birth: none may be left anywhere.
"""

from __future__ import annotations

import io
import json
import stat
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from frontdesk import cli, guest_rights
from frontdesk.database import Database, StaffContext
from frontdesk.errors import Refused
from tests.core.desk_helpers import VENUE, Conn, at, one, quiet_friday, scalar, table_id
from tests.core.engine_helpers import connect, make_venue

Row = dict[str, Any]

TERMINAL = "OFFICE-PC"
#: The demo's staff (sql/demo.sql).
MANAGER, MANAGER_PIN = "Sam", "1357"
HOST, HOST_PIN = "Priya", "2468"
#: A phone the guest had before, still in the audit's copies.
OLD_PHONE = "+447700900999"


# ---------------------------------------------------------------------------
# Helpers.


def call(conn: Conn, query: str, params: Any = None) -> Row:
    row = conn.cursor(row_factory=dict_row).execute(query, params).fetchone()
    assert row is not None
    return row


def sign_in_as(conn: Conn, name: str, pin: str) -> None:
    """Sign in at TERMINAL and carry the session on this connection."""
    conn.execute("SELECT set_config('frontdesk.terminal', %s, false)", [TERMINAL])
    row = call(conn, "SELECT * FROM sign_in(%s, %s, %s)", [VENUE, name, pin])
    assert row["success"], row
    conn.execute("SELECT set_config('frontdesk.session', %s, false)", [row["session_token"]])


def sign_out_of_session(conn: Conn) -> None:
    conn.execute("SELECT set_config('frontdesk.session', '', false)")


def export_guest(conn: Conn, customer: UUID | None, venue: UUID | None = VENUE) -> Row:
    return call(conn, "SELECT * FROM export_guest(%s, %s)", [venue, customer])


def erase_guest(conn: Conn, customer: UUID | None, venue: UUID | None = VENUE) -> Row:
    return call(conn, "SELECT * FROM erase_guest(%s, %s)", [venue, customer])


def searched_columns(conn: Conn) -> list[tuple[str, str, str]]:
    """(schema, table, column) of every text, varchar, json and jsonb column
    (arrays of them too), and every date column, of every table outside
    PostgreSQL's own schemas."""
    rows = conn.execute(
        """
        SELECT c.table_schema, c.table_name, c.column_name
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE t.table_type = 'BASE TABLE'
           AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
           AND c.table_schema NOT LIKE 'pg\\_%%'
           AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb',
                                'date')
                OR c.udt_name IN ('_text', '_varchar', '_bpchar', '_json', '_jsonb', '_date'))
         ORDER BY 1, 2, 3
        """
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def copies(conn: Conn, needles: list[str]) -> set[tuple[str, str, str, str]]:
    """Where any of ``needles`` is found (case aside): (schema, table,
    column, needle)."""
    found = set()
    for schema, table, column in searched_columns(conn):
        query = sql.SQL(
            "SELECT n FROM unnest(%s::text[]) AS n WHERE EXISTS ("
            "SELECT 1 FROM {}.{} AS x WHERE strpos(lower(x.{}::text), lower(n)) > 0)"
        ).format(sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column))
        for (needle,) in conn.execute(query, [needles]).fetchall():
            found.add((schema, table, column, needle))
    return found


def personal(guest: Row) -> list[str]:
    """The guest's phone (E.164 and its national digits), old phone, email
    and date of birth (ISO), as they could be written anywhere."""
    return [
        guest["phone"],
        guest["phone"].removeprefix("+44"),
        OLD_PHONE,
        guest["email"],
        guest["date_of_birth"].isoformat(),
    ]


def kept(conn: Conn, customer: UUID) -> list[tuple[Any, ...]]:
    """What an erasure must keep of the guest's bookings."""
    return conn.execute(
        "SELECT b.id, b.reference, b.night, b.starts_at, b.ends_at, b.party_size, b.status,"
        "       b.source, b.total_deposit, b.total_min_spend, b.stripe_payment_intent_id,"
        "       (SELECT array_agg(bt.table_id ORDER BY bt.table_id) FROM booking_tables bt"
        "         WHERE bt.booking_id = b.id)"
        "  FROM bookings b WHERE b.customer_id = %s ORDER BY b.id",
        [customer],
    ).fetchall()


def snapshot(conn: Conn) -> tuple[Any, ...]:
    """Everything an erasure may write."""
    return one(
        conn,
        "SELECT (SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM customers c),"
        " (SELECT md5(string_agg(b::text, '|' ORDER BY b.id)) FROM bookings b),"
        " (SELECT md5(string_agg(a::text, '|' ORDER BY a.id)) FROM audit_logs a),"
        " (SELECT count(*) FROM change_outbox)",
    )


# ---------------------------------------------------------------------------
# A demo guest with bookings, audit entries, and copies in more places.


@pytest.fixture
def guest(demo_conn: Conn) -> Row:
    """The demo guest with the most bookings that carry a request or an
    occasion, given more history: an old phone (in the audit), notes naming
    their email, a booking whose request repeats their phone and email, and
    a deleted booking (its audit copies remain)."""
    demo_conn.execute(
        "SELECT set_config('frontdesk.terminal', 'SETUP', false), "
        "set_config('frontdesk.staff_name', 'Setup', false)"
    )
    customer: UUID = scalar(
        demo_conn,
        "SELECT b.customer_id FROM bookings b WHERE b.venue_id = %s "
        "GROUP BY b.customer_id "
        "ORDER BY count(*) FILTER (WHERE b.special_requests IS NOT NULL"
        "                          OR b.occasion IS NOT NULL) DESC, count(*) DESC, 1 "
        "LIMIT 1",
        [VENUE],
    )
    g = call(
        demo_conn,
        "SELECT id, name, phone, email, date_of_birth FROM customers WHERE id = %s",
        [customer],
    )
    demo_conn.execute("UPDATE customers SET phone = %s WHERE id = %s", [OLD_PHONE, customer])
    demo_conn.execute(
        "UPDATE customers SET phone = %s, notes = %s WHERE id = %s",
        [g["phone"], f"Regular; receipts to {g['email']}", customer],
    )
    night = quiet_friday(demo_conn)
    for start, end, note in (
        ("22:00", "23:30", f"Call {g['phone']} or {g['email']}; born {g['date_of_birth']}"),
        ("23:30", "01:00", "To be deleted"),
    ):
        with demo_conn.transaction():
            booking: UUID = scalar(
                demo_conn,
                "INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at,"
                "                      ends_at, party_size, total_deposit, total_min_spend,"
                "                      special_requests, occasion, stripe_payment_intent_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, 4, 50, 200, %s, 'Birthday', 'pi_test_1')"
                " RETURNING id",
                [
                    VENUE,
                    f"BR-{night:%y%m%d}-{'QWERTY' if note != 'To be deleted' else 'ZXCVBN'}",
                    customer,
                    night,
                    at(demo_conn, night, start),
                    at(demo_conn, night, end),
                    note,
                ],
            )
            demo_conn.execute(
                "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
                [booking, table_id(demo_conn, "Booth 3")],
            )
    demo_conn.execute("DELETE FROM bookings WHERE reference LIKE '%%-ZXCVBN'")
    demo_conn.execute(
        "SELECT set_config('frontdesk.terminal', '', false), "
        "set_config('frontdesk.staff_name', '', false)"
    )
    return g


@pytest.fixture
def manager(demo_conn: Conn) -> Iterator[Conn]:
    sign_in_as(demo_conn, MANAGER, MANAGER_PIN)
    yield demo_conn
    sign_out_of_session(demo_conn)


# ---------------------------------------------------------------------------
# Export.


def test_export_holds_the_profile_bookings_and_audit_entries(guest: Row, manager: Conn) -> None:
    row = export_guest(manager, guest["id"])
    assert (row["success"], row["error_code"]) == (True, None)
    data = row["data"]
    assert data["generated_at"]
    assert data["venue"]["id"] == str(VENUE) and data["venue"]["name"] == "The Backroom Leeds"
    profile = data["profile"]
    assert (profile["id"], profile["name"], profile["phone"], profile["email"]) == (
        str(guest["id"]),
        guest["name"],
        guest["phone"],
        guest["email"],
    )
    assert profile["date_of_birth"] == guest["date_of_birth"].isoformat()
    assert profile["notes"] == f"Regular; receipts to {guest['email']}"
    assert profile["erased_at"] is None

    bookings = {b["id"]: b for b in data["bookings"]}
    assert set(bookings) == {str(r[0]) for r in kept(manager, guest["id"])}
    ours = next(b for b in data["bookings"] if b["reference"].endswith("-QWERTY"))
    assert ours["tables"] == ["Booth 3"] and ours["party_size"] == 4
    assert (ours["deposit"], ours["min_spend"], ours["payment_ref"]) == (
        "50.00",
        "200.00",
        "pi_test_1",
    )
    assert ours["occasion"] == "Birthday" and guest["email"] in ours["special_requests"]
    assert ours["starts_at"].endswith(("+00:00", "+01:00"))  # the venue's offset

    audit = data["audit"]
    kinds = {(a["table_name"], a["operation"]) for a in audit}
    assert {
        ("customers", "INSERT"),
        ("customers", "UPDATE"),
        ("bookings", "INSERT"),
        ("bookings", "DELETE"),
        ("booking_tables", "INSERT"),
    } <= kinds
    deleted = [a for a in audit if a["operation"] == "DELETE" and a["table_name"] == "bookings"]
    assert [a["old_values"]["special_requests"] for a in deleted] == ["To be deleted"]
    # about the guest, their bookings and the deleted one, and no one else
    assert {a["record_id"] for a in audit} == {
        str(guest["id"]),
        *bookings,
        deleted[0]["record_id"],
    }
    assert [a["id"] for a in audit] == sorted(a["id"] for a in audit)


def test_the_command_line_exports_to_a_json_file(
    guest: Row, guest_cli: Any, demo_conn: Conn, tmp_path: Path
) -> None:
    out = tmp_path / "guest.json"
    national = "0" + guest["phone"].removeprefix("+44")
    code, said, _ = guest_cli(
        "export", "--phone", f"{national[:5]} {national[5:]}", "--out", str(out)
    )
    assert code == 0
    assert f"Wrote {guest['name']}'s data to {out}" in said
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["profile"]["email"] == guest["email"]
    assert data["bookings"] and data["audit"]
    assert out.read_text(encoding="utf-8").startswith('{\n  "')  # indented
    assert stat.S_IMODE(out.stat().st_mode) & 0o077 == 0  # personal data: the owner's alone

    by_reference = tmp_path / "by-reference.json"
    ref = scalar(demo_conn, "SELECT reference FROM bookings WHERE reference LIKE '%%-QWERTY'")
    assert guest_cli("export", "--reference", ref.lower(), "--out", str(by_reference))[0] == 0
    assert json.loads(by_reference.read_text(encoding="utf-8"))["profile"]["id"] == str(guest["id"])


# ---------------------------------------------------------------------------
# Erase.


def test_erasing_leaves_no_copy_of_the_phone_email_or_date_of_birth_anywhere(
    guest: Row, manager: Conn
) -> None:
    needles = personal(guest)
    before = copies(manager, needles)
    # the search finds them where they are (so an empty answer means something)
    assert {(t, c) for _, t, c, _ in before} >= {
        ("customers", "phone"),
        ("customers", "email"),
        ("customers", "notes"),
        ("bookings", "special_requests"),
        ("audit_logs", "old_values"),
        ("audit_logs", "new_values"),
    }
    assert {n for *_, n in before} == set(needles)
    bookings = kept(manager, guest["id"])
    audit_rows = scalar(manager, "SELECT count(*) FROM audit_logs")
    outbox = scalar(manager, "SELECT max(id) FROM change_outbox")

    row = erase_guest(manager, guest["id"])
    assert (row["success"], row["error_code"]) == (True, None)

    assert copies(manager, needles) == set()
    c = call(manager, "SELECT * FROM customers WHERE id = %s", [guest["id"]])
    assert (c["name"], c["phone"], c["email"], c["date_of_birth"], c["notes"]) == (
        "Erased guest",
        None,
        None,
        None,
        None,
    )
    assert c["erased_at"] is not None
    # the bookings: kept, with their times, party, tables and money; no free text
    assert kept(manager, guest["id"]) == bookings
    assert (
        scalar(
            manager,
            "SELECT count(*) FROM bookings WHERE customer_id = %s "
            "AND (special_requests IS NOT NULL OR occasion IS NOT NULL)",
            [guest["id"]],
        )
        == 0
    )
    # the guest's name is gone from the audit's copies too
    assert (
        scalar(
            manager,
            "SELECT count(*) FROM audit_logs WHERE record_id = %s "
            "AND (old_values ->> 'name' IS DISTINCT FROM 'Erased guest' AND old_values ? 'name'"
            "  OR new_values ->> 'name' IS DISTINCT FROM 'Erased guest' AND new_values ? 'name')",
            [guest["id"]],
        )
        == 0
    )
    # one audit entry says so, with who and when, without the data
    assert scalar(manager, "SELECT count(*) FROM audit_logs") == audit_rows + 1
    entry = call(manager, "SELECT * FROM audit_logs ORDER BY id DESC LIMIT 1")
    assert (entry["table_name"], entry["operation"], entry["record_id"]) == (
        "customers",
        "ERASE",
        guest["id"],
    )
    assert (entry["staff_name"], entry["terminal"], entry["old_values"]) == (
        MANAGER,
        TERMINAL,
        None,
    )
    assert set(entry["new_values"]) == {
        "id",
        "erased_at",
        "bookings_kept",
        "bookings_cleared",
        "tags_removed",
        "audit_entries_cleared",
    }
    assert entry["new_values"]["bookings_kept"] == len(bookings)
    assert entry["new_values"]["bookings_cleared"] >= 2
    # the grids hear of the bookings that changed
    assert (
        scalar(
            manager,
            "SELECT count(DISTINCT booking_id) FROM change_outbox"
            " WHERE id > %s AND kind = 'updated'",
            [outbox],
        )
        == entry["new_values"]["bookings_cleared"]
    )

    # the export says what is left
    data = export_guest(manager, guest["id"])["data"]
    assert data["profile"]["name"] == "Erased guest" and data["profile"]["erased_at"]
    assert len(data["bookings"]) == len(bookings)
    assert data["audit"][-1]["operation"] == "ERASE"


def test_erasing_twice_is_done_and_audited_once(guest: Row, manager: Conn) -> None:
    assert erase_guest(manager, guest["id"])["success"] is True
    erased_at = scalar(manager, "SELECT erased_at FROM customers WHERE id = %s", [guest["id"]])
    before = snapshot(manager)
    assert erase_guest(manager, guest["id"])["success"] is True
    assert snapshot(manager) == before
    # something personal written since is cleared, and audited as a new erasure
    manager.execute(
        "UPDATE bookings SET special_requests = 'Ring 07700 900123' "
        "WHERE id = (SELECT id FROM bookings WHERE customer_id = %s LIMIT 1)",
        [guest["id"]],
    )
    assert erase_guest(manager, guest["id"])["success"] is True
    assert copies(manager, ["07700 900123"]) == set()
    assert (
        scalar(
            manager,
            "SELECT count(*) FROM audit_logs WHERE record_id = %s AND operation = 'ERASE'",
            [guest["id"]],
        )
        == 2
    )
    assert (
        scalar(manager, "SELECT erased_at FROM customers WHERE id = %s", [guest["id"]]) == erased_at
    )


def test_a_booking_moved_to_another_guest_keeps_their_words(guest: Row, manager: Conn) -> None:
    other: UUID = scalar(
        manager,
        "SELECT id FROM customers WHERE venue_id = %s AND id <> %s LIMIT 1",
        [VENUE, guest["id"]],
    )
    booking: UUID = scalar(manager, "SELECT id FROM bookings WHERE reference LIKE '%%-QWERTY'")
    manager.execute(
        "UPDATE bookings SET customer_id = %s, special_requests = 'Their own words' WHERE id = %s",
        [other, booking],
    )
    assert erase_guest(manager, guest["id"])["success"] is True
    assert copies(manager, personal(guest)) == set()
    assert scalar(manager, "SELECT special_requests FROM bookings WHERE id = %s", [booking]) == (
        "Their own words"
    )
    moved = call(
        manager,
        "SELECT old_values, new_values FROM audit_logs WHERE record_id = %s "
        "AND table_name = 'bookings' AND operation = 'UPDATE' ORDER BY id DESC LIMIT 1",
        [booking],
    )
    assert moved["old_values"]["special_requests"] is None  # the erased guest's version
    assert moved["new_values"]["special_requests"] == "Their own words"


def test_an_erased_guest_is_not_found_by_their_old_contact_details(
    guest: Row, manager: Conn
) -> None:
    assert erase_guest(manager, guest["id"])["success"] is True
    made = call(
        manager,
        "SELECT * FROM match_or_create_customer(%s, %s, %s, %s)",
        [VENUE, guest["name"], guest["phone"], guest["email"]],
    )
    assert made["success"] and made["is_new"] and made["id"] != guest["id"]


def test_an_erased_guest_cannot_be_booked_by_their_old_card(
    guest: Row, manager: Conn, demo_conn: Conn
) -> None:
    assert erase_guest(manager, guest["id"])["success"] is True
    night = quiet_friday(demo_conn)
    before = scalar(demo_conn, "SELECT count(*) FROM bookings")
    refused = call(
        manager,
        "SELECT * FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
        [
            VENUE,
            guest["id"],
            [table_id(demo_conn, "Booth 5")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    assert (refused["success"], refused["error_code"]) == (False, "INVALID_CUSTOMER")
    assert "erased at their request" in refused["error_message"]
    assert scalar(demo_conn, "SELECT count(*) FROM bookings") == before


# ---------------------------------------------------------------------------
# Who may, and refusals.


def test_a_host_may_not_export_or_erase(guest: Row, demo_conn: Conn) -> None:
    sign_in_as(demo_conn, HOST, HOST_PIN)
    before = snapshot(demo_conn)
    for row in (export_guest(demo_conn, guest["id"]), erase_guest(demo_conn, guest["id"])):
        assert (row["success"], row["error_code"]) == (False, "NOT_ALLOWED")
        assert "manager" in row["error_message"]
    assert export_guest(demo_conn, guest["id"])["data"] is None
    assert snapshot(demo_conn) == before


def test_the_owner_needs_no_session(guest: Row, demo_conn: Conn) -> None:
    assert export_guest(demo_conn, guest["id"])["success"] is True
    assert erase_guest(demo_conn, guest["id"])["success"] is True


@pytest.mark.parametrize(
    ("venue", "customer"),
    [(VENUE, uuid.UUID(int=7)), (VENUE, None), (None, None), (uuid.UUID(int=8), None)],
)
def test_an_unknown_customer_is_refused(
    demo_conn: Conn, venue: UUID | None, customer: UUID | None
) -> None:
    # as the owner, without a session: past the session check
    before = snapshot(demo_conn)
    for row in (
        export_guest(demo_conn, customer, venue),
        erase_guest(demo_conn, customer, venue),
    ):
        assert (row["success"], row["error_code"]) == (False, "UNKNOWN_CUSTOMER")
    assert snapshot(demo_conn) == before


def test_another_venues_guest_is_refused(manager: Conn, demo_db_url: str) -> None:
    with connect(demo_db_url) as setup:
        other = make_venue(setup, name="Elsewhere")
    before = snapshot(manager)
    # through this venue: not one of its customers
    for row in (export_guest(manager, other.adult), erase_guest(manager, other.adult)):
        assert (row["success"], row["error_code"]) == (False, "UNKNOWN_CUSTOMER")
    # through the other venue: the manager's session is this venue's
    for row in (
        export_guest(manager, other.adult, other.id),
        erase_guest(manager, other.adult, other.id),
    ):
        assert (row["success"], row["error_code"]) == (False, "NOT_ALLOWED")
    assert snapshot(manager) == before


def test_a_guest_locked_by_another_transaction_is_busy_and_nothing_changes(
    guest: Row, manager: Conn, demo_db_url: str
) -> None:
    with psycopg.connect(demo_db_url) as other:
        other.execute("SELECT 1 FROM customers WHERE id = %s FOR UPDATE", [guest["id"]])
        before = snapshot(manager)
        row = erase_guest(manager, guest["id"])
        other.rollback()
    assert (row["success"], row["error_code"]) == (False, "BUSY")
    assert snapshot(manager) == before


# ---------------------------------------------------------------------------
# The app's calls, through the desk's Database.


def test_the_apps_calls_return_the_data_and_raise_refusals(guest: Row, demo_db_url: str) -> None:
    db = Database(demo_db_url, staff=StaffContext(terminal=TERMINAL, staff_name=MANAGER))
    try:
        data = guest_rights.export_guest(db, VENUE, guest["id"])
        held = guest_rights.held(data)
        assert (held.name, held.phone, held.date_of_birth) == (
            guest["name"],
            guest["phone"],
            guest["date_of_birth"],
        )
        assert held.bookings == len(data["bookings"]) and held.with_free_text >= 2
        assert held.first_night is not None and held.last_night is not None
        assert held.first_night <= held.last_night
        changes = guest_rights.erasure_changes(data)
        assert sum(len(c.booking_ids) for c in changes) == held.bookings
        assert all(c.venue_id == VENUE and c.table_ids for c in changes)

        guest_rights.erase_guest(db, VENUE, guest["id"])
        assert guest_rights.held(guest_rights.export_guest(db, VENUE, guest["id"])).erased_at
        with pytest.raises(Refused) as refused:
            guest_rights.erase_guest(db, VENUE, uuid.UUID(int=9))
        assert refused.value.code == "UNKNOWN_CUSTOMER"
        with pytest.raises(Refused):
            guest_rights.export_guest(db, VENUE, uuid.UUID(int=9))
    finally:
        db.close()


# ---------------------------------------------------------------------------
# The command line.


@pytest.fixture
def guest_cli(
    demo_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Any]:
    """``frontdesk guest ...`` against the demo database: (exit code, out, err)."""
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", demo_db_url)
    monkeypatch.setenv("FRONTDESK_TERMINAL", TERMINAL)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["guest", *args])
        out, err = capsys.readouterr()
        return code, out, err

    yield run


def test_the_command_line_erases_after_the_name_is_typed(
    guest: Row, guest_cli: Any, demo_conn: Conn
) -> None:
    before = snapshot(demo_conn)
    code, out, err = guest_cli("erase", "--email", guest["email"].upper(), stdin="Someone Else\n")
    assert code == 1 and err.strip() == (
        "frontdesk: That is not the guest's name: nothing was erased."
    )
    assert "It keeps their bookings" in out
    code, _, err = guest_cli("erase", "--email", guest["email"])  # no answer at all
    assert code == 1 and "Not confirmed" in err
    assert snapshot(demo_conn) == before

    typed = "  " + guest["name"].upper().replace(" ", "   ") + "\n"
    code, out, _ = guest_cli("erase", "--id", str(guest["id"]), stdin=typed)
    assert code == 0 and f"Erased {guest['name']} (customer {guest['id']})" in out
    assert copies(demo_conn, personal(guest)) == set()
    entry = call(demo_conn, "SELECT * FROM audit_logs ORDER BY id DESC LIMIT 1")
    assert (entry["operation"], entry["staff_name"], entry["terminal"]) == (
        "ERASE",
        guest_rights.AUDIT_NAME,
        TERMINAL,
    )

    code, out, _ = guest_cli("erase", "--id", str(guest["id"]))
    assert code == 0 and "was erased on" in out


def test_the_command_line_erases_with_yes(guest: Row, guest_cli: Any, demo_conn: Conn) -> None:
    ref = scalar(demo_conn, "SELECT reference FROM bookings WHERE reference LIKE '%%-QWERTY'")
    code, out, _ = guest_cli("erase", "--reference", ref, "--yes")
    assert code == 0 and "Erased" in out and "type" not in out.lower()
    assert scalar(demo_conn, "SELECT name FROM customers WHERE id = %s", [guest["id"]]) == (
        "Erased guest"
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--phone", "07700 000000"), "No guest here has the phone '07700 000000'."),
        (("--email", "nobody@example.com"), "No guest here has the email"),
        (("--reference", "BR-000000-AAAAAA"), "No guest here has the booking reference"),
        (("--id", str(uuid.UUID(int=5))), "No guest here has the id"),
        (("--name", "Nobody Atall"), "No guest here has the name"),
        (("--phone", "0113", "--venue", "Elsewhere"), "no venue called 'Elsewhere'"),
    ],
)
def test_command_line_problems_are_one_line_and_exit_1(
    guest_cli: Any, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    code, out, err = guest_cli("export", *args, "--out", str(tmp_path / "x.json"))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("frontdesk: ")
    assert says in err
    assert not (tmp_path / "x.json").exists()


def test_a_name_shared_by_several_guests_asks_for_more(
    guest_cli: Any, demo_conn: Conn, tmp_path: Path
) -> None:
    shared: str = scalar(
        demo_conn, "SELECT name FROM customers WHERE venue_id = %s ORDER BY id LIMIT 1", [VENUE]
    )
    demo_conn.execute("INSERT INTO customers (venue_id, name) VALUES (%s, %s)", [VENUE, shared])
    code, _, err = guest_cli("export", "--name", shared, "--out", str(tmp_path / "x.json"))
    assert code == 1 and "guests are called" in err and "--phone" in err


def test_names_match_ignores_case_and_spacing() -> None:
    assert guest_rights.names_match("  oliver   GREEN ", "Oliver Green")
    assert not guest_rights.names_match("Oliver", "Oliver Green")
    assert not guest_rights.names_match("", "")


def test_write_export_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text("old", encoding="utf-8")
    guest_rights.write_export(
        path, {"profile": {"name": "Zoë Brontë"}, "when": str(date(2026, 1, 2))}
    )
    assert json.loads(path.read_text(encoding="utf-8"))["profile"]["name"] == "Zoë Brontë"
    assert "Zoë" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]
