"""Frames written together (``realtime.publish.frames_together``): one INSERT of the block's
outbox rows, one hand-off to the layer after the commit, one DELETE, and the outbox's promises
kept: frames only after the commit, in order; kept when the layer does not take them and
published when it is back; nothing when the transaction is rolled back."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meeting.models import Session
from realtime import fanout
from realtime.groups import Audience, delegate_group, session_group
from realtime.models import OutboxFrame
from realtime.publish import capturing, emit, frames_together, notify, outbox_flush
from tests.factories import make_council, make_session

pytestmark = pytest.mark.django_db(transaction=True)


def _session() -> Session:
    return make_session(council=make_council(seats=3), items=2)


def _notice(session: Session, n: int) -> None:
    notify(
        session=session,
        type="roster.presence",
        data={"delegate_id": n, "connected": True},
        audience=Audience.CHAIR,
    )


def _write(session_id: int, *, fail: bool = False) -> None:
    """Six frames to three groups: an event, a notice to the console, one to a delegate."""
    with frames_together():
        session = Session.objects.select_for_update().get(pk=session_id)
        for n in range(2):
            emit(session=session, type="agenda.current", data={"current_item_id": n})
            _notice(session, n)
            notify(session=session, type="attendance.mine", data={"status": "present"},
                   delegate_id=7)
        if fail:
            raise RuntimeError("the service failed before its commit")


def _outbox() -> list[str]:
    return list(OutboxFrame.objects.order_by("id").values_list("text", flat=True))


@pytest.fixture
def no_server(monkeypatch):
    """As in a management command: no server loop in this process (another test's may have
    stopped, which ``publish`` would take for a shutdown)."""
    monkeypatch.setattr(fanout, "_server_loop", None)


async def test_a_block_is_one_insert_one_hand_off_and_one_delete_and_keeps_its_order(
    monkeypatch,
):
    session = await database_sync_to_async(_session)()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    for group in (
        session_group(session.pk, Audience.PUBLIC),
        session_group(session.pk, Audience.CHAIR),
        delegate_group(7),
    ):
        await layer.group_add(group, channel)
    # This loop serves the screens: the command's thread hands its frames over to it.
    monkeypatch.setattr(fanout, "_server_loop", asyncio.get_running_loop())
    hand_offs = []
    handing_off = asyncio.run_coroutine_threadsafe

    def counted(coroutine, loop):
        hand_offs.append(coroutine)
        return handing_off(coroutine, loop)

    monkeypatch.setattr(asyncio, "run_coroutine_threadsafe", counted)

    def write() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            _write(session.pk)  # commits: the block opened the transaction
        return [query["sql"].split()[0] for query in queries if "outboxframe" in query["sql"]]

    with capturing() as captured:
        outbox_statements = await database_sync_to_async(write)()
    assert outbox_statements == ["INSERT", "DELETE"]
    assert len(hand_offs) == 1
    received = [(await layer.receive(channel))["text"] for _ in captured]
    assert received == [frame["text"] for frame in captured]
    assert [frame["group"].rsplit(".", 1)[-1] for frame in captured] == [
        "public", "chair", "7", "public", "chair", "7",
    ]
    assert [frame["seq"] for frame in captured if frame["seq"] is not None] == [1, 2]
    assert await database_sync_to_async(_outbox)() == []


def test_frames_the_layer_did_not_take_stay_in_order_and_go_out_when_it_is_back(
    no_server, monkeypatch
):
    session = _session()
    layer = get_channel_layer()
    working = layer.group_send
    taken = []

    async def takes_two(group, message):
        if len(taken) == 2:
            raise ValueError("the layer is down")
        taken.append(message["text"])
        await working(group, message)

    monkeypatch.setattr(layer, "group_send", takes_two)
    with capturing() as attempted:
        _write(session.pk)
    texts = [frame["text"] for frame in attempted]
    assert len(texts) == 6 and taken == texts[:2]
    assert _outbox() == texts[2:]  # exactly the frames not taken, in their order

    monkeypatch.setattr(layer, "group_send", working)
    with capturing() as flushed:
        assert outbox_flush() == 4
    assert [frame["text"] for frame in flushed] == texts[2:]
    assert _outbox() == []


def test_a_block_that_fails_or_is_rolled_back_publishes_nothing(no_server):
    session = _session()
    with capturing() as captured:
        with pytest.raises(RuntimeError):
            _write(session.pk, fail=True)
        with pytest.raises(RuntimeError), transaction.atomic():
            _write(session.pk)  # the block succeeds, the caller's transaction does not
            raise RuntimeError("the caller failed after the block")
    assert captured == []
    assert _outbox() == []
    assert Session.objects.get(pk=session.pk).seq == session.seq


def test_nested_blocks_and_savepoints_keep_the_order_and_drop_what_was_rolled_back(no_server):
    session = _session()
    with capturing() as captured:
        with frames_together():
            _notice(session, 1)
            with pytest.raises(RuntimeError), transaction.atomic():
                _notice(session, 2)  # written in a savepoint that is rolled back
                raise RuntimeError
            with transaction.atomic():
                _notice(session, 3)  # in a savepoint that is kept
                with frames_together():
                    _notice(session, 4)
            with frames_together():
                _notice(session, 5)
            _notice(session, 6)
            assert captured == []  # nothing before the commit
    numbers = [json.loads(frame["text"])["data"]["delegate_id"] for frame in captured]
    assert numbers == [1, 3, 4, 5, 6]
    assert _outbox() == []


async def test_blocks_open_at_once_in_two_threads_each_keep_their_own_frames(no_server):
    session = await database_sync_to_async(_session)()
    # A block run from this task first: whatever it keeps must not be what the next two share.
    await database_sync_to_async(_write)(session.pk)
    first_inside, second_done = threading.Event(), threading.Event()

    def first() -> None:
        with frames_together():
            _notice(session, 1)
            first_inside.set()
            assert second_done.wait(10)

    def second() -> list[dict]:
        assert first_inside.wait(10)
        with capturing() as captured, frames_together():
            _notice(session, 2)
        second_done.set()
        return captured

    _, captured = await asyncio.gather(
        database_sync_to_async(first, thread_sensitive=False)(),
        database_sync_to_async(second, thread_sensitive=False)(),
    )
    # Published at its own commit, not handed to the other thread's open block.
    assert [json.loads(frame["text"])["data"]["delegate_id"] for frame in captured] == [2]
