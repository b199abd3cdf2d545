"""The change feed: outbox in the writing transaction, relay in commit order, NOTIFY."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests.clock import on_night, set_session_clock
from tests.core import engine_helpers
from tests.core.desk_helpers import (
    VENUE,
    Conn,
    a_customer,
    as_desk,
    at,
    desk_book,
    insert_booking,
    move_with_a_forged_mark,
    one,
    quiet_friday,
    scalar,
    table_id,
)


@pytest.fixture
def relay(demo_db_url: str) -> Iterator[Conn]:
    """The relay's connection, with everything the demo load wrote already relayed."""
    with psycopg.connect(demo_db_url, autocommit=True) as conn:
        while scalar(conn, "SELECT relay_changes()"):
            pass
        yield conn


def _relay(conn: Conn) -> int:
    moved: int = scalar(conn, "SELECT relay_changes()")
    return moved


def _head(conn: Conn, venue: UUID = VENUE) -> int:
    value: int = scalar(conn, "SELECT change_feed_head(%s)", [venue])
    return value


def _since(conn: Conn, after: int, venue: UUID = VENUE) -> list[tuple[Any, ...]]:
    """The feed's rows after an id, as the relay wrote them (listeners read them
    merged per night through change_summary_since)."""
    return conn.execute(
        "SELECT id, night, table_ids, booking_id, kind, happened_at FROM change_feed"
        " WHERE venue_id = %s AND id > %s ORDER BY id",
        [venue, after],
    ).fetchall()


def test_the_feed_follows_commit_order_not_outbox_order(demo_db_url: str, relay: Conn) -> None:
    night = quiet_friday(relay)
    start = _head(relay)
    with psycopg.connect(demo_db_url) as first, psycopg.connect(demo_db_url) as second:
        early = insert_booking(first, ["Booth 3"], night, "22:00", "00:30")
        early_ids = scalar(first, "SELECT max(id) FROM change_outbox")
        late = insert_booking(second, ["Booth 4"], night, "22:00", "00:30")
        late_ids = scalar(second, "SELECT min(id) FROM change_outbox WHERE booking_id = %s", [late])
        assert early_ids < late_ids  # the first transaction took the smaller outbox ids
        assert _relay(relay) == 0  # nothing committed yet
        second.commit()
        assert _relay(relay) == 2  # booked + tables of the second, the first still open
        first.commit()
        assert _relay(relay) == 2
    feed = _since(relay, start)
    assert [(r[3], r[4]) for r in feed] == [
        (late, "booked"),
        (late, "tables"),
        (early, "booked"),
        (early, "tables"),
    ]
    assert [r[0] for r in feed] == sorted(r[0] for r in feed)
    assert feed[1][2] == [table_id(relay, "Booth 4")] and feed[1][1] == night
    assert _head(relay) == feed[-1][0]
    assert scalar(relay, "SELECT count(*) FROM change_outbox") == 0


def test_each_kind_of_change_is_told(relay: Conn) -> None:
    night = quiet_friday(relay)
    set_session_clock(relay, on_night(night, "19:30"))  # arrivals: on the night
    start = _head(relay)
    booking = insert_booking(relay, ["Booth 3"], night, "22:00", "00:30")
    relay.execute(
        "UPDATE bookings SET starts_at = starts_at + interval '15 minutes' WHERE id = %s", [booking]
    )
    relay.execute("UPDATE bookings SET special_requests = 'Balloons' WHERE id = %s", [booking])
    assert one(relay, "SELECT * FROM set_booking_status(%s, 'arrived')", [booking])[0]
    assert one(
        relay,
        "SELECT * FROM move_booking(%s, %s, NULL, NULL)",
        [booking, [table_id(relay, "Booth 4")]],
    )[0]
    as_desk(relay, "DESK-1")
    assert one(
        relay,
        "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
        [
            VENUE,
            [table_id(relay, "Booth 6")],
            night,
            at(relay, night, "22:00"),
            at(relay, night, "23:00"),
        ],
    )[0]
    assert one(relay, "SELECT * FROM release_holds(%s)", [VENUE])[0]
    _relay(relay)
    kinds = [r[4] for r in _since(relay, start)]
    assert kinds == [
        "booked",
        "tables",
        "moved",
        "updated",
        "status",
        "tables",
        "updated",
        "tables",  # the move: Booth 3 left, Booth 4 joined
        "hold",
        "released",
    ]
    hold_rows = relay.execute(
        "SELECT hold_id IS NOT NULL, table_ids FROM change_feed WHERE kind IN ('hold', 'released')"
    ).fetchall()
    assert hold_rows == [(True, [table_id(relay, "Booth 6")])] * 2


