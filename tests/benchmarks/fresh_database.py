"""How long a test waits for its own database.

    python -m tests.benchmarks.fresh_database [--rounds 20]

Starts a throwaway embedded server (as the test run does), builds the
migrated template and the demo template, then times ``fresh_database``
(CREATE DATABASE ... TEMPLATE, as each test's fixture does) for both.
Not a timed test: the figures are for reading.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from frontdesk import server
from tests import pg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pgdata = Path(folder) / "data"
        url = pg.start_embedded(pgdata)
        try:
            started = time.perf_counter()
            templates = {"empty": pg.ensure_template(url, demo=False)}
            built = time.perf_counter() - started
            templates["demo venue"] = pg.ensure_template(url, demo=True)
            print(f"template (migrate an empty database): {built * 1000:.0f} ms, once per run")
            for label, template in templates.items():
                times = []
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    with pg.fresh_database(url, template):
                        times.append(time.perf_counter() - started)
                print(
                    f"fresh database, {label}: p50 {statistics.median(times) * 1000:.0f} ms, "
                    f"max {max(times) * 1000:.0f} ms over {args.rounds}"
                )
        finally:
            server.stop(pgdata)


if __name__ == "__main__":
    main()
