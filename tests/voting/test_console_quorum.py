"""The console over its real socket: quorum refusals and the override with a reason, the
chair's own ballot, a show of hands recorded by the secretary, a voting pass for a spare tablet.
"""

from __future__ import annotations

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from meeting.models import ActionLog, Attendance, Delegate, Session
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers
from tests.realtime.helpers import RecordingScreen as Screen
from voting.models import Ballot, Participation, Poll

pytestmark = pytest.mark.django_db(transaction=True)


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def hall(transactional_db):
    """Six seats (quorum 4); the chair's console account is delegate 01's."""
    council = make_council(seats=6)
    session = make_session(council=council, status=Session.Status.SCHEDULED)
    chair = make_staff(role="chair", username="chutoa-test", council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    Delegate.objects.filter(pk=delegates[0].pk).update(user=chair)
    return session, chair, delegates, make_staff(role="secretary", council=council)


@database_sync_to_async
def mark_present(session, delegates):
    for delegate in delegates:
        Attendance.objects.update_or_create(
            session=session,
            delegate=delegate,
            defaults={"status": "present", "by_staff": True, "changed_at": timezone.now()},
        )


@database_sync_to_async
def log_of(session, action):
    return list(
        ActionLog.objects.filter(session=session, action=action).values_list("data", flat=True)
    )


async def test_the_console_is_refused_below_quorum_and_overrides_with_a_reason(hall):
    session, chair, delegates, secretary_user = hall
    await mark_present(session, delegates[:3])
    console = Screen(await helpers.chair(session, chair))
    try:
        await console.open()
        refused = await console.command("session.open", "open-1")
        assert refused["type"] == "error" and refused["data"]["code"] == "quorum.not_met"
        assert "3/6" in refused["data"]["message"]
        malformed = await console.command("session.open", "open-2", override_reason=7)
        assert malformed["data"]["code"] == "message.malformed"
        opened = await console.command(
            "session.open", "open-3", override_reason="Đại biểu đến muộn vì mưa lớn."
        )
        assert opened["type"] == "ack" and opened["data"]["status"] == "in_progress"
        [data] = await log_of(session, "session.open")
        assert data["quorum"]["override_reason"] == "Đại biểu đến muộn vì mưa lớn."

        created = await console.command("poll.create", "create", title="Miễn nhiệm")
        poll_id = created["data"]["poll_id"]
        refused = await console.command("poll.open", "poll-1", poll_id=poll_id)
        assert refused["data"]["code"] == "quorum.not_met"
        opened = await console.command(
            "poll.open", "poll-2", poll_id=poll_id, override_reason="Theo đề nghị của chủ tọa."
        )
        assert opened["type"] == "ack"
        event = await console.until(lambda f: f["type"] == "poll.opened")
        assert event["data"]["poll"]["quorum_at_open"] == {
            "present": 3,
            "seats": 6,
            "required": 4,
            "quorate": False,
            "override_reason": "Theo đề nghị của chủ tọa.",
        }
    finally:
        await console.close()


async def test_the_chair_votes_from_the_console_as_herself(hall):
    session, chair, delegates, secretary_user = hall
    await mark_present(session, delegates[:4])
    await database_sync_to_async(
        lambda: Session.objects.filter(pk=session.pk).update(status="in_progress")
    )()
    console = Screen(await helpers.chair(session, chair))
    secretary = Screen(await helpers.chair(session, secretary_user))
    try:
        snapshot = await console.open()
        assert snapshot["data"]["me"]["id"] == delegates[0].pk
        assert (await secretary.open())["data"]["me"] is None
        poll_id = (await console.command("poll.create", "c", title="Nghị quyết", kind="secret"))[
            "data"
        ]["poll_id"]
        assert (await console.command("poll.open", "o", poll_id=poll_id))["type"] == "ack"
        ack = await console.command("ballot.cast", new_id(), poll_id=poll_id, choice="yes")
        assert ack["type"] == "ack" and len(ack["data"]["receipt"]) == 20
        # The secretary's account is no delegate: nothing to vote with.
        refused = await secretary.command("ballot.cast", new_id(), poll_id=poll_id, choice="no")
        assert refused["data"]["code"] == "command.forbidden"
        voters = await database_sync_to_async(
            lambda: list(Participation.objects.filter(poll_id=poll_id).values_list("delegate_id"))
        )()
        assert voters == [(delegates[0].pk,)]
        again = Screen(await helpers.chair(session, chair))
        snapshot = await again.open()
        item = next(p for p in snapshot["data"]["polls"] if p["poll"]["id"] == poll_id)
        assert item["my_ballot"] == {"cast": True}  # secret: the console keeps no choice
        await again.close()
    finally:
        await console.close()
        await secretary.close()


async def test_the_secretary_records_hands_and_issues_a_pass_from_the_console(hall):
    session, chair, delegates, secretary_user = hall
    await mark_present(session, delegates[:5])
    await database_sync_to_async(
        lambda: Session.objects.filter(pk=session.pk).update(status="in_progress")
    )()
    secretary = Screen(await helpers.chair(session, secretary_user))
    try:
        await secretary.open()
        named = (await secretary.command("poll.create", "c1", title="Công khai"))["data"]["poll_id"]
        await secretary.command("poll.open", "o1", poll_id=named)
        recorded = await secretary.command(
            "ballot.record", new_id(), poll_id=named, delegate_id=delegates[1].pk, choice="no"
        )
        assert recorded["type"] == "ack" and recorded["data"]["delegate_id"] == delegates[1].pk
        voters = await secretary.until(lambda f: f["type"] == "poll.voters")
        assert voters["data"]["voted"] == [delegates[1].pk]
        await secretary.command("poll.close", "x1", poll_id=named)

        secret = (await secretary.command("poll.create", "c2", title="Kín", kind="secret"))["data"][
            "poll_id"
        ]
        await secretary.command("poll.open", "o2", poll_id=secret)
        refused = await secretary.command(
            "ballot.record", new_id(), poll_id=secret, delegate_id=delegates[2].pk, choice="no"
        )
        assert refused["data"]["code"] == "ballot.secret_needs_pass"
        weak = await secretary.command("pass.issue", "p", poll_id=secret, delegate_id=1)
        assert weak["data"]["code"] == "command.id_weak"
        issued = await secretary.command(
            "pass.issue", new_id(), poll_id=secret, delegate_id=delegates[2].pk
        )
        assert issued["type"] == "ack", issued
        url = issued["data"]["url"]
        assert url.startswith("http://127.0.0.1:8000/tablet/pass/")
        assert issued["data"]["qr_svg"].startswith("<svg")
        # The spare tablet follows the link and votes; the console learns only that it did.
        spare = Client()

        def vote():
            spare.get(url.removeprefix("http://127.0.0.1:8000"))
            return spare.post("/tablet/pass/", {"choice": "yes"})

        assert (await database_sync_to_async(vote)()).status_code == 302
        progress = await secretary.until(
            lambda f: f["type"] == "poll.progress" and f["data"]["poll_id"] == secret
        )
        assert progress["data"]["voted"] == 1 and "partial" not in progress["data"]
        ballot = await database_sync_to_async(lambda: Ballot.objects.get(poll_id=secret))()
        assert ballot.delegate_id is None
        # Nothing the console received since the pass was issued carries a count or a choice.
        since = secretary.frames[secretary.frames.index(issued) :]
        assert not any('"counts"' in json.dumps(f) or "partial" in f["data"] for f in since)
        status = await database_sync_to_async(lambda: Poll.objects.get(pk=secret).status)()
        assert status == "open"
    finally:
        await secretary.close()
