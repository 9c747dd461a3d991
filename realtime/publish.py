"""Events leave the database transaction here, and only after it commits.

``emit`` is the one way a service sends an event about session state: it takes the next number
of the session's sequence and registers the publication with ``transaction.on_commit``, so no
screen ever hears of state that did not commit. ``notify`` sends a notice to a narrower
audience (the console, one delegate) that does not advance the sequence.

Both write the frame to the outbox (``OutboxFrame``) in the service's own transaction, and the
row is deleted once the channel layer took the frame. A publication that fails (the layer is
down, restarting, too slow) never reaches the command that committed: the frame stays in the
outbox and the process fan-out publishes it when the layer answers again (``outbox_flush``).

A service that sends many frames in one transaction (a batch of arrivals: three notices each)
writes them together under ``frames_together()``: one INSERT of their outbox rows, one hand-off
of all of them to the server's loop after the commit, one DELETE of the rows the layer took.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    shared_seq: int  # the seq of the last event with ``shared`` state (realtime.events)


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


@dataclass
class _Frame:
    """A frame on its way to the outbox: its row once written, and whether it is to be
    published (False while the savepoint it was written in may yet be rolled back)."""

    group: str
    text: str
    seq: int | None
    close_code: int | None
    row_id: int | None = None
    kept: bool = True

    def message(self) -> dict[str, Any]:
        return {"group": self.group, "text": self.text, "seq": self.seq,
                "close_code": self.close_code}


@dataclass
class _Block:
    """The frames of one ``frames_together()`` block, in order, and how many savepoints were
    open when it began (a frame made inside a savepoint opened later is written at once)."""

    depth: int
    frames: list[_Frame] = field(default_factory=list)


# The open blocks of this thread, innermost last. A transaction is one thread's (Django's
# connection in sync code), and so are its blocks. Not asgiref's ``Local``: it is a context
# variable, which ``sync_to_async`` copies back to the calling task and every task started
# from it then inherits — the same list, in threads running at once.
_blocks = threading.local()


def emit(*, session: Session, type: str, data: dict[str, Any]) -> int:
    """Number an event in the session's sequence and publish it to every screen on commit.

    The caller holds the session row locked (``select_for_update``), so numbers follow commit
    order. ``type`` must be declared as an event (realtime.events).
    """
    group = session_group(session.pk, Audience.PUBLIC)
    declared = events.check(type, data, group=group, sequenced=True)
    session.seq += 1
    moved = {"seq": session.seq}
    if declared.shared:  # the snapshots' shared parts are built again from here on
        session.shared_seq = moved["shared_seq"] = session.seq
    # The session's own class (``type`` is the event's here): realtime names no app's model.
    session.__class__.objects.filter(pk=session.pk).update(**moved)
    text = encode(type=type, seq=session.seq, data=data)
    _on_commit(group=group, text=text, seq=session.seq, close_code=None)
    return session.seq


def emit_numbered(*, session_id: int, seq: int, type: str, data: dict[str, Any]) -> bool:
    """``emit`` for a caller that numbers the events itself: ``seq`` is the session's next
    number, taken with the session row locked, and the caller writes the session's ``seq``
    back — and, where this returns True (the event is declared ``shared``), its ``shared_seq``
    too (a batch of many sittings' agenda steps writes every session's in one UPDATE:
    meeting.agenda_steps)."""
    group = session_group(session_id, Audience.PUBLIC)
    declared = events.check(type, data, group=group, sequenced=True)
    text = encode(type=type, seq=seq, data=data)
    _on_commit(group=group, text=text, seq=seq, close_code=None)
    return declared.shared


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


def _savepoints() -> int:
    # ``savepoint_ids`` holds None for an inner ``atomic(savepoint=False)``: an error in one
    # dooms the whole transaction, so only real savepoints can undo part of a block.
    return sum(1 for sid in transaction.get_connection().savepoint_ids if sid)


def _on_commit(*, group: str, text: str, seq: int | None, close_code: int | None) -> None:
    frame = _Frame(group=group, text=text, seq=seq, close_code=close_code)
    stack = getattr(_blocks, "stack", None)
    if not stack:
        _insert([frame])
        transaction.on_commit(partial(_publish_committed, [frame]), robust=True)
        return
    block = stack[-1]
    if _savepoints() != block.depth:
        _insert_in_savepoint([frame])
    block.frames.append(frame)


def _insert(frames: list[_Frame]) -> None:
    """The outbox rows of these frames, in this transaction: one INSERT."""
    from realtime.models import OutboxFrame

    now = timezone.now()
    rows = [OutboxFrame(**frame.message(), created_at=now) for frame in frames]
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        # Ids follow the list's order: ``outbox_flush`` publishes what is left in that order.
        OutboxFrame.objects.bulk_create(rows)
    for frame, row in zip(frames, rows, strict=True):
        frame.row_id = row.pk


def _insert_in_savepoint(frames: list[_Frame]) -> None:
    """Frames made inside a savepoint opened within a block, which may be rolled back while
    the block goes on: their rows are written now, inside it, and they are published with the
    block's frames, in their place, only if the commit keeps that savepoint's work (Django
    drops the savepoint's commit callbacks with it, so ``kept`` stays False then)."""
    unwritten = [frame for frame in frames if frame.row_id is None]
    if not unwritten:
        return
    _insert(unwritten)
    for frame in unwritten:
        frame.kept = False
    transaction.on_commit(partial(_keep, unwritten), robust=True)


def _keep(frames: list[_Frame]) -> None:
    for frame in frames:
        frame.kept = True


@contextmanager
def frames_together() -> Iterator[None]:
    """Write the frames that ``emit``/``notify`` make in the block together, in order: one
    INSERT of their outbox rows as the block ends, and after the commit one hand-off of them
    all to the layer and one DELETE of the rows it took.

    The block is an ``atomic(savepoint=False)``: it joins the caller's transaction or opens
    one, and an error in it leaves nothing (the transaction is rolled back, its frames are
    dropped). A nested block hands its frames to the enclosing one. Outside a server (tests,
    management commands) the frames are sent as ``publish`` sends them there.
    """
    with transaction.atomic(savepoint=False):
        stack = getattr(_blocks, "stack", None)
        if stack is None:
            stack = _blocks.stack = []
        block = _Block(depth=_savepoints())
        stack.append(block)
        try:
            yield
        finally:
            stack.pop()
        # Reached only without an error: the block's frames stand with its transaction.
        if stack:
            if stack[-1].depth != block.depth:  # inside a savepoint of the enclosing block
                _insert_in_savepoint(block.frames)
            stack[-1].frames.extend(block.frames)
            return
        _insert([frame for frame in block.frames if frame.row_id is None])
        if block.frames:
            transaction.on_commit(partial(_publish_committed, block.frames), robust=True)


def _publish_committed(frames: list[_Frame]) -> None:
    """After the commit: publish the frames in order, then forget the outbox rows the layer
    took (the others stay for ``outbox_flush``)."""
    from realtime.models import OutboxFrame

    kept = [frame for frame in frames if frame.kept]
    sent = publish_many([frame.message() for frame in kept])
    if sent:
        ids = [frame.row_id for frame in kept[:sent]]
        try:
            # One statement: ``delete()`` wraps its DELETE in a transaction of its own (BEGIN,
            # COMMIT: two more round trips after every committed write), for a model nothing
            # refers to and no signal listens to.
            rows = OutboxFrame.objects.filter(pk__in=ids)
            rows._raw_delete(rows.db)
        except Exception:  # the frames went out; publishing them again later is harmless
            logger.exception("outbox rows %s not deleted", ids)


def publish(*, group: str, text: str, seq: int | None, close_code: int | None = None) -> bool:
    """Send one frame to one group: one channel-layer message per worker process listening.

    Never raises: True if the layer took the frame, False if not (it stays in the outbox).
    """
    frame = {"group": group, "text": text, "seq": seq, "close_code": close_code}
    return publish_many([frame]) == 1


def publish_many(frames: list[dict[str, Any]]) -> int:
    """Send frames (``group``, ``text``, ``seq``, ``close_code``) in order, with one hand-off
    to the server's loop; stops at the first the layer does not take.

    Never raises: how many of them, from the first, the layer took (the rest stay in the
    outbox).
    """
    if not frames:
        return 0
    for capture in _captures:
        capture.extend(dict(frame) for frame in frames)
    sent: list[int] = []  # grows as the layer takes each frame, whatever becomes of the wait

    async def send_in_order(layer) -> None:
        for frame in frames:
            message = {
                "type": FRAME_MESSAGE,
                "group": frame["group"],
                "text": frame["text"],
                "seq": frame["seq"],
            }
            if frame["close_code"] is not None:
                message["close"] = frame["close_code"]
            await layer.group_send(frame["group"], message)
            sent.append(1)

    loop = server_loop()
    try:
        layer = get_channel_layer()
        if loop is None:
            if server_loop_stopped():
                # Shutting down: nobody here to hear it, and waiting would hang the exit.
                logger.warning("server stopping: %s frames left in the outbox", len(frames))
                return 0
            async_to_sync(send_in_order)(layer)
            return len(sent)
        # Called from a worker thread of a server: hand the sends to the server's loop, and
        # never wait for them long (a hung layer; a loop stopping for shutdown).
        future = asyncio.run_coroutine_threadsafe(send_in_order(layer), loop)
        try:
            future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
        except BaseException:
            future.cancel()
            raise
        return len(sent)
    except Exception as error:
        group = frames[len(sent)]["group"] if len(sent) < len(frames) else frames[-1]["group"]
        logger.warning(
            "publishing to %s failed (%r): %s frames kept in the outbox",
            group, error, len(frames) - len(sent),
        )
        if loop is not None:
            layer_failed(loop)
        return len(sent)


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
            sent = publish_many(
                [
                    {"group": row.group, "text": row.text, "seq": row.seq,
                     "close_code": row.close_code}
                    for row in rows
                ]
            )
            done = [row.pk for row in rows[:sent]]
            if done:
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
