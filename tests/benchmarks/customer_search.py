"""Search as you type with 100,000 customers: Desk.search_customers timings.

    /tmp/venv/bin/python -m tests.benchmarks.customer_search [--customers 100000]
        [--runs 200] [--explain] [--url postgresql://admin...]

Without --url it starts a private embedded server in a temporary folder;
either way it loads a fresh database (migrated, the demo venue, then the
customers: names from common first names and surnames, UK mobiles and
landlines, emails in a few usual shapes), runs each typical prefix --runs
times through the desk's service (pool, round trip and all) and prints the
median and 95th percentile.  Not a timed test: the figures are for reading.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from frontdesk import migrations
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk, customer_query
from tests import pg

VENUE = uuid.UUID("b4c12000-0000-4000-8000-000000000001")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PREFIXES = ("sm", "smit", "0770", "amelia@", "amelia sm", "07700 9", "amel")

FIRST = _words(
    "Amelia Olivia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya Florence "
    "Emily Ella Poppy Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice "
    "Harper Matilda Ruby Emilia Maya Millie Isabelle Eva Luna Jessica Aria Layla Esme "
    "Muhammad Noah Oliver George Arthur Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy "
    "Alexander Luca Edward James Joshua Albert Max Ethan Reggie Mason Priya Aisha Zara Ravi "
    "Sanjay Fatima Yusuf Omar Amir Hannah Chloe Megan Bethany Rhys Dylan Callum Ewan Niamh "
    "Siobhan Aoife Ciaran Declan Kofi Ama Kwame Chidi Ngozi Tomasz Agnieszka Piotr Ana"
)
LAST = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips "
    "Mason Mitchell Rose Davis Rodriguez Cox Alexander Morris King Hughes Harris Scott "
    "Young Turner Moore Hill Ward Morgan Baker Cooper Edwards Allen Martin Harrison Bell "
    "Smithson Smythe Smart Small Sharma Singh Ahmed Ali Hussain Begum Rahman Shah Iqbal "
    "Murphy Kelly Byrne Ryan Walsh Obrien Doyle Kennedy Lynch Murray Campbell Stewart "
    "Anderson MacDonald Reid Ross Fraser Nowak Kowalski Mensah Okafor Adeyemi Nguyen Chen "
    "Wang Li Zhang Kaur Gill Dhillon Sandhu Atkinson Barker Bennett Chapman Dixon Ellis "
    "Fisher Graham Holmes Hunt Knight Lloyd Marshall Mills Owen Palmer Parker Pearson "
    "Price Reynolds Richards Russell Shaw Simpson Spencer Stevens Webb Wells Williamson"
)
DOMAINS = (
    "gmail.com",
    "hotmail.co.uk",
    "yahoo.co.uk",
    "outlook.com",
    "icloud.com",
    "btinternet.com",
    "live.co.uk",
    "sky.com",
)


@contextmanager
def fresh_database(url: str | None) -> Iterator[str]:
    """A new database on the given server (an admin URL) or a private one."""
    with _server(url) as admin:
        name = f"fd_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            db_url = pg.with_database(admin, name)
            migrations.upgrade(db_url)
            migrations.load_demo(db_url)
            yield db_url
        finally:
            pg.drop_database(admin, name)


@contextmanager
def _server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from frontdesk import server

    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as tmp:
        Path(tmp).chmod(0o755)  # the embedded server may run as its own user
        pgdata = Path(tmp) / "data"
        admin = server.ensure_running(pgdata, database="postgres", extra_settings=pg.FAST_SETTINGS)
        try:
            yield admin
        finally:
            server.stop(pgdata)


def _people(count: int, rng: random.Random) -> Iterator[tuple[str, str | None, str | None]]:
    phones: set[str] = set()
    emails: set[str] = set()
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        phone = None
        if rng.random() < 0.9:
            while phone is None or phone in phones:
                phone = (
                    f"+447{rng.randrange(10**9):09d}"
                    if rng.random() < 0.8
                    else f"+44{rng.choice(('113', '114', '161', '20', '121'))}"
                    f"{rng.randrange(10**7):07d}"
                )
            phones.add(phone)
        email = None
        if rng.random() < 0.8:
            local = rng.choice(
                (
                    f"{first}.{last}",
                    f"{first}{last}{n % 97}",
                    f"{first[0]}{last}",
                    f"{first}",
                    f"{first}{n}",
                )
            )
            email = f"{local.lower()}@{rng.choice(DOMAINS)}"
            if email in emails:
                email = f"{first.lower()}.{last.lower()}.{n}@{rng.choice(DOMAINS)}"
            emails.add(email)
        yield f"{first} {last}", phone, email


def load_customers(url: str, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with psycopg.connect(url) as conn:
        with conn.cursor().copy("COPY customers (venue_id, name, phone, email) FROM STDIN") as copy:
            for name, phone, email in _people(count, rng):
                copy.write_row((VENUE, name, phone, email))
        conn.execute("ANALYZE customers")


def _explain(url: str, text: str) -> str:
    query = customer_query(text)
    assert query is not None
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "EXPLAIN (ANALYZE, COSTS OFF) SELECT * FROM search_customers(%s, %s::text[], %s, "
            "%s, 20)",
            [VENUE, query["words"], query["phone_prefix"], query["email_prefix"]],
        ).fetchall()
    return "\n".join(r[0] for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="an admin URL of a server to use (default: embedded)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args(argv)

    with fresh_database(args.url) as url:
        started = time.perf_counter()
        load_customers(url, args.customers)
        print(f"loaded {args.customers:,} customers in {time.perf_counter() - started:.1f} s")
        db = Database(url, staff=StaffContext("BENCH", "Bench"))
        try:
            desk = Desk(db, VENUE)
            print(f"{'typed':<12}{'found':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
            for text in PREFIXES:
                found = len(desk.search_customers(text))  # warm
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    desk.search_customers(text)
                    times.append((time.perf_counter() - t) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                print(
                    f"{text!r:<12}{found:>6}{statistics.median(times):>9.2f}{p95:>9.2f}"
                    f"{times[-1]:>9.2f}"
                )
                if args.explain:
                    print(_explain(url, text))
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
