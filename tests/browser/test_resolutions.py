"""After the vote, in real browsers against a real server: a passed vote becomes a resolution
with two tasks; the agency's officer reports progress; a task goes overdue and shows on the
commune's and the city's overviews; a consultation is sent, answered by three delegates on
tablets, closed, and its result read on its record page. Screenshots: test-artifacts/."""

from __future__ import annotations

import datetime
import re
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pymupdf
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from meeting import services as meeting
from meeting.badges import sign_in_url
from meeting.models import Agency, AgencyOfficer, Council
from realtime.actors import Actor
from resolutions.models import Task
from resolutions.services import resolutions as adopting
from tests.browser.conftest import CONSOLE_PASSWORD, chromium, make_console_user, watch_errors
from tests.factories import make_council, make_session
from tests.resolutions.helpers import vote
from tests.servers import running_servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)
TABLET = {"width": 1280, "height": 800}
WALL = {"width": 1920, "height": 1080}


def _outside_the_browser_loop(work):
    """Playwright's sync API runs an event loop in this thread: the ORM works from another."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _pdf(tmp_path, name: str, text: str):
    document = pymupdf.open()
    document.new_page().insert_text((72, 72), text, fontname="notos")
    path = tmp_path / name
    document.save(path)
    return path


def _sign_in(page, base: str, user, path: str, errors: list[str]) -> None:
    """Through the admin's login page (its favicon is not ours: errors are watched after)."""
    page.goto(f"{base}/admin/login/?next={path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", CONSOLE_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + r"(\?.*)?$"))
    watch_errors(page, errors)


def _officer(agency: Agency) -> User:
    hasher = PBKDF2PasswordHasher()
    user = User.objects.create(
        username=f"canbo{agency.pk}", is_staff=True, first_name="Cán bộ UBND",
        password=hasher.encode(CONSOLE_PASSWORD, hasher.salt(), 1000),
    )
    AgencyOfficer.objects.create(user=user, agency=agency)
    return user


def _chamber():
    city = make_council(seats=9, level=Council.Level.CITY, name="HĐND Thành phố Thử")
    commune = make_council(
        seats=5, level=Council.Level.COMMUNE, name="HĐND Xã Phú Thử", parent=city
    )
    session = make_session(council=commune)
    chair = Actor(user=make_console_user("chair", council=commune))
    delegates = list(commune.delegates.order_by("seat_label"))
    for delegate in delegates:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
        )
    sitting = SimpleNamespace(session=session, chair=chair, delegates=delegates)
    poll = vote(sitting, "Nghị quyết về dự toán ngân sách xã năm 2027", ["yes"] * 4 + ["no"])
    agency = Agency.objects.create(council=commune, name="Ủy ban nhân dân xã Phú Thử")
    return SimpleNamespace(
        city=city, commune=commune, session=session, poll=poll, delegates=delegates, chair=chair,
        agency=agency, officer=_officer(agency),
        clerk=make_console_user("clerk", council=commune),
        commune_standing=make_console_user("standing", council=commune),
        city_standing=make_console_user("standing", council=city),
    )


