"""The floor in real browsers at the room's sizes: a delegate asks on the tablet and sees the
place, the chair gives the floor from the console, the projector shows the speaker, the kind
of turn and the countdown; overtime turns red and counts up; during the question session the
projector shows the question and its respondent. Screenshots in test-artifacts/floor-*.png.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Page, expect

from floor import services, turns
from floor.models import Turn
from meeting.badges import sign_in_url
from meeting.models import Attendance, Guest
from realtime.actors import Actor
from tests.browser.conftest import chromium, console_login, make_console_user, watch_errors
from tests.factories import make_council, make_session
from tests.servers import running_servers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),  # three browsers and a server on a loaded two-core machine
]

expect.set_options(timeout=15_000)

PROJECTOR_SIZES = [(1920, 1080), (1280, 720)]
DESK_SIZES = [(1280, 800), (1024, 768)]
FITS = """() => {
  const d = document.documentElement;
  return [d.scrollWidth, d.scrollHeight, innerWidth, innerHeight];
}"""


def _shoot(page: Page, name: str, sizes, artifacts) -> None:
    """Screenshots at each size; the page must not overflow the screen."""
    original = page.viewport_size
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
        scroll_w, scroll_h, inner_w, inner_h = page.evaluate(FITS)
        assert scroll_w <= inner_w, f"{name} {width}x{height}: {scroll_w} wide"
        if name.startswith("projector"):
            assert scroll_h <= inner_h, f"{name} {width}x{height}: {scroll_h} high"
        page.screenshot(path=artifacts / f"floor-{name}-{width}x{height}.png")
    page.set_viewport_size(original)


def _run(service, **arguments):
    """A service call from the test while Playwright's loop runs: in a thread of its own (the
    database is the servers'; rows commit)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_closing(service), **arguments).result()


def _closing(service):
    def run(**arguments):
        try:
            return service(**arguments)
        finally:
            connection.close()

    return run


def _sitting():
    council = make_council(seats=12)
    session = make_session(council=council, items=4)
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates:
        Attendance.objects.create(
            session=session, delegate=delegate, status="present", changed_at=timezone.now()
        )
    guest = Guest.objects.create(
        session=session,
        full_name="Nguyễn Thị Thanh Hương",
        title="Phó Chủ tịch Ủy ban nhân dân phường",
        agency="Ủy ban nhân dân phường Bến Thành",
    )
    chair = make_console_user("chair", council=council)
    return session, delegates, guest, chair


def _overtime(*, session_id: int, chair) -> None:
    """As if the speaker had begun 8 minutes ago (7 allowed); the next change tells the screens."""
    turn = Turn.objects.get(session_id=session_id, ended_at__isnull=True)
    Turn.objects.filter(pk=turn.pk).update(started_at=turn.started_at - timedelta(minutes=8))
    turns.turn_add_time(session_id=session_id, seconds=1, actor=Actor(user=chair))


