"""Sittings that step their agenda at the same moment, over their sockets: their steps are
written together (meeting.agenda_steps) and each sitting's screens hear their own events, in
order, and no other sitting's."""

from __future__ import annotations

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async

from meeting import agenda_steps, selectors
from realtime import batches
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

QUEUE = ("command", "agenda.next", "chair")


@database_sync_to_async
def _sittings(n: int):
    made = []
    for _ in range(n):
        council = make_council(seats=3)
        session = make_session(council=council, items=4)
        chair = make_staff(role="chair", council=council)
        order = [item.pk for item in selectors.agenda_order(session)]
        made.append((session, council.delegates.first(), chair, order))
    return made


async def _until(condition, what: str) -> None:
    """Wait (bounded) for a state the server reaches by itself."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never: {what}")


async def test_sittings_stepping_at_once_each_hear_their_own_events_in_order(monkeypatch):
    sittings = await _sittings(3)
    # The first step is held in its thread until the others wait behind it: they then form
    # one batch, as the city's consoles do when they press "next" in the same moment.
    go, entered = threading.Event(), threading.Event()
    batch_sizes = []
    together = agenda_steps._steps

    def counted(commands, **kwargs):
        batch_sizes.append(len(commands))
        entered.set()
        assert go.wait(10)
        return together(commands, **kwargs)

    monkeypatch.setattr(agenda_steps, "_steps", counted)

    consoles, tablets, seqs = [], [], []
    try:
        for session, delegate, chair, _order in sittings:
            console = helpers.RecordingScreen(await helpers.chair(session, chair))
            tablet = helpers.RecordingScreen(await helpers.tablet(session, delegate))
            await console.open()
            seqs.append((await tablet.open())["seq"])
            consoles.append(console)
            tablets.append(tablet)
        # The tablet's arrival checks its delegate in: let that summary reach it first.
        for tablet in tablets:
            summary = await tablet.until(lambda f: f["type"] == "attendance.summary")
            tablet.frames.clear()
            seqs[tablets.index(tablet)] = summary["seq"]

        await helpers.command(consoles[0].communicator, "agenda.next", "n1")
        await _until(entered.is_set, "the first step in flight")
        for console in consoles[1:]:
            await helpers.command(console.communicator, "agenda.next", "n1")
        await _until(lambda: batches.waiting(QUEUE) == 2, "the others wait together")
        go.set()

        for console, tablet, seq, (_session, _d, _c, order) in zip(
            consoles, tablets, seqs, sittings, strict=True
        ):
            ack = await console.until(lambda f: f["type"] in ("ack", "error"))
            assert ack["type"] == "ack" and ack["data"] == {"current_item_id": order[1]}
            event = await tablet.until(lambda f: f["type"] == "agenda.current")
            assert (event["seq"], event["data"]) == (seq + 1, {"current_item_id": order[1]})
            assert [f["seq"] for f in tablet.frames if f.get("seq") is not None] == [seq + 1]
        assert batch_sizes == [1, 2]
        for tablet in tablets:  # nothing more: no other sitting's event, nothing twice
            assert await tablet.communicator.receive_nothing(timeout=0.2)
    finally:
        go.set()
        for screen in consoles + tablets:
            await screen.communicator.disconnect()
