"""``python -m bench.steps``: what the city's agenda step costs, many sittings at the same moment.

The city's morning (``python -m bench --city``) has every sitting's chair press "next item"
within one moment. Here that moment alone, in this one process (in-process ASGI clients, the
in-memory channel layer unless REDIS_URL is set, PostgreSQL from DATABASE_URL): ``--sittings``
live sittings of ``--seats`` seats, one console each and ``--tablets`` tablets each; every
console sends ``agenda.next`` at once, ``--rounds`` times. Printed per round: the process's
CPU ms per step (``time.process_time``: the server and the in-process clients together, so an
upper bound; the clients' share is the same before and after a change), the SQL statements per step
(counted in every thread, by their first word), and the time from a console's send to the
``agenda.current`` event at each of its sitting's tablets (p50, p99, the worst sitting's p99).

    createdb -h 127.0.0.1 -U postgres bench_h3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h3 .venv/bin/chamber migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h3 python -m bench.steps \
        --sittings 169 --seats 30

With ``REDIS_URL`` (and a ``CHANNEL_PREFIX`` of its own) the frames go through the Redis layer,
as in the city's workers; without it, through the in-memory layer, whose expiry sweep over every
group at each send and receive is then a quarter of a round's CPU. The database is emptied and
seeded again each run. ``--profile out.txt`` has py-spy (``pip install py-spy==0.4.3``)
sample the rounds alone, in its raw format.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HEADERS = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    os.environ.setdefault("SECRET_KEY", "bench-steps-" + "x" * 40)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def _seed(*, sittings: int, seats: int, items: int) -> list[dict]:
    from django.core.management import call_command
    from django.db import transaction

    from bench.seed import seed_sitting
    from meeting.models import Council
    from meeting.roles import sync_role_groups

    call_command("flush", interactive=False, verbosity=0)
    seeded = []
    with transaction.atomic():
        sync_role_groups()
        for number in range(1, sittings + 1):
            seeded.append(
                seed_sitting(
                    name=f"HĐND Phường Thử bước {number}",
                    level=Council.Level.WARD,
                    seats=seats,
                    items=items,
                    chair=f"bench-steps-chair-{number}",
                )
            )
    return seeded


class Statements:
    """SQL statements from every thread, by their first word."""

    def __init__(self) -> None:
        from django.db.backends import utils

        self.counts: Counter[str] = Counter()
        original = utils.CursorWrapper._execute_with_wrappers

        def counting(cursor, sql, *args, **kwargs):
            self.counts[sql.lstrip()[:6].upper().rstrip()] += 1
            return original(cursor, sql, *args, **kwargs)

        utils.CursorWrapper._execute_with_wrappers = counting

    def total(self) -> int:
        return sum(self.counts.values())


class Screen:
    """One in-process socket and the frames it got, each with the moment it arrived."""

    def __init__(self, url: str, cookie: str) -> None:
        from channels.testing import WebsocketCommunicator

        from chamber.asgi import application

        self.client = WebsocketCommunicator(application, url, [*HEADERS, (b"cookie", cookie)])
        self.frames: list[tuple[float, dict]] = []
        self.arrived = asyncio.Event()
        self.reader: asyncio.Task | None = None

    async def open(self) -> None:
        connected, _ = await self.client.connect(timeout=600)
        frame = json.loads(await self.client.receive_from(timeout=600))
        assert connected and frame["type"] == "snapshot", frame
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            text = await self.client.receive_from(timeout=3600)
            self.frames.append((time.perf_counter(), json.loads(text)))
            self.arrived.set()

    async def first(self, test, since: int) -> tuple[float, dict]:
        """The first frame from index ``since`` on that passes ``test`` (waits for it)."""
        while True:
            for at, frame in self.frames[since:]:
                if test(frame):
                    return at, frame
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), timeout=120)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.client.disconnect(timeout=60)


async def _connect(seeded: list[dict], tablets: int) -> list[tuple[Screen, list[Screen]]]:
    sittings = []
    for sitting in seeded:
        name = sitting["cookie_name"]
        console = Screen(
            f"/ws/chair/{sitting['session_id']}/", f"{name}={sitting['chair_cookie']}".encode()
        )
        screens = [
            Screen(f"/ws/tablet/{sitting['session_id']}/", f"{name}={cookie}".encode())
            for _pk, cookie in sitting["tablets"][:tablets]
        ]
        sittings.append((console, screens))
    everyone = [s for console, screens in sittings for s in (console, *screens)]
    for at in range(0, len(everyone), 200):  # in waves: the arrivals are not what is measured
        await asyncio.gather(*(s.open() for s in everyone[at : at + 200]))
    return sittings


async def _round(sittings, number: int) -> dict:
    """Every console sends ``agenda.next`` at once; each tablet's wait for the event."""
    marks = [(c, len(c.frames), [(t, len(t.frames)) for t in ts]) for c, ts in sittings]
    sent: list[float] = []

    async def step(console: Screen, since: int, tablets) -> tuple[list[float], str]:
        await console.client.send_to(
            text_data=json.dumps({"type": "agenda.next", "id": f"r{number}", "data": {}})
        )
        start = time.perf_counter()
        sent.append(start)
        _, answer = await console.first(
            lambda f: f["type"] in ("ack", "error") and f["id"] == f"r{number}", since
        )
        if answer["type"] == "error":
            return [], answer["data"]["code"]
        item = answer["data"]["current_item_id"]

        def current(frame: dict) -> bool:
            return frame["type"] == "agenda.current" and frame["data"]["current_item_id"] == item

        waits = []
        for tablet, tablet_since in tablets:
            at, _frame = await tablet.first(current, tablet_since)
            waits.append(at - start)
        return waits, ""

    wall = time.perf_counter()
    outcomes = await asyncio.gather(*(step(c, since, ts) for c, since, ts in marks))
    wall = time.perf_counter() - wall
    errors = Counter(code for _waits, code in outcomes if code)
    per_sitting = [sorted(waits) for waits, code in outcomes if not code and waits]
    every = sorted(w for waits in per_sitting for w in waits)
    return {
        "steps": len(sittings) - sum(errors.values()),
        "errors": dict(errors),
        "wall_s": wall,
        "p50_s": _pct(every, 0.50),
        "p99_s": _pct(every, 0.99),
        "worst_sitting_p99_s": max((_pct(w, 0.99) for w in per_sitting), default=0.0),
        "send_spread_s": (max(sent) - min(sent)) if sent else 0.0,
    }


