"""Issue 10 items 14 and 15: a revoked credential keeps no socket.

14. Re-issuing a badge closes every socket of the old badge, whether or not the council has a
    live session; a socket that missed the notice is refused at its next command.
15. A console socket loses the chair's powers when its user loses the role, is deactivated,
    changes password or logs out: it is closed at once, and every command re-checks.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from meeting import services
from meeting.models import Delegate, Membership, Session
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def closed_with(comm) -> tuple[list[dict], int]:
    """Frames until the server closes the socket, and the close code."""
    import json

    frames = []
    while True:
        output = await comm.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return frames, output["code"]
        frames.append(json.loads(output["text"]))


@database_sync_to_async
def _world(status=Session.Status.IN_PROGRESS):
    council = make_council(seats=4)
    session = make_session(council=council, status=status)
    return session, council.delegates.first(), make_staff(role="chair", council=council)


@pytest.mark.parametrize(
    "status", [Session.Status.SCHEDULED, Session.Status.CLOSED, Session.Status.IN_PROGRESS]
)
async def test_reissuing_a_badge_closes_its_sockets_with_or_without_a_live_session(status):
    session, delegate, chair = await _world(status)
    tablet = await helpers.tablet(session, delegate)
    await helpers.connect_and_snapshot(tablet)
    try:
        await database_sync_to_async(services.badge_reissue)(
            delegate_id=delegate.pk, actor=Actor(user=chair)
        )
        frames, code = await closed_with(tablet)
        assert code == 4401
        assert [f["type"] for f in frames if f["type"] == "badge.revoked"] == ["badge.revoked"]
    finally:
        await tablet.disconnect()


async def test_a_socket_that_missed_the_revocation_is_refused_at_its_next_command():
    session, delegate, _chair = await _world()
    tablet = await helpers.tablet(session, delegate)
    await helpers.connect_and_snapshot(tablet)
    try:
        # The badge changes without the notice reaching this socket (a layer outage).
        await database_sync_to_async(
            lambda: Delegate.objects.filter(pk=delegate.pk).update(badge_key="NEWKEY0000")
        )()
        await helpers.command(tablet, "attendance.check_in", "c1")
        frames, code = await closed_with(tablet)
        assert code == 4401
        errors = [f for f in frames if f["type"] == "error"]
        assert errors and errors[0]["id"] == "c1"
        assert errors[0]["data"]["code"] == "badge.revoked"
        assert all(f["type"] != "ack" for f in frames)
    finally:
        await tablet.disconnect()


def _lose_role(user):
    Membership.objects.filter(user=user).delete()


def _deactivate(user):
    user.is_active = False
    user.save()


def _change_password(user):
    user.set_password("mat-khau-moi-rat-dai-2026")
    user.save()


@pytest.mark.parametrize(
    "change", [_lose_role, _deactivate, _change_password], ids=["role", "inactive", "password"]
)
async def test_a_console_is_closed_when_its_user_loses_the_right(change):
    session, _delegate, chair = await _world()
    console = await helpers.chair(session, chair)
    await helpers.connect_and_snapshot(console)
    try:
        await database_sync_to_async(change)(chair)
        _frames, code = await closed_with(console)
        assert code in (4401, 4403)
    finally:
        await console.disconnect()
    before = await database_sync_to_async(lambda: Session.objects.get(pk=session.pk).seq)()
    assert before == session.seq  # nothing was done with the lost powers


async def test_logging_out_closes_the_console_of_that_login():
    session, _delegate, chair = await _world()
    browser = Client()
    await database_sync_to_async(browser.force_login)(chair)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    console = helpers.communicator(f"/ws/chair/{session.pk}/", cookie)
    await helpers.connect_and_snapshot(console)
    try:
        answer = await database_sync_to_async(browser.post)("/admin/logout/")
        assert answer.status_code in (200, 302)
        _frames, code = await closed_with(console)
        assert code == 4401
    finally:
        await console.disconnect()


async def test_every_console_command_rechecks_the_right():
    session, _delegate, chair = await _world()
    console = await helpers.chair(session, chair)
    await helpers.connect_and_snapshot(console)
    try:
        # A change no signal announces: the role's group is taken away, and the login's
        # stored session is deleted behind the socket's back.
        await database_sync_to_async(
            lambda: chair.groups.remove(Group.objects.get(name="chair"))
        )()
        await helpers.command(console, "agenda.next", "n1")
        frames, code = await closed_with(console)
        assert code == 4403
        error = next(f for f in frames if f.get("id") == "n1")
        assert error["type"] == "error" and error["data"]["code"] == "auth.revoked"
    finally:
        await console.disconnect()
    current = await database_sync_to_async(
        lambda: Session.objects.get(pk=session.pk).current_item_id
    )()
    assert current == session.current_item_id


async def test_a_deleted_login_session_refuses_the_next_command():
    session, _delegate, chair = await _world()
    cookie = await helpers.user_cookie(chair)
    console = helpers.communicator(f"/ws/chair/{session.pk}/", cookie)
    await helpers.connect_and_snapshot(console)
    try:
        key = cookie.decode().split("=", 1)[1]
        await database_sync_to_async(lambda: SessionStore(session_key=key).delete())()
        await helpers.command(console, "agenda.next", "n1")
        frames, code = await closed_with(console)
        assert code == 4401
        error = next(f for f in frames if f.get("id") == "n1")
        assert error["data"]["code"] == "auth.revoked"
    finally:
        await console.disconnect()
