"""The results: a table for people, JSON for machines, targets checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

#: (key path, comparison, threshold, what it means) — the issue's targets on a 2-core machine
TARGETS: list[tuple[str, str, float, str]] = [
    ("throughput.c16.ratio", ">=", 0.33, "bookings at 16 clients >= 1/3 of the baseline"),
    ("throughput.c64.ratio", ">=", 0.33, "bookings at 64 clients >= 1/3 of the baseline"),
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
    ("availability.p99_ms", "<", 1.0, "check_table_availability p99 under 1 ms"),
    ("night_plan.p99_ms", "<", 5.0, "night_plan p99 under 5 ms"),
    ("live.notify_p95_ms", "<", 150, "commit-to-listener p95 under 150 ms"),
    ("live.cost_ratio", "<=", 0.10, "listeners cost <= 10% of booking throughput"),
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
    r = data.get("release")
    if r:
        refusals = ", ".join(f"{k} {v}" for k, v in r.get("refusals", {}).items()) or "none"
        w(
            f"{'release':<14}{r.get('connections'):>8}{'':>11}{'':>9}{'':>10}"
            f"{_fmt(r.get('p50_ms')):>9}{_fmt(r.get('p99_ms')):>9}  "
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
            f"listeners, {lv.get('how')})\n"
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
    out = "\n".join(lines) + "\n"
    targets = data.get("targets", [])
    if targets:
        out += "\n| target | value | met |\n|---|---|---|\n"
        for t in targets:
            met = "n/a" if t["met"] is None else ("yes" if t["met"] else "**no**")
            out += f"| {t['what']} ({t['target']}) | {_fmt(t['value'])} | {met} |\n"
    return out


if __name__ == "__main__":
    import sys

    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), end="")
