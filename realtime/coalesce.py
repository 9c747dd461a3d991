"""Coalescing: many writes, one publication per key and interval — for the whole deployment.

A check-in storm or a vote storm must not produce one event per write per screen: the first
write schedules the publication a moment later, and the writes that come meanwhile ride on it.
The published state is read when the call runs, so it is never older than the writes it covers.

Across worker processes (the Redis channel layer), the first process to see a write claims the
key in Redis for the interval (``SET NX``); the others leave the publication to it, so a vote
in a deployment of N workers is told once per interval, not N times (issue 13). The claimant
drops the claim just before it reads the state: a write that committed before another process
found the key claimed is read by the claimant; a write after that claims anew and is told in
the next round. If Redis cannot be asked, each process publishes for itself, as before. The
embedded default is one process: its own pending set is the whole deployment.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable

from channels.db import database_sync_to_async
from django.conf import settings

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.25
# A claim outlives its interval only if its process died or froze: then the next write after
# this long is told by another process.
CLAIM_SECONDS = 3.0

_pending: dict[asyncio.AbstractEventLoop, set[Hashable]] = {}
_claims: dict[asyncio.AbstractEventLoop, object] = {}


def soon(
    key: Hashable, publish: Callable[..., None], *, interval: float | None = None, **kwargs
) -> None:
    """Run ``publish(**kwargs)`` (a sync service) once within ``interval`` (by default
    ``INTERVAL_SECONDS``) for this key."""
    interval = INTERVAL_SECONDS if interval is None else interval
    loop = asyncio.get_running_loop()
    pending = _pending.setdefault(loop, set())
    if key in pending:
        return
    pending.add(key)
    asyncio.ensure_future(_claim_and_run(loop, key, publish, interval, kwargs))


async def _claim_and_run(loop, key, publish, interval: float, kwargs) -> None:
    name = _claim_name(key)
    claims = _shared_claims(loop)
    try:
        if claims is not None and not await _claim(claims, name, interval):
            return  # another process tells this one
        await asyncio.sleep(interval)
        _pending[loop].discard(key)
        if claims is not None:
            await _release(claims, name)
        await database_sync_to_async(publish, thread_sensitive=False)(**kwargs)
    except Exception:
        logger.exception("coalesced publication %r failed", key)
    finally:
        _pending[loop].discard(key)


def _claim_name(key: Hashable) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    prefix = getattr(settings, "CHANNEL_PREFIX", "chamber")
    return f"{prefix}:coalesce:" + ":".join(str(part) for part in parts)


def _shared_claims(loop):
    """This loop's Redis client, or None when the deployment is one process (no Redis)."""
    if not getattr(settings, "REDIS_URL", None):
        return None
    client = _claims.get(loop)
    if client is None:
        from redis.asyncio import Redis

        client = _claims[loop] = Redis.from_url(
            settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0
        )
    return client


async def _claim(claims, name: str, interval: float) -> bool:
    try:
        ttl = int(max(interval * 4, CLAIM_SECONDS) * 1000)
        return bool(await claims.set(name, "1", nx=True, px=ttl))
    except Exception:  # noqa: BLE001 - Redis away: this process tells it itself
        logger.warning("coalescing: Redis unavailable, publishing %s from this process", name)
        return True


async def _release(claims, name: str) -> None:
    try:
        await claims.delete(name)
    except Exception:  # noqa: BLE001 - the claim expires by itself
        pass
