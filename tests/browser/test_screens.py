"""The three screens in a real browser against a real server process (PostgreSQL + Redis).

The console advances the agenda; the projector and the tablet follow over their WebSockets
without a reload. Screenshots of each screen are saved to test-artifacts/.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import Page, expect

from meeting import selectors, services
from meeting.badges import sign_in_url
from meeting.models import AgendaItem, Attendance
from realtime.actors import Actor
from tests.browser.conftest import chromium
from tests.factories import make_council, make_session, make_staff
from tests.servers import running_servers

PASSWORD = "pw-123456"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)

AGENDA = [
    ("Báo cáo tình hình kinh tế – xã hội năm 2026 và kế hoạch năm 2027", "Chủ tịch UBND phường"),
    ("Báo cáo thẩm tra của Ban Kinh tế – Ngân sách", "Trưởng Ban Kinh tế – Ngân sách"),
    ("Dự toán ngân sách và phân bổ ngân sách năm 2027", ""),
    ("Chương trình giám sát năm 2027 của Hội đồng nhân dân", ""),
    ("Chất vấn và trả lời chất vấn", ""),
]


def _make_sitting():
    council = make_council(seats=12, name="HĐND Phường Bến Thành")
    session = make_session(council=council, items=len(AGENDA), sub_items=2)
    for item in AgendaItem.objects.filter(session=session, parent=None).order_by("position"):
        title, presenter = AGENDA[item.position]
        item.title, item.presenter = title, presenter
        item.save(update_fields=["title", "presenter"])
    chair = make_staff(role="chair", council=council)
    # The console's login page is the admin's, which admits staff accounts only; and the
    # server process runs chamber.settings, without the tests' fast MD5 hasher.
    chair.is_staff = True
    chair.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), 1000)
    chair.save(update_fields=["is_staff", "password"])
    delegates = list(council.delegates.order_by("seat_label"))
    marks = {**dict.fromkeys(range(1, 9), Attendance.Status.PRESENT), 9: Attendance.Status.EXCUSED}
    for index, status in marks.items():
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegates[index].pk,
            status=status,
            actor=Actor(user=chair),
        )
    return council, session, chair, delegates[0]


# Records every value <body data-connection> takes, so a short "closed" is not missed.
WATCH_CONNECTION = """
window.__states = [];
new MutationObserver(() => window.__states.push(document.body.dataset.connection))
  .observe(document.body, {attributes: true, attributeFilter: ["data-connection"]});
