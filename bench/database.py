"""The benchmark's own PostgreSQL database: migrated once, copied fresh for every run, checked
after the sitting, dropped at the end."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.config import ROOT, Config


@dataclass
class Fixture:
    """What the seeding made: the session and the credentials of every screen."""

    session_id: int
    projector_key: str
    chair_cookie: str
    cookie_name: str
    tablets: list[tuple[int, str]]  # (delegate id, session cookie)
    seats: int


def _admin(cfg: Config) -> psycopg.Connection:
    return psycopg.connect(cfg.database_url("postgres"), autocommit=True, connect_timeout=10)


def _recreate(cfg: Config, name: str, template: str | None = None) -> None:
    with _admin(cfg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')


def drop(cfg: Config, name: str | None = None) -> None:
    with _admin(cfg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name or cfg.db_name}" WITH (FORCE)')


def template_name(cfg: Config) -> str:
    return f"{cfg.db_name}_template"


def _run(cfg: Config, args: list[str], database: str, timeout: float) -> str:
    env = cfg.server_env()
    env["DATABASE_URL"] = cfg.database_url(database)
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        output = f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        raise RuntimeError(f"{' '.join(args)} failed:\n{output}")
    return done.stdout


def prepare_template(cfg: Config) -> None:
    """Migrate an empty database once; every run copies it (CREATE DATABASE ... TEMPLATE)."""
    name = template_name(cfg)
    _recreate(cfg, name)
    _run(cfg, ["-m", "chamber.cli", "migrate", "--no-input", "-v", "0"], name, timeout=300)


def ensure_template(cfg: Config) -> None:
    with _admin(cfg) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [template_name(cfg)]
        ).fetchone()
    if not exists:
        prepare_template(cfg)


def create_and_seed(cfg: Config) -> Fixture:
    _recreate(cfg, cfg.db_name, template=template_name(cfg))
    out = Path(cfg.run_dir) / "fixture.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(
        cfg,
        [
            "-m",
            "bench.seed",
            "--tablets",
            str(cfg.tablets),
            "--items",
            str(cfg.agenda_items),
            "--out",
            str(out),
        ],
        cfg.db_name,
        timeout=300,
    )
    data = json.loads(out.read_text())
    data["tablets"] = [tuple(t) for t in data["tablets"]]
    return Fixture(**data)


def ballots_on_record(cfg: Config, poll_id: int) -> dict:
    """What the database holds for the poll: every ballot, participation and the result."""
    with psycopg.connect(cfg.database_url(), connect_timeout=10) as conn:
        receipts = [
            row[0]
            for row in conn.execute(
                "SELECT receipt FROM voting_ballot WHERE poll_id = %s AND NOT superseded",
                [poll_id],
            )
        ]
        participations = conn.execute(
            "SELECT count(*), count(DISTINCT delegate_id) FROM voting_participation "
            "WHERE poll_id = %s",
            [poll_id],
        ).fetchone()
        result = conn.execute(
            "SELECT ballots, counts, passed FROM voting_pollresult WHERE poll_id = %s", [poll_id]
        ).fetchone()
        present = conn.execute(
            "SELECT count(*) FROM meeting_attendance a JOIN voting_poll p "
            "ON p.session_id = a.session_id WHERE p.id = %s AND a.status = 'present'",
            [poll_id],
        ).fetchone()[0]
    return {
        "receipts": receipts,
        "participations": participations[0],
        "participating_delegates": participations[1],
        "result_ballots": None if result is None else result[0],
        "result_counts": None if result is None else result[1],
        "result_passed": None if result is None else result[2],
        "present": present,
    }
