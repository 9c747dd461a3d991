"""Quorum by law and assisted votes on the console, in Chromium against a real server.

Six seats (the quorum is four); three delegates marked present at the secretary's desk before
the opening, the chair among them, and one tablet. The console is refused the opening below the
quorum, overrides it with a reason; the tablet's delegate checks in, so the vote opens with the
quorum. In a named vote the chair votes from the console and the secretary records a show of
hands; in a secret vote the secretary issues a one-time pass that a spare tablet uses. What the
screens did is then checked against the database and the chain.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from meeting import chain, services
from meeting.badges import sign_in_url
from meeting.models import ActionLog, Attendance, Delegate, Session
from realtime.actors import Actor
from tests.browser.conftest import chromium, console_login, make_console_user, watch_errors
from tests.factories import make_council, make_session
from tests.servers import running_servers
from voting.models import Ballot, Participation, Poll, PollResult, VotingPass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)

REASON = "Mưa lớn, hai đại biểu đến muộn; chủ tọa khai mạc để thông qua chương trình."
NAMED = "Thông qua chương trình kỳ họp"
SECRET = "Bầu Phó Chủ tịch Hội đồng nhân dân phường"


def _sitting():
    council = make_council(seats=6, name="HĐND Phường Bến Thành")
    session = make_session(council=council, items=3, status=Session.Status.SCHEDULED)
    chair = make_console_user(council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    # The chair of the sitting is delegate 01: her console account votes as her.
    Delegate.objects.filter(pk=delegates[0].pk).update(user=chair)
    for delegate in delegates[:3]:  # the secretary's roll call before the opening
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegate.pk,
            status=Attendance.Status.PRESENT,
            actor=Actor(user=chair),
        )
    return session, chair, delegates


def _connected(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-connection", "open")


def _no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_quorum_override_and_assisted_votes_on_the_console(artifacts):
    session, chair, delegates = _sitting()
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        console = new_context(width=1280, height=800).new_page()
        console_login(console, server.http, chair, session.pk)
        watch_errors(console, errors)
        _connected(console)
        tablet = watch_errors(new_context(width=1024, height=768).new_page(), errors)
        tablet.goto(sign_in_url(server.http, delegates[3]))
        tablet.wait_for_url(re.compile(r"/tablet/$"))
        _connected(tablet)

        # Marked at the desk, no tablet: not a "disconnected" alarm.
        expect(console.locator('#roster .presence[data-state="by_staff"]')).to_have_count(3)
        expect(console.locator("#roster tr.flag-lost")).to_have_count(0)
        expect(console.locator("#quorum")).to_have_attribute("data-quorate", "false")

        # (1) Opening below the quorum: the chair and the secretary named for the minutes,
        # then refused, with the way to go on saying why.
        console.click("#session-open")
        console.fill("#officers-chair-name", delegates[0].full_name)
        console.fill("#officers-secretary-name", "Phạm Thanh Bình")
        console.click("#officers-open")
        dialog = console.locator("#quorum-dialog")
        expect(dialog).to_be_visible()
        expect(console.locator("#quorum-dialog-text")).to_contain_text("Chưa đủ túc số")
        expect(console.locator("#quorum-dialog-text")).to_contain_text("3/6")
        console.screenshot(path=artifacts / "console-quorum-refused-1280x800.png")
        console.set_viewport_size({"width": 1024, "height": 768})
        _no_overflow(console)
        console.screenshot(path=artifacts / "console-quorum-refused-1024x768.png")
        console.set_viewport_size({"width": 1280, "height": 800})
        console.click("#quorum-override")  # no reason yet: asked for one
        expect(console.locator("#quorum-reason-error")).to_be_visible()
        expect(console.locator("body")).to_have_attribute("data-session-status", "scheduled")
        console.fill("#quorum-reason", REASON)
        console.click("#quorum-override")
        expect(dialog).to_be_hidden()
        expect(console.locator("body")).to_have_attribute("data-session-status", "in_progress")

        # (2) The tablet's delegate checks in: four of six, the vote opens with its quorum.
        tablet.click("#check-in")
        expect(console.locator("#quorum")).to_have_attribute("data-quorate", "true")
        console.click("#tab-voting")
        console.click("#poll-new")
        console.fill("#poll-title", NAMED)
        console.click("#poll-create-open")
        detail = console.locator("#poll-detail")
        expect(detail).to_have_attribute("data-status", "open")
        expect(dialog).to_be_hidden()
        expect(console.locator("#poll-override")).to_have_count(0)

        # (3) The chair votes from the console; the secretary records delegate 02's hands.
        expect(console.locator("#my-ballot")).to_contain_text(delegates[0].full_name)
        for width, height in ((1024, 768), (1280, 800)):
            console.set_viewport_size({"width": width, "height": height})
            _no_overflow(console)
            console.screenshot(path=artifacts / f"console-named-vote-assisted-{width}x{height}.png")
        console.click("#my-ballot-yes")
        expect(console.locator("#my-ballot-done")).to_contain_text("Tán thành")
        hands_for = console.locator(
            f'#poll-not-voted [data-record-delegate="{delegates[1].pk}"]'
        )
        hands_for.click()
        expect(console.locator("#hands-dialog")).to_be_visible()
        expect(console.locator("#hands-dialog-text")).to_contain_text(delegates[1].full_name)
        console.screenshot(path=artifacts / "console-show-of-hands-1280x800.png")
        console.click("#hands-no")
        expect(console.locator("#hands-dialog")).to_be_hidden()
        expect(hands_for).to_have_count(0)
        tablet.click('#ballot-choices .choice-btn[data-choice="yes"]')
        tablet.click("#ballot-send")
        expect(tablet.locator("#ballot")).to_have_attribute("data-state", "cast")
        # Delegate 03 is the only one left.
        expect(console.locator("#poll-not-voted")).to_have_attribute("data-count", "1")
        console.click('#poll-detail [data-action="close"]')
        console.click("#poll-close-yes")
        expect(detail).to_have_attribute("data-status", "closed")
        console.click('#poll-detail [data-action="publish"]')
        expect(detail).to_have_attribute("data-status", "published")

        # (4) A secret vote: a one-time pass for delegate 03, on a spare tablet.
        console.click("#poll-new")
        console.fill("#poll-title", SECRET)
        console.check('input[name="kind"][value="secret"]')
        console.click("#poll-create-open")
        expect(detail).to_have_attribute("data-kind", "secret")
        expect(detail).to_have_attribute("data-status", "open")
        console.click("#pass-open")
        console.select_option("#pass-delegate", str(delegates[2].pk))
        console.click("#pass-issue")
        expect(console.locator("#pass-qr svg")).to_be_visible()
        link = console.locator("#pass-link").get_attribute("href")
        assert link.startswith(f"{server.http}/tablet/pass/")
        _no_overflow(console)
        console.screenshot(path=artifacts / "console-voting-pass-1280x800.png")
        console.click("#pass-back")
        expect(console.locator("#pass-qr svg")).to_have_count(0)

        spare = watch_errors(new_context(width=1024, height=768).new_page(), errors)
        spare.goto(link)
        spare.wait_for_url(f"{server.http}/tablet/pass/")
        expect(spare.locator("#pass-poll-title")).to_have_text(SECRET)
        expect(spare.locator("#pass-card")).to_contain_text(delegates[2].full_name)
        _no_overflow(spare)
        spare.screenshot(path=artifacts / "spare-tablet-pass-1024x768.png")
        spare.check('input[name="choice"][value="no"]')
        spare.click("#pass-submit")
        expect(spare.locator("#pass-done")).to_be_visible()
        spare.screenshot(path=artifacts / "spare-tablet-pass-done-1024x768.png")
        expect(console.locator("#poll-live-progress")).to_have_attribute("data-voted", "1")
        # The link is spent: opened again, it signs nobody in.
        again = new_context(width=1024, height=768).new_page()
        again.goto(link)
        expect(again.locator("#pass-error")).to_have_attribute("data-error-code", "pass.used")

    assert errors == []
    opened = ActionLog.objects.get(session=session, action="session.open").data
    assert opened["officers"]["secretary_name"] == "Phạm Thanh Bình"
    opening = opened["quorum"]
    assert opening == {
        "present": 3,
        "seats": 6,
        "required": 4,
        "quorate": False,
        "override_reason": REASON,
    }
    named = Poll.objects.get(session=session, title=NAMED)
    assert named.quorum_at_open["quorate"] and named.quorum_at_open["present"] == 4
    choices = dict(Ballot.objects.filter(poll=named).values_list("delegate_id", "choice"))
    assert choices == {delegates[0].pk: "yes", delegates[1].pk: "no", delegates[3].pk: "yes"}
    hands = Participation.objects.get(poll=named, delegate=delegates[1])
    assert hands.recorded_by == chair
    assert not Participation.objects.filter(poll=named, delegate=delegates[0])[0].recorded_by
    result = PollResult.objects.get(poll=named)
    assert result.sitting_quorum == {"present": 4, "seats": 6, "required": 4, "quorate": True}
    secret = Poll.objects.get(session=session, title=SECRET)
    assert list(Ballot.objects.filter(poll=secret).values_list("delegate_id", "choice")) == [
        (None, "no")
    ]
    used = VotingPass.objects.get(poll=secret)
    assert used.delegate_id == delegates[2].pk and used.used_at is not None
    assert chain.verify_chain(session.pk) == []
