"""``python -m bench --city``: the city's morning, with the floor in the same invocation."""

from __future__ import annotations

import time

from bench import database
from bench.city.run import CityConfig, run_city
from bench.config import Config
from bench.report import _get, _target, targets_text, write
from bench.run import run_floor

CITY_TARGETS = {
    "arrive_spread_p99_s": 1.0,
    "arrive_at_once_all_s": 15.0,
    "agenda_fanout_worst_sitting_p99_s": 0.5,
    "sitting_all_acked_s": 2.0,
    "lost_duplicated_gaps": 0,
    "cpu_per_frame_vs_floor": 1.5,
}


def evaluate_city(run: dict, floor: dict | None) -> list[dict]:
    t = CITY_TARGETS
    floor_frame = _get(floor, "agenda", "server_cpu_per_delivered_frame_us")
    frame = _get(run, "cpu_per_delivered_frame_us")
    faults = None
    if run.get("ok"):
        faults = sum(
            _get(run, *path, default=0) or 0
            for path in (
                ("vote_some", "lost"),
                ("vote_some", "duplicated"),
                ("vote_all", "lost"),
                ("vote_all", "duplicated"),
                ("events", "gaps"),
                ("events", "events_of_another_sitting"),
                ("events", "events_unlike_the_console"),
            )
        )
    return [
        _target(
            "spread arrivals: connect + snapshot p99",
            _get(run, "arrive_spread", "per_connection_s", "p99"),
            t["arrive_spread_p99_s"],
            unit=" s",
        ),
        _target(
            "all screens at once: all connected + snapshot",
            _get(run, "arrive_at_once", "all_connected_s"),
            t["arrive_at_once_all_s"],
            unit=" s",
        ),
        _target(
            "agenda fan-out p99, worst sitting",
            _get(run, "fanout", "agenda.current", "worst_sitting_p99"),
            t["agenda_fanout_worst_sitting_p99_s"],
            unit=" s",
        ),
        _target(
            "20 sittings voting at once: all acked, worst sitting p99",
            _get(run, "vote_some", "sitting_all_acked_after_first_cast_s", "p99"),
            t["sitting_all_acked_s"],
            unit=" s",
        ),
        _target(
            "every sitting voting at once: all acked, worst sitting p99 (beyond the issue)",
            _get(run, "vote_all", "sitting_all_acked_after_first_cast_s", "p99"),
            t["sitting_all_acked_s"],
            unit=" s",
        ),
        _target("lost, duplicated, gaps, foreign events", faults, t["lost_duplicated_gaps"]),
        _target(
            "server CPU per delivered frame vs the floor",
            frame / floor_frame if frame is not None and floor_frame else None,
            t["cpu_per_frame_vs_floor"],
            unit="x",
        ),
    ]


def city_main(args, base: dict) -> int:
    started = time.time()
    overrides = {
        "communes": args.communes,
        "commune_seats": args.commune_seats,
        "city_seats": args.city_seats,
        "arrive_spread_s": args.arrive_spread,
        "voting_together": args.voting_together,
        "hosts": args.hosts,
        "connect_concurrency": max(base["connect_concurrency"], 400),
    }
    cfg = CityConfig(**(base | overrides))
    print(f"bench: migrating the template database {cfg.db_name}_template ...", flush=True)
    database.prepare_template(cfg)
    floor = None
    if not args.no_floor:
        screens = cfg.tablets + cfg.sittings
        print(f"bench: floor, N={screens} ...", flush=True)
        floor = run_floor(Config(**(base | {"tablets": screens, "projectors": 0})))
        print(f"bench: floor done in {floor['wall_s']:.0f}s ok={floor['ok']}", flush=True)
    print(f"bench: {cfg.label} ...", flush=True)
    run = run_city(cfg)
    run["targets"] = evaluate_city(run, floor)
    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "command": f"python -m bench --city {args.raw}",
        "floor": floor,
        "runs": [],
        "city": run,
    }
    path = write(report)
    print(f"\ntargets, {run['label']}:")
    print(targets_text(run["targets"]))
    if not run["ok"]:
        print(f"  run failed in phase {run.get('failed_phase')}: {run.get('error')}")
        for name, tail in run.get("server_logs", {}).items():
            print(f"  --- {name} log tail ---\n{tail}")
    print(f"\nreport: {path}")
    return 0 if run["ok"] and (floor is None or floor["ok"]) else 1
