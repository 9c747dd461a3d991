"""Events leave the database transaction here, and only after it commits.

``emit`` is the one way a service sends an event about session state: it takes the next number
of the session's sequence and registers the publication with ``transaction.on_commit``, so no
screen ever hears of state that did not commit. ``notify`` sends a notice to a narrower
audience (the console, one delegate) that does not advance the sequence.

Both write the frame to the outbox (``OutboxFrame``) in the service's own transaction, and the
row is deleted once the channel layer took the frame. A publication that fails (the layer is
down, restarting, too slow) never reaches the command that committed: the frame stays in the
outbox and the process fan-out publishes it when the layer answers again (``outbox_flush``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from realtime import events
from realtime.envelope import encode
from realtime.fanout import (
    layer_failed,
    on_heartbeat,
    on_recovery,
    server_loop,
    server_loop_stopped,
)
from realtime.groups import Audience, delegate_group, session_group


class Session(Protocol):
    """What ``emit``/``notify`` need of a session: a model instance (meeting's Session) with its
    key and its sequence number. Realtime imports no app, so it is taken as it comes."""

    pk: int
    seq: int


FRAME_MESSAGE = "chamber.frame"
# How long a command's thread waits for the layer to take a frame; the frame is safe in the
# outbox meanwhile, so this only bounds how long an answer can wait for a hung layer.
PUBLISH_TIMEOUT_SECONDS = 2.0
# Frames older than this are left over (a failed or timed-out publication, a process that died
# after its commit): every heartbeat publishes them.
OUTBOX_GRACE_SECONDS = 2 * PUBLISH_TIMEOUT_SECONDS
OUTBOX_BATCH = 500
logger = logging.getLogger(__name__)

# Test hook (``capturing``, and tests/events.py on it): lists that receive every published frame.
_captures: list[list[dict[str, Any]]] = []


def emit(*, session: Session, type: str, data: dict[str, Any]) -> int:
    """Number an event in the session's sequence and publish it to every screen on commit.

    The caller holds the session row locked (``select_for_update``), so numbers follow commit
    order. ``type`` must be declared as an event (realtime.events).
    """
    group = session_group(session.pk, Audience.PUBLIC)
    events.check(type, data, group=group, sequenced=True)
    session.seq += 1
    # The session's own class (``type`` is the event's here): realtime names no app's model.
    session.__class__.objects.filter(pk=session.pk).update(seq=session.seq)
    text = encode(type=type, seq=session.seq, data=data)
    _on_commit(group=group, text=text, seq=session.seq, close_code=None)
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
    ``type`` must be declared as a notice to that audience (realtime.events).
    """
    if (audience is None) == (delegate_id is None):
        raise ValueError("a notice goes to an audience or to one delegate")
    group = (
        delegate_group(delegate_id)
        if delegate_id is not None
        else session_group(session.pk, audience)
    )
    text = notice_text(type=type, data=data, group=group, seq=session.seq)
    _on_commit(group=group, text=text, seq=None, close_code=close_code)


def notice_text(*, type: str, data: dict[str, Any], group: str, seq: int | None = None) -> str:
    """The frame of a notice to ``group``, checked against its declaration."""
    events.check(type, data, group=group, sequenced=False)
    return encode(type=type, seq=seq, data=data, notice=True)


def _on_commit(*, group: str, text: str, seq: int | None, close_code: int | None) -> None:
    from realtime.models import OutboxFrame

    row = OutboxFrame.objects.create(
        group=group, text=text, seq=seq, close_code=close_code, created_at=timezone.now()
    )
    transaction.on_commit(
        partial(_publish_committed, row.pk, group=group, text=text, seq=seq, close_code=close_code),
        robust=True,
    )


def _publish_committed(row_id: int, **frame: Any) -> None:
    """After the commit: publish, then forget the outbox row (kept if the layer failed)."""
    from realtime.models import OutboxFrame

    if publish(**frame):
        try:
            OutboxFrame.objects.filter(pk=row_id).delete()
        except Exception:  # the frame went out; publishing it again later is harmless
            logger.exception("outbox row %s not deleted", row_id)


def publish(*, group: str, text: str, seq: int | None, close_code: int | None = None) -> bool:
    """Send one frame to one group: one channel-layer message per worker process listening.

    Never raises: True if the layer took the frame, False if not (it stays in the outbox).
    """
    for capture in _captures:
        capture.append({"group": group, "text": text, "seq": seq, "close_code": close_code})
    message = {"type": FRAME_MESSAGE, "group": group, "text": text, "seq": seq}
    if close_code is not None:
        message["close"] = close_code
    loop = server_loop()
    try:
        layer = get_channel_layer()
        if loop is None:
            if server_loop_stopped():
                # Shutting down: nobody here to hear it, and waiting would hang the exit.
                logger.warning("server stopping: %s left in the outbox", group)
                return False
            async_to_sync(layer.group_send)(group, message)
            return True
        # Called from a worker thread of a server: hand the send to the server's loop, and
        # never wait for it long (a hung layer; a loop stopping for shutdown).
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        try:
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
        except BaseException:
            future.cancel()
            raise
        return True
    except Exception as error:
        logger.warning("publishing to %s failed (%r): kept in the outbox", group, error)
        if loop is not None:
            layer_failed(loop)
        return False


def outbox_flush(*, older_than: float = 0.0) -> int:
    """Publish, in commit order, the frames the layer has not taken; the count published.

    Several processes may flush at once: each takes rows no other holds (SKIP LOCKED); a frame
    published twice is harmless (screens drop an event they have, notices carry state).
    """
    from realtime.models import OutboxFrame

    cutoff = timezone.now() - timedelta(seconds=older_than)
    published = 0
    while True:
        with transaction.atomic():
            rows = list(
                OutboxFrame.objects.select_for_update(skip_locked=True)
                .filter(created_at__lte=cutoff)
                .order_by("id")[:OUTBOX_BATCH]
            )
            done = []
            for row in rows:
                if not publish(
                    group=row.group, text=row.text, seq=row.seq, close_code=row.close_code
                ):
                    break
                done.append(row.pk)
            OutboxFrame.objects.filter(pk__in=done).delete()
        published += len(done)
        if len(done) < OUTBOX_BATCH:
            if published:
                logger.warning("published %s frames left in the outbox", published)
            return published


@on_heartbeat
async def flush_left_over(fanout) -> None:
    await database_sync_to_async(outbox_flush, thread_sensitive=False)(
        older_than=OUTBOX_GRACE_SECONDS
    )


@on_recovery
async def flush_after_recovery(fanout) -> None:
    await database_sync_to_async(outbox_flush, thread_sensitive=False)()


@contextmanager
def capturing() -> Iterator[list[dict[str, Any]]]:
    captured: list[dict[str, Any]] = []
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)
