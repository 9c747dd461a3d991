"""Votes over the real consumers: refusals that change nothing, and what each screen sees.

Every refused ballot or poll command gets its stable code, leaves every vote table, the command
receipts, the action log and the session's sequence as they were, and sends nothing to any
screen. A named vote is then followed from the tablet, the projector and the console.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from meeting import services as meeting
from meeting.models import ActionLog, Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.models import CommandReceipt
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers
from tests.realtime.helpers import RecordingScreen as Screen
from voting import live as voting_live
from voting import services
from voting.ballots import ballot_cast
from voting.counting import poll_close
from voting.models import Ballot, Participation, Poll, PollResult

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = {"poll.opened", "poll.closed", "poll.published", "poll.cancelled"}


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class World:
    session: Session
    delegates: list[Delegate]  # checked in
    other_session: Session  # of another council
    chair: Any
    actor: Actor


@pytest.fixture
def world(transactional_db) -> World:
    council = make_council(seats=6)
    session = make_session(council=council)
    other_session = make_session(council=make_council(seats=3))
    delegates = list(council.delegates.order_by("seat_label"))
    # The other council's sitting has its quorum (two of three), so a poll can open there.
    for delegate in other_session.council.delegates.all()[:2]:
        Attendance.objects.create(
            session=other_session, delegate=delegate, status="present", changed_at=timezone.now()
        )
    # Checked in already: opening a tablet changes nothing, so every change is the test's.
    for delegate in delegates:
        Attendance.objects.create(
            session=session, delegate=delegate, status="present", changed_at=timezone.now()
        )
    chair = make_staff(role="chair", council=council)
    return World(
        session=session,
        delegates=delegates,
        other_session=other_session,
        chair=chair,
        actor=Actor(user=chair),
    )


@database_sync_to_async
def db_state() -> dict:
    """Everything a refused command must leave as it was."""
    return {
        "polls": list(Poll.objects.order_by("pk").values_list("pk", "status", "closed_at")),
        "ballots": sorted(
            (str(pk), poll, delegate, json.dumps(choice), receipt, superseded)
            for pk, poll, delegate, choice, receipt, superseded in Ballot.objects.values_list(
                "pk", "poll_id", "delegate_id", "choice", "receipt", "superseded"
            )
        ),
        "participations": sorted(Participation.objects.values_list("poll_id", "delegate_id")),
        "results": list(PollResult.objects.order_by("pk").values_list("pk", "digest")),
        "receipts": sorted(
            CommandReceipt.objects.values_list("actor", "command_id", "command_type")
        ),
        "log": list(ActionLog.objects.order_by("pk").values_list("pk", "action")),
        "attendance": sorted(
            Attendance.objects.values_list("session_id", "delegate_id", "status", "changed_at")
        ),
        "sequence": list(Session.objects.order_by("pk").values_list("pk", "seq")),
    }


def _poll(session: Session, actor: Actor, *, status: str = "open", **options) -> Poll:
    poll = services.poll_create(session_id=session.pk, title="Biểu quyết", actor=actor, **options)
    if status in ("open", "closed"):
        services.poll_open(poll_id=poll.pk, actor=actor)
    if status == "closed":
        poll_close(poll_id=poll.pk, actor=actor)
    return poll


@database_sync_to_async
def prepare(world: World, case: str) -> dict:
    """The poll of the case and what to send: ``{poll_id, data, command, id, from}``."""
    voter = world.delegates[0]
    poll_options, ballot = {}, {"choice": "yes"}
    command, command_id, sender = "ballot.cast", new_id(), "tablet"
    session, status = world.session, "open"
    if case == "closed":
        status = "closed"
    elif case == "draft":
        status = "draft"
    elif case == "other_council":
        session = world.other_session
    elif case == "not_checked_in":
        meeting.attendance_set(
            session_id=world.session.pk, delegate_id=voter.pk, status="absent", actor=world.actor
        )
    elif case == "invalid_choice":
        ballot = {"choice": "maybe"}
    elif case == "too_many_selections":
        poll_options = {"choice_type": "options", "options": ["Ông A", "Bà B", "Bà C"]}
        ballot = {"choice": ["1", "2"]}
    elif case == "already_cast":
        first = _poll(world.session, world.actor)
        ballot_cast(poll_id=first.pk, delegate=voter, choice="no", command_id=new_id())
        return {
            "poll_id": first.pk,
            "data": ballot,
            "command": command,
            "id": command_id,
            "from": sender,
        }
    elif case == "weak_id":
        command_id = "b-17"
    elif case == "cast_from_the_console":
        sender = "chair"
    elif case == "open_from_a_tablet":
        status, command, ballot = "draft", "poll.open", {}
    poll = _poll(session, world.actor, status=status, **poll_options)
    return {
        "poll_id": poll.pk,
        "data": ballot,
        "command": command,
        "id": command_id,
        "from": sender,
    }


@pytest.mark.parametrize(
    "case, code",
    [
        ("closed", "poll.not_open"),
        ("draft", "poll.not_open"),
        ("other_council", "poll.not_found"),
        ("not_checked_in", "ballot.not_checked_in"),
        ("invalid_choice", "ballot.invalid_choice"),
        ("too_many_selections", "ballot.too_many_selections"),
        ("already_cast", "ballot.already_cast"),
        ("weak_id", "command.id_weak"),
        ("cast_from_the_console", "command.forbidden"),
        ("open_from_a_tablet", "command.forbidden"),
    ],
)
async def test_a_refused_command_writes_nothing_and_sends_nothing(world, case, code):
    sent = await prepare(world, case)
    screens = {
        "tablet": Screen(await helpers.tablet(world.session, world.delegates[0])),
        "chair": Screen(await helpers.chair(world.session, world.chair)),
        "projector": Screen(helpers.projector(world.session)),
    }
    try:
        for screen in screens.values():
            await screen.open()
        before = await db_state()
        answer = await screens[sent["from"]].command(
            sent["command"], sent["id"], poll_id=sent["poll_id"], **sent["data"]
        )
        assert answer["type"] == "error", answer
        assert (answer["id"], answer["seq"], answer["data"]["code"]) == (sent["id"], None, code)
        assert answer["data"]["message"]
        assert await db_state() == before
        silent = await asyncio.gather(
            *(screen.communicator.receive_nothing(timeout=0.3) for screen in screens.values())
        )
        assert all(silent), dict(zip(screens, silent, strict=True))
    finally:
        for screen in screens.values():
            await screen.close()


# -- a named vote, seen from every screen -----------------------------------------------------


def _is(type: str, **data):
    return lambda f: f["type"] == type and all(f["data"].get(k) == v for k, v in data.items())


async def test_a_named_vote_from_every_screen(world, monkeypatch):
    # Progress waits a whole second for more ballots: each batch below is one notice.
    monkeypatch.setattr(voting_live, "ROOM_INTERVAL_SECONDS", 1.0)
    voters, absent_minded = world.delegates[:5], world.delegates[5]
    screens: list[Screen] = []

    async def screen(communicator) -> Screen:
        opened = Screen(communicator)
        screens.append(opened)
        await opened.open()
        return opened

    try:
        chair = await screen(await helpers.chair(world.session, world.chair))
        projector = await screen(helpers.projector(world.session))
        tablet_of = {d.pk: await screen(await helpers.tablet(world.session, d)) for d in voters}
        start_seq = projector.frames[0]["seq"]

        created = await chair.command("poll.create", "create", title="Thông qua nghị quyết")
        assert created["type"] == "ack", created
        poll_id = created["data"]["poll_id"]
        opened = await chair.command("poll.open", "open", poll_id=poll_id)
        assert opened["data"] == {"poll_id": poll_id, "status": "open"}
        for tablet in tablet_of.values():
            event = await tablet.until(lambda f: f["type"] == "poll.opened")
            assert event["data"]["poll"]["id"] == poll_id
            assert event["data"]["poll"]["choices"] == ["yes", "no", "abstain"]
            assert event["data"]["progress"]["voted"] == 0

        choices = ["yes", "yes", "no", "yes", "abstain"]
        choice_of = dict(zip((d.pk for d in voters), choices, strict=True))
        receipts = {}
        for batch in (voters[:3], voters[3:]):
            for delegate in batch:
                ack = await tablet_of[delegate.pk].command(
                    "ballot.cast", new_id(), poll_id=poll_id, choice=choice_of[delegate.pk]
                )
                assert ack["type"] == "ack", ack
                assert ack["data"]["poll_id"] == poll_id
                assert len(ack["data"]["receipt"]) == 20
                receipts[delegate.pk] = ack["data"]["receipt"]
            await projector.until(_is("poll.progress", voted=len(receipts)))
        assert len(set(receipts.values())) == len(voters)
        voters_notice = await chair.until(_is("poll.voters", voted=sorted(d.pk for d in voters)))
        assert voters_notice["data"]["poll_id"] == poll_id

        closed = await chair.command("poll.close", "close", poll_id=poll_id)
        assert closed["data"] == {"poll_id": poll_id, "status": "closed"}
        result = await chair.until(_is("poll.result", poll_id=poll_id))
        assert result["data"]["result"]["counts"] == {"yes": 3, "no": 1, "abstain": 1}
        assert result["data"]["result"]["ballots"] == 5
        for tablet in tablet_of.values():
            event = await tablet.until(lambda f: f["type"] == "poll.closed")
            assert event["data"]["ballots"] == 5
            progress = [f["data"]["voted"] for f in tablet.of_type("poll.progress")]
            # Coalesced, at most one a second for tablets: fewer notices than ballots, each
            # with more votes than the last (the close tells the final count).
            assert progress and progress[-1] <= 5 and len(progress) < len(voters)
            assert progress == sorted(set(progress)), progress
        await projector.until(lambda f: f["type"] == "poll.closed")
        assert not projector.of_type("poll.result") and not projector.of_type("poll.voters")

        published = await chair.command("poll.publish", "publish", poll_id=poll_id)
        assert published["data"] == {"poll_id": poll_id, "status": "published"}
        shown = await projector.until(lambda f: f["type"] == "poll.published")
        assert shown["data"]["result"]["counts"] == {"yes": 3, "no": 1, "abstain": 1}
        assert shown["data"]["result"]["passed"] is False  # 3 of 6 seats is not more than half
        kinds = [f["type"] for f in projector.frames]
        assert kinds.index("poll.progress") < kinds.index("poll.published")
        # Every event of the session reached the projector once, in order.
        seqs = [f["seq"] for f in projector.frames[1:] if f["type"] in EVENTS]
        assert seqs == list(range(start_seq + 1, start_seq + 1 + len(seqs)))

        # A tablet that connects again sees its ballot; one that did not vote sees none.
        again = await screen(await helpers.tablet(world.session, voters[2]))
        item = next(p for p in again.frames[0]["data"]["polls"] if p["poll"]["id"] == poll_id)
        assert item["my_ballot"] == {"cast": True, "choice": "no"}
        assert item["result"]["counts"] == {"yes": 3, "no": 1, "abstain": 1}
        other = await screen(await helpers.tablet(world.session, absent_minded))
        item = next(p for p in other.frames[0]["data"]["polls"] if p["poll"]["id"] == poll_id)
        assert item["my_ballot"] == {"cast": False}
    finally:
        for s in screens:
            await s.close()


async def test_a_tablet_snapshot_after_a_secret_ballot_says_only_that_it_was_cast(world):
    voter = world.delegates[0]
    poll = await database_sync_to_async(_poll)(world.session, world.actor, kind="secret")
    tablet = Screen(await helpers.tablet(world.session, voter))
    try:
        await tablet.open()
        ack = await tablet.command("ballot.cast", new_id(), poll_id=poll.pk, choice="no")
        assert ack["type"] == "ack", ack
        await helpers.command(tablet.communicator, "snapshot.request", "snap")
        snapshot = await tablet.until(lambda f: f["type"] == "snapshot" and f["id"] == "snap")
        item = next(p for p in snapshot["data"]["polls"] if p["poll"]["id"] == poll.pk)
        assert item["my_ballot"] == {"cast": True}
        assert (await tablet.until(_is_answer("snap")))["type"] == "ack"
        await tablet.until(lambda f: f["type"] == "poll.progress")  # drain the coalesced event
    finally:
        await tablet.close()


def _is_answer(command_id: str):
    return lambda f: f["type"] in ("ack", "error") and f["id"] == command_id
