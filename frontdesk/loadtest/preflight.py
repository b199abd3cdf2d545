"""Before any scenario: does the server have the connections the run needs?

A stock PostgreSQL 15 allows 100 connections, three of them kept for
superusers; the release burst alone opens 100.  Without this check the run
died half-way with "sorry, too many clients already".  Now it either scales
the release burst down to what the server allows (saying so in one line) or
stops before it starts, in one line saying what to change.

``fit`` is a pure function of the server's figures and the run's sizes, so
its choices are tested without a crowded server; ``read_limits`` reads the
figures from the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from frontdesk.problems import SetupProblem

#: fewer connections than this and the burst no longer tests a burst
MIN_RELEASE_CONNECTIONS = 10


class CannotStart(SetupProblem):
    """The run cannot start as asked (exit status 2); one line says what to change."""


class NotEnoughConnections(CannotStart):
    """The run cannot fit in the server's connections."""


@dataclass(frozen=True)
class ServerLimits:
    max_connections: int
    #: slots this account may not use: superuser_reserved_connections (and, on 16
    #: and later, reserved_connections for an account without superuser)
    reserved: int
    #: client backends connected when the check ran, the check's own included
    in_use: int

    @property
    def free(self) -> int:
        """Connections the run may open, beside the one it keeps for itself
        (the check's own connection closes, the run's control one opens)."""
        return self.max_connections - self.reserved - self.in_use


@dataclass(frozen=True)
class Sizes:
    """What the run asks for (the command's options)."""

    scenarios: tuple[str, ...]
    clients: tuple[int, ...]
    release_connections: int
    release_attempts: int
    availability_clients: int = 2
    listeners: int = 8
    live_clients: int = 16
    pgbouncer_pool: int | None = None  # with --through-pgbouncer


@dataclass
class Fit:
    """The sizes the run will use, and what was scaled (one line each)."""

    release_connections: int
    needs: dict[str, int] = field(default_factory=dict)
    scaled: list[str] = field(default_factory=list)

    def as_json(self, limits: ServerLimits) -> dict[str, Any]:
        return {
            "max_connections": limits.max_connections,
            "reserved": limits.reserved,
            "in_use": limits.in_use,
            "free": limits.free,
            "needs": self.needs,
            "release_connections": self.release_connections,
            "scaled": self.scaled,
        }


def _suggest_max_connections(limits: ServerLimits, need: int) -> int:
    """A round max_connections with room for ``need`` (the next hundred)."""
    enough = limits.max_connections + (need - limits.free)
    return int(math.ceil(enough / 100.0) * 100)


def fit(limits: ServerLimits, sizes: Sizes) -> Fit:
    """The sizes that fit ``limits``; NotEnoughConnections (one line) when
    they cannot.  Only the release burst is scaled: its answers (every
    attempt answered, nothing double booked) mean the same with fewer
    connections, while a throughput figure at fewer clients is another figure."""
    free = limits.free
    chosen = set(sizes.scenarios)
    result = Fit(release_connections=max(1, min(sizes.release_connections, sizes.release_attempts)))
    steps: list[tuple[str, int, str]] = []  # (step, connections at once, option that sets it)
    top = max(sizes.clients) if sizes.clients else 0
    for name in ("baseline", "throughput", "seed"):
        if name in chosen and top:
            steps.append((name, top, "--clients"))
    if "availability" in chosen:
        steps.append(("availability", sizes.availability_clients, "--availability-clients"))
    if "live" in chosen:
        steps.append(("live", sizes.live_clients + sizes.listeners + 1, "--listeners"))
    if "cpu" in chosen:
        steps.append(("cpu", 1, ""))
    if "release" in chosen and sizes.pgbouncer_pool is not None:
        steps.append(("release through PgBouncer", sizes.pgbouncer_pool + 1, ""))
    for step, need, option in steps:
        result.needs[step] = need
        if need > free:
            raise NotEnoughConnections(_refusal(limits, step, need, option, sizes, free))
    if "release" in chosen:
        need = result.release_connections
        result.needs["release"] = need
        if need > free:
            if free < MIN_RELEASE_CONNECTIONS:
                raise NotEnoughConnections(
                    _refusal(limits, "release", need, "--release-connections", sizes, free)
                )
            result.release_connections = free
            result.scaled.append(
                f"the server allows {free} more connections, so the release burst uses {free} "
                f"instead of {need} (max_connections = "
                f"{_suggest_max_connections(limits, need)} gives it all {need})"
            )
    return result


def _refusal(
    limits: ServerLimits, step: str, need: int, option: str, sizes: Sizes, free: int
) -> str:
    change = f"set max_connections = {_suggest_max_connections(limits, need)}"
    if free >= 1 and option == "--clients":
        fitting = " ".join(str(c) for c in sizes.clients if c <= free) or str(free)
        change += f" or run with --clients {fitting}"
    elif free >= 1 and option == "--listeners" and free - sizes.live_clients - 1 >= 1:
        change += f" or run with --listeners {free - sizes.live_clients - 1}"
    elif free >= 1 and option:
        change += f" or run with {option} {free}"
    if free < 1:
        change += " (or close some of the other sessions)"
    return (
        f"the server allows {max(free, 0)} more connections (max_connections "
        f"{limits.max_connections}, {limits.reserved} reserved, {limits.in_use} in use); "
        f"the {step} step needs {need}: {change}"
    )


def read_limits(conn: Any) -> ServerLimits:
    """The server's connection limits, as seen by this account, right now."""
    row = conn.execute(
        """
        SELECT current_setting('max_connections')::int,
               current_setting('superuser_reserved_connections')::int,
               coalesce(current_setting('reserved_connections', true)::int, 0),
               (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
               (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')
        """
    ).fetchone()
    assert row is not None
    max_conn, su_reserved, reserved, is_super, in_use = row
    # reserved_connections (16+) are for roles with pg_use_reserved_connections
    # and superusers; counted against anyone else, conservatively.
    held = int(su_reserved) + (0 if is_super else int(reserved))
    return ServerLimits(max_connections=int(max_conn), reserved=held, in_use=int(in_use))
