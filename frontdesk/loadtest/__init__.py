"""``frontdesk loadtest``: measure the booking engine on a real server.

Everything happens in a throwaway database (``frontdesk_loadtest_<random>``)
created on the server, migrated, filled with a synthetic venue, measured and
dropped again — also on Ctrl-C or failure.  A venue's own data is never
touched.  Speed comes from pgbench with custom scripts (the same client for
the baseline and the bookings, so their ratio is fair); the release scenario,
which checks correctness under a burst rather than raw speed, and the live
scenario, which times notifications, run from Python.

Modules: ``command`` (the CLI and the run), ``scratch`` (the throwaway
database), ``venue`` (synthetic venues), ``pgbench`` (the driver),
``scenarios``, ``report`` (table and JSON), ``chart`` (the PNG).
"""

from __future__ import annotations

from frontdesk.loadtest.command import add_parser, run_command

__all__ = ["add_parser", "run_command"]
