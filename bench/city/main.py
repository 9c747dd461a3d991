"""``python -m bench --city``: the city's morning, with the floor in the same invocation.

``--hosts 1,2`` plays the same morning twice, its workers on one host and then split over two
(network namespaces behind nginx, bench/hosts.py), and says what the second host bought
(bench/city/compare.py).
"""

from __future__ import annotations

import time

from bench import database
from bench.city.compare import compare_hosts, comparison_text
from bench.city.run import CityConfig, run_city
from bench.config import Config
from bench.report import targets_text, write
from bench.run import run_floor
from bench.targets import _get, _target, _vs

CITY_TARGETS = {
    "arrive_spread_p99_s": 1.0,
    "arrive_at_once_all_s": 15.0,
    "agenda_fanout_worst_sitting_p99_s": 0.5,
    "sitting_all_acked_s": 2.0,
    "lost_duplicated_gaps": 0,
    "cpu_per_frame_vs_floor": 1.5,
}
FAULTS = (
    ("vote_some", "lost"),
    ("vote_some", "duplicated"),
    ("vote_all", "lost"),
    ("vote_all", "duplicated"),
    ("events", "gaps"),
    ("events", "events_of_another_sitting"),
    ("events", "events_unlike_the_console"),
)


def evaluate_city(run: dict, floor: dict | None) -> list[dict]:
    """The issue's targets for the city's morning, each beside the floor's figure of the same
    invocation (the floor serves as many screens at once, on one process)."""
    t = CITY_TARGETS
    floor_frame = _get(floor, "agenda", "server_cpu_per_delivered_frame_us")
    frame = _get(run, "cpu_per_delivered_frame_us")
    no_floor = "no floor in this run" if floor is None or not floor.get("ok") else ""
    faults = None
    if "events" in run:
        faults = sum(_get(run, *path, default=0) or 0 for path in FAULTS)
    targets = [
        _target(
            "spread arrivals: connect + snapshot p99",
            _get(run, "arrive_spread", "per_connection_s", "p99"),
            t["arrive_spread_p99_s"],
            unit=" s",
            floor=_get(floor, "connect", "per_connection_s", "p99"),
            phase="arrive_spread",
        ),
        _target(
            "all screens at once: all connected + snapshot",
            _get(run, "arrive_at_once", "all_connected_s"),
            t["arrive_at_once_all_s"],
            unit=" s",
            floor=_get(floor, "connect", "all_connected_s"),
            phase="arrive_at_once",
        ),
        _target(
            "agenda fan-out p99, worst sitting",
            _get(run, "fanout", "agenda.current", "worst_sitting_p99"),
            t["agenda_fanout_worst_sitting_p99_s"],
            unit=" s",
            floor=_get(floor, "fanout", "agenda.current", "p99"),
            phase="agenda",
        ),
        _target(
            "20 sittings voting at once: all acked, worst sitting p99",
            _get(run, "vote_some", "sitting_all_acked_after_first_cast_s", "p99"),
            t["sitting_all_acked_s"],
            unit=" s",
            phase="vote_some",
        ),
        _target(
            "every sitting voting at once: all acked, worst sitting p99 (beyond the issue)",
            _get(run, "vote_all", "sitting_all_acked_after_first_cast_s", "p99"),
            t["sitting_all_acked_s"],
            unit=" s",
            phase="vote_all",
        ),
        _target(
            "lost, duplicated, gaps, foreign events",
            faults,
            t["lost_duplicated_gaps"],
            floor=_get(floor, "events", "gaps"),
        ),
        _target(
            "server CPU per delivered frame vs the floor (agenda)",
            frame / floor_frame if frame is not None and floor_frame else None,
            t["cpu_per_frame_vs_floor"],
            unit="×",
            note=no_floor or _vs(frame, floor_frame, " µs"),
            floor=floor_frame,
            phase="agenda",
        ),
    ]
    missed = {m["phase"]: m for m in run.get("missed_phases", [])}
    for row in targets:
        if row["phase"] in missed:
            row["note"] = f"{row['note']} phase missed: {missed[row['phase']]['error']}".strip()
    if not run.get("ok"):
        where = ", ".join(missed) or run.get("failed_phase")
        targets.insert(
            0,
            {"target": "run completed", "verdict": "MISS", "note": f"{where}: {run.get('error')}"},
        )
    return targets


def city_main(args, base: dict) -> int:
    started = time.time()
    overrides = {
        "communes": args.communes,
        "commune_seats": args.commune_seats,
        "city_seats": args.city_seats,
        "arrive_spread_s": args.arrive_spread,
        "voting_together": args.voting_together,
        "connect_concurrency": max(base["connect_concurrency"], 400),
    }
    plan = [CityConfig(**(base | overrides | {"hosts": hosts})) for hosts in args.hosts]
    first = plan[0]
    print(f"bench: migrating the template database {first.db_name}_template ...", flush=True)
    database.prepare_template(first)
    floor = None
    if not args.no_floor:
        screens = first.tablets + first.sittings
        print(f"bench: floor, N={screens} ...", flush=True)
        floor = run_floor(Config(**(base | {"tablets": screens, "projectors": 0})))
        print(f"bench: floor done in {floor['wall_s']:.0f}s ok={floor['ok']}", flush=True)
    runs = []
    for cfg in plan:
        print(f"bench: {cfg.label} ...", flush=True)
        run = run_city(cfg)
        run["targets"] = evaluate_city(run, floor)
        runs.append(run)
        print(f"bench: {cfg.label} done in {run['wall_s']:.0f}s ok={run['ok']}", flush=True)
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "command": f"python -m bench --city {args.raw}",
        "floor": floor,
        "runs": [],
        "city": runs[0],
        "city_runs": runs,
    }
    if len(runs) > 1:
        report["hosts_compared"] = compare_hosts(runs, floor)
    path = write(report)
    for run in runs:
        print(f"\ntargets, {run['label']}:")
        print(targets_text(run["targets"]))
        if not run["ok"]:
            print(f"  run failed in phase {run.get('failed_phase')}: {run.get('error')}")
            for name, tail in run.get("server_logs", {}).items():
                print(f"  --- {name} log tail ---\n{tail}")
    if "hosts_compared" in report:
        print("\n" + comparison_text(report["hosts_compared"]))
    print(f"\nreport: {path}")
    return 0 if all(r["ok"] for r in runs) and (floor is None or floor["ok"]) else 1
