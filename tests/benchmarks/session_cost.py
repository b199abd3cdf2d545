"""What verifying the session costs a booking: bookings per second through the
seed's create_booking_atomic, with and without it, in one run.

    .venv/bin/python -m tests.benchmarks.session_cost [--clients 16] [--seconds 10]
        [--rounds 3] [--url postgresql://admin...]

Without --url it starts a private embedded server in a temporary folder.  On
a fresh database with the load test's synthetic venue (200 tables, open every
night) it runs pgbench with the load test's booking script for three callers,
interleaved round by round so that the machine's drift falls on all three:

- owner: the database's owner, no session (the engine trusts it: the
  session check is one lookup of the login's channel);
- desk: a desk's login (frontdesk_desk) carrying a signed-in session, so
  every call verifies the token (a hash, an index lookup, the staff row);
- website: the website's login (frontdesk_web), no session.

It prints each round and the median bookings per second of each, with the
desk's and the website's as a fraction of the owner's.  Not a timed test:
the figures are for reading.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from urllib.parse import quote

import psycopg

from frontdesk import migrations
from frontdesk.loadtest import pgbench, scenarios
from frontdesk.loadtest.venue import create_venue
from tests import logins
from tests.benchmarks.sign_in_time import fresh_database

TERMINAL = "BENCH-DESK"


def _with_options(url: str, options: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(options)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", help="an admin URL of the server (default: a private one)")
    args = parser.parse_args(argv)

    with fresh_database(args.url) as db_url:
        migrations.upgrade(db_url)
        admin_url = db_url
        with psycopg.connect(db_url, autocommit=True) as conn:
            venue = create_venue(conn, 1, "Bench Venue", tables=200)
            made = conn.execute(
                "SELECT code FROM private.fd_add_staff(%s, 'Bench Host', 'host', '2468')",
                [venue.id],
            ).fetchone()
            assert made == (None,), made
        defines = scenarios.booking_defines(venue, nights=3000)
        with (
            logins.login(admin_url, db_url, "desk") as desk_url,
            logins.login(admin_url, db_url, "web") as web_url,
        ):
            with logins.connect(desk_url) as desk:
                token = logins.sign_in(desk, venue.id, "Bench Host", "2468", TERMINAL)
            callers = {
                "owner": _with_options(db_url, f"-c frontdesk.terminal={TERMINAL}"),
                "desk": _with_options(
                    desk_url, f"-c frontdesk.terminal={TERMINAL} -c frontdesk.session={token}"
                ),
                "website": web_url,
            }
            binary = pgbench.find_pgbench()
            results: dict[str, list[float]] = {name: [] for name in callers}
            for round_ in range(1, args.rounds + 1):
                for name, url in callers.items():
                    with psycopg.connect(db_url, autocommit=True) as conn:
                        before = scenarios.count_bookings(conn, venue)
                    res = pgbench.run(
                        url,
                        [(scenarios.BOOKING_SCRIPT, 1)],
                        clients=args.clients,
                        seconds=args.seconds,
                        defines=defines,
                        binary=binary,
                    )
                    with psycopg.connect(db_url, autocommit=True) as conn:
                        booked = scenarios.count_bookings(conn, venue) - before
                    if res.failed or booked == 0:
                        print(f"{name}: {res.failed} failed, {booked} booked", file=sys.stderr)
                        return 1
                    per_s = booked / args.seconds
                    results[name].append(per_s)
                    print(
                        f"round {round_}  {name:<8} {res.tps:8.1f} calls/s  {per_s:8.1f} booked/s",
                        flush=True,
                    )
    owner = statistics.median(results["owner"])
    print(f"\n{args.clients} clients, {args.seconds:g} s a run, median of {args.rounds} rounds:")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"  {name:<8} {median:8.1f} bookings/s   {median / owner:6.1%} of the owner's")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