def test_request_on_the_tablet_floor_from_the_console_speaker_on_the_projector(artifacts):
    session, delegates, guest, chair = _sitting()
    delegate = delegates[4]
    errors: list[str] = []
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        tablet = watch_errors(new_context(width=1280, height=800).new_page(), errors)
        tablet.goto(sign_in_url(server.http, delegate))
        console = new_context(width=1280, height=800).new_page()
        console_login(console, server.http, chair, session.pk)
        watch_errors(console, errors)
        projector = watch_errors(new_context(width=1920, height=1080).new_page(), errors)
        projector.goto(f"{server.http}/projector/{session.pk}/?key={session.projector_key}")
        for page in (tablet, console, projector):
            expect(page.locator("body")).to_have_attribute("data-connection", "open")

        # Two delegates asked before; this one asks with one tap and sees the place.
        for other in delegates[:2]:
            _run(
                services.speaker_request,
                session_id=session.pk,
                kind="speak",
                actor=Actor(delegate=other),
            )
        tablet.click('#floor-ask [data-kind="speak"]')
        mine = tablet.locator("#floor-mine .floor-mine-item")
        expect(mine).to_have_attribute("data-place", "3")
        expect(mine).to_contain_text("vị trí số 3/3")
        expect(tablet.locator('#floor-ask [data-kind="speak"]')).to_be_disabled()
        _shoot(tablet, "1-asked-tablet", DESK_SIZES, artifacts)

        # The console sees the line live and gives this delegate the floor.
        console.click("#tab-floor")
        line = console.locator("#floor-line .floor-line-item")
        expect(line).to_have_count(3)
        _shoot(console, "2-line-console", DESK_SIZES, artifacts)
        console.locator("#floor-line .floor-line-item").nth(2).locator(".floor-give").click()

        # The projector shows the speaker, the kind and a countdown from 7:00; the next three.
        panel = projector.locator("#floor-panel")
        expect(panel).to_be_visible()
        expect(projector.locator("#floor-name")).to_have_text(delegate.full_name)
        expect(projector.locator("#floor-kind")).to_have_text("Phát biểu")
        expect(projector.locator("#floor-detail")).to_have_text(f"Ghế {delegate.seat_label}")
        timer = projector.locator("#floor-timer")
        expect(timer).to_have_text(re.compile(r"^[67]:\d\d$"))
        expect(projector.locator("#floor-next li")).to_have_count(2)
        # The tablet of the speaker shows the time large; the console the same turn.
        expect(tablet.locator("#floor-card")).to_have_attribute("data-speaking", "true")
        expect(console.locator("#floor-turn-name")).to_have_text(delegate.full_name)
        _shoot(projector, "3-speaker-projector", PROJECTOR_SIZES, artifacts)
        _shoot(tablet, "3-speaking-tablet", DESK_SIZES, artifacts)

        # Pause from the console: every screen stops the clock at the same figure.
        console.click("#floor-pause")
        expect(timer).to_have_attribute("data-paused", "true")
        stopped = timer.inner_text()
        expect(console.locator("#floor-console-timer")).to_have_text(stopped)
        expect(tablet.locator("#floor-tablet-timer")).to_have_text(stopped)
        console.click("#floor-pause")  # resume
        expect(timer).to_have_attribute("data-paused", "false")

        # Over time: the server's clock says so (as if 8 minutes had passed); red, counting up.
        _run(_overtime, session_id=session.pk, chair=chair)
        expect(timer).to_have_attribute("data-overtime", "true")
        expect(timer).to_have_text(re.compile(r"^\+[01]:\d\d$"))
        expect(console.locator("#floor-console-timer")).to_have_attribute("data-overtime", "true")
        _shoot(projector, "4-overtime-projector", [(1920, 1080)], artifacts)

        # The question session: the projector shows the question and its respondent.
        from floor import questions

        _run(
            questions.question_register,
            session_id=session.pk,
            respondent_id=guest.pk,
            text="Đề nghị cho biết lộ trình cải tạo hệ thống thoát nước khu dân cư tổ 7, "
            "nơi thường xuyên ngập sau mỗi trận mưa lớn?",
            actor=Actor(delegate=delegates[6]),
        )
        console.click("#question-call")
        expect(projector.locator("#floor-kind")).to_have_text("Chất vấn")
        expect(projector.locator("#floor-question")).to_be_visible()
        expect(projector.locator("#floor-question-to")).to_contain_text(guest.full_name)
        console.click("#question-answer")
        expect(projector.locator("#floor-name")).to_have_text(guest.full_name)
        expect(projector.locator("#floor-detail")).to_contain_text(guest.agency)
        _shoot(projector, "5-answer-projector", PROJECTOR_SIZES, artifacts)
        _shoot(console, "5-questions-console", DESK_SIZES, artifacts)
    assert errors == []


def test_two_delegates_of_one_name_each_may_debate_with_the_other(artifacts):
    """The debate picker leaves out the delegate's own turns by id, not by name: namesakes
    (common in a council: "Nguyễn Văn Hùng") each see the other's turn."""
    session, delegates, _guest, chair = _sitting()
    first, second = delegates[2], delegates[3]
    for delegate in (first, second):
        delegate.full_name = "Nguyễn Văn Hùng"
        delegate.save(update_fields=["full_name"])
    spoke = {}
    for delegate in (first, second):
        request = services.speaker_request(
            session_id=session.pk, kind="speak", actor=Actor(delegate=delegate)
        )
        spoke[delegate.pk] = turns.turn_give(
            session_id=session.pk, request_id=request.pk, actor=Actor(user=chair)
        ).pk
    turns.turn_end(session_id=session.pk, actor=Actor(user=chair))
    errors: list[str] = []
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        for me, other in ((first, second), (second, first)):
            tablet = watch_errors(new_context(width=1280, height=800).new_page(), errors)
            tablet.goto(sign_in_url(server.http, me))
            expect(tablet.locator("body")).to_have_attribute("data-connection", "open")
            tablet.click('#floor-ask [data-kind="debate"]')
            offered = tablet.locator("#floor-debate-list button")
            expect(offered).to_have_count(1)  # the namesake's turn, not one's own
            expect(offered).to_have_attribute("data-turn-id", str(spoke[other.pk]))
            expect(offered).to_have_text("Nguyễn Văn Hùng")
        _shoot(tablet, "6-debate-namesake-tablet", [(1280, 800)], artifacts)
    assert errors == []
