"""Group commit: writes that arrive together are written together, each answered after its
own batch commits.

One process, one queue per kind of write: whatever arrives while a batch is being written
goes in the next one — no fixed delay, one batch in flight. A lone write is written at once,
as before; in a storm the batches grow by themselves to what arrives during one write, so a
transaction's cost is shared by its batch (presence: meeting.presence; ballots: the
``batch`` of a registered command, run by realtime.consumers).

``write(items)`` gives one outcome per item, in order: a result, or an exception that item
alone is answered with. If it raises instead, the whole batch failed: each item is written
again alone when ``isolate(error)`` says the cause may be one item's (a bug it triggers),
otherwise every item of the batch gets that error (the database went away: writing them
one by one would fail as well, and slower).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

logger = logging.getLogger(__name__)

MAX_BATCH = 500  # statements stay a sensible size (SQLite: ~32k parameters at most)

Write = Callable[[list[Any]], Awaitable[list[Any]]]


class GroupCommit:
    def __init__(
        self,
        write: Write,
        *,
        name: str,
        isolate: Callable[[BaseException], bool] = lambda error: True,
    ) -> None:
        self.write = write
        self.name = name
        self.isolate = isolate
        self.waiting: list[tuple[Any, asyncio.Future]] = []
        self.writer: asyncio.Task | None = None

    async def submit(self, item: Any) -> Any:
        """Write ``item`` with the next batch; its result once that batch has committed (or
        raise its error). Shielded: a caller cancelled meanwhile does not unwrite it."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.ensure_future(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            outcomes = await self._outcomes([item for item, _future in batch])
            for (_item, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _outcomes(self, items: list[Any]) -> list[Any]:
        try:
            outcomes = await self.write(items)
            if len(outcomes) != len(items):
                raise RuntimeError(f"{self.name}: {len(outcomes)} outcomes for {len(items)}")
            return outcomes
        except Exception as error:
            if len(items) == 1 or not self.isolate(error):
                return [error] * len(items)
            # One bad item must not fail the others: each alone.
            logger.exception("%s: a batch of %d failed, writing one by one", self.name, len(items))
            alone = []
            for item in items:
                try:
                    alone.extend(await self.write([item]))
                except Exception as its_own:  # noqa: BLE001 - that item's answer
                    alone.append(its_own)
            return alone


_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, GroupCommit]] = (
    weakref.WeakKeyDictionary()
)


def group_commit(
    key: Hashable,
    write: Write,
    *,
    isolate: Callable[[BaseException], bool] = lambda error: True,
) -> GroupCommit:
    """This event loop's queue for ``key`` (made on first use)."""
    queues = _queues.setdefault(asyncio.get_running_loop(), {})
    queue = queues.get(key)
    if queue is None:
        queue = queues[key] = GroupCommit(write, name=str(key), isolate=isolate)
    return queue


def waiting(key: Hashable) -> int:
    """How many writes wait in this event loop's queue for ``key`` (behind the batch being
    written): what an operator — or a test — looks at to see batches form."""
    queues = _queues.get(asyncio.get_running_loop(), {})
    queue = queues.get(key)
    return len(queue.waiting) if queue is not None else 0
