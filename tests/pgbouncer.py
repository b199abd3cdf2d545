"""Debian's PgBouncer for the tests: the load test's own (frontdesk/loadtest/pgbouncer.py)."""

from __future__ import annotations

from frontdesk.loadtest.pgbouncer import (
    PGBOUNCER,
    SOCKET_PORT,
    START_TIMEOUT,
    available,
    transaction_pooler,
)

__all__ = ["PGBOUNCER", "SOCKET_PORT", "START_TIMEOUT", "available", "transaction_pooler"]
