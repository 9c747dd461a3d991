"""A multiprocessing Pipe end read from an asyncio loop (the control channel).

A thread does the blocking reads: the pipe's socket stays blocking (an event loop's reader,
uvloop's at least, would make it non-blocking, and a large message would then fail half-way).
"""

from __future__ import annotations

import asyncio
import threading
from multiprocessing.connection import Connection

EOF_MARK = object()


class AsyncPipe:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.thread = threading.Thread(target=self._read, name="bench-pipe", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                message = EOF_MARK
            try:
                self.loop.call_soon_threadsafe(self.queue.put_nowait, message)
            except RuntimeError:  # the loop is closed
                return
            if message is EOF_MARK:
                return

    async def get(self, timeout: float | None = None):
        item = await asyncio.wait_for(self.queue.get(), timeout)
        if item is EOF_MARK:
            raise EOFError("the other end of the control pipe is gone")
        return item

    def send(self, message) -> None:
        self.conn.send(message)

    def close(self) -> None:
        self.conn.close()