def test_a_booking_the_engine_makes_is_one_feed_row_naming_its_tables(relay: Conn) -> None:
    """The booking core's own booking tells the desks once, with its tables; a later
    change of its tables is told as before, even after a client set the core's mark
    to the booking's id by hand (it would otherwise spare those rows the feed)."""
    night = quiet_friday(relay)
    start = _head(relay)
    booked = desk_book(relay, relay, a_customer(relay), night, "Booth 3")
    assert booked["success"], booked
    booking = booked["booking_id"]
    _relay(relay)
    assert [(r[2], r[3], r[4]) for r in _since(relay, start)] == [
        ([table_id(relay, "Booth 3")], booking, "booked")
    ]
    after = _head(relay)
    move_with_a_forged_mark(relay, booking, ["Booth 3", "Booth 4"])
    _relay(relay)
    told = [(r[2], r[4]) for r in _since(relay, after)]
    assert ([table_id(relay, "Booth 4")], "tables") in told, told


def test_one_notify_per_venue_per_batch_and_replay_from_an_id(
    demo_db_url: str, relay: Conn
) -> None:
    with engine_helpers.connect(demo_db_url) as conn:
        other = engine_helpers.make_venue(conn, name="Another Venue")
        other_night = engine_helpers.night_ahead(other, 10)
        starts, ends = (
            engine_helpers.instant(conn, other, other_night, t) for t in ("22:00", "23:00")
        )
    channels = {
        v: scalar(relay, "SELECT channel FROM venues WHERE id = %s", [v]) for v in (VENUE, other.id)
    }
    night = quiet_friday(relay)
    _relay(relay)  # the new venue's own rows (none yet: venues are not fed)
    with psycopg.connect(demo_db_url, autocommit=True) as listener:
        for channel in channels.values():
            listener.execute(f"LISTEN {channel}")
        start = _head(relay)
        # Batch 1: two bookings here, one hold at the other venue.
        insert_booking(relay, ["Booth 3"], night, "22:00", "00:30")
        insert_booking(relay, ["Booth 4"], night, "22:00", "00:30")
        as_desk(relay, "DESK-9")
        assert one(
            relay,
            "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
            [other.id, other.t("T5"), other_night, starts, ends],
        )[0]
        assert _relay(relay) == 5
        first_head = _head(relay)
        other_head = _head(relay, other.id)
        assert _relay(relay) == 0  # an empty batch notifies nobody
        # Batch 3: a status change here.
        booking = insert_booking(relay, ["Booth 5"], night, "22:00", "00:30")
        assert one(relay, "SELECT * FROM set_booking_status(%s, 'cancelled')", [booking])[0]
        assert _relay(relay) == 3
        notes = list(listener.notifies(timeout=10, stop_after=3))
    got = [(n.channel, json.loads(n.payload)) for n in notes]
    assert notes[2].payload == f'{{"last_id": {_head(relay)}}}'  # as sql/README.md shows it
    assert sorted(got[:2], key=lambda g: g[0]) == sorted(
        [(channels[VENUE], {"last_id": first_head}), (channels[other.id], {"last_id": other_head})],
        key=lambda g: g[0],
    )
    assert got[2] == (channels[VENUE], {"last_id": _head(relay)})
    # A listener that saw the first batch replays the rest from its last id.
    replay = _since(relay, first_head)
    assert [r[4] for r in replay] == ["booked", "tables", "status"]
    assert all(r[0] > first_head for r in replay)
    assert [r[4] for r in _since(relay, start)][:4] == ["booked", "tables", "booked", "tables"]
    assert [r[4] for r in _since(relay, 0, other.id)] == ["hold"]
    limited = relay.execute(
        "SELECT sum(rows_read) FROM change_summary_since(%s, %s, 2)", [VENUE, start]
    ).fetchone()
    assert limited == (2,)


def test_a_new_listener_starts_at_the_head_and_the_feed_keeps_a_day(relay: Conn) -> None:
    assert _head(relay) > 0  # the demo load
    assert _head(relay, UUID(int=0)) == 0
    assert _since(relay, _head(relay)) == []
    relay.execute("UPDATE change_feed SET happened_at = now() - interval '25 hours'")
    insert_booking(relay, ["Booth 3"], quiet_friday(relay), "22:00", "00:30")
    assert _relay(relay) == 2
    assert [r[4] for r in _since(relay, 0)] == ["booked", "tables"]
