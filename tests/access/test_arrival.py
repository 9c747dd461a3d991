"""Issue 10 item 16: the tablet does not undo the chair's attendance mark.

The rule: a new badge sign-in (scanning the badge, or typing its code) is an explicit arrival
and marks the delegate present whatever the chair marked; a tablet that reconnects, or presses
"check in", with its existing sign-in is not: "left", "excused" and "absent" stay until the
badge is scanned again.
"""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from meeting import services
from meeting.badges import badge_token
from meeting.models import Attendance
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@database_sync_to_async
def _marked(status: str):
    council = make_council(seats=4)
    session = make_session(council=council)
    delegate = council.delegates.first()
    chair = make_staff(role="chair", council=council)
    services.attendance_set(
        session_id=session.pk, delegate_id=delegate.pk, status=status, actor=Actor(user=chair)
    )
    return session, delegate


@database_sync_to_async
def _status(session, delegate) -> str:
    return Attendance.objects.get(session=session, delegate=delegate).status


@pytest.mark.parametrize("status", ["left", "excused", "absent"])
async def test_the_tablet_cannot_override_the_chairs_mark_but_a_badge_scan_can(status):
    session, delegate = await _marked(status)
    tablet = helpers.RecordingScreen(await helpers.tablet(session, delegate))
    try:
        await tablet.open()  # a reconnect of the signed-in tablet
        assert await _status(session, delegate) == status
        answer = await tablet.command("attendance.check_in", "c1")
        assert answer["type"] == "error"
        assert answer["data"]["code"] == "attendance.needs_badge"
        assert "quét thẻ" in answer["data"]["message"]
        assert await _status(session, delegate) == status
    finally:
        await tablet.close()

    # Scanning the badge is the explicit arrival.
    scanned = await database_sync_to_async(Client().get)(
        f"/tablet/signin/{badge_token(delegate)}/"
    )
    assert scanned.status_code == 302
    assert await _status(session, delegate) == "present"


async def test_a_tablet_still_checks_in_a_delegate_nobody_marked():
    council_session, delegate = await database_sync_to_async(
        lambda: (lambda c: (make_session(council=c), c.delegates.first()))(
            make_council(seats=3)
        )
    )()
    tablet = helpers.RecordingScreen(await helpers.tablet(council_session, delegate))
    try:
        await tablet.open()
        assert await _status(council_session, delegate) == "present"
        answer = await tablet.command("attendance.check_in", "c1")
        assert answer["type"] == "ack"
    finally:
        await tablet.close()
