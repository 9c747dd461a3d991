"""The shape every benchmark measured on both installs shares: parse the arguments, run the
measurement in a child process per engine (PostgreSQL, SQLite), print a table, write a report.

A benchmark module is its seed and its scenarios::

    def seed(args):                       # in the child: Django set up, migrated
        ...                               # write the rows; return what the scenarios need
        return state

    def scenarios(state, args):
        return [("city list", lambda: timed(lambda _q: get("/petitions/"), runs(args)))]

    def main(argv=None):
        engines.main(name="petitions", doc=__doc__, seed=seed, scenarios=scenarios, argv=argv)

Each child gets a fresh database of its own (PostgreSQL ``chamber_bench_<name>``, dropped
after unless ``--keep-db``; SQLite in a temporary folder) and prints its figures as JSON on its
last line. ``timed`` reports, besides wall time (which a loaded machine inflates), what one
request cost in CPU — this process's (the view, the template, and SQLite itself) and the
PostgreSQL backend's, read from /proc — and its statements: figures other helpers' load on
the machine hardly moves.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench import procstat
from bench.config import ROOT

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REPORTS = ROOT / "bench" / "reports"

# The child of a benchmark that seeds a city's year and times its pages through the test client.
PAGES_ENV = {
    "ALLOWED_HOSTS": "testserver",
    "LOG_LEVEL": "ERROR",
    # The bulk seed is one long transaction: no idle or statement timeout here.
    "CHAMBER_DB_IDLE_IN_TRANSACTION_TIMEOUT": "0",
    "CHAMBER_DB_STATEMENT_TIMEOUT": "0",
}

Seed = Callable[[argparse.Namespace], Any]
Scenarios = Callable[[Any, argparse.Namespace], Iterable[tuple[str, Callable[[], dict]]]]


def main(
    *,
    name: str,
    doc: str,
    seed: Seed,
    scenarios: Scenarios,
    argv: list[str] | None = None,
    arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    facts: Callable[[Any, argparse.Namespace], dict] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 1200.0,
) -> None:
    """``python -m bench.<name>``: the parent runs a child per engine and reports; the child
    (``--child``) migrates, seeds (timed), runs each scenario's measure and prints JSON.

    ``arguments`` adds the benchmark's own options; ``facts(state, args)`` adds figures about
    the seeded data to each engine's result (row counts); ``env`` goes to the child."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=doc.split("\n")[0])
    if arguments:
        arguments(parser)
    parser.add_argument("--engine", choices=["both", "postgresql", "sqlite"], default="both")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--timeout", type=float, default=timeout, help="seconds per engine")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(seed=seed, scenarios=scenarios, facts=facts, args=args)))
        return
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as workdir:
        results = [
            run_child(
                module=f"bench.{name}",
                engine=engine,
                db_name=f"chamber_bench_{name}",
                workdir=Path(workdir),
                timeout=args.timeout,
                keep_db=args.keep_db,
                env=env,
                argv=argv,
            )
            for engine in engines
        ]
    for result in results:
        print(report_text(result))
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / time.strftime(f"{name}-%Y%m%d-%H%M%S.json", time.gmtime())
    path.write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    print(f"\nreport: {path.relative_to(ROOT)}")


def measure(*, seed: Seed, scenarios: Scenarios, facts, args: argparse.Namespace) -> dict:
    """In the child: migrate, seed, ANALYZE (PostgreSQL), run every scenario."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    state = seed(args)
    seeded_s = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "engine": connection.vendor,
        "seeded_s": round(seeded_s, 1),
        "load_average": [round(n, 2) for n in os.getloadavg()],
        **(facts(state, args) if facts else {}),
        "scenarios": {title: run() for title, run in scenarios(state, args)},
        "load_average_after": [round(n, 2) for n in os.getloadavg()],
    }


def timed(run: Callable[[str], object], queries: list[str], *, warmup: int = 5) -> dict:
    """p50 / p95 / max in milliseconds of ``run(query)`` over ``queries`` (after a warm-up),
    and the mean cost of one run: ``cpu_ms`` of this process, ``db_cpu_ms`` of the PostgreSQL
    backend (0 on SQLite, whose work is in ``cpu_ms``), ``statements``."""
    for query in queries[:warmup]:
        run(query)
    backend = _backend_pid()
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    took = []
    cpu, db_cpu = time.process_time(), _cpu(backend)
    with _wrapped(count):
        for query in queries:
            start = time.perf_counter()
            run(query)
            took.append((time.perf_counter() - start) * 1000)
    cpu, db_cpu = time.process_time() - cpu, _cpu(backend) - db_cpu
    took.sort()
    n = len(took)
    return {
        "queries": n,
        "p50_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[max(0, int(n * 0.95) - 1)], 2),
        "max_ms": round(took[-1], 2),
        "cpu_ms": round(cpu * 1000 / n, 2),
        "db_cpu_ms": round(db_cpu * 1000 / n, 2),
        "statements": round(statements[0] / n, 1),
    }


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu(pid: int | None) -> float:
    """CPU seconds of the PostgreSQL backend serving this process: the server is on this
    machine (127.0.0.1). schedstat counts nanoseconds; stat only 10 ms ticks."""
    if not pid:
        return 0.0
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except OSError:
        return procstat.cpu_seconds(pid)


def _wrapped(wrapper):
    from django.db import connection

    return connection.execute_wrapper(wrapper)


def report_text(result: dict) -> str:
    facts = ", ".join(
        f"{key} {value:,}" if isinstance(value, int) else f"{key} {value}"
        for key, value in result.items()
        if key not in ("engine", "scenarios", "load_average_after")
    )
    lines = [f"\n{result['engine']}: {facts}"]
    width = max(len(title) for title in result["scenarios"]) + 2
    head = ["p50 ms", "p95 ms", "max ms", "cpu ms", "db cpu", "stmts"]
    lines.append(f"  {'scenario':<{width}}" + "".join(f"{h:>9}" for h in head))
    for title, t in result["scenarios"].items():
        cells = [t[key] for key in ("p50_ms", "p95_ms", "max_ms", "cpu_ms", "db_cpu_ms")]
        cells.append(t["statements"])
        lines.append(f"  {title:<{width}}" + "".join(f"{c:>9}" for c in cells))
    return "\n".join(lines)


def run_child(
    *,
    module: str,
    engine: str,
    db_name: str,
    workdir: Path,
    timeout: float,
    keep_db: bool = False,
    env: dict[str, str] | None = None,
    argv: list[str] | None = None,
) -> dict:
    """``python -m <module> --child <argv>`` on ``engine``; its figures."""
    child_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chamber.settings", **(env or {})}
    if engine == "postgresql":
        postgres(
            f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)', f'CREATE DATABASE "{db_name}"'
        )
        child_env["DATABASE_URL"] = f"{POSTGRES}/{db_name}"
    else:
        child_env["DATABASE_URL"] = f"sqlite:///{workdir / f'{db_name}.sqlite3'}"
        child_env["CHAMBER_VAR_DIR"] = str(workdir)
    child_argv = sys.argv[1:] if argv is None else argv
    command = [sys.executable, "-m", module, "--child", *child_argv]
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=timeout
        )
    finally:
        if engine == "postgresql" and not keep_db:
            postgres(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    if done.returncode != 0:
        raise SystemExit(f"{engine}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)