"""


def _watch_errors(page: Page, errors: list[str]) -> Page:
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    return page


def _connected(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-connection", "open")


def test_next_item_reaches_projector_and_tablet(artifacts):
    council, session, chair, delegate = _make_sitting()
    agenda = selectors.agenda_order(session)
    first, second = agenda[0], agenda[1]
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        # (1) the console, after logging in through the admin's login page
        console = new_context(width=1440, height=900).new_page()
        console.goto(f"{server.http}/admin/login/?next=/chair/{session.pk}/")
        console.fill("#id_username", chair.username)
        console.fill("#id_password", PASSWORD)
        console.click("input[type=submit]")
        console.wait_for_url(re.compile(rf"/chair/{session.pk}/$"))
        _watch_errors(console, errors)  # from here on: our pages only, not the admin's
        _connected(console)

        # (2) the projector, with the session's key
        projector = _watch_errors(new_context(width=1920, height=1080).new_page(), errors)
        projector.goto(f"{server.http}/projector/{session.pk}/?key={session.projector_key}")
        _connected(projector)

        # (3) the tablet, signed in with the delegate's badge URL (the QR code's content)
        tablet = _watch_errors(new_context(width=1280, height=800).new_page(), errors)
        tablet.goto(sign_in_url(server.http, delegate))
        tablet.wait_for_url(re.compile(r"/tablet/$"))
        _connected(tablet)

        current = projector.locator("#current-item")
        highlighted = tablet.locator("#agenda .agenda-item.current")
        expect(current).to_have_attribute("data-item-id", str(first.pk))
        expect(highlighted).to_have_attribute("data-item-id", str(first.pk))
        expect(projector.locator("#current-title")).to_have_text(first.title)
        # Signing in with the badge checked the delegate in: 8 marked + 1.
        expect(tablet.locator("#my-status")).to_have_attribute("data-status", "present")
        expect(projector.locator("#present-count")).to_have_text("9")
        expect(projector.locator("#quorum")).to_have_attribute("data-quorate", "true")
        row = console.locator(f'#roster tr[data-delegate-id="{delegate.pk}"]')
        expect(row).to_have_attribute("data-connected", "true")
        # Marked present at the console with no tablet online: no false alarm, marked as such.
        expect(console.locator("#roster tr.flag-lost")).to_have_count(0)
        expect(console.locator('#roster .presence[data-state="by_staff"]')).to_have_count(8)

        # Neither screen may reload to follow the console.
        for page in (projector, tablet):
            page.evaluate("window.__sameDocument = true")

        console.click("#next-item")

        expect(current).to_have_attribute("data-item-id", str(second.pk))
        expect(projector.locator("#current-number")).to_have_text(second.number)
        expect(projector.locator("#current-title")).to_have_text(second.title)
        expect(highlighted).to_have_attribute("data-item-id", str(second.pk))
        expect(highlighted).to_have_count(1)
        expect(console.locator("#agenda .agenda-item.current")).to_have_attribute(
            "data-item-id", str(second.pk)
        )
        for page in (projector, tablet):
            assert page.evaluate("window.__sameDocument === true")

        # An error from the server reaches the chair as a toast with its message.
        console.click("#previous-item")
        expect(current).to_have_attribute("data-item-id", str(first.pk))
        console.locator("#previous-item").evaluate("button => { button.disabled = false }")
        console.click("#previous-item")
        expect(console.locator(".toast-error")).to_contain_text(
            "Đã ở nội dung đầu tiên của chương trình."
        )
        console.locator(".toast-close").click()
        console.click("#next-item")
        expect(current).to_have_attribute("data-item-id", str(second.pk))
        expect(highlighted).to_have_attribute("data-item-id", str(second.pk))

        # The console marks a delegate without a tablet absent: roster, count and flag follow.
        by_staff = '#roster tr[data-status="present"][data-by-staff="true"]'
        absent_id = console.locator(by_staff).first.get_attribute("data-delegate-id")
        absent = console.locator(f'#roster tr[data-delegate-id="{absent_id}"]')
        absent.locator('.seg-btn[data-status="absent"]').click()
        expect(absent).to_have_attribute("data-status", "absent")
        expect(console.locator(by_staff)).to_have_count(7)
        expect(projector.locator("#present-count")).to_have_text("8")
        expect(tablet.locator("#present-count")).to_have_text("8")
        expect(console.locator("#present-count")).to_have_text("8")

        # Clicking an item on the console's agenda selects it (two items on: after a question).
        chosen = agenda[3]
        console.click(f'#agenda .agenda-button[data-item-id="{chosen.pk}"]')
        console.click("#confirm-jump-yes")
        expect(current).to_have_attribute("data-item-id", str(chosen.pk))
        expect(highlighted).to_have_attribute("data-item-id", str(chosen.pk))
        expect(projector.locator("#current-presenter")).to_have_text(
            f"Trình bày: {chosen.presenter}"
        )

        # A dropped connection comes back by itself, and the screen follows again.
        following = agenda[4]
        projector_sent: list[str] = []
        projector.on(
            "websocket", lambda ws: ws.on("framesent", lambda text: projector_sent.append(text))
        )
        for page in (projector, tablet):
            page.evaluate(WATCH_CONNECTION)
            page.evaluate("window.chamber.client.socket.close()")
            # A function, not an expression: Playwright evaluates it once, which the pages'
            # Content-Security-Policy (no eval) lets the test harness do; an expression is
            # re-evaluated on every poll and refused.
            page.wait_for_function(
                "() => window.__states.includes('closed')"
                " && document.body.dataset.connection === 'open'"
            )
        # The projector pretends it missed an event: the next one shows a gap, and it asks for
        # a snapshot instead of applying it.
        projector.evaluate("window.chamber.client.seq -= 1")
        console.click("#next-item")
        expect(current).to_have_attribute("data-item-id", str(following.pk))
        expect(console.locator("body")).to_have_attribute("data-current-item-id", str(following.pk))
        seq = console.locator("body").get_attribute("data-seq")
        expect(projector.locator("body")).to_have_attribute("data-seq", seq)
        requests = [json.loads(frame) for frame in projector_sent if "snapshot.request" in frame]
        assert requests, projector_sent
        # Command ids are random UUIDs (unguessable, as ballots require).
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
            requests[0]["id"],
        )
        expect(highlighted).to_have_attribute("data-item-id", str(following.pk))
        expect(projector.locator("#current-parent")).to_contain_text(chosen.title)

        tablet.screenshot(path=artifacts / "tablet-1280x800.png")
        console.screenshot(path=artifacts / "console-1440x900.png")
        projector.screenshot(path=artifacts / "projector-1920x1080.png")
        tablet.set_viewport_size({"width": 800, "height": 1280})
        tablet.screenshot(path=artifacts / "tablet-800x1280.png")

        # The chair marks the tablet's delegate absent; the tablet's check-in does not undo it
        # (issue 10 item 16): the delegate scans the badge again.
        tablet.set_viewport_size({"width": 1280, "height": 800})
        row.locator('.seg-btn[data-status="absent"]').click()
        expect(tablet.locator("#my-status")).to_have_attribute("data-status", "absent")
        tablet.click("#check-in")
        expect(tablet.locator(".toast-error").last).to_contain_text("quét thẻ")
        expect(tablet.locator("#my-status")).to_have_attribute("data-status", "absent")
        tablet.goto(sign_in_url(server.http, delegate))
        expect(tablet.locator("#my-status")).to_have_attribute("data-status", "present")
        expect(tablet.locator("#check-in")).to_be_hidden()
        expect(row).to_have_attribute("data-status", "present")

        # Adjourn, resume, and close (after a confirmation) reach every screen.
        status = projector.locator("#session-status")
        console.click("#session-adjourn")
        expect(status).to_have_text("Tạm dừng")
        expect(tablet.locator("#session-notice")).to_be_visible()
        console.click("#session-resume")
        expect(status).to_have_text("Đang họp")
        expect(tablet.locator("#session-notice")).to_be_hidden()
        console.click("#session-close")
        console.click("#confirm-close button[value=cancel]")
        expect(console.locator("#confirm-close")).not_to_be_visible()
        expect(status).to_have_text("Đang họp")
        console.click("#session-close")
        console.click("#confirm-close-yes")
        expect(status).to_have_text("Bế mạc")
        expect(tablet.locator("#session-notice")).to_have_attribute("data-status", "closed")
        expect(console.locator("#next-item")).to_be_disabled()

        tablet.click("#sign-out")
        tablet.wait_for_url(re.compile(r"/tablet/signin/$"))

    assert errors == []


def test_sign_in_errors_and_english(artifacts):
    council = make_council(seats=5)
    session = make_session(council=council, items=3)
    projector_url = f"/projector/{session.pk}/?key={session.projector_key}"
    idle_delegate = make_council(seats=3).delegates.first()  # a council with no session
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        page = _watch_errors(new_context(width=1280, height=800).new_page(), errors)
        page.goto(f"{server.http}/tablet/")
        page.wait_for_url(re.compile(r"/tablet/signin/$"))
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        # Chromium has no camera here: the scan button stays hidden, the form remains.
        expect(page.locator("body")).to_have_attribute("data-scanner", re.compile(r"\w"))
        page.fill("#code", "abcd efgh jkmn pqrs")
        expect(page.locator("#code")).to_have_value("ABCD-EFGH-JKMN-PQRS")
        page.press("#code", "Enter")
        error = page.locator("#signin-error")
        expect(error).to_have_attribute("data-error-code", "badge.invalid")
        expect(error).to_have_text("Mã thẻ không hợp lệ.")

        page.click("button.lang-option[value=en]")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text("Sign in with your delegate badge")
        page.fill("#code", "ABCD-EFGH-JKMN-PQRS")
        page.press("#code", "Enter")
        expect(error).to_have_text("Invalid badge code.")
        page.screenshot(path=artifacts / "signin-en-1280x800.png")

        # The language cookie reaches the WebSocket too: the status label comes from it.
        page.goto(server.http + projector_url)
        _connected(page)
        expect(page.locator("#session-status")).to_have_text("In session")
        expect(page.locator("#quorum")).to_have_text("No quorum")
        expect(page.locator(".proj-label")).to_have_text("Current item")

        # A browser that asks for English (Accept-Language) and has no cookie yet: the page
        # and the socket's messages agree.
        english = new_context(width=1920, height=1080, locale="en-US").new_page()
        _watch_errors(english, errors)
        english.goto(server.http + projector_url)
        _connected(english)
        expect(english.locator("html")).to_have_attribute("lang", "en")
        expect(english.locator("#session-status")).to_have_text("In session")

        # A delegate whose council has no session waits on a page that reloads itself.
        page.goto(sign_in_url(server.http, idle_delegate))
        page.wait_for_url(re.compile(r"/tablet/$"))
        expect(page.locator("#no-session h1")).to_have_text("No session in progress")
        expect(page.locator('meta[http-equiv="refresh"]')).to_have_attribute("content", "30")

        page.click("button.lang-option[value=vi]")
        expect(page.locator("#no-session h1")).to_have_text("Chưa có kỳ họp đang diễn ra")
        page.goto(server.http + "/")
        expect(page.locator("#link-tablet")).to_be_visible()
        page.screenshot(path=artifacts / "home-1280x800.png")

    # The refused sign-ins answer 403 on purpose; anything else is a fault of the page.
    assert [error for error in errors if "status of 403" not in error] == []
