"""What the second host bought: the same morning on one host and on two, side by side.

Both runs go through the same path (nginx, docker/nginx.conf, in front of workers in network
namespaces, each reaching PostgreSQL and Redis through its own relay: bench/hosts.py) with
the same number of workers; only how many hosts they are spread over differs. On one machine
the "hosts" share its cores, memory and loopback: the report says so rather than let a
difference in noise pass for capacity.
"""

from __future__ import annotations

import os

from bench.targets import _get

# (what, path in the city run, unit); lower is better for every one.
FIGURES = (
    ("spread arrivals: connect + snapshot p99", ("arrive_spread", "per_connection_s", "p99"), "s"),
    ("all at once: connect + snapshot p99", ("arrive_at_once", "per_connection_s", "p99"), "s"),
    ("all at once: all connected", ("arrive_at_once", "all_connected_s"), "s"),
    ("20 sittings: ballot ack p99", ("vote_some", "ack_latency_s", "p99"), "s"),
    (
        "20 sittings: all acked, worst sitting p99",
        ("vote_some", "sitting_all_acked_after_first_cast_s", "p99"),
        "s",
    ),
    ("every sitting: ballot ack p99", ("vote_all", "ack_latency_s", "p99"), "s"),
    ("agenda fan-out p99", ("fanout", "agenda.current", "p99"), "s"),
    ("agenda fan-out p99, worst sitting", ("fanout", "agenda.current", "worst_sitting_p99"), "s"),
    ("server CPU per delivered frame", ("cpu_per_delivered_frame_us",), "µs"),
    ("server CPU per ballot (every sitting)", ("vote_all", "server_cpu_per_ballot_ms"), "ms"),
    ("machine busy during the agenda", ("agenda", "cpu", "machine_busy_fraction"), "share"),
)
NOISE = 0.15  # a change smaller than this share is not called a gain or a loss


def compare_hosts(runs: list[dict], floor: dict | None) -> dict:
    """Figures per host count, the last run's against the first's (ratio < 1: it bought)."""
    base, last = runs[0], runs[-1]
    rows = []
    for name, path, unit in FIGURES:
        values = {str(_get(r, "config", "hosts")): _get(r, *path) for r in runs}
        first, other = _get(base, *path), _get(last, *path)
        ratio = other / first if first and other is not None else None
        rows.append({"figure": name, "unit": unit, "by_hosts": values, "ratio": ratio})
    hosts = [_get(r, "config", "hosts") for r in runs]
    return {
        "hosts": hosts,
        "workers": _get(base, "config", "workers"),
        "cores": os.cpu_count(),
        "floor_cpu_per_frame_us": _get(floor, "agenda", "server_cpu_per_delivered_frame_us"),
        "rows": rows,
        "runs_ok": [bool(r.get("ok")) for r in runs],
        "bought": _verdict(rows, hosts),
    }


def _verdict(rows: list[dict], hosts: list) -> str:
    better = [r["figure"] for r in rows if r["ratio"] is not None and r["ratio"] < 1 - NOISE]
    worse = [r["figure"] for r in rows if r["ratio"] is not None and r["ratio"] > 1 + NOISE]
    cores = os.cpu_count()
    text = (
        f"Both runs ran on this one machine: its {hosts[-1]} hosts are network namespaces "
        f"sharing the same {cores} cores, memory and kernel, so the second host added no "
        "capacity — what changes is only that the workers are split over two addresses "
        "behind nginx, each host with its own relay to PostgreSQL and Redis. "
    )
    if not better and not worse:
        return text + (
            f"No figure moved by more than {NOISE:.0%}: on one machine the second host bought "
            "nothing measurable, as expected; on a real second machine the workers would "
            "get its cores too."
        )
    parts = []
    if better:
        parts.append(f"better by more than {NOISE:.0%}: {', '.join(better)}")
    if worse:
        parts.append(f"worse by more than {NOISE:.0%}: {', '.join(worse)}")
    return text + (
        "; ".join(parts) + ". On shared cores these are the split's own cost or the load "
        "of the machine (other processes ran meanwhile: see each run's machine_busy), not "
        "what a real second machine would buy."
    )


def comparison_text(compared: dict) -> str:
    hosts = compared["hosts"]
    lines = [
        f"what the second host bought ({' vs '.join(f'{h} host(s)' for h in hosts)}, "
        f"{compared['workers']} workers in all, {compared['cores']} cores):"
    ]
    for row in compared["rows"]:
        cells = []
        for value in row["by_hosts"].values():
            cells.append("-" if value is None else _shown(value, row["unit"]))
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        lines.append(f"  {row['figure']:<42} {' | '.join(cells):>24}  {ratio}")
    lines.append("  " + compared["bought"])
    return "\n".join(lines)


def _shown(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value:.0%}"
    return f"{value:.3g} {unit}"
