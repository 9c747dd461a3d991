"""Per-process timing of votes: coalesced progress, and countdowns that close polls.

A chamber of thousands must not produce an event per ballot per screen: progress goes through
realtime.coalesce.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from channels.db import database_sync_to_async
from django.utils import timezone

from realtime import coalesce
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.fanout import on_heartbeat
from realtime.groups import Audience
from voting import ballots, counting

logger = logging.getLogger(__name__)


# What each half of the room needs (issue 13): the projectors and the console show the count
# moving; a tablet shows its own receipt at once (the ballot's ack) and the count only as
# context — at ~45 µs a frame, four a second to 5,000 tablets was half the server's CPU.
ROOM_INTERVAL_SECONDS = 0.25
TABLETS_INTERVAL_SECONDS = 1.0


def progress_soon(poll_id: int) -> None:
    """This poll's progress, coalesced across the deployment: to the room's screens within a
    quarter of a second, to the tablets within a second."""
    intervals = {Audience.ROOM: ROOM_INTERVAL_SECONDS, Audience.TABLETS: TABLETS_INTERVAL_SECONDS}
    for audience, interval in intervals.items():
        coalesce.soon(
            ("poll.progress", poll_id, audience),
            ballots.poll_progress_publish,
            interval=interval,
            poll_id=poll_id,
            audiences=(audience,),
        )


def close_when_due(poll_id: int, closes_at: datetime) -> None:
    """Close the poll when its countdown ends (the heartbeat is the safety net if this
    process stops first)."""
    loop = asyncio.get_running_loop()
    delay = max(0.0, (closes_at - timezone.now()).total_seconds())
    loop.call_later(delay, lambda: asyncio.ensure_future(_close(poll_id)))


async def _close(poll_id: int) -> None:
    try:
        await database_sync_to_async(counting.poll_close)(poll_id=poll_id, actor=Actor())
    except ServiceError:
        pass  # closed by the chair or another process already


@on_heartbeat
async def close_overdue(fanout) -> None:
    await database_sync_to_async(counting.poll_close_overdue)()
