"""Each connection's outbound frames: a bounded queue and one writer task.

The process fan-out hands a frame to every local connection of its group without waiting for
any socket: ``put`` only queues it, and the connection's own writer sends its frames in order.
A screen that stops reading (a tablet that dropped off Wi-Fi without closing) therefore delays
nobody else. It is closed with CLOSE_TOO_SLOW when its queue holds more than
``CHAMBER_SEND_QUEUE_BYTES`` or one frame waited ``CHAMBER_SEND_STALL_SECONDS`` to be written
(the ASGI server pushes back once the socket's buffers are full); when it comes back it takes
a new snapshot, as after any reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from django.conf import settings

logger = logging.getLogger(__name__)

CLOSE_TOO_SLOW = 4408
# How long closing a stalled socket may take before the connection is given up here anyway.
CLOSE_WAIT_SECONDS = 2.0


def _size(frame: str | int) -> int:
    return len(frame) if isinstance(frame, str) else 0


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
        self._ready = asyncio.Event()
        self.closed = False
        self._writer = asyncio.create_task(self._write(), name="chamber-outbound")

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
        self._ready.set()

    def close_after(self, code: int) -> None:
        """Close once every frame queued before has been written."""
        if self.closed:
            return
        self._frames.append(code)
        self._ready.set()

    def stop(self) -> None:
        """The connection is gone: drop what is queued, end the writer."""
        self.closed = True
        self._frames.clear()
        self._bytes = 0
        if self._writer is not asyncio.current_task():
            self._writer.cancel()

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

    async def _write(self) -> None:
        while True:
            await self._ready.wait()
            while self._frames:
                frame = self._frames.popleft()
                if isinstance(frame, int):
                    self.stop()
                    await self._close(frame)
                    return
                self._bytes -= len(frame)
                try:
                    async with asyncio.timeout(settings.CHAMBER_SEND_STALL_SECONDS):
                        await self._send(frame)
                except TimeoutError:
                    self.too_slow("a frame waited too long to be written")
                    return
                except Exception:  # the socket is gone: the disconnect cleans up
                    self.stop()
                    return
            self._ready.clear()


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
        self.outbound = Outbound(
            send=lambda text: base.send(text_data=text),
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
