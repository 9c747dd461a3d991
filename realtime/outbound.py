"""Each connection's outbound frames: a bounded queue, written in order, never waited for.

The process fan-out hands a frame to every local connection of its group without waiting for
any socket: ``put`` writes it at once when the socket takes it (the common case: the ASGI
server's send returns without suspending), and otherwise queues it behind the send still in
flight, which finishes in a task of its own. A screen that stops reading (a tablet that
dropped off Wi-Fi without closing) therefore delays nobody else. It is closed with
CLOSE_TOO_SLOW when its queue holds more than ``CHAMBER_SEND_QUEUE_BYTES`` or one frame waited
``CHAMBER_SEND_STALL_SECONDS`` to be written (the ASGI server pushes back once the socket's
buffers are full); when it comes back it takes a new snapshot, as after any reconnect.

Each send starts eagerly, with no task unless it has to wait: with a fake socket at 5,000
connections the bookkeeping measured ~10 ms of CPU per frame, against ~55 ms with a writer task
per connection (and under 1 ms for awaiting each send in turn, which one stalled socket
blocks for everybody).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

CLOSE_TOO_SLOW = 4408
# How long closing a stalled socket may take before the connection is given up here anyway.
CLOSE_WAIT_SECONDS = 2.0


def _size(frame: str | int) -> int:
    return len(frame) if isinstance(frame, str) else 0


def _start_eagerly(coro: Coroutine[Any, Any, None]) -> asyncio.Task | None:
    """Run ``coro`` until it finishes or has to wait: None if it finished, else the task that
    carries it on (what Python 3.12's eager tasks do). Its exceptions propagate."""
    try:
        waiting_for = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_carry_on(coro, waiting_for))


async def _carry_on(coro: Coroutine[Any, Any, None], waiting_for: Any) -> None:
    while True:
        try:
            if waiting_for is None:  # a bare yield: let the loop turn once
                await asyncio.sleep(0)
            else:
                # The future it waits for (cancelled with this task); as a Task would, take
                # over its "blocking" mark before awaiting it here.
                waiting_for._asyncio_future_blocking = False
                await waiting_for
        except BaseException:
            pass  # the coroutine reads the outcome (or the cancellation) from its future
        try:
            waiting_for = coro.send(None)
        except StopIteration:
            return


class Outbound:
    def __init__(
        self,
        *,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int], Awaitable[None]],
        on_too_slow: Callable[[], Awaitable[None]],
    ) -> None:
        self._send = send
        self._close = close
        self._on_too_slow = on_too_slow
        self._frames: deque[str | int] = deque()  # text frames; an int is a close code
        self._bytes = 0
        self._in_flight: asyncio.Task | None = None  # a send that had to wait
        self._stall: asyncio.TimerHandle | None = None
        self.closed = False

    @property
    def queued_bytes(self) -> int:
        return self._bytes

    def put(self, text: str) -> None:
        if self.closed:
            return
        self._frames.append(text)
        self._bytes += len(text)
        # One frame of any size may wait (a big snapshot); frames piling up behind it may not.
        if self._bytes - _size(self._frames[0]) > settings.CHAMBER_SEND_QUEUE_BYTES:
            self.too_slow("its outbound queue overflowed")
            return
        self._write()

    def close_after(self, code: int) -> None:
        """Close once every frame queued before has been written."""
        if self.closed:
            return
        self._frames.append(code)
        self._write()

    def stop(self) -> None:
        """The connection is gone: drop what is queued and the send in flight."""
        self.closed = True
        self._frames.clear()
        self._bytes = 0
        if self._stall is not None:
            self._stall.cancel()
        if self._in_flight is not None:
            self._in_flight.cancel()
            self._in_flight = None

    def too_slow(self, why: str) -> None:
        if self.closed:
            return
        logger.warning("closing a screen that does not read (%s)", why)
        self.stop()
        asyncio.ensure_future(self._give_up())

    async def _give_up(self) -> None:
        try:
            async with asyncio.timeout(CLOSE_WAIT_SECONDS):
                await self._close(CLOSE_TOO_SLOW)
        except BaseException:  # a stalled socket may not even take its close frame
            pass
        try:
            await self._on_too_slow()
        except Exception:
            logger.exception("clean-up of a screen closed for slowness failed")

    def _write(self) -> None:
        """Write queued frames, in order, until one has to wait."""
        while self._in_flight is None and self._frames and not self.closed:
            frame = self._frames.popleft()
            if isinstance(frame, int):
                self.stop()
                asyncio.ensure_future(self._close(frame))
                return
            self._bytes -= len(frame)
            try:
                self._in_flight = _start_eagerly(self._send(frame))
            except Exception:  # the socket is gone: the disconnect cleans up
                self.stop()
                return
            if self._in_flight is not None:
                self._in_flight.add_done_callback(self._written)
                self._stall = asyncio.get_running_loop().call_later(
                    settings.CHAMBER_SEND_STALL_SECONDS, self._stalled, self._in_flight
                )

    def _written(self, task: asyncio.Task) -> None:
        if task is not self._in_flight:
            return
        self._in_flight = None
        self._stall.cancel()
        if task.cancelled() or task.exception() is not None:
            self.stop()  # the socket is gone: the disconnect cleans up
            return
        self._write()

    def _stalled(self, task: asyncio.Task) -> None:
        if task is self._in_flight and not task.done():
            self.too_slow("a frame waited too long to be written")


class QueuedSendMixin:
    """For a WebSocket consumer: every frame out goes through its ``Outbound`` once
    ``start_outbound`` ran (after the handshake); ``close`` follows the frames queued before.

    The consumer defines ``_clean_up`` (leave the fan-out, record the departure). A consumer
    that does not read is cut off: cleaned up at once, and its task ended even if its close
    frame could not be written (the ASGI server then drops the socket).
    """

    outbound: Outbound | None = None
    cut_off = False

    def start_outbound(self) -> None:
        base = super()
        # The ASGI send itself: every frame of the fan-out passes here, and channels' two
        # ``send`` wrappers only build this same message.
        self.outbound = Outbound(
            send=lambda text: self.base_send({"type": "websocket.send", "text": text}),
            close=lambda code: base.close(code=code),
            on_too_slow=self._cut_off,
        )

    async def run_cut_off_aware(self, consumer) -> None:
        """Run the consumer's ASGI loop; being cut off ends it quietly."""
        self._task = asyncio.current_task()
        try:
            await consumer
        except asyncio.CancelledError:
            if not self.cut_off:
                raise
            self._task.uncancel()

    async def _cut_off(self) -> None:
        await self._clean_up()
        self.cut_off = True
        if self._task is not asyncio.current_task():
            self._task.cancel()

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        if self.outbound is None:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
            return
        if text_data is None:
            raise ValueError("screens take text frames only")
        self.outbound.put(text_data)
        if close:
            await self.close(close)

    async def close(self, code=None, reason=None) -> None:
        if self.outbound is None:
            await super().close(code=code, reason=reason)
            return
        self.outbound.close_after(code if isinstance(code, int) and code is not True else 1000)
