"""Voters' petitions in a real browser against a real server: a clerk records a meeting with
voters and enters three petitions, groups the two alike and forwards them; the agency's officer
answers; the city's Standing Committee sees its overview's counts move. Screenshots at
1280×800 and 1920×1080 go to test-artifacts/."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import expect

from tests.browser.conftest import CONSOLE_PASSWORD, chromium, watch_errors
from tests.factories import make_council, make_staff
from tests.petitions.conftest import enter, make_commune
from tests.servers import running_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)
SIZES = [(1280, 800), (1920, 1080)]


def _signable(user):
    """A password the server's own hashers verify (PBKDF2 with few rounds: quick)."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(CONSOLE_PASSWORD, hasher.salt(), 1000)
    user.is_staff = True
    user.save(update_fields=["password", "is_staff"])
    return user


def _signed_in(context, base: str, user, next_url: str, errors: list[str]):
    """A page signed in through the admin's login page (whose own favicon 404 is not ours),
    watched for errors from then on."""
    page = context.new_page()
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", CONSOLE_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}{next_url}")
    return watch_errors(page, errors)


def _shots(page, artifacts, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=artifacts / f"petitions-{name}-{width}x{height}.png", full_page=True)


def _answered(page) -> int:
    row = page.locator('[data-chart="theo-trang-thai"] .bars-row[data-label="Đã trả lời"]')
    return int(row.get_attribute("data-total"))


