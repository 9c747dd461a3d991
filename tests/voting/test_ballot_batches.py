"""Ballots written in batches (issue 13): what arrives together is one transaction, and each
ballot is still judged, written and answered as if it were alone.

* One refused ballot refuses nothing else in its batch; a repeated command in one batch is
  counted once.
* Through the tablets' sockets: ballots that reach a process while its previous batch is being
  written go together in the next one, and a ballot is acknowledged only once its batch has
  committed — a batch that fails is answered ``server.error`` for each of its ballots and
  records none of them.
* A batch costs the same few statements however many ballots it holds.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import psycopg
import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from meeting import services as meeting
from realtime import batches
from realtime.errors import ServiceError
from tests.factories import make_sitting
from tests.realtime import helpers
from tests.servers import database_url
from voting import ballot_writer, ballots, services
from voting.ballots import BallotRequest, ballots_cast
from voting.models import Ballot, Participation, Poll

BALLOTS_QUEUE = ("command", "ballot.cast", "tablet")


def new_id() -> str:
    return str(uuid.uuid4())


def open_poll(sitting, **options) -> Poll:
    poll = services.poll_create(
        session_id=sitting.session.pk, title="Thông qua nghị quyết", actor=sitting.chair, **options
    )
    return services.poll_open(poll_id=poll.pk, actor=sitting.chair)


def counted(poll) -> dict:
    return {
        "ballots": sorted(
            Ballot.objects.filter(poll=poll).values_list("delegate_id", "choice", "superseded")
        ),
        "voters": sorted(
            Participation.objects.filter(poll=poll).values_list("delegate_id", flat=True)
        ),
    }


@pytest.mark.django_db
def test_one_refused_ballot_refuses_nothing_else_in_its_batch():
    sitting = make_sitting(seats=4)
    first, absent, confused, last = sitting.delegates
    meeting.attendance_set(
        session_id=sitting.session.pk, delegate_id=absent.pk, status="absent", actor=sitting.chair
    )
    poll = open_poll(sitting)
    outcomes = ballots_cast(
        ballots=[
            BallotRequest(poll.pk, first, "yes", new_id()),
            BallotRequest(poll.pk, absent, "yes", new_id()),
            BallotRequest(poll.pk, confused, "maybe", new_id()),
            BallotRequest(poll.pk, last, "no", new_id()),
        ]
    )
    assert [o.code if isinstance(o, ServiceError) else o["changed"] for o in outcomes] == [
        False,
        "ballot.not_checked_in",
        "ballot.invalid_choice",
        False,
    ]
    assert counted(poll) == {
        "ballots": sorted([(first.pk, "yes", False), (last.pk, "no", False)]),
        "voters": sorted([first.pk, last.pk]),
    }


@pytest.mark.django_db
def test_a_command_repeated_in_its_own_batch_counts_once():
    sitting = make_sitting(seats=2)
    voter, neighbour = sitting.delegates
    poll = open_poll(sitting)
    command_id = new_id()
    outcomes = ballots_cast(
        ballots=[
            BallotRequest(poll.pk, voter, "yes", command_id),
            BallotRequest(poll.pk, voter, "yes", command_id),  # the tablet sent it again
            BallotRequest(poll.pk, voter, "no", new_id()),  # a second ballot: refused
            BallotRequest(poll.pk, neighbour, "no", new_id()),
        ]
    )
    receipt = outcomes[0]["receipt"]
    assert outcomes[1] == {"poll_id": poll.pk, "receipt": receipt, "repeated": True}
    assert isinstance(outcomes[2], ServiceError) and outcomes[2].code == "ballot.already_cast"
    assert outcomes[3]["changed"] is False
    assert counted(poll) == {
        "ballots": sorted([(voter.pk, "yes", False), (neighbour.pk, "no", False)]),
        "voters": sorted([voter.pk, neighbour.pk]),
    }


@pytest.mark.django_db
def test_a_change_sent_in_the_same_batch_as_its_ballot_supersedes_it():
    sitting = make_sitting(seats=1)
    (voter,) = sitting.delegates
    poll = open_poll(sitting, kind="secret", allow_change=True)
    first_id = new_id()
    cast, changed = ballots_cast(
        ballots=[
            BallotRequest(poll.pk, voter, "yes", first_id),
            BallotRequest(poll.pk, voter, "no", new_id(), previous_id=first_id),
        ]
    )
    assert (cast["changed"], changed["changed"]) == (False, True)
    assert counted(poll) == {
        "ballots": sorted([(None, "yes", True), (None, "no", False)]),
        "voters": [voter.pk],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["named", "secret"])
def test_a_batch_costs_the_same_statements_however_many_ballots_it_holds(kind):
    sitting = make_sitting(seats=31)
    poll = open_poll(sitting, kind=kind)
    voters = iter(sitting.delegates)
    statements = []
    for size in (1, 5, 25):
        batch = [BallotRequest(poll.pk, next(voters), "yes", new_id()) for _ in range(size)]
        with CaptureQueriesContext(connection) as captured:
            assert all(isinstance(o, dict) for o in ballots_cast(ballots=batch))
        # The test's own transaction makes the batch's a savepoint: not the batch's cost.
        sent = [q["sql"] for q in captured.captured_queries]
        statements.append([sql for sql in sent if not sql.startswith(("SAVEPOINT", "RELEASE"))])
    # One read (the poll share-locked), the who-has-voted rows, the ballots: whatever the size.
    assert [len(sent) for sent in statements] == [3, 3, 3]
    assert "FOR SHARE" in statements[0][0] or connection.vendor == "sqlite"
    assert Ballot.objects.filter(poll=poll).count() == 31


@pytest.mark.django_db
def test_a_batch_of_secret_ballots_lies_in_no_order_of_its_voters():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL lays rows on disk in insertion order (SQLite: random rowids)")
    sitting = make_sitting(seats=20)
    poll = open_poll(sitting, kind="secret")
    requests = [BallotRequest(poll.pk, d, "yes", new_id()) for d in sitting.delegates]
    voter_of = {
        o["receipt"]: r.delegate.pk
        for r, o in zip(requests, ballots_cast(ballots=requests), strict=True)
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT receipt FROM voting_ballot WHERE poll_id = %s ORDER BY ctid", [poll.pk]
        )
        on_disk = [voter_of[receipt] for (receipt,) in cursor.fetchall()]
        cursor.execute(
            "SELECT delegate_id FROM voting_participation WHERE poll_id = %s ORDER BY ctid",
            [poll.pk],
        )
        voters_on_disk = [pk for (pk,) in cursor.fetchall()]
    assert sorted(on_disk) == sorted(voters_on_disk)
    assert on_disk != voters_on_disk  # 1 chance in 20! of failing by accident


# -- through the tablets' sockets ------------------------------------------------------------

WAITING = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%%FOR SHARE%%'
"""


