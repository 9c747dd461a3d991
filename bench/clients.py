"""Simulated screens: each client process holds many WebSocket clients and obeys the main process.

The main process (bench/fleet.py) sends one operation at a time over a Pipe (connect, wait for
a seq, cast the ballots, report, close); each client process answers when it is done or its
bounded wait is over. What the screens receive, and how each checks its own sequence, is in
bench/screen.py.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import uuid
from collections import Counter
from multiprocessing.connection import Connection

from websockets.asyncio.client import connect

from bench.pipes import AsyncPipe
from bench.procstat import raise_open_files_limit
from bench.screen import Receiver, Screen, Target, Waiter, choice_for, is_event, monotonic

__all__ = ["Screen", "ScreenFleet", "Target", "Waiter", "choice_for", "is_event"]

CONNECT_ATTEMPTS = 4


class ScreenFleet(Receiver):
    """All the screens of one client process, and the operations the main process asks of them."""

    async def op_ping(self) -> dict:
        return {"screens": len(self.screens)}

    async def op_connect(
        self, *, timeout: float, concurrency: int, start_at: float = 0.0, spread: float = 0.0
    ) -> dict:
        """Open every screen's WebSocket and wait for its snapshot, ``concurrency`` at once.

        With a ``spread``, screen i of n arrives at ``start_at + spread * i / n`` (people
        coming in over the morning) instead of all at once.
        """
        gate = asyncio.Semaphore(max(1, concurrency))
        compression = "deflate" if self.options.get("compression", True) else None
        deadline = monotonic() + timeout
        failures: Counter = Counter()  # screens that never connected
        attempts_failed: Counter = Counter()  # every failed attempt, retried or not
        extensions: Counter = Counter()

        async def attempt(screen: Screen, remaining: float) -> None:
            target = screen.target
            headers = {"Cookie": target.cookie} if target.cookie else {}
            screen.closed = None
            screen.ws = await asyncio.wait_for(
                connect(
                    target.url,
                    origin=target.origin,
                    additional_headers=headers,
                    compression=compression,
                    proxy=None,  # 127.0.0.1 only, whatever the environment says
                    ping_interval=None,  # browsers send no pings
                    max_queue=None,
                    open_timeout=None,
                    close_timeout=2,
                ),
                remaining,
            )
            extensions[screen.ws.response.headers.get("Sec-WebSocket-Extensions", "")] += 1
            screen.snapshot_future = asyncio.get_running_loop().create_future()
            screen.reader = asyncio.create_task(self._read(screen, screen.ws))
            await asyncio.wait_for(screen.snapshot_future, deadline - monotonic())

        async def open_one(screen: Screen, rank: int) -> None:
            if spread:
                await asyncio.sleep(max(0.0, start_at + spread * rank / total - monotonic()))
            # Like the screens' own client (kiosk_ui/client.js): after a failure, try again
            # after a growing, jittered delay.
            for attempt_no in range(CONNECT_ATTEMPTS):
                async with gate:
                    remaining = deadline - monotonic()
                    if remaining <= 0:
                        failures["not started before the deadline"] += 1
                        return
                    if attempt_no == 0:
                        screen.started = monotonic()
                    try:
                        await attempt(screen, remaining)
                        return
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        reason = _describe(exc)
                        attempts_failed[reason] += 1
                        screen.closed = screen.closed or reason
                        if screen.ws is not None:
                            screen.ws.transport.abort()
                            screen.ws = None
                delay = 0.5 * 2**attempt_no * (0.75 + random.random() / 2)
                await asyncio.sleep(min(delay, max(0.0, deadline - monotonic())))
            failures[screen.closed or "failed"] += 1

        total = max(1, len(self.screens))
        order = sorted(self.screens, key=lambda s: s.target.index)
        await asyncio.gather(*(open_one(s, rank) for rank, s in enumerate(order)))
        connected = [s for s in self.screens if s.snapshot_at and not s.closed]
        return {
            "connected": len(connected),
            "failures": dict(failures),
            "attempts_failed": dict(attempts_failed),
            "latencies": [s.snapshot_at - s.started for s in connected],
            "first_start": min((s.started for s in self.screens if s.started), default=None),
            "last_snapshot": max((s.snapshot_at for s in connected), default=None),
            "extensions": dict(extensions),
        }

    async def op_wait_seq(self, *, seq: int, timeout: float) -> dict:
        """Until every open screen has seen event ``seq`` (or the timeout)."""
        pending = {s for s in self.screens if not s.closed and s.ws and (s.seq or 0) < seq}
        started = monotonic()
        if pending:
            waiter = Waiter(seq, pending, asyncio.get_running_loop().create_future())
            self.waiters.append(waiter)
            try:
                await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
            except TimeoutError:
                pass
            finally:
                self.waiters.remove(waiter)
        # Screens that never connected are not waited for (the connect figures count them).
        missing = [s for s in self.screens if s.snapshot_at and (s.closed or (s.seq or 0) < seq)]
        return {"missing": len(missing), "waited": monotonic() - started}

    async def op_cast(
        self,
        *,
        poll_id: int | None = None,
        polls: dict[int, int] | None = None,
        start_at: float,
        spread: float,
        total: int,
        timeout: float,
    ) -> dict:
        """Every tablet casts once, tablet i at ``start_at + spread * i / total``.

        ``polls`` (sitting -> poll) lets only the tablets of those sittings vote, each in its
        own sitting's poll (``total`` is then the number of screens, whose indices are spread
        over the whole city).
        """
        polls = polls if polls is not None else {0: poll_id}
        return await self._storm(
            (s for s in self.screens if s.target.role == "tablet" and s.target.sitting in polls),
            command=lambda screen: (
                "ballot.cast",
                {
                    "poll_id": polls[screen.target.sitting],
                    "choice": choice_for(screen.target.index),
                },
            ),
            acked=lambda screen, data: (data.get("receipt"), screen.target.sitting),
            start_at=start_at,
            spread=spread,
            total=total,
            timeout=timeout,
        )

    async def op_request(
        self, *, start_at: float, spread: float, total: int, timeout: float
    ) -> dict:
        """The first ``total`` tablets ask for the floor once (``floor.request``, kind speak),
        tablet i at ``start_at + spread * i / total``; each acknowledgement's place in the line."""
        return await self._storm(
            (s for s in self.screens if s.target.role == "tablet" and s.target.index < total),
            command=lambda screen: ("floor.request", {"kind": "speak"}),
            acked=lambda screen, data: (data["request_id"], data["place"]),
            start_at=start_at,
            spread=spread,
            total=total,
            timeout=timeout,
        )

    async def _storm(
        self, screens, *, command, acked, start_at: float, spread: float, total: int, timeout: float
    ) -> dict:
        """Each of ``screens`` sends one command, screen i at ``start_at + spread * i / total``,
        and waits for its answer until the storm's deadline. Each acknowledgement is recorded as
        (index, sent, answered, *acked(screen, data)); refusals and failures are counted by code.
        A tablet has one command in flight at a time: the ballot's slot carries it."""
        tablets = sorted(screens, key=lambda s: s.target.index)
        results: list[tuple] = []
        errors: Counter = Counter()
        deadline = start_at + spread + timeout

        async def send(screen: Screen) -> None:
            if screen.closed or screen.ws is None:
                errors["not connected"] += 1
                return
            screen.ballot_id = uuid.uuid4().hex
            screen.ballot_future = asyncio.get_running_loop().create_future()
            kind, data = command(screen)
            frame_out = json.dumps({"type": kind, "id": screen.ballot_id, "data": data})
            sent = monotonic()
            try:
                await screen.ws.send(frame_out)
                answered, frame = await asyncio.wait_for(
                    screen.ballot_future, max(0.1, deadline - monotonic())
                )
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors[_describe(exc)] += 1
                return
            if frame["type"] == "ack":
                results.append(
                    (screen.target.index, sent, answered, *acked(screen, frame["data"]))
                )
            else:
                errors[frame["data"].get("code", "error")] += 1

        tasks = []
        for screen in tablets:
            delay = start_at + spread * screen.target.index / max(1, total) - monotonic()
            if delay > 0.001:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(screen)))
        await asyncio.gather(*tasks)
        return {"acks": results, "errors": dict(errors), "tablets": len(tablets)}

    async def op_report(self, *, final_seq: int) -> dict:
        open_screens = [s for s in self.screens if not s.closed and s.ws]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "receipts": self.receipts,
            "projector_receipts": self.projector_receipts,
            "types": self.types,
            "type_conflicts": self.type_conflicts,
            "progress": self.progress,
            "progress_backwards": self.progress_backwards,
            "screens": len(self.screens),
            "gaps": sum(s.gaps for s in self.screens),
            "screens_with_gaps": sum(1 for s in self.screens if s.gaps),
            "missed": dict(self.missed),
            "repeats": sum(s.repeats for s in self.screens),
            "early": sum(s.early for s in self.screens),
            "behind_at_end": sum(1 for s in open_screens if s.seq != final_seq),
            "ahead_at_end": sum(1 for s in open_screens if (s.seq or 0) > final_seq),
            "dropped": dict(Counter(s.closed for s in self.screens if s.closed)),
            "notices": dict(self.notices),
            "unexpected": dict(self.unexpected),
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "max_rss_kb": usage.ru_maxrss,
        }

    async def op_close(self) -> dict:
        self.stopping = True
        for screen in self.screens:
            if screen.ws is not None:
                screen.ws.transport.abort()
        readers = [s.reader for s in self.screens if s.reader is not None]
        if readers:
            await asyncio.wait(readers, timeout=5)
        return {}

    async def serve(self, conn: Connection) -> None:
        pipe = AsyncPipe(conn)
        try:
            while True:
                message = await pipe.get()
                op = message.pop("op")
                call = message.pop("call", None)  # echoed: the main process drops stale answers
                try:
                    result = await getattr(self, f"op_{op}")(**message)
                except Exception as exc:  # noqa: BLE001 - sent back to the main process
                    pipe.send({"ok": False, "call": call, "error": f"{op}: {exc!r}"})
                else:
                    pipe.send({"ok": True, "call": call, "result": result})
                if op == "close":
                    return
        finally:
            await self.op_close()
            pipe.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timeout"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:120]}"


def client_main(conn: Connection, targets: list[Target], options: dict) -> None:
    """Entry point of a client process."""
    client_main_with(ScreenFleet, conn, targets, options)


def client_main_with(kind: type, conn: Connection, targets: list[Target], options: dict) -> None:
    raise_open_files_limit()
    fleet = kind(targets, options)
    try:
        import uvloop
    except ImportError:
        asyncio.run(fleet.serve(conn))
    else:
        uvloop.run(fleet.serve(conn))


def __getattr__(name: str):
    # ``Fleet`` lived here before bench/fleet.py; that module imports this one (its processes
    # run ``client_main``), so the old name is resolved lazily instead of at import time.
    if name == "Fleet":
        from bench.fleet import Fleet

        return Fleet
    raise AttributeError(name)
