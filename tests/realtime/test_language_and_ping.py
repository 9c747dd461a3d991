"""Socket answers speak the screen's language; ping answers without touching the database."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chamber.asgi import application
from tests.factories import make_council, make_session
from tests.realtime import helpers

pytestmark = pytest.mark.django_db(transaction=True)


async def projector_with(session, *headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        f"/ws/projector/{session.pk}/?key={session.projector_key}",
        headers=[(b"host", b"127.0.0.1:8000"), helpers.ORIGIN, *headers],
    )


async def unknown_command_message(comm) -> str:
    await helpers.connect_and_snapshot(comm)
    await comm.send_to(text_data=json.dumps({"type": "no.such", "id": "x1"}))
    answer = await comm.receive_json_from(timeout=5)
    await comm.disconnect()
    assert answer["data"]["code"] == "command.unknown"
    return answer["data"]["message"]


async def test_the_browser_language_is_used_when_no_language_was_chosen():
    session = await database_sync_to_async(lambda: make_session(council=make_council(seats=3)))()
    english = await unknown_command_message(
        await projector_with(session, (b"accept-language", b"en-GB,en;q=0.9"))
    )
    vietnamese = await unknown_command_message(await projector_with(session))
    chosen = await unknown_command_message(
        await projector_with(
            session, (b"accept-language", b"en"), (b"cookie", b"django_language=vi")
        )
    )
    assert english == "Unknown command."
    assert not vietnamese.isascii() and chosen == vietnamese


async def test_ping_is_answered_with_an_ack():
    session = await database_sync_to_async(lambda: make_session(council=make_council(seats=3)))()
    comm = await projector_with(session)
    await helpers.connect_and_snapshot(comm)
    await comm.send_to(text_data=json.dumps({"type": "ping", "id": 7}))
    assert await comm.receive_json_from(timeout=5) == {
        "type": "ack",
        "id": 7,
        "seq": None,
        "data": {},
    }
    await comm.disconnect()
