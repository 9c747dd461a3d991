"""The archive in a real browser against a real server: a citizen types a search without
diacritics, opens a past session from the results and reads the poll's result on its record.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import chromium, watch_errors
from tests.factories import make_council
from tests.record.sitting import make_sitting
from tests.servers import running_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)


def test_a_past_session_is_found_without_diacritics_and_its_result_read(artifacts):
    city = make_council(level="city", name="HĐND Thành phố Huế", seats=7)
    commune = make_council(parent=city, level="commune", name="HĐND Xã Phú Vang", seats=7)
    sitting = make_sitting(council=commune, title="Kỳ họp thứ tám — dự toán ngân sách 2027")
    city_sitting = make_sitting(council=city, title="Kỳ họp chuyên đề về quy hoạch")
    session, poll = sitting.session, sitting.budget
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        page = watch_errors(new_context(width=1280, height=800).new_page(), errors)
        page.goto(f"{server.http}/archive/")
        expect(page.locator("h1")).to_have_text("Lưu trữ kỳ họp")
        page.select_option("select[name=council]", label="HĐND Thành phố Huế")
        page.fill("input[name=q]", "nghi quyet ngan sach")
        page.screenshot(path=artifacts / "archive-search-1280x800.png")
        page.click(".archive-search button[type=submit]")
        page.wait_for_url(re.compile(r"/archive/\?council=\d+&q=nghi\+quyet\+ngan\+sach"))

        results = page.locator(".archive-result")
        found = page.locator(f'.archive-result[data-session-id="{session.pk}"]')
        expect(found).to_be_visible()
        expect(found).to_contain_text("HĐND Xã Phú Vang")
        expect(found).to_contain_text(f"Biểu quyết: {poll.title} — thông qua")
        # The city's archive holds its communes' sessions as well as its own.
        expect(results).to_have_count(2)
        expect(
            page.locator(f'.archive-result[data-session-id="{city_sitting.session.pk}"]')
        ).to_contain_text("HĐND Thành phố Huế")
        page.screenshot(path=artifacts / "archive-results-1280x800.png", full_page=True)

        found.locator("a").first.click()
        page.wait_for_url(f"{server.http}/record/{session.pk}/")
        record = page.locator(f"#poll-{poll.pk}")
        expect(record.locator(".verdict")).to_have_text("THÔNG QUA")
        expect(record).to_have_attribute("data-passed", "true")
        rows = record.locator("table").first.locator("tr")
        expect(rows).to_have_text(
            ["Lựa chọn Số phiếu", "Tán thành 4", "Không tán thành 1", "Không biểu quyết 1"],
            use_inner_text=True,
        )
        secret = page.locator(f"#poll-{sitting.oversight.pk}")
        expect(secret.locator(".verdict")).to_have_text("KHÔNG THÔNG QUA")
        page.screenshot(path=artifacts / "record-1280x800.png")
        page.screenshot(path=artifacts / "record-full-1280x800.png", full_page=True)

    assert errors == []
