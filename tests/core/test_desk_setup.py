"""The desk's venue setup (frontdesk.desk): read, save, refusals with their
path and stranded bookings, table blocks, the venues of a database, and the
venue's fields following a save."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest

from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.errors import Refused
from frontdesk.venue_setup import SetupRefused, VenueChoice
from tests.core.desk_helpers import VENUE, Conn, at, insert_booking, quiet_friday, table_id


@pytest.fixture
def desk_db(demo_db_url: str, login_url: Callable[[str, str | None], str]) -> Iterator[Database]:
    database = Database(login_url(demo_db_url, "desk"), staff=StaffContext("DESK-1"))
    yield database
    database.close()


@pytest.fixture
def manager(desk_db: Database) -> Desk:
    desk = Desk(desk_db, VENUE, wait=lambda _s: None)
    desk.sign_in("Sam", "1357")
    return desk


@pytest.fixture
def conn(demo_conn: Conn) -> Conn:
    return demo_conn


def table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in doc["tables"] if t["name"] == name)
    return found


def test_a_manager_reads_the_setup_and_saves_a_change(manager: Desk) -> None:
    doc = manager.venue_setup()
    assert doc["name"] == "The Backroom Leeds" and doc["version"]
    edited = copy.deepcopy(doc)
    table(edited, "Booth 1")["capacity"] = 5
    saved = manager.save_venue_setup(edited)
    assert saved.venue_id == VENUE and saved.changed_anything
    assert table(manager.venue_setup(), "Booth 1")["capacity"] == 5


def test_a_second_save_from_the_same_version_is_told_the_setup_changed(manager: Desk) -> None:
    doc = manager.venue_setup()
    first = copy.deepcopy(doc)
    table(first, "Booth 1")["capacity"] = 5
    manager.save_venue_setup(first)
    second = copy.deepcopy(doc)
    table(second, "Booth 2")["capacity"] = 5
    with pytest.raises(SetupRefused) as refused:
        manager.save_venue_setup(second)
    assert refused.value.code == "SETUP_CHANGED"


def test_an_invalid_setup_names_its_place(manager: Desk) -> None:
    doc = manager.venue_setup()
    doc["tables"][2]["capacity"] = 0
    with pytest.raises(SetupRefused) as refused:
        manager.save_venue_setup(doc)
    assert refused.value.code == "INVALID_SETUP"
    assert refused.value.path == ("tables", "3", "capacity")
    assert "capacity" in refused.value.message


def test_a_save_that_would_strand_a_booking_lists_it_and_changes_nothing(
    manager: Desk, conn: Conn
) -> None:
    night = quiet_friday(conn)
    booking = insert_booking(conn, ["Booth 3"], night, "22:00", "00:30", party=5)
    doc = manager.venue_setup()
    table(doc, "Booth 3")["capacity"] = 2
    with pytest.raises(SetupRefused) as refused:
        manager.save_venue_setup(doc)
    error = refused.value
    assert error.code == "STRANDED_BOOKINGS"
    assert {s.why for s in error.stranded} == {"capacity"}
    (ours,) = [s for s in error.stranded if s.booking_id == booking]
    assert (ours.night, ours.tables, ours.party_size) == (night, ("Booth 3",), 5)
    assert ours.reference.startswith("BR-") and ours.guest and "22:00" in ours.times
    assert table(manager.venue_setup(), "Booth 3")["capacity"] == 6


def test_a_host_may_not_read_or_save_the_setup(desk_db: Database) -> None:
    host = Desk(desk_db, VENUE)
    host.sign_in("Priya", "2468")
    with pytest.raises(Refused) as refused:
        host.venue_setup()
    assert refused.value.code == "NOT_ALLOWED"
    with pytest.raises(Refused) as refused:
        host.save_venue_setup({"name": "Mine now"})
    assert refused.value.code == "NOT_ALLOWED"


def test_the_venue_fields_follow_a_save_at_another_desk(
    manager: Desk, desk_db: Database, conn: Conn
) -> None:
    other = Desk(desk_db, VENUE)
    assert other.venue_name == "The Backroom Leeds" and other.idle_lock_minutes == 5
    doc = manager.venue_setup()
    manager.save_venue_setup(
        {
            "name": "The Backroom",
            "phone_country": "IE",
            "policy": {**doc["policy"], "idle_lock_minutes": 9, "default_booking_minutes": 120},
            "version": doc["version"],
        }
    )
    assert manager.venue_name == "The Backroom" and manager.idle_lock_minutes == 9
    plan = manager.night_plan(quiet_friday(conn))  # read by the manager, another desk's fields
    assert plan.venue_name == "The Backroom"
    other.refresh_venue()
    assert (other.venue_name, other.phone_country, other.default_booking_minutes) == (
        "The Backroom",
        "IE",
        120,
    )
    assert other.idle_lock_minutes == 9


def test_a_manager_blocks_a_table_and_the_plan_shows_it_then_unblocks(
    manager: Desk, conn: Conn
) -> None:
    night = quiet_friday(conn)
    booth = table_id(conn, "Booth 6")
    block_id = manager.block_table(
        booth, night, at(conn, night, "23:00"), at(conn, night, "02:00"), "  Broken   booth "
    )
    (shown,) = manager.night_plan(night).blocks
    assert (shown.id, shown.table_id, shown.reason, shown.whole_night) == (
        block_id,
        booth,
        "Broken booth",
        False,
    )
    assert shown.starts_at == at(conn, night, "23:00")
    manager.unblock_table(block_id)
    assert manager.night_plan(night).blocks == ()


def test_a_whole_night_block_over_a_booking_is_refused_naming_it(manager: Desk, conn: Conn) -> None:
    night = quiet_friday(conn)
    insert_booking(conn, ["Booth 2"], night, "22:00", "00:30")
    with pytest.raises(SetupRefused) as refused:
        manager.block_table(table_id(conn, "Booth 2"), night, reason="Leak")
    assert refused.value.code == "STRANDED_BOOKINGS"
    assert [s.tables for s in refused.value.stranded] == [("Booth 2",)]
    assert manager.night_plan(night).blocks == ()


def test_unblocking_an_unknown_block_is_refused(manager: Desk) -> None:
    with pytest.raises(Refused) as refused:
        manager.unblock_table(uuid4())
    assert refused.value.code == "UNKNOWN_BLOCK"


def test_the_venues_of_a_database_oldest_first(desk_db: Database, conn: Conn) -> None:
    assert Desk.venues(desk_db) == [VenueChoice(VENUE, "The Backroom Leeds")]