async def _until(condition, what: str) -> None:
    """Poll a condition an outside observer cannot be told about (a backend waiting)."""
    for _ in range(500):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(what)


async def _answer(comm, command_id: str) -> dict:
    while True:
        frame = await comm.receive_json_from(timeout=10)
        if frame["type"] in ("ack", "error") and frame["id"] == command_id:
            return frame


@pytest.fixture
def held_storm(transactional_db):
    """Four tablets and an open poll whose row another connection holds ``FOR UPDATE`` (as a
    close in progress would): the first ballot's batch waits for it, the next ballots queue."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL row locks")
    sitting = make_sitting(seats=4)
    poll = open_poll(sitting)
    locker = psycopg.connect(database_url())
    admin = psycopg.connect(database_url(), autocommit=True)
    locker.execute("SELECT id FROM voting_poll WHERE id = %s FOR UPDATE", [poll.pk])
    yield sitting, poll, locker, admin
    locker.close()
    admin.close()


async def _storm(sitting, poll, admin, choices: list[str]) -> tuple[list, list[str]]:
    """The first tablet's ballot waits for the poll row; the others' reach the server
    meanwhile. Returns the tablets and the command ids, once all are queued."""
    comms = [await helpers.tablet(sitting.session, d) for d in sitting.delegates]
    for comm in comms:
        await helpers.connect_and_snapshot(comm)
    ids = [new_id() for _ in comms]

    async def send(i: int) -> None:
        frame = {"type": "ballot.cast", "id": ids[i], "data": {"poll_id": poll.pk}}
        frame["data"]["choice"] = choices[i]
        await comms[i].send_to(text_data=json.dumps(frame))

    async def first_waits() -> bool:
        return admin.execute(WAITING).fetchone()[0] == 1

    async def others_queued() -> bool:
        return batches.waiting(BALLOTS_QUEUE) == len(comms) - 1

    await send(0)
    await _until(first_waits, "the first ballot waiting for the poll row")
    for i in range(1, len(comms)):
        await send(i)
    await _until(others_queued, "the other ballots queued behind it")
    return comms, ids


async def test_ballots_arriving_together_are_one_transaction_each_answered(held_storm, monkeypatch):
    sitting, poll, locker, admin = held_storm
    sizes = []
    real_cast = ballots.ballots_cast

    def recording_cast(**kwargs):
        sizes.append(len(kwargs["ballots"]))
        return real_cast(**kwargs)

    monkeypatch.setattr(ballots, "ballots_cast", recording_cast)
    comms, ids = await _storm(sitting, poll, admin, ["yes", "no", "maybe", "abstain"])
    try:
        locker.commit()  # the poll row is free
        answers = [await _answer(comm, i) for comm, i in zip(comms, ids, strict=True)]
        assert sizes == [1, 3]  # the three that came meanwhile: one transaction
        kinds = [(a["type"], a["data"].get("code")) for a in answers]
        assert kinds == [("ack", None), ("ack", None), ("error", "ballot.invalid_choice")] + [
            ("ack", None)
        ]
        stored = await database_sync_to_async(counted)(poll)
        first, second, _confused, last = sitting.delegates
        assert stored == {
            "ballots": sorted(
                [(first.pk, "yes", False), (second.pk, "no", False), (last.pk, "abstain", False)]
            ),
            "voters": sorted([first.pk, second.pk, last.pk]),
        }
    finally:
        for comm in comms:
            await comm.disconnect()


async def test_a_ballot_whose_batch_fails_is_not_acknowledged_and_counts_once_when_resent(
    held_storm, monkeypatch
):
    sitting, poll, locker, admin = held_storm
    real_insert = ballot_writer.insert_ballots

    def failing_insert(new_ballots):
        if len(new_ballots) > 1:  # the second batch: the database fails it
            raise OperationalError("the disk is full")
        return real_insert(new_ballots)

    monkeypatch.setattr(ballot_writer, "insert_ballots", failing_insert)
    comms, ids = await _storm(sitting, poll, admin, ["yes", "no", "no", "abstain"])
    try:
        locker.commit()
        answers = [await _answer(comm, i) for comm, i in zip(comms, ids, strict=True)]
        assert answers[0]["type"] == "ack"
        for answer in answers[1:]:
            assert answer["type"] == "error", answer
            assert answer["data"]["code"] == "server.error" and answer["data"]["retryable"]
        first = sitting.delegates[0]
        only_first = {"ballots": [(first.pk, "yes", False)], "voters": [first.pk]}
        assert await database_sync_to_async(counted)(poll) == only_first
        # Each tablet sends its ballot again (one by one: batches of one are written).
        for comm, command_id, choice in zip(
            comms[1:], ids[1:], ["no", "no", "abstain"], strict=True
        ):
            frame = {"type": "ballot.cast", "id": command_id, "data": {"poll_id": poll.pk}}
            frame["data"]["choice"] = choice
            await comm.send_to(text_data=json.dumps(frame))
            assert (await _answer(comm, command_id))["type"] == "ack"
        stored = await database_sync_to_async(counted)(poll)
        assert len(stored["ballots"]) == len(stored["voters"]) == 4
    finally:
        for comm in comms:
            await comm.disconnect()
