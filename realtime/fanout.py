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
    def deliver(self, text: str, seq: int | None) -> None:
        """Take one frame without waiting (a plain call: with 5,000 screens a coroutine per
        screen and frame was a measurable share of the fan-out's CPU)."""

    async def close_by_server(self, code: int) -> None: ...

    def hold(self) -> None:
        """Keep frames back until the next snapshot (the layer lost some)."""

    async def resync(self) -> None:
        """Send a new snapshot, then the frames held since ``hold``."""


RECEIVE_RETRY_SECONDS = 0.2
REORDER_WAIT_SECONDS = 2.0
# The layer is probed this often (a message to this process's own probe group must come back);
# a probe not answered in PROBE_TIMEOUT_SECONDS means the layer lost this process.
PROBE_TIMEOUT_SECONDS = 2.0
PROBE_MESSAGE = "chamber.probe"

HeartbeatHook = Callable[["ProcessFanout"], Awaitable[None]]
_heartbeat_hooks: list[HeartbeatHook] = []
_recovery_hooks: list[HeartbeatHook] = []


def on_heartbeat(hook: HeartbeatHook) -> HeartbeatHook:
    """Register work each process does once per heartbeat (presence refresh)."""
    _heartbeat_hooks.append(hook)
    return hook


def on_recovery(hook: HeartbeatHook) -> HeartbeatHook:
    """Register work to do when the layer hears this process again after losing it."""
    _recovery_hooks.append(hook)
    return hook


def probe_interval() -> float:
    return max(0.5, min(2.0, settings.CHAMBER_HEARTBEAT_SECONDS / 4))


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
        # The layer watch: this process's own probe group, answers awaited, a failure seen.
        self.probe_group = f"chamber.probe.{uuid.uuid4().hex}"
        self._probes: dict[str, asyncio.Future] = {}
        self._trouble = asyncio.Event()
        self._recovering = False
        self.recoveries = 0

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
                    try:
                        await self.layer.group_add(group, self.channel)
                    except Exception as error:  # the layer is down: the watch re-joins later
                        logger.warning("joining %s failed (%r)", group, error)
                        self._trouble.set()
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
                        try:
                            await self.layer.group_discard(group, self.channel)
                        except Exception as error:  # it expires; messages to it are dropped
                            logger.warning("leaving %s failed (%r)", group, error)
            if not self.members:
                # Last connection gone: stop listening until the next one comes.
                await self._stop()

    def connections(self) -> set[LocalConnection]:
        return {c for group in self.members.values() for c in group}

    async def _start(self) -> None:
        self.channel = await self.layer.new_channel()
        try:
            await self.layer.group_add(self.probe_group, self.channel)
        except Exception:
            logger.exception("channel layer unreachable at start")
            self._trouble.set()
        self._tasks = [
            asyncio.create_task(self._receive_loop(self.channel), name="chamber-fanout"),
            asyncio.create_task(self._heartbeat_loop(), name="chamber-heartbeat"),
            asyncio.create_task(self._watch_loop(), name="chamber-layer-watch"),
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
            except Exception as error:
                # A broken layer connection must not silence every screen of this process:
                # back off a moment, listen again; the watch re-joins when the layer is back.
                if not (self._trouble.is_set() or self._recovering):
                    logger.warning("fan-out receive failed (%r); retrying", error)
                self._trouble.set()
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)
                continue
            if message.get("type") == PROBE_MESSAGE:
                waiter = self._probes.get(message.get("token"))
                if waiter is not None and not waiter.done():
                    waiter.set_result(True)
                continue
            try:
                await self.dispatch(message)
            except Exception:  # one bad frame must not stop this process's screens
                logger.exception("fan-out dispatch failed")

    # -- the layer watch --------------------------------------------------------------------
    def report_failure(self) -> None:
        """Something failed on the layer (a publication, a renewal): probe it at once."""
        self._trouble.set()

    async def _watch_loop(self) -> None:
        """Probe the layer; when it lost this process (Redis restarted: with the core layer
        the group memberships are gone, with pub/sub the subscriptions), re-join every group at
        once, publish what the outbox kept, and bring every local screen up to date."""
        while True:
            try:
                await asyncio.wait_for(self._trouble.wait(), probe_interval())
            except TimeoutError:
                pass
            if await self.probe():
                self._trouble.clear()
                continue
            await self._recover()

    async def probe(self) -> bool:
        token = uuid.uuid4().hex
        waiter = self._probes[token] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                await self.layer.group_send(
                    self.probe_group, {"type": PROBE_MESSAGE, "token": token}
                )
                await waiter
            return True
        except Exception:
            return False
        finally:
            self._probes.pop(token, None)

    async def _recover(self) -> None:
        logger.warning("the channel layer lost this process: re-joining its groups")
        connections = self.connections()
        for connection in connections:
            connection.hold()  # nothing half-way between old frames and the new snapshot
        self._recovering = True
        while True:
            self._trouble.clear()
            try:
                async with self._lock:
                    for group in (self.probe_group, *self.members):
                        await self.layer.group_add(group, self.channel)
            except Exception:
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)
                continue
            if await self.probe():
                break
            await asyncio.sleep(RECEIVE_RETRY_SECONDS)
        self._recovering = False
        async with self._order_lock:
            self._last_seq.clear()
            self._held.clear()
        self.recoveries += 1
        logger.warning("the channel layer hears this process again")
        for hook in _recovery_hooks:
            try:
                await hook(self)
            except Exception:
                logger.exception("recovery hook failed")
        for connection in connections | self.connections():
            asyncio.ensure_future(_resync(connection))

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
                connection.deliver(text, seq)
                if close_code is not None:
                    await connection.close_by_server(close_code)
            except Exception:  # one broken socket must not stop the others
                logger.exception("delivery to a local connection failed")

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(settings.CHAMBER_HEARTBEAT_SECONDS)
            try:
                # Group memberships expire in channels_redis (a day by default): renew them.
                for group in (self.probe_group, *self.members):
                    await self.layer.group_add(group, self.channel)
            except Exception as error:
                logger.warning("renewing group memberships failed (%r)", error)
                self._trouble.set()
            for hook in _heartbeat_hooks:
                try:
                    await hook(self)
                except Exception:
                    logger.exception("fan-out heartbeat failed")


async def _resync(connection: LocalConnection) -> None:
    try:
        await connection.resync()
    except Exception:
        logger.exception("resync of a local connection failed")


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


def layer_failed(loop: asyncio.AbstractEventLoop) -> None:
    """From any thread: a publication on this loop's layer failed; probe it now."""
    fanout = _by_loop.get(loop)
    if fanout is not None:
        try:
            loop.call_soon_threadsafe(fanout.report_failure)
        except RuntimeError:  # the loop closed meanwhile
            pass


def server_loop_stopped() -> bool:
    """Screens were served from a loop that has stopped: the process is shutting down."""
    return _server_loop is not None and not _server_loop.is_running()