def _pct(values: list[float], q: float) -> float:
    return values[int(q * (len(values) - 1))] if values else 0.0


async def _run(
    seeded: list[dict], *, tablets: int, rounds: int, statements: Statements, profile: str
):
    sittings = await _connect(seeded, tablets)
    results = []
    spy = await _profiler(profile) if profile else None
    try:
        for number in range(1, rounds + 1):
            before, cpu = statements.counts.copy(), time.process_time()
            result = await _round(sittings, number)
            cpu = time.process_time() - cpu
            done = statements.counts - before
            steps = max(result["steps"], 1)
            result["cpu_ms_per_step"] = 1000 * cpu / steps
            result["statements_per_step"] = sum(done.values()) / steps
            result["by_kind"] = {kind: round(n / steps, 1) for kind, n in done.most_common()}
            results.append(result)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await asyncio.to_thread(spy.wait, 60)
        for console, screens in sittings:
            for screen in (console, *screens):
                await screen.close()
    return results


async def _profiler(path: str) -> subprocess.Popen:
    """py-spy sampling this process during the rounds only (not the seed, not the arrivals)."""
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(os.getpid()),
            "--format",
            "raw",
            "-r",
            "200",
            "-o",
            path,
        ],
        stdout=subprocess.DEVNULL,
    )
    await asyncio.sleep(2)  # attached before the first round is sent
    return spy


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sittings", type=int, default=169)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--tablets", type=int, default=3, help="connected tablets per sitting")
    parser.add_argument("--items", type=int, default=12, help="agenda items per sitting")
    parser.add_argument("--rounds", type=int, default=3, help="steps of every sitting")
    parser.add_argument(
        "--profile", default="", help="py-spy's raw samples of the rounds to this file"
    )
    args = parser.parse_args(argv)
    _setup()
    from asgiref.sync import async_to_sync

    statements = Statements()
    seeded = _seed(sittings=args.sittings, seats=args.seats, items=args.items)
    results = async_to_sync(_run)(
        seeded,
        tablets=args.tablets,
        rounds=min(args.rounds, args.items - 1),
        statements=statements,
        profile=args.profile,
    )
    print(
        f"{args.sittings} sittings × {args.tablets} tablets, agenda.next from every console at once"
    )
    print(
        "| round | steps | errors | CPU ms/step | statements/step | p50 s | p99 s "
        "| worst sitting p99 s | wall s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for number, r in enumerate(results, start=1):
        print(
            f"| {number} | {r['steps']} | {r['errors'] or ''} | {r['cpu_ms_per_step']:.1f} | "
            f"{r['statements_per_step']:.1f} | {r['p50_s']:.3f} | {r['p99_s']:.3f} | "
            f"{r['worst_sitting_p99_s']:.3f} | {r['wall_s']:.2f} |"
        )
    print("statements per step, last round:", results[-1]["by_kind"])


if __name__ == "__main__":
    main()
