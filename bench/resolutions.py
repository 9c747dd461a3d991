"""Resolutions benchmark: a city's year — 169 councils, their resolutions, tasks, supervision
recommendations and consultations — and the pages people open: the overviews of the city and
of a commune (charts, drill-down, CSV/XLSX), the resolutions list (filtered, searched), the
tasks lists.

``python -m bench.resolutions [--per-council 30] [--requests 30] [--engine both|postgresql|
sqlite]`` seeds the rows in bulk (bench.resolutions_seed), then times each page through
Django's test client — the view, its queries and the template, no network — as the city's
Standing Committee, a commune's clerk and an agency's officer: p50 / p95 / max of the wall
time, and beside it, per request, the time spent in the database calls (the driver's
``execute``: PostgreSQL's work and the round trip; all of SQLite's work), the process's CPU
time (the view and the template; SQLite's work too) and the number of queries — figures that
another process's load moves much less than the wall time. The 1-minute load average is
recorded at the start and end of each page. Each engine runs in a process of its own on its
own database (PostgreSQL ``chamber_bench_resolutions``, dropped after; SQLite in a temporary
folder). A report goes to bench/reports/resolutions-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.engines import run_child
from bench.search import ROOT
from bench.source import source_state

REPORTS = ROOT / "bench" / "reports"
DB_NAME = "chamber_bench_resolutions"
QUERIES = [
    "ngân sách",
    "ngan sach",
    "chống ngập",
    "chong ngap",
    "giao thông",
    "truong hoc",
    "quy hoạch sử dụng",
    "chuyen doi so",
    "NQ-HĐND",
    "15/NQ",
    "phí trông",
    "moi truong",
]


def _percentiles(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(values[max(0, int(len(values) * 0.95) - 1)], 2),
        "max": round(values[-1], 2),
    }


def measured(run: Callable[[int], object], requests: int, *, warmup: int = 3) -> dict:
    """Wall, database and CPU time of ``run(n)`` for n in range(requests), after a warm-up."""
    from django.db import connection

    spent = {"db": 0.0, "queries": 0}

    def timing(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["db"] += time.perf_counter() - began
            spent["queries"] += 1

    for n in range(warmup):
        run(n)
    wall, db, cpu, queries = [], [], [], []
    load_start = os.getloadavg()[0]
    with connection.execute_wrapper(timing):
        for n in range(requests):
            spent["db"], spent["queries"] = 0.0, 0
            cpu_began, began = time.process_time(), time.perf_counter()
            run(n)
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - cpu_began) * 1000)
            db.append(spent["db"] * 1000)
            queries.append(spent["queries"])
    return {
        "requests": requests,
        "wall_ms": _percentiles(wall),
        "db_ms": _percentiles(db),
        "cpu_ms": _percentiles(cpu),
        "queries": max(queries),
        "load": [round(load_start, 2), round(os.getloadavg()[0], 2)],
    }


def _measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.resolutions_seed import seed
    from meeting.models import Agency

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    seeded = seed(per_council=args.per_council)
    seeded_s = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    city, clerk, officer = Client(), Client(), Client()
    city.force_login(seeded.standing)
    clerk.force_login(seeded.clerk)
    officer.force_login(seeded.officer)
    rng = random.Random(7)
    communes = [c.pk for c in seeded.communes]
    commune_agencies = list(
        Agency.objects.filter(council=seeded.commune).values_list("pk", flat=True)
    )
    n, few = args.requests, max(3, args.requests // 6)

    def get(client, url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)

    def page(client, url: Callable[[int], str] | str, requests: int = n) -> dict:
        return measured(lambda i: get(client, url(i) if callable(url) else url), requests)

    overview = "/resolutions/overview/"
    city_pk = seeded.city.pk
    scenarios = {
        "city overview (169 councils)": page(city, overview),
        "city overview, one commune (drill-down)": page(
            city, lambda _i: f"{overview}?council={rng.choice(communes)}"
        ),
        "commune overview (clerk)": page(clerk, overview),
        "city tasks list, late": page(city, f"{overview}?council={city_pk}&state=late"),
        "city recommendations, late": page(
            city, f"{overview}?council={city_pk}&kind=recommendation&state=late"
        ),
        "commune tasks of one agency": page(
            clerk, lambda i: f"{overview}?agency={commune_agencies[i % len(commune_agencies)]}"
        ),
        "officer's tasks list": page(officer, "/resolutions/tasks/"),
        "city resolutions list": page(city, "/resolutions/"),
        "city resolutions list, amended": page(city, "/resolutions/?status=amended"),
        "commune resolutions list (clerk)": page(clerk, "/resolutions/"),
        "city search": page(city, lambda i: f"/resolutions/?q={QUERIES[i % len(QUERIES)]}"),
        "commune search": page(clerk, lambda i: f"/resolutions/?q={QUERIES[i % len(QUERIES)]}"),
        "city overview CSV, tasks by council": page(
            city, f"{overview}?export=tasks-by-council&format=csv"
        ),
        "city overview XLSX, tasks by agency": page(
            city, f"{overview}?export=tasks-by-agency&format=xlsx"
        ),
        "commune overview CSV, tasks list": page(clerk, f"{overview}?export=tasks&format=csv"),
        "commune overview XLSX, tasks list": page(clerk, f"{overview}?export=tasks&format=xlsx"),
        "city overview CSV, every task": page(
            city, f"{overview}?export=tasks&format=csv", few
        ),
        "city overview XLSX, every task": page(
            city, f"{overview}?export=tasks&format=xlsx", few
        ),
    }
    return {
        "engine": connection.vendor,
        "seeded": seeded.counts,
        "seeded_s": round(seeded_s, 1),
        "scenarios": scenarios,
    }


def _child(engine: str, args: argparse.Namespace, workdir: Path) -> dict:
    env = {
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "ERROR",
        # The bulk seed is one long transaction: no idle or statement timeout here.
        "CHAMBER_DB_IDLE_IN_TRANSACTION_TIMEOUT": "0",
        "CHAMBER_DB_STATEMENT_TIMEOUT": "0",
    }
    return run_child(
        module="bench.resolutions",
        engine=engine,
        db_name=DB_NAME,
        workdir=workdir,
        timeout=args.timeout,
        keep_db=args.keep_db,
        env=env,
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.resolutions", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--per-council", type=int, default=30, help="resolutions a year")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--engine", choices=["both", "postgresql", "sqlite"], default="both")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per engine")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def print_result(result: dict) -> None:
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in result["seeded"].items())
    print(f"\n{result['engine']}: {counts}; seeded in {result['seeded_s']} s")
    print(
        f"  {'page':<42} {'p50 ms':>7} {'p95 ms':>7} {'db p95':>7} {'cpu p95':>8} "
        f"{'queries':>7} {'load':>11}"
    )
    for name, t in result["scenarios"].items():
        load = "-".join(f"{x:.1f}" for x in t["load"])
        print(
            f"  {name:<42} {t['wall_ms']['p50']:>7} {t['wall_ms']['p95']:>7} "
            f"{t['db_ms']['p95']:>7} {t['cpu_ms']['p95']:>8} {t['queries']:>7} {load:>11}"
        )


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.child:
        print(json.dumps(_measure(args)))
        return
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    source, load = source_state(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-resolutions-") as workdir:
        results = [_child(engine, args, Path(workdir)) for engine in engines]
    for result in results:
        print_result(result)
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / time.strftime("resolutions-%Y%m%d-%H%M%S.json", time.gmtime())
    report = {"args": vars(args), "source": source, "load_at_start": load, "results": results}
    path.write_text(json.dumps(report, indent=2))
    print(f"commit {source['commit']}, load average at the start {load[0]:.1f} {load[1]:.1f}")
    print(f"\nreport: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
