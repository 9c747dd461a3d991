"""A ballot whose database connection is killed under it still gets its one answer
(issue 10, item 5; docs/protocol.md).

The poll row is held ``FOR UPDATE`` by another connection, so the ballot's ``FOR SHARE`` read
waits; the test finds that waiting backend in ``pg_stat_activity`` and terminates it, as a
database restart or an operator would. The server retries the ballot once on a new connection
(answer: ``ack``, counted once); killed a second time it answers ``server.error`` (retryable)
on the same socket, and the same command sent again is counted once.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import psycopg
import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from meeting.models import Attendance
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers
from tests.servers import database_url
from voting import services as voting
from voting.models import Ballot

pytestmark = pytest.mark.django_db(transaction=True)

WAITING = """
SELECT pid FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'
  AND query LIKE '%%FOR SHARE%%' AND NOT (pid = ANY(%s))
"""


@pytest.fixture
def open_poll(transactional_db):
    council = make_council(seats=3)
    session = make_session(council=council, items=1)
    # Two of three present: the sitting's quorum (two thirds of the seats) is met.
    delegate, neighbour = council.delegates.order_by("seat_label")[:2]
    for present in (delegate, neighbour):
        Attendance.objects.create(
            session=session, delegate=present, status="present", changed_at=timezone.now()
        )
    chair = Actor(user=make_staff(role="chair", council=council))
    poll = voting.poll_create(session_id=session.pk, title="Thông qua", actor=chair)
    # One delegate of three present: below the quorum, opened on the chair's reason.
    voting.poll_open(poll_id=poll.pk, actor=chair, override_reason="Kiểm thử kết nối bị ngắt.")
    return session, delegate, poll


async def _waiting_ballot(admin: psycopg.Connection, seen: list[int]) -> int:
    """The backend of a ballot now waiting for the poll row (one not seen before)."""
    deadline = asyncio.get_running_loop().time() + 10
    while asyncio.get_running_loop().time() < deadline:
        row = admin.execute(WAITING, [seen]).fetchone()
        if row:
            seen.append(row[0])
            return row[0]
        await asyncio.sleep(0.02)  # polling interval of an outside observer
    raise TimeoutError("no ballot waiting for the poll row")


@database_sync_to_async
def _ballots(poll_id: int) -> list:
    return list(Ballot.objects.filter(poll_id=poll_id).values_list("receipt", "choice"))


async def _answer(comm, command_id: str) -> dict:
    while True:
        frame = await comm.receive_json_from(timeout=10)
        if frame["type"] in ("ack", "error") and frame["id"] == command_id:
            return frame


@pytest.mark.parametrize("kills", [1, 2])
async def test_a_ballot_on_a_killed_connection_gets_one_answer(open_poll, kills):
    session, delegate, poll = open_poll
    locker = psycopg.connect(database_url())
    admin = psycopg.connect(database_url(), autocommit=True)
    comm = await helpers.tablet(session, delegate)
    try:
        await helpers.connect_and_snapshot(comm)
        locker.execute("SELECT id FROM voting_poll WHERE id = %s FOR UPDATE", [poll.pk])
        seen = [locker.info.backend_pid, admin.info.backend_pid]
        ballot_id = str(uuid.uuid4())
        frame = {"type": "ballot.cast", "id": ballot_id, "data": {"poll_id": poll.pk}}
        frame["data"]["choice"] = "yes"
        await comm.send_to(text_data=json.dumps(frame))
        for _ in range(kills):
            pid = await _waiting_ballot(admin, seen)
            assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        if kills == 1:
            await _waiting_ballot(admin, seen)  # the server's one retry, on a new connection
        locker.commit()  # the poll row is free
        answer = await _answer(comm, ballot_id)
        if kills == 2:
            # Retried once already: the answer is an error to retry, on the same socket.
            assert answer["type"] == "error", answer
            assert answer["data"]["code"] == "server.error", answer
            assert answer["data"]["retryable"] is True
            assert await _ballots(poll.pk) == []
            await comm.send_to(text_data=json.dumps(frame))  # the tablet sends it again
            answer = await _answer(comm, ballot_id)
        assert answer["type"] == "ack", answer
        receipt = answer["data"]["receipt"]
        assert await _ballots(poll.pk) == [(receipt, "yes")]
    finally:
        locker.close()
        admin.close()
        await comm.disconnect()
