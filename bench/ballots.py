"""``python -m bench.ballots``: what writing a ballot costs, independent of the machine's load.

Not the sitting's benchmark (``python -m bench``): no server, no sockets. A council of
``--seats`` delegates, all present, one open poll per row; ``--seats`` ballots are written
through the real service in batches of 1, 10 and 100 (``voting.ballots.ballots_cast``, what the
socket's group commit calls; on older code, without it, ``ballot_cast`` one by one). Reported
per ballot: the SQL statements Django sent, the round trips to the database (PostgreSQL: the
statements plus each transaction's BEGIN and COMMIT) and this process's CPU time
(``time.process_time``: not the database server's, and not wall time). Each engine runs in its
own process, on a database of its own (PostgreSQL: ``ballots_bench``, dropped at the end).

    python -m bench.ballots                       # PostgreSQL and SQLite
    python -m bench.ballots --engine sqlite --seats 500
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from bench.config import ROOT

BATCHES = (1, 10, 100)
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_NAME = "ballots_bench"


def _measure(seats: int) -> list[dict]:
    """In the engine's own process (Django set up on its DATABASE_URL)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.seed import seed_sitting
    from meeting.models import Attendance, Council, Delegate, Session
    from meeting.roles import sync_role_groups
    from realtime.actors import Actor
    from voting import ballots, counting, services

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        sync_role_groups()
        sitting = seed_sitting(
            name="HĐND đo phiếu", level=Council.Level.CITY, seats=seats, items=1, chair="chair"
        )
    session = Session.objects.get(pk=sitting["session_id"])
    delegates = list(Delegate.objects.filter(council=sitting["council"]).order_by("pk"))
    Attendance.objects.bulk_create(
        Attendance(session=session, delegate=d, status="present", changed_at=timezone.now())
        for d in delegates
    )
    chair = Actor(user=sitting["council"].staff_roles.get().user)
    batched = hasattr(ballots, "ballots_cast")
    rows = []
    for kind in ("named", "secret"):
        for size in BATCHES if batched else (1,):
            poll = services.poll_create(
                session_id=session.pk, title=f"{kind} {size}", actor=chair, kind=kind
            )
            services.poll_open(poll_id=poll.pk, actor=chair)
            casts = [
                dict(poll_id=poll.pk, delegate=d, choice="yes", command_id=str(uuid.uuid4()))
                for d in delegates
            ]
            connection.ensure_connection()
            statements = 0

            def count(execute, sql, params, many, context):
                nonlocal statements
                statements += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                started = time.process_time()
                for at in range(0, len(casts), size):
                    if batched:
                        requests = [ballots.BallotRequest(**c) for c in casts[at : at + size]]
                        outcomes = ballots.ballots_cast(ballots=requests)
                        assert all(isinstance(o, dict) for o in outcomes), outcomes[:3]
                    else:
                        ballots.ballot_cast(**casts[at])
                spent = time.process_time() - started
            transactions = -(-len(casts) // size)
            trips = statements + (2 * transactions if connection.vendor == "postgresql" else 0)
            assert poll.ballots.count() == len(casts)
            counting.poll_close(poll_id=poll.pk, actor=chair)
            rows.append(
                {
                    "engine": connection.vendor,
                    "kind": kind,
                    "batch": size,
                    "ballots": len(casts),
                    "statements": statements / len(casts),
                    "round_trips": trips / len(casts),
                    "cpu_ms": 1000 * spent / len(casts),
                }
            )
    return rows


def _run_engine(engine: str, seats: int) -> list[dict]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chamber.settings", "DEBUG": "0"}
    with tempfile.TemporaryDirectory() as scratch:
        if engine == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{Path(scratch) / 'ballots.sqlite3'}"
        else:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{PG_NAME}"')
            env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_NAME}"
        try:
            out = subprocess.run(
                [sys.executable, "-m", "bench.ballots", "--measure", "--seats", str(seats)],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout
        finally:
            if engine == "postgresql":
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    return json.loads(out.splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ballots", description=__doc__)
    parser.add_argument("--engine", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--seats", type=int, default=2000)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(_measure(args.seats)))
        return
    engines = ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]
    print(
        "| engine | poll | batch | ballots | statements / ballot | round trips / ballot "
        "| CPU ms / ballot |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for engine in engines:
        for row in _run_engine(engine, args.seats):
            print(
                f"| {row['engine']} | {row['kind']} | {row['batch']} | {row['ballots']} "
                f"| {row['statements']:.2f} | {row['round_trips']:.2f} | {row['cpu_ms']:.2f} |"
            )


if __name__ == "__main__":
    main()
