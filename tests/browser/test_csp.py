"""The screens work under the Content-Security-Policy (issue 10, item 23): Chromium reports
no violation on any of them, and each still does its job (connects, shows the sitting).

A violation is caught two ways: the page's ``securitypolicyviolation`` events (listened to
from an init script, which the policy does not govern) and Chromium's console errors.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import Page, expect

from documents import services as documents
from meeting.badges import sign_in_url
from realtime.actors import Actor
from tests.browser.conftest import chromium
from tests.documents.pdfs import make_pdf
from tests.factories import make_council, make_session, make_staff
from tests.servers import running_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)
PASSWORD = "pw-123456"

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => window.__violations.push(
  `${event.violatedDirective} ${event.blockedURI || "inline"} ` +
  `${event.sourceFile}:${event.lineNumber}`
));
"""


def _staff(role: str, council):
    user = make_staff(role=role, council=council)
    user.is_staff = True
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), 1000)
    user.save(update_fields=["is_staff", "password"])
    return user


def _watched(context, problems: list[str]) -> Page:
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.url}: {response.status}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            # A missing resource is told by its response above (the admin has no favicon).
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    return page


def _violations(page: Page) -> list[str]:
    return [f"{page.url}: {v}" for v in page.evaluate("window.__violations")]


def _login(page: Page, base: str, user, target: str) -> None:
    page.goto(f"{base}/admin/login/?next={target}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(target) + "$"))


def test_every_screen_works_under_the_content_security_policy(artifacts):
    council = make_council(seats=6, name="HĐND Phường Sài Gòn")
    session = make_session(council=council, items=3)
    chair, clerk = _staff("chair", council), _staff("clerk", council)
    documents.document_upload(
        session_id=session.pk,
        title="Tờ trình ngân sách",
        data=make_pdf(["Nghị quyết về dự toán ngân sách"]),
        access="public",
        actor=Actor(user=clerk),
    )
    delegate = council.delegates.order_by("seat_label").first()
    second = session.agenda_items.filter(parent=None).order_by("position")[1]
    problems: list[str] = []
    seen: list[str] = []

    with running_servers(1, redis=False) as [server], chromium() as new_context:
        base = server.http
        console = _watched(new_context(width=1280, height=800), problems)
        _login(console, base, chair, f"/chair/{session.pk}/")
        expect(console.locator("body")).to_have_attribute("data-connection", "open")

        projector = _watched(new_context(width=1920, height=1080), problems)
        projector.goto(f"{base}/projector/{session.pk}/?key={session.projector_key}")
        expect(projector.locator("body")).to_have_attribute("data-connection", "open")

        tablet = _watched(new_context(width=1024, height=768), problems)
        tablet.goto(f"{base}/tablet/signin/")
        tablet.goto(sign_in_url(base, delegate))
        tablet.wait_for_url(re.compile(r"/tablet/$"))
        expect(tablet.locator("body")).to_have_attribute("data-connection", "open")

        # The console advances the agenda: scripts run, the socket carries it to the others.
        console.locator("#next-item").click()
        expect(projector.locator("#current-item")).to_have_attribute("data-item-id", str(second.pk))

        clerk_page = _watched(new_context(width=1280, height=800), problems)
        _login(clerk_page, base, clerk, f"/staff/sessions/{session.pk}/documents/")
        # Its (no longer inline) script fills the progress bars.
        expect(clerk_page.locator("tr[data-document-id] .progress-label")).to_have_text("1 / 1")
        for path in (f"/record/{session.pk}/verify/", "/archive/"):
            clerk_page.goto(f"{base}{path}")
            seen.append(
                clerk_page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")
            )

        for page, name in (
            (console, "console"),
            (projector, "projector"),
            (tablet, "tablet"),
            (clerk_page, "archive"),
        ):
            page.screenshot(path=str(artifacts / f"csp-{name}.png"))
            problems.extend(_violations(page))

    assert problems == []
    # The record pages' styles (moved from inline to record.css) still apply.
    assert seen == ["640px", "960px"], seen