def test_after_the_vote_resolution_tasks_overviews_and_a_consultation(artifacts, tmp_path):
    chamber = _chamber()
    signed = _pdf(tmp_path, "nq-ngan-sach.pdf", "Nghị quyết về dự toán ngân sách (bản ký số)")
    report_pdf = _pdf(tmp_path, "bao-cao.pdf", "Báo cáo tiến độ lập dự toán")
    due = timezone.localdate() + datetime.timedelta(days=30)
    errors: list[str] = []
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        base = server.http
        # 1. The clerk turns the passed vote into the commune's resolution, with two tasks.
        clerk = new_context(**WALL).new_page()
        _sign_in(clerk, base, chamber.clerk, "/resolutions/", errors)
        waiting = clerk.locator(f'.res-adopt[data-poll-id="{chamber.poll.pk}"]')
        expect(waiting).to_contain_text("Nghị quyết về dự toán ngân sách xã năm 2027")
        waiting.locator("summary").click()
        waiting.locator("input[name=pdf]").set_input_files(signed)
        clerk.screenshot(path=artifacts / "resolutions-adopt-1920x1080.png")
        waiting.locator("button[type=submit]").click()
        clerk.wait_for_url(re.compile(r"/resolutions/\d+/$"))
        expect(clerk.locator("#resolution-symbol")).to_have_text("1/NQ-HĐND")
        expect(clerk.locator("#adopting-vote")).to_be_visible()
        expect(clerk.locator("#signed-pdf")).to_be_visible()
        late_title = "Công khai dự toán trên cổng thông tin"
        for title in ("Lập dự toán chi tiết các khoản chi", late_title):
            clerk.fill("#task-form input[name=title]", title)
            clerk.select_option("#task-form select[name=agency]", label=chamber.agency.name)
            clerk.fill("#task-form input[name=due_on]", due.strftime("%d/%m/%Y"))
            clerk.click("#task-form button")
            expect(clerk.locator("#tasks")).to_contain_text(title)
        expect(clerk.locator("#tasks tbody tr")).to_have_count(2)
        expect(clerk.locator('#tasks tr[data-state="on_track"]')).to_have_count(2)
        clerk.screenshot(path=artifacts / "resolutions-detail-1920x1080.png", full_page=True)

        # 2. The agency's officer reports progress from a tablet.
        officer = new_context(**TABLET).new_page()
        _sign_in(officer, base, chamber.officer, "/resolutions/tasks/", errors)
        expect(officer.locator("#officer-tasks tbody tr")).to_have_count(2)
        officer.locator("#officer-tasks a", has_text="Lập dự toán chi tiết").click()
        officer.fill("#report-form textarea[name=text]", "Đã lập xong 60% dự toán chi tiết.")
        officer.fill("#report-form input[name=percent]", "60")
        officer.set_input_files("#report-form input[name=pdf]", report_pdf)
        officer.screenshot(path=artifacts / "resolutions-officer-report-1280x800.png")
        officer.click("#report-submit")
        expect(officer.locator("#task-percent")).to_have_text("60%")
        expect(officer.locator("#reports li").first).to_contain_text("Đã lập xong 60%")
        officer.screenshot(path=artifacts / "resolutions-officer-reported-1280x800.png",
                           full_page=True)

        # 3. The other task's due date passes: late on the commune's and the city's overviews.
        late = _outside_the_browser_loop(
            lambda: Task.objects.filter(title=late_title).values_list("pk", flat=True).get()
        )
        _outside_the_browser_loop(
            lambda: Task.objects.filter(pk=late).update(
                due_on=timezone.localdate() - datetime.timedelta(days=2)
            )
        )
        clerk.goto(f"{base}/resolutions/overview/")
        expect(clerk.locator(f'#task-list tr[data-task-id="{late}"]')).to_have_attribute(
            "data-state", "late"
        )
        clerk.screenshot(path=artifacts / "resolutions-overview-commune-1920x1080.png",
                         full_page=True)
        city = new_context(**WALL).new_page()
        _sign_in(city, base, chamber.city_standing, "/resolutions/overview/", errors)
        expect(city.locator("#overview")).to_have_attribute("data-council-id",
                                                            str(chamber.city.pk))
        expect(city.locator(f'#task-list tr[data-task-id="{late}"]')).to_have_attribute(
            "data-state", "late"
        )
        by_council = city.locator('[data-chart="tasks-by-council"]')
        expect(by_council.locator(".bars-row").first).to_have_attribute(
            "data-label", chamber.commune.name
        )
        expect(city.locator('.res-kpi.bad strong')).to_have_text("1")
        city.screenshot(path=artifacts / "resolutions-overview-city-1920x1080.png",
                        full_page=True)
        by_council.locator(".bars-label a").first.click()  # drill down into the commune
        expect(city.locator("#overview")).to_have_attribute("data-council-id",
                                                            str(chamber.commune.pk))
        expect(city.locator("#to-parent")).to_have_text(f"← {chamber.city.name}")

        # 4. The commune's Standing Committee sends a written consultation.
        standing = new_context(**WALL).new_page()
        _sign_in(standing, base, chamber.commune_standing, "/consultations/", errors)
        form = standing.locator("#consultation-form")
        form.locator("input[name=title]").fill("Xin ý kiến điều chỉnh dự toán mua sắm thiết bị")
        form.locator("textarea[name=question]").fill(
            "Đồng ý điều chỉnh 300 triệu đồng từ dự phòng ngân sách để mua máy tính cho trường?"
        )
        deadline = timezone.localtime() + datetime.timedelta(days=2)
        form.locator("input[name=deadline]").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
        standing.screenshot(path=artifacts / "resolutions-consultation-new-1920x1080.png")
        standing.click("#consultation-create")
        standing.wait_for_url(re.compile(r"/consultations/\d+/$"))
        standing.click("#consultation-send")
        expect(standing.locator("#consultation")).to_have_attribute("data-status", "open")
        consultation_url = standing.url

        # 5. Three delegates answer on their tablets, signed in with their badges.
        badges = _outside_the_browser_loop(
            lambda: [sign_in_url(base, d) for d in chamber.delegates[:3]]
        )
        for index, (badge, choice) in enumerate(zip(badges, ["yes", "yes", "no"], strict=True)):
            tablet = watch_errors(new_context(**TABLET).new_page(), errors)
            tablet.goto(badge)
            tablet.wait_for_url(re.compile(r"/tablet/$"))
            link = tablet.locator("#to-consultations")
            expect(link).to_have_attribute("data-waiting", "1")
            link.click()
            tablet.locator(".consult-item a").first.click()
            tablet.check(f'#answer-form input[name=choice][value="{choice}"]')
            if index == 0:
                tablet.fill("#answer-form textarea[name=opinion]",
                            "Đồng ý, đề nghị mua sắm theo đúng quy định đấu thầu.")
                tablet.screenshot(path=artifacts / "resolutions-consultation-answer-1280x800.png")
            tablet.click("#answer-submit")
            expect(tablet.locator("#answer-done")).to_be_visible()
            if index == 0:
                tablet.screenshot(path=artifacts / "resolutions-consultation-done-1280x800.png")
            tablet.context.close()

        # 6. The committee closes it; the result is read on its record page.
        standing.goto(consultation_url)
        expect(standing.locator("#answered-count")).to_have_text("3/5")
        standing.click("#consultation-close")
        standing.wait_for_url(re.compile(r"/consultations/\d+/record/$"))
        # 2 of 5 seats said yes: not more than half of all delegates, however many answered.
        expect(standing.locator("#verdict")).to_have_attribute("data-passed", "no")
        rows = standing.locator("#result-counts tbody tr")
        expect(rows).to_have_count(3)
        for index, (label, count) in enumerate(
            [("Tán thành", "2"), ("Không tán thành", "1"), ("Không biểu quyết", "0")]
        ):
            expect(rows.nth(index).locator("td").nth(0)).to_have_text(label)
            expect(rows.nth(index).locator("td").nth(1)).to_have_text(count)
        expect(standing.locator("#non-respondents li")).to_have_count(2)
        expect(standing.locator("#opinions")).to_contain_text("đúng quy định đấu thầu")
        standing.screenshot(path=artifacts / "resolutions-consultation-record-1920x1080.png",
                            full_page=True)
        # A delegate who did not answer reads it too, on a tablet.
        reader = watch_errors(new_context(**TABLET).new_page(), errors)
        reader.goto(_outside_the_browser_loop(lambda: sign_in_url(base, chamber.delegates[4])))
        reader.wait_for_url(re.compile(r"/tablet/$"))
        reader.goto(standing.url)
        expect(reader.locator("#verdict")).to_have_attribute("data-passed", "no")
        reader.screenshot(path=artifacts / "resolutions-consultation-record-1280x800.png",
                          full_page=True)
    assert errors == []



