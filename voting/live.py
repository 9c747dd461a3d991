"""Per-process timing of votes: coalesced progress, and countdowns that close polls.

A chamber of thousands must not produce an event per ballot per screen: after a ballot, the
process that took it schedules one progress event for that poll a short moment later; the
ballots that arrive meanwhile ride on the same event.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from channels.db import database_sync_to_async
from django.utils import timezone

from meeting.errors import ServiceError
from realtime.fanout import on_heartbeat
from voting import services

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.25

_pending_progress: dict[asyncio.AbstractEventLoop, set[int]] = {}


def progress_soon(poll_id: int) -> None:
    """Ask for one progress event of this poll within the interval (coalesced)."""
    loop = asyncio.get_running_loop()
    pending = _pending_progress.setdefault(loop, set())
    if poll_id in pending:
        return
    pending.add(poll_id)
    loop.call_later(PROGRESS_INTERVAL_SECONDS, _spawn, _publish_progress(loop, poll_id))


def _spawn(coroutine) -> None:
    asyncio.ensure_future(coroutine)


async def _publish_progress(loop, poll_id: int) -> None:
    _pending_progress[loop].discard(poll_id)
    try:
        await database_sync_to_async(services.poll_progress_publish)(poll_id=poll_id)
    except Exception:
        logger.exception("progress of poll %s not published", poll_id)


def close_when_due(poll_id: int, closes_at: datetime) -> None:
    """Close the poll when its countdown ends (the heartbeat is the safety net if this
    process stops first)."""
    loop = asyncio.get_running_loop()
    delay = max(0.0, (closes_at - timezone.now()).total_seconds())
    loop.call_later(delay, _spawn, _close(poll_id))


async def _close(poll_id: int) -> None:
    try:
        await database_sync_to_async(services.poll_close)(poll_id=poll_id, actor=services.Actor())
    except ServiceError:
        pass  # closed by the chair or another process already


@on_heartbeat
async def close_overdue(fanout) -> None:
    await database_sync_to_async(services.close_overdue_polls)()
