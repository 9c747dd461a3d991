"""Bad input gets a clear error and changes nothing (docs/protocol.md, DESIGN.md invariants).

Every test compares the whole visible database state (sessions, attendance, the action log,
command receipts, badges) before and after the refused input, and proves with
``receive_nothing()`` that no event went out.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from meeting import services
from meeting.models import ActionLog, AgendaItem, Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.models import CommandReceipt
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = pytest.mark.django_db(transaction=True)


# -- the world: two councils, each with a session in progress ----------------------------------


@dataclass
class World:
    session: Session
    items: list[AgendaItem]
    delegate: Delegate  # of ``session``'s council, checked in
    neighbour: Delegate  # another of that council, checked in
    other_session: Session  # of another council
    other_item: AgendaItem
    other_delegate: Delegate
    chair: Any
    clerk: Any  # staff without the console permission


@pytest.fixture
def world(transactional_db) -> World:
    council, other_council = make_council(seats=5), make_council(seats=3)
    session = make_session(council=council, items=5)
    other_session = make_session(council=other_council, items=3)
    delegate, neighbour = council.delegates.order_by("seat_label")[:2]
    # Checked in already: opening a tablet changes nothing, so every change is the test's.
    for present in (delegate, neighbour):
        Attendance.objects.create(
            session=session, delegate=present, status="present", changed_at=timezone.now()
        )
    return World(
        session=session,
        items=list(session.agenda_items.order_by("position", "id")),
        delegate=delegate,
        neighbour=neighbour,
        other_session=other_session,
        other_item=other_session.agenda_items.first(),
        other_delegate=other_council.delegates.first(),
        chair=make_staff(role="chair", council=council),
        clerk=make_staff(role="clerk", council=council),
    )


@database_sync_to_async
def db_state() -> dict:
    """Everything a refused input must leave as it was."""
    return {
        "sessions": list(
            Session.objects.order_by("pk").values_list("pk", "status", "current_item_id", "seq")
        ),
        "attendance": sorted(
            Attendance.objects.values_list("session_id", "delegate_id", "status", "changed_at")
        ),
        "log": list(ActionLog.objects.order_by("pk").values_list("pk", "action")),
        "receipts": sorted(
            CommandReceipt.objects.values_list("actor", "command_id", "command_type")
        ),
        "badges": sorted(Delegate.objects.values_list("pk", "badge_key")),
    }


# -- helpers ------------------------------------------------------------------------------------


@asynccontextmanager
async def opened(comm: WebsocketCommunicator) -> AsyncIterator[dict]:
    """Connect, take the snapshot, and always disconnect."""
    try:
        yield await helpers.connect_and_snapshot(comm)
    finally:
        await comm.disconnect()


async def send_raw(comm: WebsocketCommunicator, text: str | None = None, **kwargs) -> dict:
    """Send one frame as is; its answer must be the very next frame."""
    await comm.send_to(text_data=text, **kwargs)
    return await comm.receive_json_from(timeout=5)


async def send(comm: WebsocketCommunicator, message: dict) -> dict:
    return await send_raw(comm, json.dumps(message))


def assert_error(answer: dict, code: str, command_id: str | None) -> None:
    assert answer["type"] == "error", answer
    assert answer["id"] == command_id, answer
    assert answer["seq"] is None, answer
    assert answer["data"]["code"] == code, answer
    assert answer["data"]["message"], answer  # something for people to read


async def assert_usable(comm: WebsocketCommunicator, command_id: str = "still-there") -> dict:
    """The connection still answers: a snapshot for this command, then its ack."""
    snapshot = await send(comm, {"type": "snapshot.request", "id": command_id})
    assert (snapshot["type"], snapshot["id"]) == ("snapshot", command_id), snapshot
    ack = await comm.receive_json_from(timeout=5)
    assert (ack["type"], ack["id"], ack["data"]) == ("ack", command_id, {}), ack
    return snapshot


async def assert_closed_without_a_frame(comm: WebsocketCommunicator, code: int) -> None:
    """Accepted, then closed at once with ``code`` and no data; always disconnects."""
    try:
        connected, _ = await comm.connect()
        assert connected
        output = await comm.receive_output(timeout=5)
        assert output["type"] == "websocket.close", output
        assert output["code"] == code, output
        assert await comm.receive_nothing()
    finally:
        await comm.disconnect()


# -- malformed frames ---------------------------------------------------------------------------

MALFORMED = [
    # (frame, the id of the answer)
    ("{not json", None),
    ('{"type": "agenda.next", "id": "a"', None),  # cut short
    ("   ", None),
    ("[1, 2, 3]", None),
    ('"agenda.next"', None),
    ("42", None),
    ("null", None),
    ("true", None),
    ("[" * 100_000, None),  # nested too deep for the parser
    ('{"id": "m1"}', "m1"),  # no type
    ('{"id": "m2", "type": ""}', "m2"),
    ('{"id": "m3", "type": 7}', "m3"),
    ('{"id": "m4", "type": ["agenda.next"]}', "m4"),
    ('{"id": "m5", "type": "snapshot.request", "data": []}', "m5"),
    ('{"id": "m6", "type": "snapshot.request", "data": "x"}', "m6"),
    ('{"id": "m7", "type": "snapshot.request", "data": 1}', "m7"),
]


@pytest.mark.parametrize("screen", ["tablet", "chair", "projector"])
async def test_malformed_frames_are_refused_and_the_connection_stays_usable(world, screen):
    before = await db_state()
    comm = await _screen(world, screen)
    async with opened(comm):
        for index, (text, answer_id) in enumerate(MALFORMED):
            assert_error(await send_raw(comm, text), "message.malformed", answer_id)
            # The very next frame answers the next command: nothing else was sent.
            await assert_usable(comm, f"after-{index}")
        answer = await send_raw(comm, bytes_data=b'{"type": "snapshot.request", "id": "b"}')
        assert_error(answer, "message.malformed", None)
        await assert_usable(comm)
        assert await comm.receive_nothing()
    assert await db_state() == before


async def test_fields_of_the_wrong_type_are_malformed(world):
    before = await db_state()
    comm = await helpers.chair(world.session, world.chair)
    delegate_id = world.delegate.pk
    async with opened(comm):
        for index, (command_type, data) in enumerate(
            [
                ("agenda.select", {}),
                ("agenda.select", {"item_id": str(world.items[2].pk)}),
                ("agenda.select", {"item_id": None}),
                ("agenda.select", {"item_id": True}),
                ("agenda.select", {"item_id": world.items[2].pk + 0.5}),
                ("agenda.select", {"item_id": [world.items[2].pk]}),
                ("attendance.mark", {"delegate_id": delegate_id}),
                ("attendance.mark", {"delegate_id": delegate_id, "status": 1}),
                ("attendance.mark", {"delegate_id": delegate_id, "status": ["absent"]}),
                ("attendance.mark", {"delegate_id": str(delegate_id), "status": "absent"}),
                ("attendance.mark", {"status": "absent"}),
            ]
        ):
            answer = await send(comm, {"type": command_type, "id": f"f{index}", "data": data})
            assert_error(answer, "message.malformed", f"f{index}")
            await assert_usable(comm, f"after-{index}")
        answer = await send(
            comm,
            {
                "type": "attendance.mark",
                "id": "s-bad",
                "data": {"delegate_id": delegate_id, "status": "asleep"},
            },
        )
        assert_error(answer, "attendance.bad_status", "s-bad")
        assert await comm.receive_nothing()
    assert await db_state() == before


NO_USABLE_ID = [
    {"type": "agenda.next"},
    {"type": "agenda.next", "id": None},
    {"type": "agenda.next", "id": ""},
    {"type": "agenda.next", "id": "x" * 65},
    {"type": "agenda.next", "id": True},
    {"type": "agenda.next", "id": ["c1"]},
    {"type": "agenda.next", "id": {"c": 1}},
    {"type": "agenda.next", "id": 1.5},
    {"type": "no.such.thing"},  # the id is checked first: there is no one to answer
]


async def test_a_command_without_a_usable_id_is_refused(world):
    before = await db_state()
    projector = helpers.projector(world.session)
    comm = await helpers.chair(world.session, world.chair)
    async with opened(projector), opened(comm):
        for index, message in enumerate(NO_USABLE_ID):
            assert_error(await send(comm, message), "command.id_missing", None)
            await assert_usable(comm, f"after-{index}")
        assert await comm.receive_nothing()
        assert await projector.receive_nothing()
    assert await db_state() == before


async def test_an_id_of_64_characters_or_an_integer_is_accepted(world):
    comm = await helpers.tablet(world.session, world.delegate)
    async with opened(comm):
        await assert_usable(comm, "x" * 64)
        snapshot = await send(comm, {"type": "snapshot.request", "id": 17})
        assert (snapshot["type"], str(snapshot["id"])) == ("snapshot", "17")
        ack = await comm.receive_json_from(timeout=5)
        assert (ack["type"], str(ack["id"])) == ("ack", "17")


# -- commands a screen may not send -------------------------------------------------------------

UNKNOWN = ["agenda.skip", "chair.take_over", "snapshot", "ack", "error", "Agenda.Next", "x" * 300]


@pytest.mark.parametrize("screen", ["tablet", "chair", "projector"])
async def test_an_unknown_command_is_refused(world, screen):
    before = await db_state()
    comm = await _screen(world, screen)
    async with opened(comm):
        for index, command_type in enumerate(UNKNOWN):
            answer = await send(comm, {"type": command_type, "id": f"u{index}", "data": {}})
            assert_error(answer, "command.unknown", f"u{index}")
            await assert_usable(comm, f"after-{index}")
        assert await comm.receive_nothing()
    assert await db_state() == before


FORBIDDEN = {
    "tablet": [
        ("agenda.next", {}),
        ("agenda.select", {"item_id": "ITEM"}),
        ("session.close", {}),
        ("attendance.mark", {"delegate_id": "DELEGATE", "status": "absent"}),
        ("poll.create", {}),
    ],
    "projector": [
        ("agenda.next", {}),
        ("session.adjourn", {}),
        ("attendance.check_in", {}),
        ("ballot.cast", {}),
    ],
    "chair": [("attendance.check_in", {}), ("ballot.cast", {})],
}


@pytest.mark.parametrize("screen", ["tablet", "projector", "chair"])
async def test_a_command_of_another_screen_is_forbidden(world, screen):
    before = await db_state()
    projector = helpers.projector(world.session)
    comm = await _screen(world, screen)
    placeholders = {"ITEM": world.items[3].pk, "DELEGATE": world.delegate.pk}
    async with opened(projector), opened(comm):
        for index, (command_type, data) in enumerate(FORBIDDEN[screen]):
            data = {key: placeholders.get(value, value) for key, value in data.items()}
            answer = await send(comm, {"type": command_type, "id": f"c{index}", "data": data})
            assert_error(answer, "command.forbidden", f"c{index}")
            await assert_usable(comm, f"after-{index}")
        # Nothing happened: no event reached this screen or the room's.
        assert await comm.receive_nothing()
        assert await projector.receive_nothing()
    after = await db_state()
    assert after == before
    assert after["sessions"][0][2] == world.items[0].pk  # the current item did not move


async def test_a_delegate_cannot_mark_anyone_through_the_service(world):
    """The service refuses a delegate acting for another, whatever reached it."""
    from realtime.errors import ServiceError

    before = await db_state()
    for delegate_id, status in [(world.neighbour.pk, "absent"), (world.delegate.pk, "absent")]:
        with pytest.raises(ServiceError) as refused:
            await database_sync_to_async(services.attendance_set)(
                session_id=world.session.pk,
                delegate_id=delegate_id,
                status=status,
                actor=Actor(delegate=world.delegate),
            )
        assert refused.value.code == "command.forbidden"
    assert await db_state() == before


# -- commands about things that are not this session's -------------------------------------------


async def test_selecting_an_item_of_another_session_is_refused(world):
    before = await db_state()
    projector = helpers.projector(world.session)
    comm = await helpers.chair(world.session, world.chair)
    async with opened(projector), opened(comm):
        for command_id, item_id in [("o1", world.other_item.pk), ("o2", 2**31), ("o3", -1)]:
            answer = await send(
                comm, {"type": "agenda.select", "id": command_id, "data": {"item_id": item_id}}
            )
            assert_error(answer, "agenda.item_not_found", command_id)
        assert await comm.receive_nothing()
        assert await projector.receive_nothing()
    assert await db_state() == before


async def test_marking_a_delegate_of_another_council_is_refused(world):
    before = await db_state()
    projector = helpers.projector(world.session)
    comm = await helpers.chair(world.session, world.chair)
    async with opened(projector), opened(comm):
        for command_id, delegate_id in [("d1", world.other_delegate.pk), ("d2", 2**31)]:
            answer = await send(
                comm,
                {
                    "type": "attendance.mark",
                    "id": command_id,
                    "data": {"delegate_id": delegate_id, "status": "present"},
                },
            )
            assert_error(answer, "delegate.not_found", command_id)
        assert await comm.receive_nothing()
        assert await projector.receive_nothing()
    assert await db_state() == before


# -- who may connect ----------------------------------------------------------------------------


async def test_a_tablet_of_another_council_is_closed_with_4403(world):
    before = await db_state()
    comm = await helpers.tablet(world.other_session, world.delegate)
    await assert_closed_without_a_frame(comm, 4403)
    assert await db_state() == before


async def test_a_tablet_not_signed_in_is_closed_with_4401(world):
    before = await db_state()
    await assert_closed_without_a_frame(
        helpers.communicator(f"/ws/tablet/{world.session.pk}/"), 4401
    )
    # A staff login is not a badge sign-in.
    chair_cookie = await helpers.user_cookie(world.chair)
    await assert_closed_without_a_frame(
        helpers.communicator(f"/ws/tablet/{world.session.pk}/", chair_cookie), 4401
    )
    assert await db_state() == before


async def test_a_console_not_signed_in_is_closed_with_4401(world):
    before = await db_state()
    await assert_closed_without_a_frame(
        helpers.communicator(f"/ws/chair/{world.session.pk}/"), 4401
    )
    # A badge sign-in is not a staff login.
    badge_cookie = await helpers.delegate_cookie(world.delegate)
    await assert_closed_without_a_frame(
        helpers.communicator(f"/ws/chair/{world.session.pk}/", badge_cookie), 4401
    )
    assert await db_state() == before


async def test_a_revoked_badge_closes_open_tablets_and_refuses_new_ones(world):
    old_cookie = await helpers.delegate_cookie(world.delegate)
    projector = helpers.projector(world.session)
    other_tablet = await helpers.tablet(world.session, world.neighbour)
    tablet = helpers.communicator(f"/ws/tablet/{world.session.pk}/", old_cookie)
    async with opened(projector), opened(other_tablet):
        await helpers.connect_and_snapshot(tablet)
        try:
            await database_sync_to_async(services.badge_reissue)(
                delegate_id=world.delegate.pk, actor=Actor(user=world.chair)
            )
            notice = await tablet.receive_json_from(timeout=5)
            assert (notice["type"], notice["id"], notice["data"]) == ("badge.revoked", None, {})
            output = await tablet.receive_output(timeout=5)
            assert (output["type"], output["code"]) == ("websocket.close", 4401)
        finally:
            await tablet.disconnect()
        # Only that delegate's tablets heard of it.
        assert await other_tablet.receive_nothing()
        assert await projector.receive_nothing()
        await assert_usable(other_tablet)

    before = await db_state()
    comm = helpers.communicator(f"/ws/tablet/{world.session.pk}/", old_cookie)
    await assert_closed_without_a_frame(comm, 4401)
    assert await db_state() == before


async def test_a_projector_with_a_wrong_key_is_closed_with_4403(world):
    before = await db_state()
    session_id, key = world.session.pk, world.session.projector_key
    for query in [
        f"?key={key}x",
        f"?key={key[:-1]}",
        "?key=",
        "",
        f"?key={world.other_session.projector_key}",
    ]:
        comm = helpers.communicator(f"/ws/projector/{session_id}/{query}")
        await assert_closed_without_a_frame(comm, 4403)
    # A staff user without the console permission needs the key like anyone.
    clerk_cookie = await helpers.user_cookie(world.clerk)
    comm = helpers.communicator(f"/ws/projector/{session_id}/", clerk_cookie)
    await assert_closed_without_a_frame(comm, 4403)
    assert await db_state() == before


async def test_a_missing_session_is_closed_with_4404(world):
    before = await db_state()
    missing = 2**31 - 1
    for comm in [
        helpers.communicator(
            f"/ws/tablet/{missing}/", await helpers.delegate_cookie(world.delegate)
        ),
        helpers.communicator(f"/ws/chair/{missing}/", await helpers.user_cookie(world.chair)),
        helpers.communicator(f"/ws/projector/{missing}/?key={world.session.projector_key}"),
    ]:
        await assert_closed_without_a_frame(comm, 4404)
    assert await db_state() == before


WRONG_ORIGINS = [
    (b"origin", b"http://evil.example"),
    (b"origin", b"http://127.0.0.1.evil.example:8000"),
    (b"origin", b"https://localhost.evil.example"),
    (b"origin", b"null"),
    None,  # no Origin header at all
]


async def test_a_wrong_origin_is_refused_at_the_handshake(world):
    before = await db_state()
    tablet_cookie = await helpers.delegate_cookie(world.delegate)
    chair_cookie = await helpers.user_cookie(world.chair)
    for origin in WRONG_ORIGINS:
        for comm in [
            helpers.communicator(f"/ws/tablet/{world.session.pk}/", tablet_cookie, origin),
            helpers.communicator(f"/ws/chair/{world.session.pk}/", chair_cookie, origin),
            helpers.communicator(
                f"/ws/projector/{world.session.pk}/?key={world.session.projector_key}",
                origin=origin,
            ),
        ]:
            try:
                connected, _ = await comm.connect()
                assert not connected, origin
                assert await comm.receive_nothing()
            finally:
                await comm.disconnect()
    assert await db_state() == before


async def test_a_user_without_the_console_permission_is_closed_with_4403(world):
    before = await db_state()
    for user in [world.clerk, await database_sync_to_async(_plain_user)()]:
        comm = helpers.communicator(
            f"/ws/chair/{world.session.pk}/", await helpers.user_cookie(user)
        )
        await assert_closed_without_a_frame(comm, 4403)
    assert await db_state() == before


# -- repeated command ids -----------------------------------------------------------------------


async def test_repeating_a_command_id_gives_the_same_ack_and_acts_once(world):
    projector = helpers.projector(world.session)
    tablet = await helpers.tablet(world.session, world.delegate)
    comm = await helpers.chair(world.session, world.chair)
    async with opened(projector), opened(tablet), opened(comm):
        first = await _answer(comm, {"type": "agenda.next", "id": "n1"})
        assert first == {
            "type": "ack",
            "id": "n1",
            "seq": None,
            "data": {"current_item_id": world.items[1].pk},
        }
        event = await projector.receive_json_from(timeout=5)
        assert (event["type"], event["data"]) == (
            "agenda.current",
            {"current_item_id": world.items[1].pk},
        )
        assert (await tablet.receive_json_from(timeout=5)) == event
        before = await db_state()

        for _ in range(3):
            assert await _answer(comm, {"type": "agenda.next", "id": "n1"}) == first
        assert await projector.receive_nothing()
        assert await tablet.receive_nothing()
        assert await db_state() == before

        # The same id from another user is another command.
        other_chair = await database_sync_to_async(
            lambda: make_staff(role="secretary", council=world.session.council)
        )()
        other = await helpers.chair(world.session, other_chair)
        async with opened(other):
            second = await _answer(other, {"type": "agenda.next", "id": "n1"})
            assert second["data"] == {"current_item_id": world.items[2].pk}
        assert (await projector.receive_json_from(timeout=5))["seq"] == event["seq"] + 1


async def test_repeating_a_refused_command_is_refused_again_and_not_recorded(world):
    comm = await helpers.chair(world.session, world.chair)
    before = await db_state()
    async with opened(comm):
        for _ in range(2):
            answer = await _answer(comm, {"type": "agenda.previous", "id": "p1"})
            assert_error(answer, "agenda.at_start", "p1")
    assert await db_state() == before


async def test_reusing_an_id_for_another_command_type_is_refused(world):
    projector = helpers.projector(world.session)
    comm = await helpers.chair(world.session, world.chair)
    async with opened(projector), opened(comm):
        await _answer(comm, {"type": "agenda.next", "id": "r1"})
        await projector.receive_json_from(timeout=5)
        before = await db_state()
        for command_type, data in [
            ("agenda.previous", {}),
            ("agenda.select", {"item_id": world.items[0].pk}),
            ("session.adjourn", {}),
        ]:
            answer = await _answer(comm, {"type": command_type, "id": "r1", "data": data})
            assert_error(answer, "command.id_reused", "r1")
        assert await projector.receive_nothing()
        assert await db_state() == before


# -- small helpers ------------------------------------------------------------------------------


async def _screen(world: World, screen: str) -> WebsocketCommunicator:
    if screen == "tablet":
        return await helpers.tablet(world.session, world.delegate)
    if screen == "chair":
        return await helpers.chair(world.session, world.chair)
    return helpers.projector(world.session)


async def _answer(comm: WebsocketCommunicator, message: dict) -> dict:
    """Send a command; its answer, skipping the events and notices that came first."""
    await comm.send_to(text_data=json.dumps(message))
    while True:
        frame = await comm.receive_json_from(timeout=5)
        if frame["type"] in ("ack", "error") and frame["id"] == message["id"]:
            return frame
        # The console also hears events (before or after the ack) and tablets come and go.
        assert frame["id"] is None and frame["seq"] is not None, frame


def _plain_user():
    from django.contrib.auth.models import User

    return User.objects.create_user("visitor", password="pw-123456", is_staff=True)
