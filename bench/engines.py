"""Run a benchmark's measurement in a child process on each install: PostgreSQL or SQLite.

A child gets a fresh database of its own (dropped after unless ``keep_db``), Django set up
for that engine, and prints its figures as JSON on its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.config import ROOT

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def run_child(
    *,
    module: str,
    engine: str,
    db_name: str,
    workdir: Path,
    timeout: float,
    keep_db: bool = False,
    env: dict[str, str] | None = None,
) -> dict:
    """``python -m <module> --child <this process's arguments>`` on ``engine``; its figures."""
    child_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chamber.settings", **(env or {})}
    if engine == "postgresql":
        postgres(
            f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)', f'CREATE DATABASE "{db_name}"'
        )
        child_env["DATABASE_URL"] = f"{POSTGRES}/{db_name}"
    else:
        child_env["DATABASE_URL"] = f"sqlite:///{workdir / f'{db_name}.sqlite3'}"
        child_env["CHAMBER_VAR_DIR"] = str(workdir)
    argv = [sys.executable, "-m", module, "--child", *sys.argv[1:]]
    try:
        done = subprocess.run(
            argv, cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=timeout
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
