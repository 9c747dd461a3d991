"""Issue 10 item 13 on the screens: a badge signing in on a second device is shown on the
console's roster and on the first tablet, without covering anything; a council that requires
a PIN asks the delegate to set one at the first sign-in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from meeting.badges import sign_in_url
from meeting.models import Delegate
from tests.browser.conftest import chromium, console_login, make_console_user, watch_errors
from tests.factories import make_council, make_session
from tests.servers import running_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)


def test_a_second_device_on_the_console_and_the_first_tablet(artifacts):
    council = make_council(seats=4, name="HĐND Phường Bến Thành")
    session = make_session(council=council, items=2)
    chair = make_console_user(council=council)
    delegate = council.delegates.order_by("seat_label").first()
    errors: list[str] = []
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        console = new_context(width=1280, height=720).new_page()
        console_login(console, server.http, chair, session.pk)
        watch_errors(console, errors)
        first = watch_errors(new_context(width=1024, height=768).new_page(), errors)
        first.goto(sign_in_url(server.http, delegate))
        expect(first.locator("body")).to_have_attribute("data-connection", "open")
        row = console.locator(f'#roster tr[data-delegate-id="{delegate.pk}"]')
        expect(row).to_have_attribute("data-connected", "true")

        second = new_context(width=1024, height=768).new_page()
        second.goto(sign_in_url(server.http, delegate))
        expect(second.locator("body")).to_have_attribute("data-connection", "open")

        console.click("#tab-roster")
        expect(console.locator("body")).to_have_attribute("data-second-devices", "1")
        expect(console.locator("#roster-flags")).to_contain_text(delegate.full_name)
        expect(row).to_have_attribute("data-second-device", "true")
        chip = first.locator("#second-device")
        expect(chip).to_be_visible()
        expect(chip).to_contain_text("thiết bị khác")
        console.screenshot(path=artifacts / "console-second-device-1280x720.png")
        first.screenshot(path=artifacts / "tablet-second-device-1024x768.png")
    assert errors == []


def test_the_pin_pages(artifacts):
    council = make_council(seats=3, name="HĐND Phường Bến Thành")
    council.require_pin = True
    council.save()
    make_session(council=council, items=2)
    delegate = council.delegates.order_by("seat_label").first()
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        for width, height in [(1024, 768), (1280, 800)]:
            page = new_context(width=width, height=height).new_page()
            page.goto(sign_in_url(server.http, delegate))
            expect(page.locator("#pin2")).to_be_visible()
            page.screenshot(path=artifacts / f"tablet-pin-set-{width}x{height}.png")
            page.fill("#pin", "4829")
            page.fill("#pin2", "4821")
            page.click("#pin-form button[type=submit]")
            expect(page.locator("#signin-error")).to_have_attribute(
                "data-error-code", "badge.pin_mismatch"
            )
            page.screenshot(path=artifacts / f"tablet-pin-mismatch-{width}x{height}.png")
        page.fill("#pin", "4829")
        page.fill("#pin2", "4829")
        page.click("#pin-form button[type=submit]")
        expect(page.locator("body")).to_have_attribute("data-connection", "open")
        again = new_context(width=1024, height=768).new_page()
        again.goto(sign_in_url(server.http, delegate))
        expect(again.locator("#pin")).to_be_visible()
        expect(again.locator("#pin2")).to_have_count(0)
        again.screenshot(path=artifacts / "tablet-pin-enter-1024x768.png")
    assert Delegate.objects.get(pk=delegate.pk).pin_hash  # set by the delegate, hashed
