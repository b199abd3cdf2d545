"""The audit log says issue 15's changes in words: spend against a booking
and its deposit's status, a guest's tags and a manager's override of a ban,
the venue's tag list and the door's waitlist.  Each is done through the
engine's public functions by real desk logins (Priya, a host, at DESK-1;
Sam, a manager, at OFFICE), then read back as a manager reads it
(frontdesk.audit_log over audit_changes), filtered by the new kinds and
exported as CSV.  A guest erased afterwards still reads, without their
details.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from frontdesk import audit_log
from frontdesk.audit_log import AuditChange, AuditFilter
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from tests import clock, logins
from tests.clock import EngineClock
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    Row,
    a_customer,
    at,
    call,
    insert_booking,
    quiet_friday,
    scalar,
    table_id,
)

LoginUrl = Callable[[str, str | None], str]


def ok(conn: Conn, query: str, params: Any = None) -> Row:
    row = call(conn, query, params)
    assert row["success"], row
    return row


@pytest.fixture
def night(demo_db_url: str, demo_conn: Conn, engine_clock: EngineClock) -> date:
    """A quiet night in progress: the engine's clock at 23:00 on it (the
    audit's own times are the real clock's)."""
    quiet = quiet_friday(demo_conn)
    engine_clock.set(demo_db_url, clock.on_night(quiet, "23:00"), demo_conn)
    return quiet


@pytest.fixture
def desks(demo_db_url: str, login_url: LoginUrl, night: date) -> Iterator[tuple[Conn, Conn]]:
    """Priya (host) at DESK-1 and Sam (manager) at OFFICE."""
    url = login_url(demo_db_url, "desk")
    with (
        psycopg.connect(url, autocommit=True) as priya,
        psycopg.connect(url, autocommit=True) as sam,
    ):
        logins.sign_in(priya, VENUE, "Priya", "2468", terminal="DESK-1")
        logins.sign_in(sam, VENUE, "Sam", "1357", terminal="OFFICE")
        yield priya, sam


@pytest.fixture
def desk(demo_db_url: str) -> Iterator[Desk]:
    db = Database(demo_db_url, staff=StaffContext(terminal="READER", staff_name="Owner"))
    yield Desk(db, VENUE, wait=lambda _s: None)
    db.close()


@pytest.fixture
def since(demo_conn: Conn) -> datetime:
    """Before anything the test does (the demo's own rows are older)."""
    now: datetime = scalar(demo_conn, "SELECT now()")
    return now


def _changes(desk: Desk, since: datetime, **kw: Any) -> list[AuditChange]:
    wanted = AuditFilter(since=since, until=since + timedelta(hours=1), **{"kinds": None, **kw})
    return list(audit_log.all_changes(desk, wanted))


def _tag(conn: Conn, name: str) -> UUID:
    tid: UUID = scalar(conn, "SELECT id FROM guest_tag_list(%s) WHERE name = %s", [VENUE, name])
    return tid


def _tags(conn: Conn, customer: UUID, *names: str) -> None:
    ok(
        conn,
        "SELECT * FROM set_guest_tags(%s, %s, %s::uuid[])",
        [VENUE, customer, [_tag(conn, n) for n in names]],
    )


# --- spend and deposits ---------------------------------------------------------


def test_spend_reads_against_its_booking(
    desk: Desk, demo_conn: Conn, desks: tuple[Conn, Conn], night: date, since: datetime
) -> None:
    priya, sam = desks
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30", party=4)
    ok(priya, "SELECT * FROM record_spend(%s, 45, 'bottle of Grey Goose')", [booking])
    ok(priya, "SELECT * FROM record_spend(%s, 12.50)", [booking])
    ok(sam, "SELECT * FROM record_spend(%s, -10, 'rang up twice')", [booking])
    till = [{"line": 2, "table": "Booth 3", "time": "23:15", "amount": "120.00", "key": "t-1"}]
    row = ok(
        priya,
        "SELECT * FROM import_pos_spend(%s, %s, %s::json)",
        [VENUE, night, json.dumps(till)],
    )
    assert row["imported"] == 1

    changes = [c for c in _changes(desk, since) if c.record_id == booking]
    # newest first: the till, the correction, two by hand, the booking made
    assert [(c.what, c.changes) for c in changes[:4]] == [
        ("Till spend imported", ("£120 on the till at 23:15",)),
        ("Spend corrected", ("−£10 correction — rang up twice",)),
        ("Spend recorded", ("£12.50",)),
        ("Spend recorded", ("£45 — bottle of Grey Goose",)),
    ]
    assert changes[4].what == "New booking"
    spend = changes[3]
    assert spend.subject == "booking" and spend.kinds == ("spend",)
    assert (spend.staff_name, spend.terminal) == ("Priya", "DESK-1")
    assert (changes[1].staff_name, changes[1].terminal) == ("Sam", "OFFICE")
    reference = scalar(demo_conn, "SELECT reference FROM bookings WHERE id = %s", [booking])
    assert {c.reference for c in changes} == {reference}
    assert all(c.night == night and c.guest_name for c in changes)


def test_a_deposits_status_is_its_own_kind(
    desk: Desk, demo_conn: Conn, desks: tuple[Conn, Conn], night: date, since: datetime
) -> None:
    priya, sam = desks
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    ok(priya, "SELECT * FROM set_deposit_status(%s, 'paid', 'pi_123')", [booking])
    ok(sam, "SELECT * FROM set_deposit_status(%s, 'forfeited')", [booking])
    ok(sam, "SELECT * FROM set_deposit_status(%s, 'paid', 'pi_456')", [booking])
    # a booking weeks ahead cancelled: the policy refunds its paid deposit
    later = night + timedelta(days=28)
    ahead = insert_booking(demo_conn, ["Booth 4"], later, "22:00", "00:30")
    ok(priya, "SELECT * FROM set_deposit_status(%s, 'paid', 'pi_789')", [ahead])
    ok(priya, "SELECT * FROM set_booking_status(%s, 'cancelled')", [ahead])

    mine = [c for c in _changes(desk, since) if c.record_id == booking]
    assert [(c.what, c.kinds, c.changes) for c in mine[:3]] == [
        ("Deposit paid", ("deposit",), ("deposit forfeited → paid (pi_456)",)),
        ("Deposit forfeited", ("deposit",), ("deposit paid → forfeited",)),
        ("Deposit paid", ("deposit",), ("deposit due → paid (pi_123)",)),
    ]
    cancelled = next(c for c in _changes(desk, since) if c.record_id == ahead)
    assert cancelled.what == "Status changed, deposit refunded"
    assert set(cancelled.kinds) == {"status", "deposit"}  # not 'edited': the stamp is quiet
    assert cancelled.changes == ("status confirmed → cancelled", "deposit paid → refunded")


# --- guests ---------------------------------------------------------------------


def test_a_guests_tags_and_a_ban_overridden(
    desk: Desk, demo_conn: Conn, desks: tuple[Conn, Conn], night: date, since: datetime
) -> None:
    priya, sam = desks
    guest = a_customer(demo_conn, 8)
    name = scalar(demo_conn, "SELECT name FROM customers WHERE id = %s", [guest])
    _tags(priya, guest, "VIP", "Regular")
    _tags(priya, guest, "VIP")
    _tags(sam, guest, "VIP", "Banned")
    with sam.transaction():
        ok(sam, "SELECT * FROM override_guest_ban(%s, 'Apologised; owner agreed')", [guest])
        booked = ok(
            sam,
            "SELECT * FROM desk_book(%s, %s, %s, %s, %s, %s, 2)",
            [
                VENUE,
                guest,
                [table_id(demo_conn, "Booth 5")],
                night,
                at(demo_conn, night, "23:30"),
                at(demo_conn, night, "01:00"),
            ],
        )
    reference = scalar(
        demo_conn, "SELECT reference FROM bookings WHERE id = %s", [booked["booking_id"]]
    )

    about = [c for c in _changes(desk, since) if c.record_id == guest]
    assert [(c.what, c.kinds, c.changes) for c in about] == [
        (
            "Banned guest booked (manager's override)",
            ("ban_override",),
            ("reason: “Apologised; owner agreed”", "tagged Banned"),
        ),
        ("Guest's tags changed", ("tagged",), ("Tag Banned added",)),
        ("Guest's tags changed", ("tagged",), ("Tag Regular removed",)),
        ("Guest's tags changed", ("tagged",), ("Tag Regular added", "Tag VIP added")),
    ]
    assert {c.subject for c in about} == {"guest"} and {c.guest_name for c in about} == {name}
    override = about[0]
    assert (override.reference, override.night) == (reference, night)
    assert (override.staff_name, override.terminal) == ("Sam", "OFFICE")

    # erased: the words cope with what the erasure cleared
    ok(sam, "SELECT * FROM erase_guest(%s, %s)", [VENUE, guest])
    after = [c for c in _changes(desk, since) if c.record_id == guest]
    assert [(c.what, c.changes) for c in after[1:]] == [
        ("Banned guest booked (manager's override)", ("reason erased",)),
        ("Guest's tags changed", ("Tag (erased) added",)),
        ("Guest's tags changed", ("Tag (erased) removed",)),
        ("Guest's tags changed", ("Tag (erased) added", "Tag (erased) added")),
    ]
    assert after[0].what == "Guest erased"
    assert {c.guest_name for c in after} == {"Erased guest"}
    assert name not in repr(after) and "Apologised" not in repr(after)


def test_the_venues_tag_list(
    desk: Desk, demo_conn: Conn, desks: tuple[Conn, Conn], since: datetime
) -> None:
    _, sam = desks
    tags = [
        dict(row)
        for row in sam.cursor(row_factory=dict_row).execute(
            "SELECT id::text, name, kind, is_active FROM guest_tag_list(%s)", [VENUE]
        )
    ]
    for tag in tags:
        if tag["name"] == "Allergy":
            tag["name"] = "Allergies"
        if tag["name"] == "Regular":
            tag["is_active"] = False
    tags.append({"name": "Door list", "kind": "note", "is_active": True})
    ok(sam, "SELECT * FROM save_guest_tags(%s, %s::jsonb)", [VENUE, json.dumps(tags)])

    changes = _changes(desk, since)
    assert changes and {(c.subject, c.what, c.kinds) for c in changes} == {
        ("tags", "Tag list changed", ("tag_list",))
    }
    assert sorted(w for c in changes for w in c.changes) == [
        "Allergy renamed Allergies",
        "Door list added (note)",
        "Regular retired",
    ]
    assert {c.staff_name for c in changes} == {"Sam"}


# --- the waitlist ---------------------------------------------------------------


def _waitlist(
    demo_db_url: str, engine_clock: EngineClock, desks: tuple[Conn, Conn], night: date
) -> dict[str, Any]:
    """Jordan Lee added at 23:00 (quoted 15), seated at 23:25; Sasha added
    and gone by 23:40."""
    priya, sam = desks
    jordan = ok(
        priya,
        "SELECT * FROM add_to_waitlist(%s, 'Jordan Lee', 4, '07700 900123', 15)",
        [VENUE],
    )["entry_id"]
    sasha = ok(priya, "SELECT * FROM add_to_waitlist(%s, 'Sasha', 2)", [VENUE])["entry_id"]
    engine_clock.set(demo_db_url, clock.on_night(night, "23:25"), priya, sam)
    tables = call(
        priya, "SELECT table_ids FROM waitlist_suggestions(%s, %s) LIMIT 1", [VENUE, jordan]
    )["table_ids"]
    seated = ok(priya, "SELECT * FROM seat_from_waitlist(%s, %s, %s)", [VENUE, jordan, tables])
    engine_clock.set(demo_db_url, clock.on_night(night, "23:40"), priya, sam)
    ok(sam, "SELECT * FROM waitlist_left(%s, %s)", [VENUE, sasha])
    return {"jordan": jordan, "sasha": sasha, "reference": seated["booking_reference"]}


def test_the_waitlist_in_words(
    desk: Desk,
    demo_db_url: str,
    engine_clock: EngineClock,
    desks: tuple[Conn, Conn],
    night: date,
    since: datetime,
) -> None:
    ids = _waitlist(demo_db_url, engine_clock, desks, night)
    changes = [c for c in _changes(desk, since) if c.subject == "waitlist"]
    said = {(c.record_id, c.what): c for c in changes}
    assert len(said) == len(changes) == 4
    added = said[ids["jordan"], "Added to the waitlist"]
    assert added.changes == ("Jordan Lee, 4 guests", "quoted 15 min", "phone 07700 900123")
    seated = said[ids["jordan"], "Seated from the waitlist"]
    assert seated.changes == (
        "Jordan Lee, 4 guests",
        f"seated as {ids['reference']}",
        "waited 25 min (quoted 15)",
    )
    assert (seated.reference, seated.night, seated.guest_name) == (
        ids["reference"],
        night,
        "Jordan Lee",
    )
    assert said[ids["sasha"], "Added to the waitlist"].changes == ("Sasha, 2 guests",)
    left = said[ids["sasha"], "Left the waitlist"]
    assert left.changes == ("Sasha, 2 guests", "left after 40 min")
    assert (left.staff_name, left.kinds) == ("Sam", ("waitlist",))


# --- filters and CSV ------------------------------------------------------------


@pytest.fixture
def everything(
    desk: Desk,
    demo_db_url: str,
    demo_conn: Conn,
    engine_clock: EngineClock,
    desks: tuple[Conn, Conn],
    night: date,
    since: datetime,
) -> list[AuditChange]:
    """One of each: spend, a deposit, a guest's tag, the tag list, the
    waitlist; every change read back."""
    priya, sam = desks
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    ok(priya, "SELECT * FROM record_spend(%s, 45, 'bottle of Grey Goose')", [booking])
    ok(priya, "SELECT * FROM set_deposit_status(%s, 'paid', 'pi_123')", [booking])
    _tags(priya, a_customer(demo_conn, 3), "VIP")
    tags = [
        dict(r)
        for r in sam.cursor(row_factory=dict_row).execute(
            "SELECT id::text, name, kind, is_active FROM guest_tag_list(%s)", [VENUE]
        )
    ]
    ok(
        sam,
        "SELECT * FROM save_guest_tags(%s, %s::jsonb)",
        [VENUE, json.dumps([*tags, {"name": "Birthday", "kind": "note"}])],
    )
    _waitlist(demo_db_url, engine_clock, desks, night)
    return _changes(desk, since)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Spend and deposits", {"Spend recorded", "Deposit paid"}),
        ("Guest tags", {"Guest's tags changed", "Tag list changed"}),
        ("Waitlist", {"Added to the waitlist", "Seated from the waitlist", "Left the waitlist"}),
    ],
)
def test_the_new_kinds_filter(
    desk: Desk, everything: list[AuditChange], since: datetime, label: str, expected: set[str]
) -> None:
    kinds = dict(audit_log.KIND_FILTERS)[label]
    assert {c.what for c in _changes(desk, since, kinds=kinds)} == expected
    # and the window's default (everything but holds) shows them
    assert expected <= {c.what for c in _changes(desk, since, kinds=audit_log.WITHOUT_HOLDS)}


def test_every_kind_has_a_label(everything: list[AuditChange]) -> None:
    labelled = {k for k, _ in audit_log.KINDS}
    assert {k for c in everything for k in c.kinds} <= labelled
    filtered = set().union(*(kinds for _, kinds in audit_log.KIND_FILTERS))
    assert filtered == labelled


def test_the_csv_has_them(everything: list[AuditChange], tmp_path: Path) -> None:
    path = tmp_path / "audit.csv"
    assert audit_log.write_csv(path, everything) == len(everything)
    text = path.read_text("utf-8-sig")
    for words in (
        "Spend recorded",
        "£45 — bottle of Grey Goose",
        "Deposit paid",
        "deposit due → paid (pi_123)",
        "Tag VIP added",
        "Tag list changed",
        "Birthday added (note)",
        "Seated from the waitlist",
        "Left the waitlist",
    ):
        assert words in text, words
