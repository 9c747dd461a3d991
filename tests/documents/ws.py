"""WebSocket helpers shared by the documents tests (on top of tests.realtime.helpers)."""

from __future__ import annotations

import asyncio

from tests.realtime import helpers


async def open_all(comms) -> list[dict]:
    """Connect each and take its snapshot. One after another: in one process the consumers'
    database work shares one thread, and a crowd of handshakes would time out."""
    return [await helpers.connect_and_snapshot(comm) for comm in comms]


async def close_all(comms) -> None:
    await asyncio.gather(*(comm.disconnect() for comm in comms), return_exceptions=True)


async def answer_and_event(comm, event_type: str) -> tuple[dict, dict]:
    """A command's answer and the event or notice it caused, in whichever order they come
    (the event is published at commit, before the answer is sent)."""
    got: dict[str, dict] = {}
    while len(got) < 2:
        frame = await comm.receive_json_from(timeout=5)
        if frame["type"] in ("ack", "error", event_type):
            assert frame["type"] not in got, frame
            got[frame["type"]] = frame
            assert "error" not in got, frame
    return got["ack"], got[event_type]


async def refused(comm, type: str, command_id: str, code: str, **data) -> dict:
    """Send a command that must be refused with ``code``: its answer is the next frame."""
    await helpers.command(comm, type, command_id, **data)
    answer = await comm.receive_json_from(timeout=5)
    assert answer["type"] == "error", answer
    assert (answer["id"], answer["seq"], answer["data"]["code"]) == (command_id, None, code)
    assert answer["data"]["message"], answer  # for people to read
    return answer


async def silent(comms, timeout: float = 0.2) -> bool:
    """Nothing more is on its way to any of these connections."""
    return all(await asyncio.gather(*(comm.receive_nothing(timeout) for comm in comms)))
