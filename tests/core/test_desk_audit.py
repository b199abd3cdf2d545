"""Audit: every change to bookings, their tables, customers and holds, with who."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.clock import on_night, set_session_clock
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    a_customer,
    as_desk,
    at,
    insert_booking,
    move_with_a_forged_mark,
    one,
    quiet_friday,
    scalar,
    table_id,
)


def _staff(conn: Conn, name: str) -> UUID:
    sid: UUID = scalar(
        conn, "SELECT id FROM staff WHERE venue_id = %s AND name = %s", [VENUE, name]
    )
    return sid


def _audit_since(conn: Conn, after: int) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT table_name, operation, record_id, staff_id, staff_name, terminal, "
        "       old_values, new_values, venue_id "
        "  FROM audit_logs WHERE id > %s ORDER BY id",
        [after],
    ).fetchall()


def _last_id(conn: Conn) -> int:
    value: int = scalar(conn, "SELECT coalesce(max(id), 0) FROM audit_logs")
    return value


def test_a_booking_through_the_engine_is_audited_with_staff_and_terminal(
    demo_conn: Conn,
) -> None:
    night = quiet_friday(demo_conn)
    priya = _staff(demo_conn, "Priya")
    start = _last_id(demo_conn)
    with demo_conn.transaction():
        demo_conn.execute(
            "SELECT set_config('frontdesk.staff_id', %s, true), "
            "set_config('frontdesk.staff_name', 'Priya', true), "
            "set_config('frontdesk.terminal', 'DESK-1', true)",
            [str(priya)],
        )
        ok, code, _, booking, *_ = one(
            demo_conn,
            "SELECT * FROM desk_book(%s, %s, %s, %s, %s, %s, 4)",
            [
                VENUE,
                a_customer(demo_conn),
                [table_id(demo_conn, "Booth 3")],
                night,
                at(demo_conn, night, "22:00"),
                at(demo_conn, night, "00:30"),
            ],
        )
        assert (ok, code) == (True, None)
    # one row: the booking, naming its tables (they write none of their own)
    rows = _audit_since(demo_conn, start)
    assert [(r[0], r[1]) for r in rows] == [("bookings", "INSERT")]
    assert rows[0][2] == booking
    assert (rows[0][3], rows[0][4], rows[0][5], rows[0][8]) == (priya, "Priya", "DESK-1", VENUE)
    assert rows[0][6] is None and rows[0][7]["status"] == "confirmed"
    assert rows[0][7]["table_ids"] == [str(table_id(demo_conn, "Booth 3"))]


def test_a_mark_set_by_hand_hides_no_change_of_tables_from_the_audit(demo_conn: Conn) -> None:
    """The booking core marks its own new booking so that its table rows write no audit
    rows of their own (the booking's row names them).  A client that sets that mark to an
    existing booking's id before moving it to more tables hides nothing: the move's
    table rows are audited."""
    night = quiet_friday(demo_conn)
    booking = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    start = _last_id(demo_conn)
    move_with_a_forged_mark(demo_conn, booking, ["Booth 3", "Booth 4"])
    rows = _audit_since(demo_conn, start)
    assert ("booking_tables", "INSERT", booking) in [(r[0], r[1], r[2]) for r in rows]
    added = [r[7]["table_id"] for r in rows if (r[0], r[1]) == ("booking_tables", "INSERT")]
    assert added == [str(table_id(demo_conn, "Booth 4"))]


def test_a_status_change_is_one_row_with_old_and_new_values(demo_conn: Conn) -> None:
    """The booking_tables re-sync that follows a status change is not audited."""
    booking = insert_booking(demo_conn, ["Booth 3"], quiet_friday(demo_conn), "22:00", "00:30")
    as_desk(demo_conn, "DESK-2", "Dan", str(_staff(demo_conn, "Dan")))
    start = _last_id(demo_conn)
    assert one(demo_conn, "SELECT * FROM set_booking_status(%s, 'cancelled')", [booking])[0]
    rows = _audit_since(demo_conn, start)
    assert len(rows) == 1
    table, op, record, _, staff_name, terminal, old, new, _ = rows[0]
    assert (table, op, record, staff_name, terminal) == (
        "bookings",
        "UPDATE",
        booking,
        "Dan",
        "DESK-2",
    )
    assert (old["status"], new["status"]) == ("confirmed", "cancelled")
    # ...though the copy did change.
    assert (
        scalar(demo_conn, "SELECT is_active FROM booking_tables WHERE booking_id = %s", [booking])
        is False
    )


def test_plain_sql_is_audited_too_and_odd_settings_do_not_break_it(demo_conn: Conn) -> None:
    start = _last_id(demo_conn)
    as_desk(demo_conn, "", "Manager", "not-a-uuid")
    demo_conn.execute("UPDATE customers SET notes = 'VIP' WHERE id = %s", [a_customer(demo_conn)])
    demo_conn.execute("UPDATE customers SET notes = notes WHERE id = %s", [a_customer(demo_conn)])
    rows = _audit_since(demo_conn, start)
    assert len(rows) == 1  # an update that changes nothing is not a change
    table, op, record, staff_id, staff_name, terminal, old, new, venue = rows[0]
    assert (table, op, record, staff_id, staff_name, terminal, venue) == (
        "customers",
        "UPDATE",
        a_customer(demo_conn),
        None,
        "Manager",
        None,
        VENUE,
    )
    assert (old["notes"], new["notes"]) == (None, "VIP")


def test_holds_and_deletes_are_audited(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    as_desk(demo_conn, "DESK-1", "Priya")
    start = _last_id(demo_conn)
    row = one(
        demo_conn,
        "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            VENUE,
            [table_id(demo_conn, "Booth 5")],
            night,
            at(demo_conn, night, "22:00"),
            at(demo_conn, night, "23:00"),
        ],
    )
    assert row[0]
    assert one(demo_conn, "SELECT * FROM release_holds(%s)", [VENUE])[3] == 1
    booking = insert_booking(demo_conn, ["Booth 6"], night, "22:00", "23:00")
    demo_conn.execute("DELETE FROM bookings WHERE id = %s", [booking])
    ops = [(r[0], r[1]) for r in _audit_since(demo_conn, start)]
    assert ops == [
        ("holds", "INSERT"),
        ("holds", "DELETE"),
        ("bookings", "INSERT"),
        ("booking_tables", "INSERT"),
        ("bookings", "DELETE"),
        ("booking_tables", "DELETE"),
    ]


def test_audit_entries_filters_by_time_table_staff_and_booking(demo_conn: Conn) -> None:
    night = quiet_friday(demo_conn)
    set_session_clock(demo_conn, on_night(night, "19:30"))  # arrivals: on the night
    t0 = scalar(demo_conn, "SELECT clock_timestamp()")
    as_desk(demo_conn, "DESK-1", "Priya")
    first = insert_booking(demo_conn, ["Booth 3"], night, "22:00", "00:30")
    as_desk(demo_conn, "DESK-2", "Dan")
    second = insert_booking(demo_conn, ["Booth 4"], night, "22:00", "00:30")
    assert one(demo_conn, "SELECT * FROM set_booking_status(%s, 'arrived')", [first])[0]

    def entries(**filters: Any) -> list[tuple[Any, ...]]:
        args = ", ".join(f"{k} => %({k})s" for k in filters)
        return demo_conn.execute(
            "SELECT table_name, operation, record_id, staff_name FROM audit_entries("
            f"%(v)s, %(t0)s, now() + interval '1 minute'{', ' if args else ''}{args})",
            {"v": VENUE, "t0": t0, **filters},
        ).fetchall()

    everything = entries()
    assert len(everything) == 5  # newest first
    assert everything[0] == ("bookings", "UPDATE", first, "Dan")
    assert {r[2] for r in entries(staff_name="Priya")} == {first}
    assert [r[:2] for r in entries(booking_id=first)] == [
        ("bookings", "UPDATE"),
        ("booking_tables", "INSERT"),
        ("bookings", "INSERT"),
    ]
    assert {r[2] for r in entries(table_name="booking_tables")} == {first, second}
    assert len(entries(lim=2)) == 2
    assert (
        demo_conn.execute("SELECT * FROM audit_entries(%s, %s, %s)", [VENUE, t0, t0]).fetchall()
        == []
    )
