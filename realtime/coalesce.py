"""Coalescing: many writes, one event. Per process and per key, at most one call per interval.

A check-in storm or a vote storm must not produce one event per write per screen: the first
write schedules the publication a moment later, and the writes that come meanwhile ride on it.
The published state is read when the call runs, so it is never older than the writes it covers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable

from channels.db import database_sync_to_async

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.25

_pending: dict[asyncio.AbstractEventLoop, set[Hashable]] = {}


def soon(key: Hashable, publish: Callable[..., None], **kwargs) -> None:
    """Run ``publish(**kwargs)`` (a sync service) once within the interval for this key."""
    loop = asyncio.get_running_loop()
    pending = _pending.setdefault(loop, set())
    if key in pending:
        return
    pending.add(key)
    loop.call_later(INTERVAL_SECONDS, _start, loop, key, publish, kwargs)


def _start(loop, key, publish, kwargs) -> None:
    asyncio.ensure_future(_run(loop, key, publish, kwargs))


async def _run(loop, key, publish, kwargs) -> None:
    _pending[loop].discard(key)
    try:
        await database_sync_to_async(publish)(**kwargs)
    except Exception:
        logger.exception("coalesced publication %r failed", key)
