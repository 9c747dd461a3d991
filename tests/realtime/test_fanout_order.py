"""The process fan-out hands sequenced events to its screens in order, even when two worker
processes' publications reach it swapped."""

import asyncio

import pytest

from realtime import fanout as fanout_module
from realtime.fanout import ProcessFanout

GROUP = "session.1.public"


class Screen:
    def __init__(self) -> None:
        self.seqs: list[int | None] = []
        self.changed = asyncio.Event()

    def deliver(self, text: str, seq: int | None) -> None:
        self.seqs.append(seq)
        self.changed.set()

    async def close_by_server(self, code: int) -> None:
        pass

    async def wait_for(self, count: int) -> None:
        while len(self.seqs) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 5)


def frame(seq):
    return {"group": GROUP, "text": f"event {seq}", "seq": seq}


@pytest.fixture
async def screen_on_fanout():
    fanout, screen = ProcessFanout(), Screen()
    fanout.members[GROUP] = {screen}  # the registry, without a channel layer behind it
    return fanout, screen


async def test_an_event_that_arrives_early_waits_for_the_one_before_it(screen_on_fanout):
    fanout, screen = screen_on_fanout
    for seq in [1, 2, 4, 5, 3, 6]:
        await fanout.dispatch(frame(seq))
    assert screen.seqs == [1, 2, 3, 4, 5, 6]


async def test_notices_are_not_held(screen_on_fanout):
    fanout, screen = screen_on_fanout
    for seq in [1, 3, None]:
        await fanout.dispatch(frame(seq))
    assert screen.seqs == [1, None]
    await fanout.dispatch(frame(2))
    assert screen.seqs == [1, None, 2, 3]


async def test_a_lost_event_is_given_up_after_the_wait(screen_on_fanout, monkeypatch):
    monkeypatch.setattr(fanout_module, "REORDER_WAIT_SECONDS", 0.05)
    fanout, screen = screen_on_fanout
    for seq in [1, 3, 4]:
        await fanout.dispatch(frame(seq))
    assert screen.seqs == [1]
    await screen.wait_for(3)  # the screen then sees the gap and asks for a snapshot
    assert screen.seqs == [1, 3, 4]
    await fanout.dispatch(frame(5))
    assert screen.seqs == [1, 3, 4, 5]
