"""``python -m bench``: run the benchmark, print the tables, write bench/reports/*.json.

Examples::

    python -m bench                                   # N=1000, daphne, redis, 2 workers
    python -m bench --tablets 5000 --server uvicorn
    python -m bench --tablets 5000 --matrix           # daphne/uvicorn x redis/pubsub
    python -m bench --tablets 5000 --workers-sweep    # 1 and 2 workers
    python -m bench --city --server uvicorn           # the city's morning (bench/city)
    python -m bench --city --hosts 1,2                # on one host, then two: compared
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib import metadata

from bench import database
from bench.config import Config
from bench.procstat import raise_open_files_limit
from bench.report import evaluate, table, targets_text, write
from bench.run import run_chamber, run_floor
from bench.source import source_state


def _host_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or any(n < 0 for n in counts):
        raise argparse.ArgumentTypeError("host counts: e.g. 2, or 1,2")
    return counts


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--tablets", "-n", type=int, default=1000)
    parser.add_argument("--workers", "-k", type=int, default=2)
    parser.add_argument("--projectors", "-p", type=int, default=3)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--layer", choices=["redis", "pubsub"], default="redis")
    parser.add_argument(
        "--uvicorn-ws", choices=["websockets", "websockets-sansio", "wsproto"], default="websockets"
    )
    parser.add_argument(
        "--uvicorn-no-deflate",
        action="store_true",
        help="start Uvicorn with --ws-per-message-deflate false",
    )
    parser.add_argument("--matrix", action="store_true", help="daphne/uvicorn x redis/pubsub")
    parser.add_argument("--workers-sweep", action="store_true", help="1 and 2 workers")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare websockets floor")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument(
        "--requesters", type=int, default=200, help="tablets asking for the floor at once; 0: all"
    )
    parser.add_argument("--connect-concurrency", type=int, default=20)
    parser.add_argument(
        "--no-compression", action="store_true", help="do not offer permessage-deflate"
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the workers per phase")
    parser.add_argument(
        "--quiet-wait", type=float, default=120.0, help="max s to wait for an idle machine"
    )
    parser.add_argument("--timeout", type=float, default=540.0, help="seconds per run")
    parser.add_argument("--db-name", default="chamber_bench")
    city = parser.add_argument_group("the city's morning (bench/city)")
    city.add_argument("--city", action="store_true", help="every council's sitting at once")
    city.add_argument("--communes", type=int, default=168)
    city.add_argument("--commune-seats", type=int, default=30)
    city.add_argument("--city-seats", type=int, default=95)
    city.add_argument("--arrive-spread", type=float, default=60.0, help="s; 0: all at once only")
    city.add_argument("--voting-together", type=int, default=20)
    city.add_argument(
        "--hosts",
        type=_host_counts,
        default=[0],
        help="workers over N hosts (network namespaces) behind nginx; 1,2: the same morning "
        "on one host then two, compared (what the second host bought)",
    )
    args = parser.parse_args(argv)
    args.raw = " ".join(a for a in (argv if argv is not None else sys.argv[1:]) if a != "--city")
    return args


def _versions() -> dict:
    names = ["daphne", "twisted", "autobahn", "uvicorn", "websockets", "channels"]
    names += ["channels-redis", "redis", "django", "psycopg", "uvloop"]
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    raise_open_files_limit()
    base = {
        "tablets": args.tablets,
        "workers": args.workers,
        "projectors": args.projectors,
        "server": args.server,
        "layer": args.layer,
        "uvicorn_ws": args.uvicorn_ws,
        "uvicorn_deflate": not args.uvicorn_no_deflate,
        "client_procs": args.client_procs,
        "connect_concurrency": args.connect_concurrency,
        "compression": not args.no_compression,
        "timeout_s": args.timeout,
        "db_name": args.db_name,
        "profile": args.profile,
        "quiet_wait_s": args.quiet_wait,
        "requesters": args.requesters,
    }
    if args.city:
        from bench.city.main import city_main

        return city_main(args, base)
    if args.matrix:
        plan = [
            {"server": server, "layer": layer}
            for server in ("daphne", "uvicorn")
            for layer in ("redis", "pubsub")
        ]
    elif args.workers_sweep:
        plan = [{"workers": k} for k in (1, 2)]
    else:
        plan = [{}]

    started = time.time()
    source_at_start = source_state()
    first = Config(**base)
    print(f"bench: migrating the template database {first.db_name}_template ...", flush=True)
    database.prepare_template(first)
    floor = None
    if not args.no_floor:
        print(f"bench: floor, N={args.tablets} ...", flush=True)
        floor = run_floor(Config(**base))
        print(f"bench: floor done in {floor['wall_s']:.0f}s ok={floor['ok']}", flush=True)
    runs = []
    for overrides in plan:
        cfg = Config(**(base | overrides))
        print(f"bench: {cfg.label} ...", flush=True)
        result = run_chamber(cfg)
        result["targets"] = evaluate(result, floor)
        runs.append(result)
        status = "ok" if result["ok"] else f"FAILED ({result.get('error')})"
        print(f"bench: {cfg.label} done in {result['wall_s']:.0f}s {status}", flush=True)

    report = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "kernel": platform.release(),
            "versions": _versions(),
        },
        "source": source_at_start,
        "notes": {
            "latency": "time.monotonic() at the console just before it sends the command, to "
            "time.monotonic() in the client process when the frame is read",
            "server_cpu_per_event_ms": "utime+stime of all ASGI worker processes over the "
            "agenda phase, divided by the number of agenda events (each delivered to every "
            "screen)",
            "server_cpu_per_delivered_frame_us": "the same CPU divided by events x screens",
            "memory": "RSS of the worker processes after all screens connected minus before, "
            "divided by the screens connected",
            "poll.progress": "no console command triggers it: its latency is the receipt time "
            "minus the acknowledgement of the last ballot it counts (includes the 0.25 s "
            "coalescing interval); 'spread' is receipt minus the first receipt of that event",
        },
        "floor": floor,
        "runs": runs,
    }
    path = write(report)
    print()
    print(table([r for r in [floor, *runs] if r]))
    for run in runs:
        print(f"\ntargets, {run['label']}:")
        print(targets_text(run["targets"]))
        if not run["ok"]:
            print(f"  run failed in phase {run.get('failed_phase')}: {run.get('error')}")
            for name, tail in run.get("server_logs", {}).items():
                print(f"  --- {name} log tail ---\n{tail}")
    if floor and not floor["ok"]:
        print(f"\nfloor failed in phase {floor.get('failed_phase')}: {floor.get('error')}")
    print(f"\nreport: {path}")
    ok = all(r["ok"] for r in runs) and (floor is None or floor["ok"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
