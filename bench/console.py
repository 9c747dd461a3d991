"""The chair's console, played by the main process: it sends the commands and times them."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.screen import ANSWER_TYPES, is_event

monotonic = time.monotonic


class Console:
    def __init__(self, ws, name: str) -> None:
        self.ws = ws
        self.name = name
        self.seq: int | None = None
        self.events: list[tuple[float, dict]] = []  # (receipt time, frame)
        self.progress: list[tuple[float, dict]] = []  # poll.progress notices
        self.gaps = 0
        self.repeats = 0
        self.notices: Counter = Counter()
        self.answers: dict[str, asyncio.Future] = {}
        self.waiters: list[tuple[Callable[[dict], bool], asyncio.Future]] = []
        self.snapshot = asyncio.get_running_loop().create_future()
        self.closed: str | None = None
        self._ids = itertools.count(1)
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls, url: str, origin: str, cookie: str | None, timeout: float, compression: bool = True
    ) -> Console:
        ws = await asyncio.wait_for(
            connect(
                url,
                origin=origin,
                additional_headers={"Cookie": cookie} if cookie else {},
                compression="deflate" if compression else None,
                proxy=None,
                ping_interval=None,
                max_queue=None,
                max_size=None,
                open_timeout=None,
                close_timeout=2,
            ),
            timeout,
        )
        console = cls(ws, url)
        await asyncio.wait_for(asyncio.shield(console.snapshot), timeout)
        return console

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                now = monotonic()
                frame = json.loads(text)
                kind = frame.get("type")
                if kind == "snapshot":
                    self.seq = frame["seq"]
                    if not self.snapshot.done():
                        self.snapshot.set_result(frame)
                elif is_event(frame):
                    seq = frame["seq"]
                    if self.seq is not None and seq != self.seq + 1:
                        if seq > self.seq + 1:
                            self.gaps += seq - self.seq - 1
                        else:
                            self.repeats += 1
                            continue
                    self.seq = seq
                    self.events.append((now, frame))
                    for predicate, future in list(self.waiters):
                        if not future.done() and predicate(frame):
                            future.set_result((now, frame))
                elif kind in ANSWER_TYPES:
                    future = self.answers.pop(str(frame.get("id")), None)
                    if future is not None and not future.done():
                        future.set_result((now, frame))
                else:
                    self.notices[kind] += 1
                    if kind == "poll.progress":  # a notice the chair waits for
                        self.progress.append((now, frame))
                        for predicate, future in list(self.waiters):
                            if not future.done() and predicate(frame):
                                future.set_result((now, frame))
        except ConnectionClosed as closed:
            self.closed = f"closed {closed.rcvd.code if closed.rcvd else 1006}"
        finally:
            self.closed = self.closed or "closed"
            for future in [*self.answers.values(), *(f for _, f in self.waiters), self.snapshot]:
                if not future.done():
                    future.set_exception(ConnectionError(f"console {self.closed}"))

    async def command(self, type: str, timeout: float, **data) -> tuple[float, float, dict]:
        """Send a command; (send time, answer time, answer). Raises on an ``error`` answer."""
        command_id = f"console-{next(self._ids)}"
        future = asyncio.get_running_loop().create_future()
        self.answers[command_id] = future
        sent = monotonic()
        await self.ws.send(json.dumps({"type": type, "id": command_id, "data": data}))
        answered, frame = await asyncio.wait_for(future, timeout)
        if frame["type"] != "ack":
            raise RuntimeError(f"{type} refused: {frame['data']}")
        return sent, answered, frame

    async def wait_event(
        self, predicate: Callable[[dict], bool], timeout: float, since: int = 0
    ) -> tuple[float, dict]:
        """The first event from index ``since`` on (or progress notice) that satisfies
        ``predicate``."""
        for received, frame in [*self.events[since:], *self.progress]:
            if predicate(frame):
                return received, frame
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self.waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.waiters.remove(entry)

    def last(self, type: str) -> dict | None:
        for _, frame in reversed(self.events):
            if frame["type"] == type:
                return frame
        return None

    async def close(self) -> None:
        self.ws.transport.abort()
        await asyncio.wait([self.reader], timeout=5)