def test_an_amendment_picks_from_the_list_and_a_conclusion_has_its_page(artifacts):
    chamber = _chamber()
    clerk_actor = Actor(user=chamber.clerk)
    first = adopting.resolution_from_poll(poll_id=chamber.poll.pk, title="", actor=clerk_actor)
    sitting = SimpleNamespace(
        session=chamber.session, chair=chamber.chair, delegates=chamber.delegates
    )
    other = vote(sitting, "Nghị quyết về phí chợ xã", ["yes"] * 5)
    adopting.resolution_from_poll(poll_id=other.pk, title="", actor=clerk_actor)
    amend = vote(sitting, "Sửa đổi Nghị quyết về dự toán ngân sách xã", ["yes"] * 5)
    errors: list[str] = []
    with running_servers(1, redis=False) as [server], chromium() as new_context:
        base = server.http
        # 1. The amendment: the clerk types a few words without diacritics and picks.
        clerk = new_context(**WALL).new_page()
        _sign_in(clerk, base, chamber.clerk, "/resolutions/", errors)
        form = clerk.locator(f'.res-adopt[data-poll-id="{amend.pk}"]')
        form.locator("summary").click()
        target = form.locator("select[name=target]")
        expect(target.locator("option")).to_have_count(3)  # none, and the commune's two
        form.locator("select[name=relation]").select_option("amends")
        form.locator(".res-target-search").fill("du toan ngan sach")
        expect(target.locator("option")).to_have_count(2)
        expect(target).to_have_value(str(first.pk))  # the only one found is chosen
        expect(form.locator(".res-target-count")).to_have_text("(tìm thấy 1)")
        clerk.screenshot(path=artifacts / "resolutions-amend-pick-1920x1080.png")
        form.locator("button[type=submit]").click()
        clerk.wait_for_url(re.compile(r"/resolutions/\d+/$"))
        expect(clerk.locator("#resolution-symbol")).to_have_text("3/NQ-HĐND")
        expect(clerk.locator("main")).to_contain_text(f"Sửa đổi, bổ sung: {first.symbol}")

        # 2. A conclusion of the sitting, from its page on a tablet-sized screen.
        tablet = watch_errors(new_context(**TABLET).new_page(), errors)
        _sign_in(tablet, base, chamber.clerk, "/resolutions/conclusions/", errors)
        tablet.locator("#conclusion-new summary").click()
        tablet.fill("#conclusion-form input[name=title]", "Kết luận về phiên chất vấn tại kỳ họp")
        day = timezone.localdate().strftime("%d/%m/%Y")  # as Vietnamese write it
        tablet.fill("#conclusion-form input[name=adopted_on]", day)
        tablet.screenshot(path=artifacts / "resolutions-conclusion-new-1280x800.png")
        tablet.click("#conclusion-form button[type=submit]")
        tablet.wait_for_url(re.compile(r"/resolutions/conclusions/\d+/$"))
        expect(tablet.locator("#resolution-symbol")).to_have_text("1/KL-HĐND")
        expect(tablet.locator(".res-fact").first).to_contain_text(day)
        tablet.click("#nav-conclusions")
        tablet.fill("#search-q", "chat van")
        tablet.keyboard.press("Enter")
        expect(tablet.locator("#conclusion-table tbody tr[data-conclusion-id]")).to_have_count(1)
        tablet.screenshot(path=artifacts / "resolutions-conclusions-1280x800.png", full_page=True)

        # 3. The sitting's record lists what it adopted.
        clerk.goto(f"{base}/record/{chamber.session.pk}/")
        adopted = clerk.locator("#adopted tr[data-resolution-id]")
        expect(adopted).to_have_count(4)
        expect(clerk.locator("#adopted")).to_contain_text("Đã được sửa đổi, bổ sung")
        clerk.locator("#adopted").scroll_into_view_if_needed()
        clerk.screenshot(path=artifacts / "resolutions-record-adopted-1920x1080.png")
    assert errors == []


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_a_refused_consultation_comes_back_as_typed_then_saves(artifacts, size):
    """The deadline as Chromium's datetime-local field sends it: one in the past is refused in
    Vietnamese with the form as typed (not an empty form), then corrected and saved."""
    place = make_council(seats=3, level=Council.Level.COMMUNE, name="HĐND Xã Phú Thử")
    standing_user = make_console_user("standing", council=place)
    width, height = size
    errors: list[str] = []
    past = timezone.localtime() - datetime.timedelta(hours=2)
    future = timezone.localtime() + datetime.timedelta(days=3)
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        page = new_context(width=width, height=height).new_page()
        _sign_in(page, server.http, standing_user, "/consultations/", errors)
        form = page.locator("#consultation-form")
        form.locator("input[name=title]").fill("Xin ý kiến về đổi tên đường Lê Lợi")
        form.locator("textarea[name=question]").fill("Đổi tên theo đề nghị của UBND xã")
        form.locator("select[name=threshold]").select_option("two_thirds")
        form.locator("input[name=deadline]").fill(past.strftime("%Y-%m-%dT%H:%M"))
        page.click("#consultation-create")
        alert = page.locator('[data-tags="code-consultation.deadline_past"]')
        expect(alert).to_contain_text("đã qua")
        expect(alert).to_have_class(re.compile(r"\balert-error\b"))  # drawn as a refusal
        expect(alert).to_contain_text(past.strftime("%H:%M %d/%m/%Y"))
        again = page.locator("#consultation-form")
        expect(again.locator("input[name=title]")).to_have_value(
            "Xin ý kiến về đổi tên đường Lê Lợi"
        )
        expect(again.locator("textarea[name=question]")).to_have_value(
            "Đổi tên theo đề nghị của UBND xã"
        )
        expect(again.locator("select[name=threshold]")).to_have_value("two_thirds")
        expect(again.locator("input[name=deadline]")).to_have_value(
            past.strftime("%Y-%m-%dT%H:%M")
        )
        _no_sideways_scroll(page)
        page.screenshot(path=artifacts / f"consultation-refused-{width}x{height}.png")
        again.locator("input[name=deadline]").fill(future.strftime("%Y-%m-%dT%H:%M"))
        page.click("#consultation-create")
        page.wait_for_url(re.compile(r"/consultations/\d+/$"))
    # The refusal's page answers 400 (nothing was done), which Chromium logs: nothing else.
    assert [e for e in errors if "/consultations/new/" not in e or "(Bad Request)" not in e] == []
    saved = _outside_the_browser_loop(
        lambda: list(place.consultations.values_list("threshold", "deadline"))
    )
    assert saved == [("two_thirds", future.replace(second=0, microsecond=0))]


