"""What the console asks for the minutes: the chair and the secretary when the sitting opens
without them, and the reason of an absence. In Chromium against a real server process."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from meeting import services
from meeting.models import ActionLog, Attendance, Session
from realtime.actors import Actor
from tests.browser.conftest import (
    ARTIFACTS,
    chromium,
    console_login,
    make_console_user,
    watch_errors,
)
from tests.factories import make_council, make_session
from tests.servers import running_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)
CHAIR = ("Nguyễn Thị Thu Hà", "Chủ tịch HĐND phường")
SECRETARY = ("Phạm Thanh Bình", "Chánh Văn phòng")
REASON = "Đi học tập trung tại Trường Chính trị thành phố"


def test_the_console_asks_for_the_chair_and_secretary_and_for_a_reason():
    artifacts = ARTIFACTS
    artifacts.mkdir(exist_ok=True)
    council = make_council(seats=6, name="HĐND Phường Bến Thành")
    session = make_session(council=council, items=3, status=Session.Status.SCHEDULED)
    user = make_console_user(council=council)
    absent = council.delegates.order_by("seat_label").last()
    # The secretary's roll call before the opening: the quorum (four of six) is there.
    for delegate in council.delegates.order_by("seat_label")[:4]:
        services.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=Actor(user=user)
        )
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        page = new_context(width=1024, height=768).new_page()
        console_login(page, server.http, user, session.pk)
        watch_errors(page, errors)
        expect(page.locator("body")).to_have_attribute("data-connection", "open")

        page.click("#session-open")
        dialog = page.locator("#officers-dialog")
        expect(dialog).to_be_visible()
        # Without the names the dialog stays open (the form requires them).
        page.click("#officers-open")
        expect(dialog).to_be_visible()
        page.fill("#officers-chair-name", CHAIR[0])
        page.fill("#officers-chair-title", CHAIR[1])
        page.fill("#officers-secretary-name", SECRETARY[0])
        page.fill("#officers-secretary-title", SECRETARY[1])
        page.screenshot(path=artifacts / "console-officers-1024x768.png")
        page.click("#officers-open")
        expect(dialog).to_be_hidden()
        expect(page.locator("#session-adjourn")).to_be_enabled()

        row = page.locator(f'#roster tr[data-delegate-id="{absent.pk}"]')
        row.locator('.seg-btn[data-status="excused"]').click()
        expect(page.locator("#reason-dialog")).to_be_visible()
        page.fill("#reason-text", REASON)
        page.screenshot(path=artifacts / "console-reason-1024x768.png")
        page.click("#reason-save")
        expect(row.locator('.seg-btn[data-status="excused"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        # Opening again after the names are known asks nothing: the button just acts.
        page.click("#session-adjourn")
        expect(page.locator("#session-resume")).to_be_enabled()
        page.click("#session-resume")
        expect(page.locator("#officers-dialog")).to_be_hidden()

    session.refresh_from_db()
    assert session.status == Session.Status.IN_PROGRESS
    assert (session.chair_name, session.chair_title) == CHAIR
    assert (session.secretary_name, session.secretary_title) == SECRETARY
    opened = ActionLog.objects.get(session=session, action="session.open")
    assert opened.data["officers"]["chair_name"] == CHAIR[0]  # named before it opened
    mark = Attendance.objects.get(session=session, delegate=absent)
    assert (mark.status, mark.reason) == ("excused", REASON)
    assert errors == []
