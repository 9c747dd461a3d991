"""``python -m bench.connect``: what one tablet's connect costs the server, load-independent.

N tablets (signed in the evening before) connect at once to one sitting in this one process
(in-process ASGI clients, the in-memory channel layer, PostgreSQL from DATABASE_URL) and each
waits for its snapshot. Printed: the SELECTs run per connect (counted in every thread) and the
process's CPU seconds per connect (``time.process_time``: server and the in-process clients
together, so an upper bound), for each mode:

* ``session`` — the tablet sends only its Django session cookie (how every tablet connected
  before the pass: the session load, the delegate, the council; run against an older commit
  this is exactly the old code), and the public snapshot part is built for every screen;
* ``pass`` — the signed pass (meeting.tablet_pass) and the shared public part
  (realtime.shared_snapshot).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_connect python -m bench.connect \
        --tablets 1000

The database is emptied and seeded again for each mode (``chamber migrate`` first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    os.environ.setdefault("SECRET_KEY", "bench-connect-" + "x" * 40)
    import django

    django.setup()


def _seed(tablets: int) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    from bench.seed import seed_sitting
    from meeting.models import Council
    from meeting.roles import sync_role_groups

    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        sync_role_groups()
        return seed_sitting(
            name="HĐND Thử kết nối", level=Council.Level.CITY, seats=tablets, items=12,
            chair="bench-connect-chair",
        )


class Reads:
    """SELECTs, and statements of every kind, from every thread (consumers read on the
    database threads); and the connection health checks (``SELECT 1`` round trips that bypass
    Django's cursors, so counted apart)."""

    def __init__(self) -> None:
        from django.db.backends import utils
        from django.db.backends.postgresql.base import DatabaseWrapper

        self.count = 0
        self.statements = 0
        self.health_checks = 0
        original = utils.CursorWrapper._execute_with_wrappers
        is_usable = DatabaseWrapper.is_usable

        def counting_checks(wrapper):
            self.health_checks += 1
            return is_usable(wrapper)

        DatabaseWrapper.is_usable = counting_checks

        def counting(cursor, sql, *args, **kwargs):
            self.statements += 1
            if sql.lstrip()[:6].upper() == "SELECT":
                self.count += 1
            return original(cursor, sql, *args, **kwargs)

        utils.CursorWrapper._execute_with_wrappers = counting


def _hops_as_in_a_server() -> None:
    """Channels' test communicators swap ``close_old_connections`` for a no-op while they
    send and receive (a test's connection must survive its hops); a server calls it around
    every thread hop, and that is when a persistent connection's health check is re-armed.
    Make the communicators' no-op the real one, so the storm pays what a server pays."""
    from channels.testing import application
    from django.db import close_old_connections

    application.no_op = close_old_connections


async def _storm(sitting: dict, *, with_pass: bool) -> list[float]:
    from channels.testing import WebsocketCommunicator

    from chamber.asgi import application

    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
    clients = []
    for _pk, cookie in sitting["tablets"]:
        if not with_pass:
            cookie = cookie.split(";")[0]  # the Django session alone
        value = f"{sitting['cookie_name']}={cookie}".encode()
        clients.append(
            WebsocketCommunicator(
                application, f"/ws/tablet/{sitting['session_id']}/", [*headers, (b"cookie", value)]
            )
        )
    waits = []

    async def one(client) -> None:
        start = time.perf_counter()
        connected, _ = await client.connect(timeout=600)
        frame = json.loads(await client.receive_from(timeout=600))
        assert connected and frame["type"] == "snapshot", frame
        waits.append(time.perf_counter() - start)

    await asyncio.gather(*(one(c) for c in clients))
    for client in clients:
        await client.disconnect(timeout=60)
    return waits


def measure(*, tablets: int, with_pass: bool, reads: Reads) -> dict:
    from asgiref.sync import async_to_sync

    try:  # absent before the shared part existed: every screen built its own then
        from realtime import shared_snapshot
    except ImportError:
        shared_snapshot = None
    if shared_snapshot is not None:
        shared_snapshot.shared_parts.clear()
        shared_snapshot.MAX_AGE_SECONDS = 3600.0 if with_pass else -1.0
    sitting = _seed(tablets)
    before_reads, before_cpu = reads.count, time.process_time()
    before_statements, before_checks = reads.statements, reads.health_checks
    wall = time.perf_counter()
    waits = async_to_sync(_storm)(sitting, with_pass=with_pass)
    cpu = time.process_time() - before_cpu
    waits.sort()
    return {
        "mode": "pass" if with_pass else "session",
        "tablets": tablets,
        "reads_per_connect": round((reads.count - before_reads) / tablets, 1),
        "statements_per_connect": round((reads.statements - before_statements) / tablets, 1),
        "health_checks_per_connect": round((reads.health_checks - before_checks) / tablets, 1),
        "cpu_ms_per_connect": round(1000 * cpu / tablets, 2),
        "wall_s": round(time.perf_counter() - wall, 1),
        "p99_wait_s": round(waits[int(0.99 * (len(waits) - 1))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tablets", type=int, default=1000)
    parser.add_argument("--modes", default="session,pass")
    args = parser.parse_args()
    _setup()
    _hops_as_in_a_server()
    reads = Reads()
    rows = [
        measure(tablets=args.tablets, with_pass=mode == "pass", reads=reads)
        for mode in args.modes.split(",")
    ]
    print(
        "| mode | tablets | SELECTs per connect | statements per connect "
        "| health checks per connect | CPU ms per connect | wall s | p99 wait s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['mode']} | {row['tablets']} | {row['reads_per_connect']} | "
            f"{row['statements_per_connect']} | {row['health_checks_per_connect']} | "
            f"{row['cpu_ms_per_connect']} | {row['wall_s']} | {row['p99_wait_s']} |"
        )


if __name__ == "__main__":
    main()
