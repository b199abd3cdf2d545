"""Bookings per second against clients, beside the baseline, from a load
test's JSON::

    python -m frontdesk.loadtest.chart results.json docs/bench-throughput.png

matplotlib comes with the test extra; it is imported only here, lazily.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def series(data: dict[str, Any]) -> tuple[list[int], list[float], list[float], list[float]]:
    """(clients, baseline tps, booking attempts/s, bookings made/s) for the run's client counts."""
    clients, base, attempts, booked = [], [], [], []
    for c in data.get("clients", []):
        b = data.get("baseline", {}).get(f"c{c}")
        t = data.get("throughput", {}).get(f"c{c}")
        if not b or not t:
            continue
        clients.append(int(c))
        base.append(float(b["tps"]))
        attempts.append(float(t["tps"]))
        booked.append(float(t.get("booked_per_s") or 0.0))
    return clients, base, attempts, booked


def draw(data: dict[str, Any], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clients, base, attempts, booked = series(data)
    if not clients:
        raise SystemExit("no baseline/throughput figures in that JSON")
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    x = list(range(len(clients)))
    width = 0.27
    bars = [
        (base, "baseline: one-row insert + commit", "#9aa5b1", -width),
        (attempts, "create_booking_atomic calls", "#2f6fb0", 0.0),
        (booked, "bookings made", "#e07b39", width),
    ]
    for values, label, colour, dx in bars:
        rects = ax.bar([i + dx for i in x], values, width, label=label, color=colour)
        ax.bar_label(rects, labels=[f"{v:,.0f}" for v in values], fontsize=8, padding=2)
    for i, (b, a) in enumerate(zip(base, attempts, strict=True)):
        ax.annotate(
            f"{a / b:.2f}× baseline",
            (i, a),
            textcoords="offset points",
            xytext=(0, 14),
            ha="center",
            fontsize=8,
            color="#2f6fb0",
        )
    ax.set_xticks(x, [f"{c} clients" for c in clients])
    ax.set_yscale("log")
    ax.set_ylabel("transactions per second (log scale)")
    machine = data.get("machine", {})
    ax.set_title(
        f"frontdesk booking throughput — PostgreSQL {data.get('server_version', '?')}, "
        f"{machine.get('nproc', '?')} cores, pgbench {data.get('seconds', '?')} s per point",
        fontsize=10,
    )
    low = min(min(base), min(attempts), min(v for v in booked if v > 0) if any(booked) else 1.0)
    ax.set_ylim(bottom=low / 3, top=max(base) * 2.5)
    ax.legend(fontsize=8, loc="upper center", ncol=3, frameon=False)
    ax.grid(axis="y", alpha=0.3, which="both")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("json_path", type=Path)
    parser.add_argument("png_path", type=Path, nargs="?", default=Path("docs/bench-throughput.png"))
    args = parser.parse_args(argv)
    draw(json.loads(args.json_path.read_text(encoding="utf-8")), args.png_path)
    print(f"Chart written to {args.png_path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
