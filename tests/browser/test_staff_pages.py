"""The between-sittings pages as their users walk them, at the smallest screen they are used
on (1024×768): a commune's clerk and the city's Standing Committee read the lists, overviews
and forms without the page scrolling sideways; an agency's officer is offered only the pages
it may open (each link answers, none 403) and reaches its tasks from its petitions and back;
a file field and the browser's refusal of an empty field speak the page's language, not the
browser's ("Choose File", "Please fill out this field")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import chromium
from tests.browser.test_petitions import _signable, _signed_in
from tests.factories import make_council, make_staff
from tests.petitions.conftest import enter, forwarded, make_commune
from tests.servers import running_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)

CLERK_PAGES = [
    "/petitions/overview/",
    "/petitions/",
    "/petitions/due/",
    "/petitions/meetings/",
    "/petitions/new/",
    "/resolutions/",
    "/resolutions/conclusions/",
    "/resolutions/overview/",
    "/supervision/",
    "/consultations/",
]
CITY_PAGES = ["/petitions/overview/", "/petitions/", "/resolutions/overview/"]


def _no_sideways_scroll(page, path: str) -> None:
    page.goto(path)
    widths = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 1024 wide: {widths}"


def test_staff_pages_fit_1024_and_officers_see_only_links_that_open(artifacts):
    city = make_council(seats=9, name="Hội đồng nhân dân Thành phố Thử", level="city")
    standing = _signable(make_staff(role="standing", council=city))
    ward = make_commune(city, "Hội đồng nhân dân Phường Bến Nghé Mở Rộng")
    other = make_commune(city, "Hội đồng nhân dân Xã Tân Nhựt Thượng")
    for commune in (ward, other):
        forwarded(commune, enter(commune, text="Đường Nguyễn Huệ ngập nước mỗi khi mưa lớn"))
    petition = forwarded(ward)
    clerk, officer = _signable(ward.clerk.user), _signable(ward.officer.user)
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        base = server.http

        def context():
            made = new_context(width=1024, height=768)
            made.set_default_navigation_timeout(15_000)
            return made

        page = _signed_in(context(), base, clerk, "/petitions/", errors)
        for path in CLERK_PAGES:
            _no_sideways_scroll(page, f"{base}{path}")
        # The minutes' PDF field of a meeting with voters: our words, not the browser's.
        page.goto(f"{base}/petitions/meetings/")
        field = page.locator(".file-pick").first
        expect(field).to_contain_text("Chọn tệp")
        expect(field).not_to_contain_text("Choose")
        page.screenshot(path=artifacts / "staff-meetings-1024x768.png", full_page=True)
        # A required field left empty: the browser's refusal in our words too.
        page.goto(f"{base}/petitions/new/")
        page.click("#save-petition")
        said = page.eval_on_selector("textarea[name=text]", "field => field.validationMessage")
        assert said == "Vui lòng điền mục này.", said

        city_page = _signed_in(context(), base, standing, "/petitions/", errors)
        for path in CITY_PAGES:
            _no_sideways_scroll(city_page, f"{base}{path}")
        city_page.goto(f"{base}/petitions/")
        city_page.screenshot(path=artifacts / "staff-city-list-1024x768.png")

        desk = _signed_in(context(), base, officer, "/petitions/due/", errors)
        expect(desk.locator(f'tr[data-petition-id="{petition.pk}"]')).to_be_visible()
        offered = desk.eval_on_selector_all(
            ".petitions-nav a", "links => links.map(a => a.getAttribute('href'))"
        )
        assert "/resolutions/tasks/" in offered, offered
        for href in offered:
            answer = desk.goto(f"{base}{href}")
            assert answer.status == 200, f"the officer is offered {href}: {answer.status}"
        # From the tasks back to the petitions, through the links of that page.
        desk.goto(f"{base}/resolutions/tasks/")
        offered = desk.eval_on_selector_all(
            ".section-nav a", "links => links.map(a => a.getAttribute('href'))"
        )
        assert "/petitions/due/" in offered, offered
        for href in offered:
            assert desk.goto(f"{base}{href}").status == 200, href
        desk.goto(f"{base}/")
        expect(desk.locator("#link-tasks")).to_be_visible()
        desk.screenshot(path=artifacts / "staff-officer-home-1024x768.png")

        for made in (page, city_page, desk):
            made.context.close()

    assert not errors, errors
