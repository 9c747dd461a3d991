"""A committed event is never lost, and a screen that does not read delays nobody
(DESIGN.md, "Invariants"). Here on the embedded default's in-memory channel layer; the fault
suite (tests/faults/) plays the same against Redis restarted under two Uvicorn workers."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from meeting.models import Session
from realtime.models import OutboxFrame
from realtime.outbound import CLOSE_TOO_SLOW, Outbound
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers


def _sitting():
    council = make_council(seats=5)
    session = make_session(council=council, items=4)
    return session, make_staff(role="chair", council=council)


@database_sync_to_async
def _outbox() -> int:
    return OutboxFrame.objects.count()


@database_sync_to_async
def _current_item(session_id: int) -> int:
    return Session.objects.get(pk=session_id).current_item_id


@pytest.mark.django_db(transaction=True)
async def test_a_failed_publication_is_kept_and_reaches_every_screen_when_the_layer_answers(
    settings, monkeypatch
):
    settings.CHAMBER_HEARTBEAT_SECONDS = 2  # the layer is probed every 0.5 s
    session, chair_user = await database_sync_to_async(_sitting)()
    chair = helpers.RecordingScreen(await helpers.chair(session, chair_user))
    projector = helpers.RecordingScreen(helpers.projector(session))
    await chair.open()
    await projector.open()
    layer = get_channel_layer()
    working = layer.group_send

    async def broken(*args, **kwargs):
        raise ValueError("the layer is down")  # any exception, not only a timeout

    monkeypatch.setattr(layer, "group_send", broken)
    answer = await chair.command("agenda.next", "c-1")
    assert answer["type"] == "ack", answer  # acknowledged whatever the layer does
    assert await _outbox() >= 1  # the event waits, committed with the change

    monkeypatch.setattr(layer, "group_send", working)
    current = await _current_item(session.pk)

    def current_on_screen(frame: dict) -> bool:
        if frame["type"] == "agenda.current":
            return frame["data"]["current_item_id"] == current
        return (
            frame["type"] == "snapshot" and frame["data"]["session"]["current_item_id"] == current
        )

    await projector.until(current_on_screen)  # by the event itself or a new snapshot
    await chair.until(current_on_screen)
    # The flush deletes the row once the layer took it (it may commit just after delivery).
    deadline = asyncio.get_running_loop().time() + 5
    while await _outbox():
        assert asyncio.get_running_loop().time() < deadline, "the kept frame stayed"
        await asyncio.sleep(0.05)  # polling the database for the deletion
    await chair.close()
    await projector.close()


class Socket:
    """A fake socket: either takes every frame or stops reading at once."""

    def __init__(self, *, reads: bool) -> None:
        self.reads = reads
        self.frames: list[str] = []
        self.closed: list[int] = []
        self.cut_off = asyncio.Event()
        self.changed = asyncio.Event()

    async def send(self, text: str) -> None:
        if not self.reads:
            await asyncio.Event().wait()  # never returns
        self.frames.append(text)
        self.changed.set()

    async def close(self, code: int) -> None:
        self.closed.append(code)

    async def on_too_slow(self) -> None:
        self.cut_off.set()

    def outbound(self) -> Outbound:
        return Outbound(send=self.send, close=self.close, on_too_slow=self.on_too_slow)

    async def until(self, count: int) -> None:
        while len(self.frames) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 5)


async def test_a_socket_that_stops_reading_is_cut_off_and_delays_no_other(settings):
    settings.CHAMBER_SEND_STALL_SECONDS = 0.2
    stalled, reading = Socket(reads=False), Socket(reads=True)
    queues = [stalled.outbound(), reading.outbound()]
    for n in range(20):
        for queue in queues:
            queue.put(f"event {n}")  # never waits for any socket
    await reading.until(20)
    await asyncio.wait_for(stalled.cut_off.wait(), 5)
    assert stalled.closed == [CLOSE_TOO_SLOW] and stalled.frames == []
    assert reading.closed == [] and not reading.cut_off.is_set()
    for queue in queues:
        queue.stop()


async def test_a_queue_that_overflows_is_cut_off_but_one_big_frame_may_wait(settings):
    settings.CHAMBER_SEND_QUEUE_BYTES = 100
    settings.CHAMBER_SEND_STALL_SECONDS = 60
    stalled = Socket(reads=False)
    queue = stalled.outbound()
    queue.put("s" * 1000)  # a big snapshot
    queue.put("x" * 60)
    await asyncio.sleep(0)  # the writer takes the snapshot and stalls on it
    queue.put("y" * 60)
    assert not queue.closed
    queue.put("z" * 60)  # 120 bytes wait behind the next frame: too many
    await asyncio.wait_for(stalled.cut_off.wait(), 5)
    assert stalled.closed == [CLOSE_TOO_SLOW]
