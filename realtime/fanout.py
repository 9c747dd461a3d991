"""One receiver per worker process: each event crosses the channel layer once per process.

Consumers are not members of the broadcast groups themselves (DESIGN.md, "Fan-out": that
pattern measured 90x slower than the floor at 5,000 tablets). Instead each process keeps a
registry of its open connections by group, joins every group it needs once with one channel
of its own, and a single task receives from that channel and hands the already-encoded frame
to each local connection that should have it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)


class LocalConnection(Protocol):
    async def deliver(self, text: str, seq: int | None) -> None: ...

    async def close_by_server(self, code: int) -> None: ...


RECEIVE_RETRY_SECONDS = 0.2
REORDER_WAIT_SECONDS = 2.0

HeartbeatHook = Callable[["ProcessFanout"], Awaitable[None]]
_heartbeat_hooks: list[HeartbeatHook] = []


def on_heartbeat(hook: HeartbeatHook) -> HeartbeatHook:
    """Register work each process does once per heartbeat (presence refresh)."""
    _heartbeat_hooks.append(hook)
    return hook


class ProcessFanout:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.members: dict[str, set[LocalConnection]] = {}
        self.channel: str | None = None
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        # Per group: the last sequenced event delivered here, and events that came early.
        self._order_lock = asyncio.Lock()
        self._last_seq: dict[str, int] = {}
        self._held: dict[str, dict[int, dict]] = {}

    @property
    def connection_count(self) -> int:
        return len({c for group in self.members.values() for c in group})

    async def join(self, connection: LocalConnection, groups: Iterable[str]) -> None:
        async with self._lock:
            if self.channel is None:
                await self._start()
            for group in groups:
                local = self.members.setdefault(group, set())
                if not local:
                    await self.layer.group_add(group, self.channel)
                local.add(connection)

    async def leave(self, connection: LocalConnection, groups: Iterable[str]) -> None:
        async with self._lock:
            for group in groups:
                local = self.members.get(group)
                if local is None:
                    continue
                local.discard(connection)
                if not local:
                    del self.members[group]
                    # Nobody here hears this group any more: forget where its sequence was.
                    self._last_seq.pop(group, None)
                    self._held.pop(group, None)
                    if self.channel is not None:
                        await self.layer.group_discard(group, self.channel)
            if not self.members:
                # Last connection gone: stop listening until the next one comes.
                await self._stop()

    async def _start(self) -> None:
        self.channel = await self.layer.new_channel()
        self._tasks = [
            asyncio.create_task(self._receive_loop(self.channel), name="chamber-fanout"),
            asyncio.create_task(self._heartbeat_loop(), name="chamber-heartbeat"),
        ]

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []
        self.channel = None

    async def _receive_loop(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A broken layer connection must not silence every screen of this process:
                # log it, back off a moment, listen again.
                logger.exception("fan-out receive failed; retrying")
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)
                continue
            await self.dispatch(message)

    async def dispatch(self, message: dict) -> None:
        """Hand a frame to the local connections of its group, sequenced events in order.

        Transactions commit in sequence order (they hold the session row), but two worker
        processes publishing right after their commits can reach the channel layer in either
        order. An event that arrives ahead of its predecessor waits here, at most
        REORDER_WAIT_SECONDS, for the one before it; a screen never sees them swapped.
        """
        seq, group = message.get("seq"), message.get("group")
        async with self._order_lock:
            if seq is None:
                await self._deliver(message)
                return
            last = self._last_seq.get(group)
            if last is not None and seq > last + 1:
                held = self._held.setdefault(group, {})
                held[seq] = message
                if len(held) == 1:
                    self._wait_for_gap(group)
                return
            await self._deliver(message)
            self._last_seq[group] = max(seq, last or 0)
            await self._drain(group)

    async def _drain(self, group: str) -> None:
        """Deliver held events that are next in line."""
        held = self._held.get(group, {})
        while held and (self._last_seq[group] + 1) in held:
            self._last_seq[group] += 1
            await self._deliver(held.pop(self._last_seq[group]))

    async def _release(self, group: str, *, waited_for: int) -> None:
        """The awaited event never came (lost, or published before this process listened):
        deliver what is held, in order; screens will see the gap and ask for a snapshot."""
        async with self._order_lock:
            held = self._held.get(group)
            if not held:
                return
            if self._last_seq.get(group, 0) >= waited_for:
                # That gap was filled; a later one is open: give it its own wait.
                self._wait_for_gap(group)
                return
            logger.warning("event %s of %s never arrived; moving on", waited_for, group)
            while held:
                self._last_seq[group] = min(held) - 1
                await self._drain(group)

    def _wait_for_gap(self, group: str) -> None:
        expected = self._last_seq[group] + 1
        asyncio.get_running_loop().call_later(
            REORDER_WAIT_SECONDS,
            lambda: asyncio.ensure_future(self._release(group, waited_for=expected)),
        )

    async def _deliver(self, message: dict) -> None:
        group = message.get("group")
        text = message.get("text")
        seq = message.get("seq")
        close_code = message.get("close")
        for connection in tuple(self.members.get(group, ())):
            try:
                await connection.deliver(text, seq)
                if close_code is not None:
                    await connection.close_by_server(close_code)
            except Exception:  # one broken socket must not stop the others
                logger.exception("delivery to a local connection failed")

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(settings.CHAMBER_HEARTBEAT_SECONDS)
            try:
                # Group memberships expire in channels_redis (a day by default): renew them.
                for group in tuple(self.members):
                    await self.layer.group_add(group, self.channel)
                for hook in _heartbeat_hooks:
                    await hook(self)
            except Exception:
                logger.exception("fan-out heartbeat failed")


# One fan-out per event loop: a worker process has one loop; tests make one per test.
_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProcessFanout] = (
    weakref.WeakKeyDictionary()
)


_server_loop: asyncio.AbstractEventLoop | None = None


def process_fanout() -> ProcessFanout:
    global _server_loop
    loop = asyncio.get_running_loop()
    fanout = _by_loop.get(loop)
    if fanout is None:
        fanout = _by_loop[loop] = ProcessFanout()
    _server_loop = loop
    return fanout


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of this process's screens, if there is one."""
    loop = _server_loop
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def server_loop_stopped() -> bool:
    """Screens were served from a loop that has stopped: the process is shutting down."""
    return _server_loop is not None and not _server_loop.is_running()