def test_the_consultations_list_pages_forward_and_back(artifacts):
    """More consultations than a page (it stopped at 200 rows): "Xem tiếp", then "Trang
    trước". Screenshots at 1280×800 and 1024×768."""
    from resolutions.services import consultation as consult

    place = make_council(seats=3, level=Council.Level.COMMUNE, name="HĐND Xã Phú Thử")
    standing_user = make_console_user("standing", council=place)
    deadline = timezone.now() + datetime.timedelta(days=3)
    for n in range(53):
        consult.consultation_create(
            council_id=place.pk, title=f"Xin ý kiến về kế hoạch đầu tư công đợt {n + 1}",
            actor=Actor(user=standing_user), deadline=deadline,
        )
    errors: list[str] = []
    with running_servers(1, redis=True) as [server], chromium() as new_context:
        page = new_context(width=1280, height=800).new_page()
        _sign_in(page, server.http, standing_user, "/consultations/", errors)
        rows = page.locator("#consultation-table tbody tr")
        expect(rows).to_have_count(50)
        expect(rows.first).to_contain_text("đợt 53")
        page.click("[data-next]")
        page.wait_for_url("**after=*")
        expect(rows).to_have_count(3)
        expect(rows.last).to_contain_text("đợt 1")
        for width, height in [(1280, 800), (1024, 768)]:
            page.set_viewport_size({"width": width, "height": height})
            _no_sideways_scroll(page)
            page.screenshot(path=artifacts / f"consultations-page-2-{width}x{height}.png")
        page.click("[data-previous]")
        page.wait_for_url("**before=*")
        expect(rows).to_have_count(50)
        expect(rows.first).to_contain_text("đợt 53")
        expect(page.locator("[data-previous]")).to_have_count(0)
    assert errors == []
