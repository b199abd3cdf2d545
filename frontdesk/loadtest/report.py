"""The results: a table for people, JSON for machines, targets checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

#: (key path, comparison, threshold, what it means) — issue 16's targets on a 2-core machine
TARGETS: list[tuple[str, str, float, str]] = [
    ("throughput.c16.ratio", ">=", 0.15, "bookings at 16 clients >= 0.15 of the baseline"),
    ("throughput.c64.ratio", ">=", 0.12, "bookings at 64 clients >= 0.12 of the baseline"),
    ("release.double_bookings", "==", 0, "release: nothing double booked"),
    ("release.errors", "==", 0, "release: no error"),
    ("release.unanswered", "==", 0, "release: every attempt answered"),
    ("release.p99_ms", "<", 1000, "release: p99 under 1 s"),
    (
        "release.being_booked_fraction",
        "<=",
        0.01,
        "release: TABLE_BEING_BOOKED after retries <= 1%",
    ),
    ("release_pgbouncer.unanswered", "==", 0, "release via PgBouncer: every attempt answered"),
    ("release_pgbouncer.double_bookings", "==", 0, "release via PgBouncer: nothing double booked"),
    ("release_pgbouncer.p99_ms", "<", 150, "release via PgBouncer: p99 under 150 ms"),
    ("seed.ours_double_bookings", "==", 0, "ours under the seed scenario's load: no double"),
    ("availability.p99_ms", "<", 0.5, "check_table_availability p99 under 0.5 ms"),
    ("night_plan.p99_ms", "<", 3.0, "night_plan p99 under 3 ms"),
    ("live.notify_p95_ms", "<", 100, "commit-to-listener p95 under 100 ms"),
    ("live.cost_ratio", "<=", 0.05, "listeners cost <= 5% of booking throughput"),
]


def get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def check_targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, op, threshold, words in TARGETS:
        value = get(data, path)
        if value is None:
            met = None
        elif op == ">=":
            met = value >= threshold
        elif op == "<=":
            met = value <= threshold
        elif op == "<":
            met = value < threshold
        else:
            met = value == threshold
        out.append(
            {"key": path, "target": f"{op} {threshold}", "value": value, "met": met, "what": words}
        )
    return out


def _fmt(x: Any, unit: str = "") -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.3f}".rstrip("0").rstrip(".") + unit if abs(x) < 10 else f"{x:,.1f}{unit}"
    return f"{x}{unit}"


def print_table(data: dict[str, Any], out: TextIO) -> None:
    """The results table (and the targets) as plain text."""
    w = out.write
    w(
        f"\nfrontdesk load test — {data.get('server_version', '?')}, "
        f"{data.get('machine', {}).get('nproc', '?')} cores, {data.get('seconds')} s per run\n\n"
    )
    w(
        f"{'scenario':<14}{'clients':>8}{'tps':>11}{'vs base':>9}{'booked/s':>10}"
        f"{'p50 ms':>9}{'p99 ms':>9}  notes\n"
    )
    w("-" * 96 + "\n")
    clients = data.get("clients", [])
    for c in clients:
        b = get(data, f"baseline.c{c}")
        if b:
            w(
                f"{'baseline':<14}{c:>8}{_fmt(b.get('tps')):>11}{'1':>9}{_fmt(b.get('tps')):>10}"
                f"{'':>9}{'':>9}  one-row insert + commit\n"
            )
        t = get(data, f"throughput.c{c}")
        if t:
            w(
                f"{'throughput':<14}{c:>8}{_fmt(t.get('tps')):>11}{_fmt(t.get('ratio')):>9}"
                f"{_fmt(t.get('booked_per_s')):>10}{'':>9}{'':>9}  "
                f"refused {_fmt((t.get('refused_fraction') or 0) * 100)}%\n"
            )
    sd = data.get("seed")
    if sd:
        for name, tps, booked, double in (
            ("seed design", sd.get("tps"), sd.get("booked"), sd.get("double_bookings")),
            ("ours, same", sd.get("ours_tps"), sd.get("ours_booked"), sd["ours_double_bookings"]),
        ):
            w(
                f"{name:<14}{sd.get('clients'):>8}{_fmt(tps):>11}{'':>9}"
                f"{_fmt(round(booked / sd['seconds'], 1) if sd.get('seconds') else None):>10}"
                f"{'':>9}{'':>9}  double bookings {double}, booked {booked} "
                f"({sd.get('tables')} tables x {sd.get('nights')} nights)\n"
            )
    cp = data.get("cpu_per_booking_us")
    if cp:
        if cp.get("c1") is None:
            w(f"{'cpu/call':<14}{1:>8}  not measured: {cp.get('reason')}\n")
        else:
            w(
                f"{'cpu/call':<14}{1:>8}  server CPU per booking {_fmt(cp.get('c1'))} µs, per bare "
                f"insert {_fmt(cp.get('bare_c1'))} µs (x{_fmt(cp.get('ratio'))}, "
                f"{cp.get('calls')} calls each)\n"
            )
    for key, name in (("release", "release"), ("release_pgbouncer", "via pgbouncer")):
        r = data.get(key)
        if not r:
            continue
        refusals = ", ".join(f"{k} {v}" for k, v in r.get("refusals", {}).items()) or "none"
        pool = f"pool {r['pool_size']}, " if r.get("pool_size") else ""
        w(
            f"{name:<14}{r.get('connections'):>8}{'':>11}{'':>9}{'':>10}"
            f"{_fmt(r.get('p50_ms')):>9}{_fmt(r.get('p99_ms')):>9}  {pool}"
            f"{r.get('attempts')} attempts, booked {r.get('booked')}/{r.get('capacity')}, "
            f"double {r.get('double_bookings')}, errors {r.get('errors')}, "
            f"unanswered {r.get('unanswered')}; refusals: {refusals}\n"
        )
    a = data.get("availability")
    if a:
        w(
            f"{'availability':<14}{a.get('clients'):>8}{'':>11}{'':>9}{'':>10}"
            f"{_fmt(a.get('p50_ms')):>9}{_fmt(a.get('p99_ms')):>9}  "
            f"check_table_availability over {a.get('bookings_loaded'):,} bookings\n"
        )
    n = data.get("night_plan")
    if n:
        w(
            f"{'night_plan':<14}{n.get('clients'):>8}{'':>11}{'':>9}{'':>10}"
            f"{_fmt(n.get('p50_ms')):>9}{_fmt(n.get('p99_ms')):>9}  "
            f"{n.get('bookings_per_night')} bookings a night\n"
        )
    lv = data.get("live")
    if lv:
        w(
            f"{'live':<14}{lv.get('clients'):>8}{_fmt(lv.get('tps_with')):>11}{'':>9}{'':>10}"
            f"{_fmt(lv.get('notify_p50_ms')):>9}{'':>9}  notify p95 "
            f"{_fmt(lv.get('notify_p95_ms'))} ms; without listeners {_fmt(lv.get('tps_without'))}"
            f" tps, cost {_fmt((lv.get('cost_ratio') or 0) * 100)}% ({lv.get('listeners')} "
            f"listeners, {lv.get('how')}){_usage(lv)}\n"
        )
    targets = data.get("targets", [])
    if targets:
        w("\ntargets\n")
        for t in targets:
            mark = "n/a " if t["met"] is None else ("ok  " if t["met"] else "SHORT")
            w(f"  {mark:<6}{t['what']:<52} {_fmt(t['value'])} (target {t['target']})\n")
    for note in data.get("notes", []):
        w(f"note: {note}\n")
    w("\n")


def write_json(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8"
    )


def markdown(data: dict[str, Any]) -> str:
    """The figures as Markdown tables, for BENCHMARKS.md."""
    lines = [
        "| scenario | clients | figure | value |",
        "|---|---|---|---|",
    ]

    def row(scenario: str, clients: Any, figure: str, value: Any) -> None:
        lines.append(f"| {scenario} | {clients} | {figure} | {_fmt(value)} |")

    for c in data.get("clients", []):
        b = get(data, f"baseline.c{c}")
        t = get(data, f"throughput.c{c}")
        if b:
            row("baseline", c, "one-row insert transactions/s", b.get("tps"))
        if t:
            row("throughput", c, "create_booking_atomic calls/s", t.get("tps"))
            row("throughput", c, "ratio to baseline", t.get("ratio"))
            row("throughput", c, "bookings made/s", t.get("booked_per_s"))
    cp = data.get("cpu_per_booking_us")
    if cp:
        row("cpu", 1, "server CPU per booking, µs", cp.get("c1") or cp.get("reason"))
        row("cpu", 1, "server CPU per bare insert, µs", cp.get("bare_c1"))
    r = data.get("release")
    if r:
        c = r.get("connections")
        row("release", c, "attempts / answered", f"{r.get('attempts')} / {r.get('answered')}")
        row("release", c, "booked / capacity", f"{r.get('booked')} / {r.get('capacity')}")
        row(
            "release",
            c,
            "double bookings / errors",
            f"{r.get('double_bookings')} / {r.get('errors')}",
        )
        refusals = ", ".join(f"{k} {v}" for k, v in r.get("refusals", {}).items()) or "none"
        row("release", c, "refusals", refusals)
        row("release", c, "TABLE_BEING_BOOKED after retries", r.get("being_booked_after_retries"))
        row("release", c, "p50 / p99 ms", f"{_fmt(r.get('p50_ms'))} / {_fmt(r.get('p99_ms'))}")
        row("release", c, "whole burst, s", r.get("wall_s"))
    a = data.get("availability")
    if a:
        row(
            "availability",
            a.get("clients"),
            f"check_table_availability p50 / p99 ms ({a.get('bookings_loaded'):,} bookings)",
            f"{_fmt(a.get('p50_ms'))} / {_fmt(a.get('p99_ms'))}",
        )
    n = data.get("night_plan")
    if n:
        row(
            "night_plan",
            n.get("clients"),
            f"night_plan p50 / p99 ms ({n.get('bookings_per_night')} bookings that night)",
            f"{_fmt(n.get('p50_ms'))} / {_fmt(n.get('p99_ms'))}",
        )
    lv = data.get("live")
    if lv:
        c = lv.get("clients")
        row(
            "live",
            c,
            f"commit-to-listener p50 / p95 ms ({lv.get('listeners')} listeners)",
            f"{_fmt(lv.get('notify_p50_ms'))} / {_fmt(lv.get('notify_p95_ms'))}",
        )
        row(
            "live",
            c,
            "bookings/s without / with listeners",
            f"{_fmt(lv.get('tps_without'))} / {_fmt(lv.get('tps_with'))}",
        )
        row("live", c, "cost (fraction lost)", lv.get("cost_ratio"))
        row(
            "live",
            c,
            "machine's CPU: listeners' server sessions / the load test's own process",
            f"{_pct(lv.get('listener_sessions_cpu_share'))} / "
            f"{_pct(lv.get('loadtest_process_cpu_share'))}",
        )
    out = "\n".join(lines) + "\n"
    out += _seed_markdown(data) + _pgbouncer_markdown(data)
    targets = data.get("targets", [])
    if targets:
        out += "\n| target | value | met |\n|---|---|---|\n"
        for t in targets:
            met = "n/a" if t["met"] is None else ("yes" if t["met"] else "**no**")
            out += f"| {t['what']} ({t['target']}) | {_fmt(t['value'])} | {met} |\n"
    return out


def _seed_markdown(data: dict[str, Any]) -> str:
    sd = data.get("seed")
    if not sd:
        return ""
    secs = sd.get("seconds") or 1
    thr = get(data, f"throughput.c{sd.get('clients')}") or {}
    return (
        f"\n| design ({sd.get('clients')} clients, {sd.get('tables')} tables x "
        f"{sd.get('nights')} nights) | calls/s | bookings/s | double bookings |\n"
        "|---|---|---|---|\n"
        f"| the seed's (lock on table + date + start time, check, insert) | {_fmt(sd.get('tps'))}"
        f" | {_fmt(round(sd.get('booked', 0) / secs, 1))} | {sd.get('double_bookings')} |\n"
        f"| ours, the same load | {_fmt(sd.get('ours_tps'))} | "
        f"{_fmt(round(sd.get('ours_booked', 0) / secs, 1))} | {sd.get('ours_double_bookings')} |\n"
        + (
            f"| ours, the throughput load (200 tables x 3,000 nights) | {_fmt(thr.get('tps'))} | "
            f"{_fmt(thr.get('booked_per_s'))} | {data.get('double_bookings_total')} |\n"
            if thr
            else ""
        )
    )


def _pgbouncer_markdown(data: dict[str, Any]) -> str:
    via = data.get("release_pgbouncer")
    if not via:
        return ""
    out = (
        "\n| release burst | connections | attempts / answered | booked | double | errors"
        " | p50 / p99 ms | whole burst, s |\n|---|---|---|---|---|---|---|---|\n"
    )
    for name, r in (
        ("direct", data.get("release") or {}),
        (f"through PgBouncer (transaction, pool {via.get('pool_size')})", via),
    ):
        out += (
            f"| {name} | {r.get('connections')} | {r.get('attempts')} / {r.get('answered')} | "
            f"{r.get('booked')} / {r.get('capacity')} | {r.get('double_bookings')} | "
            f"{r.get('errors')} | {_fmt(r.get('p50_ms'))} / {_fmt(r.get('p99_ms'))} | "
            f"{_fmt(r.get('wall_s'))} |\n"
        )
    return out


def _pct(share: Any) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"


def _usage(lv: dict[str, Any]) -> str:
    """Where the listeners' cost went, when it was measured."""
    if lv.get("loadtest_process_cpu_share") is None:
        return ""
    return (
        f"; machine's CPU: listeners' sessions {_pct(lv.get('listener_sessions_cpu_share'))},"
        f" this process {_pct(lv.get('loadtest_process_cpu_share'))}"
    )


if __name__ == "__main__":
    import sys

    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), end="")
