"""Venue setup without SQL (sql/engine/58_setup.sql): one document read and
saved by a manager; nothing stranded (each guard refuses, naming the bookings,
and changes nothing); audited; told on the change feed."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from frontdesk.listener import summary_changes
from tests import logins
from tests.core.desk_helpers import VENUE, scalar
from tests.core.engine_helpers import (
    Conn,
    Venue,
    connect,
    create_booking,
    night_ahead,
    wait_until,
    waits_on_lock,
)
from tests.core.setup_helpers import add_staff, references, save, setup_of, state

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZERO = {"venue": 0, "floors": 0, "tables": 0, "joins": 0, "hours": 0, "nights": 0, "blocks": 0}


def label(night: date) -> str:
    """As the engine names a night: 'Fri 4 Dec 2026'."""
    return f"{night:%a} {night.day} {night:%b %Y}"


def cancel(conn: Conn, booking: dict[str, Any]) -> None:
    row = conn.execute(
        "SELECT success FROM set_booking_status(%s, 'cancelled')", [booking["booking_id"]]
    ).fetchone()
    assert row is not None and row["success"]


def the_table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in doc["tables"] if t["name"] == name)
    return found


def refused(row: dict[str, Any], code: str) -> dict[str, Any]:
    assert row["success"] is False, row
    assert row["error_code"] == code, row
    assert row["saved_venue_id"] is None and row["changes"] is None
    return row


# ---------------------------------------------------------------------------
# Reading and saving.


def test_the_setup_reads_back_and_saving_it_as_it_is_changes_nothing(
    conn: Conn, venue: Venue
) -> None:
    doc = setup_of(conn, venue.id)
    assert doc["name"] == "Engine Test Venue" and doc["time_zone"] == "Europe/London"
    assert [f["name"] for f in doc["floors"]] == ["Main"]
    assert [(t["name"], t["capacity"], t["min_spend"], t["joins"]) for t in doc["tables"]] == [
        ("T1", 2, "50.00", ["T2"]),
        ("T2", 4, "100.00", ["T3"]),
        ("T3", 4, "100.00", ["T4"]),
        ("T4", 6, "200.00", []),
        ("T5", 8, "300.00", []),
    ]
    assert doc["hours"]["fri"] == {"opens": "21:00", "closes": "04:00"}
    assert doc["policy"]["max_days_ahead"] == 400 and doc["policy"]["idle_lock_minutes"] == 5
    assert doc["nights"] == [] and doc["blocks"] == []
    before = state(conn, venue.id)
    row = save(conn, venue.id, doc)
    assert row["success"], row
    assert row["changes"] == ZERO
    assert state(conn, venue.id) == before


def test_a_whole_setup_is_saved_in_one_go(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue, 20)
    doc = setup_of(conn, venue.id)
    doc["currency"] = "EUR"
    doc["policy"]["max_party_size"] = 20
    doc["floors"] = [{"name": "Terrace"}, *doc["floors"]]  # a new floor, first
    doc["tables"].append(
        {"name": "T6", "floor": "Terrace", "capacity": 10, "min_spend": "500", "deposit": 75.5}
    )
    the_table(doc, "T5")["premium"] = True
    doc["hours"].pop("mon")  # closed on Mondays from now on
    doc["nights"] = [
        {
            "date": night.isoformat(),
            "event": "Jazz",
            "opens": "20:00",
            "closes": "01:00",
            "min_spend_factor": "1.5",
            "notes": "Band from 21:00",
        },
        {"date": (night + timedelta(days=1)).isoformat(), "closed": True, "reason": "Refit"},
    ]
    row = save(conn, venue.id, doc)
    assert row["success"], row
    assert row["changes"] == {**ZERO, "venue": 1, "floors": 2, "tables": 2, "hours": 1, "nights": 2}
    after = setup_of(conn, venue.id)
    assert after["currency"] == "EUR" and after["policy"]["max_party_size"] == 20
    assert [f["name"] for f in after["floors"]] == ["Terrace", "Main"]
    six = the_table(after, "T6")
    assert (six["floor"], six["min_spend"], six["deposit"], six["grid_order"]) == (
        "Terrace",
        "500.00",
        "75.50",
        6,
    )
    assert "mon" not in after["hours"]
    assert after["nights"] == [
        {
            "date": night.isoformat(),
            "event": "Jazz",
            "opens": "20:00",
            "closes": "01:00",
            "min_spend_factor": "1.5",
            "notes": "Band from 21:00",
        },
        {"date": (night + timedelta(days=1)).isoformat(), "closed": True, "reason": "Refit"},
    ]
    # The rules read it at once: the closed night says why.
    closed = create_booking(conn, venue, night=night + timedelta(days=1))
    assert closed["error_code"] == "VENUE_CLOSED"
    assert closed["error_message"].endswith("(Refit).")
    # and saving it again is no change at all
    assert save(conn, venue.id, after)["changes"] == ZERO


def test_sections_left_out_stay_as_they_are(conn: Conn, venue: Venue) -> None:
    before = setup_of(conn, venue.id)
    row = save(conn, venue.id, {"policy": {"min_age": 21}})
    assert row["success"] and row["changes"] == {**ZERO, "venue": 1}
    after = setup_of(conn, venue.id)
    assert after["policy"]["min_age"] == 21
    assert {k: v for k, v in after.items() if k not in ("policy", "version")} == {
        k: v for k, v in before.items() if k not in ("policy", "version")
    }


def test_two_tables_swap_names_by_id_and_keep_their_bookings(conn: Conn, venue: Venue) -> None:
    booking = create_booking(conn, venue, tables=venue.t("T4"), party=5)
    assert booking["success"], booking
    doc = setup_of(conn, venue.id)
    the_table(doc, "T3")["joins"] = ["T5"]  # still the same table, under its new name
    four, five = the_table(doc, "T4"), the_table(doc, "T5")
    four["name"], five["name"] = "T5", "T4"
    row = save(conn, venue.id, doc)
    assert row["success"], row
    names = {r["id"]: r["name"] for r in conn.execute("SELECT id, name FROM venue_tables")}
    assert names[venue.tables["T4"]] == "T5" and names[venue.tables["T5"]] == "T4"
    joined = conn.execute(
        "SELECT count(*) AS n FROM table_joins WHERE %s IN (table_a, table_b)",
        [venue.tables["T4"]],
    ).fetchone()
    assert joined is not None and joined["n"] == 1
    held = conn.execute(
        "SELECT table_id FROM booking_tables WHERE booking_id = %s", [booking["booking_id"]]
    ).fetchone()
    assert held is not None and held["table_id"] == venue.tables["T4"]


def test_a_setup_opened_before_another_desk_saved_is_refused(conn: Conn, venue: Venue) -> None:
    opened = setup_of(conn, venue.id)
    assert save(conn, venue.id, {"policy": {"hold_minutes": 12}})["success"]
    before = state(conn, venue.id)
    opened["policy"]["min_age"] = 21
    row = refused(save(conn, venue.id, opened), "SETUP_CHANGED")
    assert "open it again" in row["error_message"]
    assert state(conn, venue.id) == before


def test_the_owner_adds_a_venue(conn: Conn) -> None:
    doc = {
        "name": "Second Venue",
        "time_zone": "Europe/Dublin",
        "phone_country": "IE",
        "currency": "EUR",
        "floors": ["Bar"],
        "tables": [
            {"name": "A", "floor": "Bar", "capacity": 4, "joins": ["B"]},
            {"name": "B", "floor": "Bar", "capacity": 4},
        ],
        "hours": {"fri": {"opens": "20:00", "closes": "01:00"}},
    }
    row = save(conn, None, doc)
    assert row["success"], row
    made = setup_of(conn, row["saved_venue_id"])
    assert (made["name"], made["time_zone"], made["phone_country"]) == (
        "Second Venue",
        "Europe/Dublin",
        "IE",
    )
    assert [(t["name"], t["joins"]) for t in made["tables"]] == [("A", ["B"]), ("B", [])]
    assert made["hours"] == {"fri": {"opens": "20:00", "closes": "01:00"}}
    again = refused(save(conn, None, doc), "DUPLICATE_VENUE")
    assert again["error_path"] == ["name"]
    nameless = refused(save(conn, None, {"name": "Third"}), "INVALID_SETUP")
    assert nameless["error_path"] == ["time_zone"]


# ---------------------------------------------------------------------------
# Nothing stranded.


def test_closing_a_night_is_refused_naming_its_bookings_and_changes_nothing(
    conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    early = create_booking(conn, venue, night=night, tables=venue.t("T2"))
    late = create_booking(
        conn, venue, night=night, tables=venue.t("T4"), start="01:00", end="03:00", party=4
    )
    gone = create_booking(conn, venue, night=night, tables=venue.t("T5"), start="23:00")
    other = create_booking(conn, venue, night=night + timedelta(days=1), tables=venue.t("T2"))
    assert all(b["success"] for b in (early, late, gone, other))
    cancel(conn, gone)  # a cancelled booking holds nothing
    before = state(conn, venue.id)
    closing = {"nights": [{"date": night.isoformat(), "closed": True, "reason": "Private hire"}]}

    row = refused(save(conn, venue.id, closing), "STRANDED_BOOKINGS")

    assert references(row["stranded"]) == [early["booking_reference"], late["booking_reference"]]
    first = row["stranded"][0]
    assert (first["guest"], first["tables"], first["times"], first["why"], first["night"]) == (
        "Ada Adult",
        ["T2"],
        "22:00–00:30",
        "closed",
        night.isoformat(),
    )
    assert first["starts_at"].startswith(f"{night.isoformat()}T22:00:00")
    assert row["error_message"] == (
        f"Closing {label(night)} would strand 2 bookings: {early['booking_reference']} "
        f"(Ada Adult, {night:%a} {night.day} {night:%b} 22:00–00:30, T2), "
        f"{late['booking_reference']} (Ada Adult, {night:%a} {night.day} {night:%b} "
        "01:00–03:00, T4). Move or cancel them first."
    )
    assert state(conn, venue.id) == before

    cancel(conn, early)
    cancel(conn, late)
    row = save(conn, venue.id, closing)
    assert row["success"] and row["changes"]["nights"] == 1, row


def test_shorter_hours_are_refused_naming_the_bookings_outside_them(
    conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    inside = create_booking(conn, venue, night=night, tables=venue.t("T2"))
    outside = create_booking(
        conn, venue, night=night, tables=venue.t("T4"), start="01:00", end="03:00", party=4
    )
    assert inside["success"] and outside["success"]
    before = state(conn, venue.id)
    # the night's own hours (an event)
    event = {
        "nights": [
            {"date": night.isoformat(), "event": "Early doors", "opens": "21:00", "closes": "02:00"}
        ]
    }
    row = refused(save(conn, venue.id, event), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [outside["booking_reference"]]
    assert row["stranded"][0]["why"] == "hours"
    assert row["error_message"].startswith(
        f"The new hours of {label(night)} would strand 1 booking: {outside['booking_reference']} ("
    )
    # the weekday's hours
    hours = setup_of(conn, venue.id)["hours"]
    hours[WEEKDAYS[night.weekday()]] = {"opens": "21:00", "closes": "01:00"}
    row = refused(save(conn, venue.id, {"hours": hours}), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [outside["booking_reference"]]
    # the weekday closed altogether
    del hours[WEEKDAYS[night.weekday()]]
    row = refused(save(conn, venue.id, {"hours": hours}), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [
        inside["booking_reference"],
        outside["booking_reference"],
    ]
    assert state(conn, venue.id) == before
    # hours that still hold them are fine
    hours[WEEKDAYS[night.weekday()]] = {"opens": "20:00", "closes": "03:00"}
    assert save(conn, venue.id, {"hours": hours})["success"]


def test_retiring_or_shrinking_a_table_is_refused_naming_its_bookings(
    conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    booking = create_booking(conn, venue, night=night, tables=venue.t("T4"), party=5)
    assert booking["success"], booking
    before = state(conn, venue.id)

    doc = setup_of(conn, venue.id)
    the_table(doc, "T4")["retired"] = True
    row = refused(save(conn, venue.id, doc), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [booking["booking_reference"]]
    assert row["stranded"][0]["why"] == "retired"
    assert row["error_message"].startswith("Retiring T4 would strand 1 booking: ")
    assert row["error_message"].endswith("Move or cancel it first.")

    doc = setup_of(conn, venue.id)  # a table left out of the list is retired too
    doc["tables"] = [t for t in doc["tables"] if t["name"] != "T4"]
    the_table(doc, "T3")["joins"] = []
    row = refused(save(conn, venue.id, doc), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [booking["booking_reference"]]

    doc = setup_of(conn, venue.id)
    the_table(doc, "T4")["capacity"] = 4
    row = refused(save(conn, venue.id, doc), "STRANDED_BOOKINGS")
    assert row["stranded"][0]["why"] == "capacity"
    assert row["error_message"].startswith("Seating fewer at T4 would strand 1 booking: ")
    assert state(conn, venue.id) == before

    the_table(doc, "T4")["capacity"] = 5  # the party still fits
    assert save(conn, venue.id, doc)["success"]
    # Retired, never deleted: the name stays for history, out of service.
    cancel(conn, booking)
    doc = setup_of(conn, venue.id)
    doc["tables"] = [t for t in doc["tables"] if t["name"] != "T4"]
    the_table(doc, "T3")["joins"] = []
    assert save(conn, venue.id, doc)["success"]
    retired = the_table(setup_of(conn, venue.id), "T4")
    assert retired["retired"] is True
    again = create_booking(conn, venue, night=night, tables=venue.t("T4"))
    assert again["error_code"] == "UNKNOWN_TABLE"


def test_moving_a_booked_table_to_another_floor_or_unjoining_its_tables_is_refused(
    conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    pair = create_booking(conn, venue, night=night, tables=venue.t("T2", "T3"), party=7)
    single = create_booking(conn, venue, night=night, tables=venue.t("T5"), party=6)
    assert pair["success"] and single["success"], (pair, single)
    before = state(conn, venue.id)

    doc = setup_of(conn, venue.id)
    doc["floors"].append({"name": "Terrace"})
    the_table(doc, "T5")["floor"] = "Terrace"
    row = refused(save(conn, venue.id, doc), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [single["booking_reference"]]
    assert row["error_message"].startswith("Moving T5 to another floor would strand 1 booking")

    doc = setup_of(conn, venue.id)
    the_table(doc, "T2")["joins"] = []  # T2 and T3 no longer joined
    row = refused(save(conn, venue.id, doc), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [pair["booking_reference"]]
    assert row["stranded"][0]["tables"] == ["T2", "T3"]
    assert row["error_message"].startswith("Un-joining T2 and T3 would strand 1 booking")

    doc = setup_of(conn, venue.id)  # joins are between neighbours on one floor
    doc["floors"].append({"name": "Terrace"})
    the_table(doc, "T1")["floor"] = "Terrace"
    row = refused(save(conn, venue.id, doc), "INVALID_SETUP")
    assert row["error_path"] == ["tables", "1", "joins", "1"]
    assert row["error_message"] == (
        "T1 and T2 are on different floors: only neighbours on a floor can be joined."
    )
    assert state(conn, venue.id) == before

    the_table(doc, "T1")["joins"] = []  # an unbooked table moves freely
    row = save(conn, venue.id, doc)
    assert row["success"], row
    assert row["changes"] == {**ZERO, "floors": 1, "tables": 1, "joins": 1}


def test_a_block_in_the_setup_over_a_booking_is_refused(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue)
    booking = create_booking(conn, venue, night=night, tables=venue.t("T2"))
    assert booking["success"]
    before = state(conn, venue.id)
    over = {
        "table": "T2",
        "night": night.isoformat(),
        "from": "23:00",
        "until": "01:00",
        "reason": "Leak",
    }
    row = refused(save(conn, venue.id, {"blocks": [over]}), "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [booking["booking_reference"]]
    assert row["stranded"][0]["why"] == "blocked"
    assert row["error_message"].startswith("Blocking T2 would strand 1 booking: ")
    assert state(conn, venue.id) == before

    beside = {**over, "table": "T3"}
    row = save(conn, venue.id, {"blocks": [beside]})
    assert row["success"] and row["changes"] == {**ZERO, "blocks": 1}, row
    blocks = setup_of(conn, venue.id)["blocks"]
    assert [{k: v for k, v in b.items() if k != "id"} for b in blocks] == [beside]
    assert save(conn, venue.id, {"blocks": [beside]})["changes"] == ZERO
    assert save(conn, venue.id, {"blocks": []})["changes"] == {**ZERO, "blocks": 1}
    assert setup_of(conn, venue.id)["blocks"] == []


def test_past_nights_are_history(conn: Conn, venue: Venue) -> None:
    past = venue.today - timedelta(days=3)
    conn.execute(
        "INSERT INTO nights (venue_id, night, event_name) VALUES (%s, %s, 'Old gig')",
        [venue.id, past],
    )
    doc = setup_of(conn, venue.id)
    assert doc["nights"] == []  # the document holds tonight on
    assert save(conn, venue.id, {"nights": []})["success"]
    kept = conn.execute("SELECT count(*) AS n FROM nights WHERE night = %s", [past]).fetchone()
    assert kept is not None and kept["n"] == 1
    same = {"date": past.isoformat(), "event": "Old gig"}
    assert save(conn, venue.id, {"nights": [same]})["success"]
    row = refused(save(conn, venue.id, {"nights": [{**same, "event": "New gig"}]}), "INVALID_SETUP")
    assert row["error_path"] == ["nights", "1", "date"]
    assert row["error_message"] == f"{label(past)} is over: its night can no longer be changed."


@pytest.mark.parametrize(
    ("doc", "path", "message"),
    [
        (
            {"tables": [{"name": "T1", "floor": "Main", "capacity": "six"}]},
            ["tables", "1", "capacity"],
            "T1's capacity must be a whole number from 1 to 500.",
        ),
        (
            {"tables": [{"name": "T1", "floor": "Roof", "capacity": 2}]},
            ["tables", "1", "floor"],
            "There is no floor called Roof (the floors are Main).",
        ),
        (
            {
                "tables": [
                    {"name": "T1", "floor": "Main", "capacity": 2},
                    {"name": "T1", "floor": "Main", "capacity": 2},
                ]
            },
            ["tables", "2", "name"],
            "There are two tables called T1.",
        ),
        (
            {"tables": [{"name": "T1", "floor": "Main", "capacity": 2, "min_spend": "1.005"}]},
            ["tables", "1", "min_spend"],
            "T1's minimum spend must be an amount such as 100 or 25.50 (up to 99999999.99).",
        ),
        (
            {"hours": {"fri": {"opens": "25:00", "closes": "02:00"}}},
            ["hours", "fri", "opens"],
            'Friday\'s opening time must be a time such as "21:00" (00:00 to 23:59).',
        ),
        (
            {"hours": {"friday": {"opens": "21:00", "closes": "02:00"}}},
            ["hours", "friday"],
            'The opening hours has no setting called "friday" (it has mon, tue, wed, thu, fri, '
            "sat and sun).",
        ),
        (
            {"nights": [{"date": "2026-02-30", "event": "Gig"}]},
            ["nights", "1", "date"],
            "Night 1's date must be a date such as 2026-12-04 (years 2000 to 9999).",
        ),
        (
            {"policy": {"min_age": 150}},
            ["policy", "min_age"],
            "The minimum age must be a whole number from 0 to 99.",
        ),
        (
            {"time_zone": "Mars/Olympus"},
            ["time_zone"],
            "There is no time zone called Mars/Olympus: use a name such as Europe/London.",
        ),
        ({"colour": "red"}, ["colour"], None),
    ],
)
def test_a_malformed_setup_is_refused_at_its_place_and_changes_nothing(
    conn: Conn, venue: Venue, doc: dict[str, Any], path: list[str], message: str | None
) -> None:
    before = state(conn, venue.id)
    row = refused(save(conn, venue.id, doc), "INVALID_SETUP")
    assert row["error_path"] == path
    if message is not None:
        assert row["error_message"] == message
    assert state(conn, venue.id) == before


def test_a_closed_night_has_no_event_and_an_open_one_no_reason(conn: Conn, venue: Venue) -> None:
    night = night_ahead(venue).isoformat()
    row = refused(
        save(conn, venue.id, {"nights": [{"date": night, "closed": True, "event": "Gig"}]}),
        "INVALID_SETUP",
    )
    assert row["error_path"] == ["nights", "1", "event"]
    row = refused(
        save(conn, venue.id, {"nights": [{"date": night, "reason": "Refit"}]}), "INVALID_SETUP"
    )
    assert row["error_path"] == ["nights", "1", "reason"]


# ---------------------------------------------------------------------------
# Who may, the audit and the feed.


def test_only_a_manager_changes_or_reads_the_setup(conn: Conn, venue: Venue) -> None:
    add_staff(conn, venue.id, "Hana", "host", "2468")
    add_staff(conn, venue.id, "Mo", "manager", "1357")
    before = state(conn, venue.id)
    logins.sign_in(conn, venue.id, "Hana", "2468", "DESK-1")
    row = refused(save(conn, venue.id, {"policy": {"min_age": 21}}), "NOT_ALLOWED")
    assert row["error_message"] == "Only a manager may do that; Hana is signed in as a host."
    refused(save(conn, None, {"name": "Mine", "time_zone": "UTC"}), "NOT_ALLOWED")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        setup_of(conn, venue.id)
    conn.execute("SELECT * FROM sign_out()")
    refused(save(conn, venue.id, {"policy": {"min_age": 21}}), "NOT_SIGNED_IN")
    assert state(conn, venue.id) == before

    logins.sign_in(conn, venue.id, "Mo", "1357", "DESK-2")
    assert save(conn, venue.id, {"policy": {"min_age": 21}})["success"]
    entry = conn.execute(
        "SELECT table_name, operation, record_id, old_values ->> 'min_age' AS old,"
        " new_values ->> 'min_age' AS new, staff_name, terminal"
        " FROM audit_logs WHERE venue_id = %s ORDER BY id DESC LIMIT 1",
        [venue.id],
    ).fetchone()
    assert entry == {
        "table_name": "venues",
        "operation": "UPDATE",
        "record_id": venue.id,
        "old": "18",
        "new": "21",
        "staff_name": "Mo",
        "terminal": "DESK-2",
    }


def test_a_setup_change_is_audited_and_reaches_every_desk_on_the_feed(demo_conn: Conn) -> None:
    while scalar(demo_conn, "SELECT relay_changes()"):
        pass
    head = scalar(demo_conn, "SELECT change_feed_head(%s)", [VENUE])
    logins.sign_in(demo_conn, VENUE, "Sam", "1357", "DESK-1")
    doc = setup_of(demo_conn, VENUE)
    booth = next(t for t in doc["tables"] if t["name"] == "Booth 1")
    booth["name"] = "Booth 1A"
    quiet = max(date.fromisoformat(n["date"]) for n in doc["nights"]) + timedelta(days=7)
    doc["nights"].append({"date": quiet.isoformat(), "closed": True, "reason": "Refit"})

    row = save(demo_conn, VENUE, doc)

    assert row["success"], row
    assert row["changes"] == {**ZERO, "tables": 1, "nights": 1}
    renamed = demo_conn.execute(
        "SELECT old_values ->> 'name', new_values ->> 'name', staff_name, terminal"
        " FROM audit_logs WHERE table_name = 'venue_tables' AND record_id = %s"
        " ORDER BY id DESC LIMIT 1",
        [booth["id"]],
    ).fetchone()
    assert renamed == ("Booth 1", "Booth 1A", "Sam", "DESK-1")
    closed = demo_conn.execute(
        "SELECT operation, new_values ->> 'event_name', new_values ->> 'is_closed'"
        " FROM audit_logs WHERE table_name = 'nights' AND new_values ->> 'night' = %s",
        [quiet.isoformat()],
    ).fetchone()
    assert closed == ("INSERT", "Refit", "true")

    demo_conn.execute("SELECT relay_changes()")
    rows = demo_conn.execute(
        "SELECT last_id, night, table_ids, booking_ids, kinds, rows_read"
        " FROM change_summary_since(%s, %s)",
        [VENUE, head],
    ).fetchall()
    by_night = {r[1]: r[4] for r in rows}
    assert by_night == {None: ["layout"], quiet: ["night"]}
    # What a desk's listener makes of it: the layout, for every night (no
    # night of its own), and a Change for the night changed.
    changes = summary_changes(VENUE, rows)
    assert sorted(((c.night or date.min), c.kinds) for c in changes) == [
        (date.min, frozenset({"layout"})),
        (quiet, frozenset({"night"})),
    ]


# ---------------------------------------------------------------------------
# A save and bookings take turns.


def test_a_save_waits_for_a_booking_being_written_and_then_sees_it(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    closing = {"nights": [{"date": night.isoformat(), "closed": True}]}
    with (
        connect(db_url, autocommit=False) as writer,
        connect(db_url) as manager,
        ThreadPoolExecutor(1) as pool,
    ):
        booking = create_booking(writer, venue, night=night)  # not committed yet
        assert booking["success"], booking
        pid = manager.info.backend_pid
        saving = pool.submit(save, manager, venue.id, closing)
        wait_until(lambda: waits_on_lock(conn, pid), what="the save to wait for the booking")
        writer.commit()
        row = saving.result(timeout=10)
    refused(row, "STRANDED_BOOKINGS")
    assert references(row["stranded"]) == [booking["booking_reference"]]


def test_a_booking_waits_for_a_save_being_written_and_then_meets_it(
    db_url: str, conn: Conn, venue: Venue
) -> None:
    night = night_ahead(venue)
    closing = {"nights": [{"date": night.isoformat(), "closed": True, "reason": "Refit"}]}
    with (
        connect(db_url, autocommit=False) as manager,
        connect(db_url) as web,
        ThreadPoolExecutor(1) as pool,
    ):
        assert save(manager, venue.id, closing)["success"]  # not committed yet
        pid = web.info.backend_pid
        booking = pool.submit(create_booking, web, venue, night=night)
        wait_until(lambda: waits_on_lock(conn, pid), what="the booking to wait for the save")
        manager.commit()
        row = booking.result(timeout=10)
    assert row["error_code"] == "VENUE_CLOSED", row
    assert row["error_message"].endswith("(Refit).")
    stranded = conn.execute(
        "SELECT count(*) AS n FROM bookings WHERE venue_id = %s AND night = %s",
        [venue.id, night],
    ).fetchone()
    assert stranded is not None and stranded["n"] == 0


def test_ids_in_a_copy_of_another_venues_setup_are_refused(conn: Conn, venue: Venue) -> None:
    doc = copy.deepcopy(setup_of(conn, venue.id))
    doc["tables"][0]["id"] = "00000000-0000-4000-8000-000000000000"
    row = refused(save(conn, venue.id, doc), "INVALID_SETUP")
    assert row["error_path"] == ["tables", "1", "id"]


def test_a_desks_login_with_a_manager_signed_in_sets_up_and_blocks(
    demo_db_url: str, login_url: Any
) -> None:
    with logins.connect(login_url(demo_db_url, "desk")) as desk:
        refused(save(desk, VENUE, {"policy": {"min_age": 21}}), "NOT_SIGNED_IN")
        logins.sign_in(desk, VENUE, "Priya", "2468", "DESK-1")
        refused(save(desk, VENUE, {"policy": {"min_age": 21}}), "NOT_ALLOWED")
        logins.sign_in(desk, VENUE, "Sam", "1357", "DESK-1")
        refused(save(desk, None, {"name": "Elsewhere", "time_zone": "UTC"}), "NOT_ALLOWED")
        doc = setup_of(desk, VENUE)
        night = max(date.fromisoformat(n["date"]) for n in doc["nights"])
        doc["policy"]["min_age"] = 21
        doc["blocks"] = [{"table": "Booth 6", "night": night.isoformat(), "reason": "Leak"}]
        row = save(desk, VENUE, doc)
        assert row["success"], row
        assert row["changes"] == {**ZERO, "venue": 1, "blocks": 1}
        blocked = desk.execute(
            "SELECT success, error_code FROM block_table(%s, (SELECT id FROM venue_tables"
            " WHERE venue_id = %s AND name = 'Booth 7'), %s, NULL, NULL, 'Private area')",
            [VENUE, VENUE, night],
        ).fetchone()
        assert blocked == {"success": True, "error_code": None}
        plan = desk.execute("SELECT night_plan(%s, %s) AS p", [VENUE, night]).fetchone()
        assert plan is not None
        assert sorted(b["reason"] for b in plan["p"]["blocks"]) == ["Leak", "Private area"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            desk.execute("SELECT * FROM table_blocks")
