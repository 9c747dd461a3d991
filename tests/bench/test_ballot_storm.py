"""A storm of ballots through the tablets' sockets in one process (issue 13): every ballot is
acknowledged and counted once, and the process writes them in a handful of transactions — the
ones that arrive while a batch is being written go together in the next (group commit).

Prints the process's CPU per ballot (``process_time``: the consumers, the service and the
in-process test clients; no ASGI server, no real sockets) — a figure, not an assertion.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from channels.db import database_sync_to_async

from tests.factories import make_sitting
from tests.realtime import helpers
from voting import ballots, services
from voting.models import Ballot, Participation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

TABLETS = 300


@pytest.fixture
def open_poll(transactional_db):
    sitting = make_sitting(seats=TABLETS)
    poll = services.poll_create(
        session_id=sitting.session.pk, title="Thông qua", actor=sitting.chair
    )
    services.poll_open(poll_id=poll.pk, actor=sitting.chair)
    return sitting, poll


async def _answer(comm, command_id: str) -> dict:
    while True:
        frame = await comm.receive_json_from(timeout=60)
        if frame["type"] in ("ack", "error") and frame["id"] == command_id:
            return frame


async def test_a_storm_of_ballots_is_written_in_a_few_transactions(open_poll, monkeypatch):
    sitting, poll = open_poll
    sizes = []
    real_cast = ballots.ballots_cast

    def recording_cast(**kwargs):
        sizes.append(len(kwargs["ballots"]))
        return real_cast(**kwargs)

    monkeypatch.setattr(ballots, "ballots_cast", recording_cast)
    comms = [await helpers.tablet(sitting.session, d) for d in sitting.delegates]
    try:
        for comm in comms:
            await helpers.connect_and_snapshot(comm)
        ids = [str(uuid.uuid4()) for _ in comms]
        cpu, wall = time.process_time(), time.perf_counter()
        for comm, command_id in zip(comms, ids, strict=True):
            frame = {"type": "ballot.cast", "id": command_id, "data": {"poll_id": poll.pk}}
            frame["data"]["choice"] = "yes"
            await comm.send_to(text_data=json.dumps(frame))
        answers = await asyncio.gather(*(_answer(c, i) for c, i in zip(comms, ids, strict=True)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert [a["type"] for a in answers] == ["ack"] * TABLETS
        assert len({a["data"]["receipt"] for a in answers}) == TABLETS
        count = database_sync_to_async(lambda model: model.objects.filter(poll=poll).count())
        assert (await count(Ballot), await count(Participation)) == (TABLETS, TABLETS)
        assert sum(sizes) == TABLETS and len(sizes) <= TABLETS // 10, sizes
        print(
            f"\n{TABLETS} ballots in {len(sizes)} transactions {sizes}: "
            f"{1000 * cpu / TABLETS:.2f} ms CPU per ballot, {wall:.2f} s"
        )
    finally:
        for comm in comms:
            await comm.disconnect()