def test_clerk_groups_and_forwards_the_agency_answers_the_city_sees_it(artifacts):
    city = make_council(seats=9, name="HĐND Thành phố Thử", level="city")
    standing = _signable(make_staff(role="standing", council=city))
    ward = make_commune(city, "Phường Bến Nghé")
    other = make_commune(city, "Xã Tân Nhựt")
    enter(other, text="Đề nghị sửa chữa cầu Tân Nhựt bị xuống cấp")
    clerk, officer = _signable(ward.clerk.user), _signable(ward.officer.user)
    agency = ward.committee.name
    # Typed the Vietnamese way (kiosk_ui.dates), whatever the browser's locale.
    due = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        base = server.http
        city_page = _signed_in(
            new_context(width=1280, height=800), base, standing, "/petitions/overview/", errors
        )
        expect(city_page.locator("#overview-total")).to_have_attribute("data-total", "1")
        assert _answered(city_page) == 0
        per_commune = city_page.locator('[data-chart="theo-xa-phuong"] .bars-row')
        expect(per_commune).to_have_count(1)

        page = _signed_in(
            new_context(width=1280, height=800), base, clerk, "/petitions/meetings/", errors
        )
        page.fill("input[name=place]", "Nhà văn hóa khu phố 2")
        page.fill("input[name=voter_count]", "85")
        page.click("#meeting-form button[type=submit]")
        page.wait_for_url("**/petitions/new/**")
        meeting_url = page.url  # the entry form, with the meeting chosen
        texts = [
            "Đường Lê Lợi bị ngập nước mỗi khi mưa lớn, đề nghị nạo vét cống",
            "Cử tri phản ánh đường Lê Lợi ngập nước khi trời mưa",
            "Đề nghị lắp đèn chiếu sáng hẻm 45 Hai Bà Trưng",
        ]
        for n, text in enumerate(texts):
            if n:
                page.goto(meeting_url)
            page.fill("textarea[name=text]", text)
            page.select_option("select[name=field]", label="Môi trường")
            page.fill("input[name=place]", "Khu phố 2")
            page.fill("input[name=voter_name]", f"Cử tri số {n + 1}")
            if n == 0:
                _shots(page, artifacts, "entry")
            page.click("#save-petition")
            page.wait_for_url("**/petitions/*/")
            expect(page.locator(".alert-success")).to_be_visible()
        # On the third, nothing alike; the first shows the second as similar.
        page.goto(f"{base}/petitions/")
        first = page.locator("tr[data-petition-id]").last
        first.locator("a").first.click()
        similar = page.locator("#group-form li[data-similar-id]")
        expect(similar).to_have_count(1)
        expect(similar).to_contain_text("ngập nước khi trời mưa")
        _shots(page, artifacts, "similar")
        similar.locator("input[type=checkbox]").check()
        page.click("#group-form button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Kiến nghị tổng hợp")
        expect(page.locator(".members li")).to_have_count(2)
        page.select_option("#forward-form select[name=agency]", label=agency)
        page.fill("#forward-form input[name=due_date]", due)
        page.click("#forward-form button[type=submit]")
        expect(page.locator(".detail-grid")).to_have_attribute("data-status", "forwarded")
        group_url = page.url

        city_page.reload()
        expect(city_page.locator("#overview-total")).to_have_attribute("data-total", "4")
        expect(per_commune).to_have_count(2)

        officer_page = _signed_in(
            new_context(width=1280, height=800), base, officer, "/petitions/due/", errors
        )
        items = officer_page.locator("#agency-items tr[data-petition-id]")
        expect(items).to_have_count(1)
        _shots(officer_page, artifacts, "officer-due")
        items.locator("a").first.click()
        assert officer_page.url == group_url
        expect(officer_page.locator(".personal-data")).to_have_count(0)
        officer_page.fill("#answer-form textarea[name=text]", "Đã nạo vét cống đường Lê Lợi.")
        officer_page.click("#answer-form button[type=submit]")
        expect(officer_page.locator(".detail-grid")).to_have_attribute("data-status", "answered")
        expect(officer_page.locator(".answer")).to_contain_text("Đã nạo vét cống")

        city_page.reload()
        assert _answered(city_page) == 2  # the two grouped petitions, answered once
        _shots(city_page, artifacts, "city-overview")
        city_page.goto(f"{base}/petitions/")
        _shots(city_page, artifacts, "city-list")

    assert errors == []


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_list_goes_forward_and_back_with_its_filter(artifacts):
    """More petitions than a page: "Xem tiếp", then "Trang trước" back to the first page, the
    status filter kept in both links. Screenshots at 1280×800 and 1024×768."""
    city = make_council(seats=9, name="HĐND Thành phố Thử")
    commune = make_commune(city, "Phường An Khánh")
    today = datetime.date.today()
    for n in range(56):
        enter(
            commune,
            text=f"Kiến nghị số {n + 1} về sửa chữa đường giao thông nông thôn",
            received_on=today - datetime.timedelta(days=n // 3),
        )
    clerk = _signable(commune.clerk.user)
    errors: list[str] = []
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        base = server.http
        page = _signed_in(
            new_context(width=1280, height=800), base, clerk, "/petitions/?status=received",
            errors,
        )
        first_rows = page.locator("table tbody tr").all_inner_texts()
        expect(page.locator("[data-previous]")).to_have_count(0)
        page.click("[data-next]")
        page.wait_for_url("**after=*")
        previous = page.locator("[data-previous]")
        expect(previous).to_have_text("‹ Trang trước")
        assert "status=received" in previous.get_attribute("href")
        assert "status=received" in page.url
        for width, height in [(1280, 800), (1024, 768)]:
            page.set_viewport_size({"width": width, "height": height})
            _no_sideways_scroll(page)
            page.locator(".pager").scroll_into_view_if_needed()
            page.screenshot(path=artifacts / f"petitions-page-2-{width}x{height}.png")
        previous.click()
        page.wait_for_url("**before=*")
        expect(page.locator("[data-previous]")).to_have_count(0)
        expect(page.locator("select[name=status]")).to_have_value("received")
        assert page.locator("table tbody tr").all_inner_texts() == first_rows
    assert errors == []


def test_the_city_overview_opens_a_communes_list(artifacts):
    """The city's Standing Committee clicks a commune's row of the overview: that commune's
    petitions, the filter set. Screenshots at 1280×800 and 1024×768."""
    city = make_council(seats=9, name="HĐND Thành phố Thử")
    communes = [make_commune(city, name) for name in ("Phường An Khánh", "Xã Bình Lợi")]
    today = datetime.date.today()
    for n, commune in enumerate(communes):
        for k in range(3 - n):
            enter(commune, text=f"Kiến nghị {k + 1} của {commune.council.name}",
                  received_on=today - datetime.timedelta(days=k))
    standing = _signable(make_staff(role="standing", council=city))
    errors: list[str] = []
    since = (today - datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        page = _signed_in(
            new_context(width=1280, height=800), server.http, standing,
            f"/petitions/overview/?from={since}", errors,
        )
        link = page.locator('[data-chart="theo-xa-phuong"] a', has_text="Xã Bình Lợi")
        expect(link).to_have_count(1)
        for width, height in [(1280, 800), (1024, 768)]:
            page.set_viewport_size({"width": width, "height": height})
            _no_sideways_scroll(page)
            link.scroll_into_view_if_needed()
            page.screenshot(path=artifacts / f"petitions-city-overview-{width}x{height}.png")
        link.click()
        page.wait_for_url("**/petitions/?*council=*")
        expect(page.locator("select[name=council] option:checked")).to_have_text("Xã Bình Lợi")
        expect(page.locator("table tbody tr")).to_have_count(2)  # its two, not the city's five
        expect(page.locator("table tbody")).to_contain_text("Kiến nghị 2 của Xã Bình Lợi")
        expect(page.locator("table tbody")).not_to_contain_text("An Khánh")
    assert errors == []


def test_a_refused_answer_comes_back_with_its_text(artifacts, tmp_path):
    """The officer's answer with a file that is no PDF: refused in Vietnamese, the text still
    there, the file asked for again. Screenshots at 1280×800 and 1024×768."""
    from tests.petitions.conftest import forwarded

    city = make_council(seats=9, name="HĐND Thành phố Thử")
    commune = make_commune(city, "Phường An Khánh")
    petition = forwarded(commune)
    officer = _signable(commune.officer.user)
    not_pdf = tmp_path / "tra-loi.pdf"
    not_pdf.write_bytes(b"not a pdf at all")
    text = "UBND phường đã khảo sát tuyến cống và sẽ nạo vét trước mùa mưa năm 2027."
    errors: list[str] = []
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        page = _signed_in(
            new_context(width=1280, height=800), server.http, officer,
            f"/petitions/{petition.pk}/", errors,
        )
        form = page.locator("#answer-form")
        form.locator("textarea[name=text]").fill(text)
        form.locator("input[name=file]").set_input_files(not_pdf)
        form.locator("button[type=submit]").click()
        alert = page.locator('[data-tags="code-document.not_pdf"]')
        expect(alert).to_contain_text("PDF")
        expect(page.locator("#answer-form textarea[name=text]")).to_have_value(text)
        expect(page.locator("#answer-form [data-choose-again]")).to_be_visible()
        for width, height in [(1280, 800), (1024, 768)]:
            page.set_viewport_size({"width": width, "height": height})
            _no_sideways_scroll(page)
            page.locator("#answer-form").scroll_into_view_if_needed()
            page.screenshot(path=artifacts / f"petitions-answer-refused-{width}x{height}.png")
    # The refusal's page answers 400 (nothing was done), which Chromium logs: nothing else.
    assert [e for e in errors if "/answer/" not in e or "(Bad Request)" not in e] == []
