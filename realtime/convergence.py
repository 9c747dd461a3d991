"""A safety net for screens that missed events without anyone noticing.

The outbox and the layer watch (realtime.publish, realtime.fanout) bring screens up to date
after every failure they see. A loss nobody saw — a pub/sub subscription restored a moment
after another process published — is caught here: once per heartbeat each process compares
its screens' ``seq`` with their session's in the database, and a screen still behind after the
events in flight had time to arrive gets a new snapshot.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async

from realtime import registry
from realtime.fanout import REORDER_WAIT_SECONDS, on_heartbeat

logger = logging.getLogger(__name__)


@on_heartbeat
async def resync_stale_screens(fanout) -> None:
    screens = [c for c in fanout.connections() if getattr(c, "session_id", None) is not None]
    if not screens:
        return
    # The sessions' numbers in the database, read as the app that keeps them registered.
    session_ids = {c.session_id for c in screens}
    current = await database_sync_to_async(registry.current_sequences)(session_ids)
    behind = [c for c in screens if c.ready and c.last_seq < current.get(c.session_id, -1)]
    if behind:
        asyncio.ensure_future(_resync_if_still_behind(behind, current))


async def _resync_if_still_behind(screens, current: dict[int, int]) -> None:
    await asyncio.sleep(REORDER_WAIT_SECONDS)  # events in flight arrive meanwhile
    late = [c for c in screens if c.ready and c.joined and c.last_seq < current[c.session_id]]
    if late:
        logger.warning("%s screens missed events: sending them a snapshot", len(late))
    for screen in late:
        try:
            await screen.resync()
        except Exception:
            logger.exception("resync of a stale screen failed")
