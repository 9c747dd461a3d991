"""Bad input to the floor over the socket: a stable code, nothing written, no event sent.

A delegate not checked in, another council's delegate, a closed list, a second request of the
same kind, the floor to someone not in the list, ending a turn that is not running: each is
answered ``error`` with its code, the database is as it was, and the projector hears nothing.
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from floor import services, turns
from floor.models import Request, SpeakerList, Turn
from meeting.models import ActionLog, Attendance, Session
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def db_state() -> dict:
    return {
        "seq": list(Session.objects.order_by("pk").values_list("pk", "seq", "log_head")),
        "log": ActionLog.objects.count(),
        "requests": list(Request.objects.order_by("pk").values()),
        "lists": list(SpeakerList.objects.order_by("pk").values()),
        "turns": list(Turn.objects.order_by("pk").values()),
    }


@database_sync_to_async
def build():
    council = make_council(seats=4)
    session = make_session(council=council, items=2)
    present, absent, other = council.delegates.order_by("seat_label")[:3]
    for delegate, status in ((present, "present"), (other, "present"), (absent, "left")):
        Attendance.objects.create(
            session=session, delegate=delegate, status=status, changed_at=timezone.now()
        )
    stranger = make_council(seats=2).delegates.first()
    chair = make_staff(role="chair", council=council)
    return session, present, absent, other, stranger, chair


async def refused(screen, projector, type: str, code: str, **data) -> None:
    before = await db_state()
    command_id = f"bad-{type}-{code}"
    await helpers.command(screen, type, command_id, **data)
    answer = await screen.receive_json_from(timeout=5)
    while answer["id"] != command_id:  # events this screen had yet to read
        answer = await screen.receive_json_from(timeout=5)
    assert (answer["type"], answer["data"].get("code")) == ("error", code), answer
    assert answer["data"]["message"]
    assert await db_state() == before
    assert await projector.receive_nothing(timeout=0.3)


async def test_refusals_change_nothing(transactional_db):
    session, present, absent, other, stranger, chair_user = await build()
    projector = helpers.projector(session)
    tablet = await helpers.tablet(session, present)
    absent_tablet = await helpers.tablet(session, absent)
    chair = await helpers.chair(session, chair_user)
    screens = [projector, tablet, absent_tablet, chair]
    try:
        for screen in screens:
            await helpers.connect_and_snapshot(screen)

        # Not checked in (the chair marked the delegate as having left).
        await refused(
            absent_tablet, projector, "floor.request", "floor.not_checked_in", kind="speak"
        )
        # Another council's delegate, added by the chair.
        await refused(
            chair,
            projector,
            "floor.add",
            "delegate.not_found",
            kind="speak",
            delegate_id=stranger.pk,
        )
        # A debate with nobody to reply to; an unknown kind.
        await refused(tablet, projector, "floor.request", "floor.reply_to_required", kind="debate")
        await refused(tablet, projector, "floor.request", "floor.bad_kind", kind="shout")
        # The floor to someone not in the list; ending, pausing a turn that is not running.
        await refused(chair, projector, "floor.give", "floor.not_listed", request_id=424242)
        await refused(chair, projector, "floor.end", "floor.no_turn")
        await refused(chair, projector, "floor.pause", "floor.no_turn")
        await refused(chair, projector, "floor.next", "floor.queue_empty")

        # A second request of the same kind.
        await helpers.command(tablet, "floor.request", "first", kind="speak")
        ack = await helpers.receive_until(tablet, "ack")
        assert ack["data"]["place"] == 1
        await helpers.receive_until(projector, "floor.changed")
        await refused(tablet, projector, "floor.request", "floor.already_requested", kind="speak")
        # A request already given the floor is no longer listed.
        request_id = ack["data"]["request_id"]
        await database_sync_to_async(turns.turn_give)(
            session_id=session.pk, request_id=request_id, actor=Actor(user=chair_user)
        )
        await helpers.receive_until(projector, "floor.changed")
        await refused(chair, projector, "floor.give", "floor.not_listed", request_id=request_id)
        # A closed list.
        await database_sync_to_async(services.speaker_list_close)(
            session_id=session.pk, actor=Actor(user=chair_user)
        )
        await helpers.receive_until(projector, "floor.changed")
        await refused(tablet, projector, "floor.request", "floor.list_closed", kind="speak")
        # A tablet may not run the console's commands.
        await refused(tablet, projector, "floor.next", "command.forbidden")
    finally:
        for screen in screens:
            await screen.disconnect()


async def test_repeating_a_request_with_the_same_id_is_harmless(transactional_db):
    session, present, _absent, _other, _stranger, _chair = await build()
    tablet = await helpers.tablet(session, present)
    try:
        await helpers.connect_and_snapshot(tablet)
        answers = []
        for _ in range(2):
            await tablet.send_to(
                text_data=json.dumps(
                    {"type": "floor.request", "id": "once", "data": {"kind": "speak"}}
                )
            )
            answers.append(await helpers.receive_until(tablet, "ack"))
        assert answers[0]["data"] == answers[1]["data"]
        assert await database_sync_to_async(Request.objects.count)() == 1
    finally:
        await tablet.disconnect()
