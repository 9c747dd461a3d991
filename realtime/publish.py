"""Events leave the database transaction here, and only after it commits.

``emit`` is the one way a service sends an event about session state: it takes the next number
of the session's sequence and registers the publication with ``transaction.on_commit``, so no
screen ever hears of state that did not commit. ``notify`` sends a notice to a narrower
audience (the console, one delegate) that does not advance the sequence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from realtime.envelope import encode
from realtime.fanout import server_loop, server_loop_stopped
from realtime.groups import Audience, delegate_group, session_group

if TYPE_CHECKING:
    from meeting.models import Session

FRAME_MESSAGE = "chamber.frame"
PUBLISH_TIMEOUT_SECONDS = 5.0
logger = logging.getLogger(__name__)

# Test helper hook (realtime.testing.capture_events): lists that receive every published event.
_captures: list[list[dict[str, Any]]] = []


def emit(*, session: Session, type: str, data: dict[str, Any]) -> int:
    """Number an event in the session's sequence and publish it to every screen on commit.

    The caller holds the session row locked (``select_for_update``), so numbers follow commit
    order.
    """
    from meeting.models import Session

    session.seq += 1
    Session.objects.filter(pk=session.pk).update(seq=session.seq)
    text = encode(type=type, seq=session.seq, data=data)
    group = session_group(session.pk, Audience.PUBLIC)
    transaction.on_commit(partial(publish, group=group, text=text, seq=session.seq))
    return session.seq


def notify(
    *,
    session: Session,
    type: str,
    data: dict[str, Any],
    audience: Audience | None = None,
    delegate_id: int | None = None,
    close_code: int | None = None,
) -> None:
    """A notice for the console (``audience``) or one delegate, on commit; ``seq`` unchanged.

    ``close_code`` asks every receiving connection to close afterwards (a revoked badge).
    """
    if (audience is None) == (delegate_id is None):
        raise ValueError("a notice goes to an audience or to one delegate")
    group = (
        delegate_group(delegate_id)
        if delegate_id is not None
        else session_group(session.pk, audience)
    )
    text = encode(type=type, seq=session.seq, data=data)
    transaction.on_commit(partial(publish, group=group, text=text, seq=None, close_code=close_code))


def publish(*, group: str, text: str, seq: int | None, close_code: int | None = None) -> None:
    """Send one frame to one group: one channel-layer message per worker process listening."""
    for capture in _captures:
        capture.append({"group": group, "text": text, "seq": seq, "close_code": close_code})
    message = {"type": FRAME_MESSAGE, "group": group, "text": text, "seq": seq}
    if close_code is not None:
        message["close"] = close_code
    layer = get_channel_layer()
    loop = server_loop()
    if loop is None:
        if server_loop_stopped():
            # Shutting down: nobody here to hear it, and waiting would hang the exit.
            logger.warning("server stopping: %s not published", group)
            return
        async_to_sync(layer.group_send)(group, message)
        return
    # Called from a worker thread of a server: hand the send to the server's loop, and never
    # wait for it forever (a loop stopping for shutdown would hang this thread and the exit).
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
    try:
        future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
    except TimeoutError:
        future.cancel()
        logger.error("publishing to %s timed out; screens will resync by snapshot", group)


@contextmanager
def capturing() -> Iterator[list[dict[str, Any]]]:
    captured: list[dict[str, Any]] = []
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)
