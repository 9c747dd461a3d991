"""The paperless reader on the three screens, in a real browser against a real server.

A delegate opens a document, turns pages (keys, a swipe, the buttons, the page number),
searches without diacritics and opens a hit, writes a private note (kept across a reload, and
live on their other tablet); the console shows pages to the room: the following tablet switches,
a tablet that left follow mode stays until it taps "return"; the projector shows the page (not a
confidential one) and the QR code of the public documents, and yields to an open vote.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from documents import services as documents
from documents.models import Document, Note
from meeting import selectors, services
from meeting.badges import sign_in_url
from meeting.models import AgendaItem, Attendance
from realtime.actors import Actor
from tests.browser.conftest import chromium, console_login, make_console_user, watch_errors
from tests.documents.pdfs import make_pdf
from tests.factories import make_council, make_session, make_staff
from tests.servers import running_servers
from voting import services as voting
from voting.models import Ballot
from voting.secrecy import receipt_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)

ITEMS = [
    "Báo cáo tình hình kinh tế – xã hội năm 2026 và kế hoạch năm 2027",
    "Nghị quyết về dự toán ngân sách phường năm 2027",
    "Công tác nhân sự",
]

BODY = (
    "Trong năm, Ủy ban nhân dân phường đã tập trung chỉ đạo thực hiện đồng bộ các giải pháp "
    "phát triển kinh tế, bảo đảm an sinh xã hội, giữ vững quốc phòng, an ninh. Các chỉ tiêu "
    "chủ yếu đều đạt và vượt kế hoạch đề ra; thu ngân sách trên địa bàn ước đạt 112% dự toán."
)


def _pages(title: str, count: int, special: dict[int, str] | None = None) -> list[str]:
    special = special or {}
    return [
        f"{title.upper()}\n\nTrang {n}/{count}\n\n{special.get(n, BODY)}\n\n{BODY}"
        for n in range(1, count + 1)
    ]


def _make_sitting():
    council = make_council(seats=7, name="HĐND Phường Bến Thành")
    session = make_session(council=council, items=len(ITEMS))
    items = list(AgendaItem.objects.filter(session=session, parent=None).order_by("position"))
    for item in items:
        item.title = ITEMS[item.position]
        item.save(update_fields=["title"])
    chair = make_console_user(council=council)
    clerk = Actor(user=make_staff(role="clerk"))
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates[:5]:
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegate.pk,
            status=Attendance.Status.PRESENT,
            actor=Actor(user=chair),
        )

    def upload(title, pages, access, item=None):
        return documents.document_upload(
            session_id=session.pk,
            title=title,
            data=make_pdf(pages),
            actor=clerk,
            access=access,
            agenda_item_id=item.pk if item else None,
        )

    docs = {
        "programme": upload("Chương trình kỳ họp", _pages("Chương trình kỳ họp", 2), "public"),
        "report": upload(
            "Báo cáo tình hình kinh tế – xã hội năm 2026",
            _pages(
                "Báo cáo kinh tế – xã hội",
                12,
                {7: "Thực hiện Nghị quyết số 15/NQ-HĐND của Hội đồng nhân dân phường."},
            ),
            "public",
            items[0],
        ),
        "resolution": upload(
            "Dự thảo Nghị quyết về dự toán ngân sách năm 2027",
            _pages(
                "Dự thảo nghị quyết",
                4,
                {
                    1: "Nghị quyết về dự toán thu ngân sách nhà nước trên địa bàn phường.",
                    3: "Điều 3. Giao Ủy ban nhân dân phường tổ chức thực hiện Nghị quyết này.",
                },
            ),
            "delegates",
            items[1],
        ),
        "secret": upload(
            "Báo cáo thẩm tra hồ sơ nhân sự",
            _pages("Báo cáo thẩm tra", 3),
            "confidential",
            items[2],
        ),
    }
    return session, chair, delegates, docs


def _connected(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-connection", "open")


def _tablet(new_context, server, delegate, errors, *, width=1280, height=800) -> Page:
    page = watch_errors(new_context(width=width, height=height).new_page(), errors)
    page.goto(sign_in_url(server.http, delegate))
    page.wait_for_url(re.compile(r"/tablet/$"))
    _connected(page)
    return page


def _at(page: Page, document: Document, number: int, *, follow: bool | None = None) -> None:
    """The reader shows page ``number`` of ``document``, its image loaded."""
    reader = page.locator("#reader")
    expect(reader).to_be_visible()
    expect(reader).to_have_attribute("data-document-id", str(document.pk))
    expect(reader).to_have_attribute("data-page", str(number))
    expect(reader).to_have_attribute("data-image-page", str(number))
    if follow is not None:
        expect(reader).to_have_attribute("data-follow", "true" if follow else "false")


def _shot(target, path) -> None:
    """A screenshot with animations at their end (a banner caught fading in looks faded)."""
    target.screenshot(path=path, animations="disabled")


def _images_loaded(page: Page, selector: str) -> None:
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete && i.naturalWidth > 0)",
        arg=selector,
    )


def _swipe_left(page: Page) -> None:
    box = page.locator("#page-viewport").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.8, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.25, y, steps=8)
    page.mouse.up()


def _pinch(page: Page, *, spread: int) -> None:
    """Two touch points moving apart over the page (Chromium's own touch input)."""
    box = page.locator("#page-viewport").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, gap: float) -> None:
        points = (
            []
            if kind == "touchEnd"
            else [
                {"x": x - gap, "y": y, "id": 1},
                {"x": x + gap, "y": y, "id": 2},
            ]
        )
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", 40)
    for step in range(1, 9):
        touch("touchMove", 40 + spread * step / 16)
    touch("touchEnd", 0)
    cdp.detach()


def _show(console: Page, document: Document, number: int, *, confirm: bool = False) -> None:
    """The console picks a document and a page and shows it to the room (``confirm``: a
    document for delegates only, which the console asks about first)."""
    console.click(f'#present-docs .present-doc[data-document-id="{document.pk}"]')
    preview = console.locator("#present-preview")
    expect(preview).to_have_attribute("data-document-id", str(document.pk))
    console.fill("#present-page", str(number))
    console.press("#present-page", "Enter")
    expect(preview).to_have_attribute("data-page", str(number))
    console.click("#present-show")
    if confirm:
        console.click("#confirm-show-yes")
    now = console.locator("#present-now")
    expect(now).to_have_attribute("data-document-id", str(document.pk))
    expect(now).to_have_attribute("data-page", str(number))


def test_reader_follow_the_presenter_and_the_room(artifacts):
    session, chair, delegates, docs = _make_sitting()
    report, resolution, secret = docs["report"], docs["resolution"], docs["secret"]
    me, other = delegates[0], delegates[1]
    errors: list[str] = []
    note = "Đề nghị làm rõ nguồn thu ngân sách tăng 12% so với năm trước."
    later = note + " Đã hỏi Ban Kinh tế – Ngân sách."

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        console = new_context(width=1440, height=900).new_page()
        console_login(console, server.http, chair, session.pk)
        watch_errors(console, errors)
        _connected(console)
        projector = watch_errors(new_context(width=1920, height=1080).new_page(), errors)
        projector.goto(f"{server.http}/projector/{session.pk}/?key={session.projector_key}")
        _connected(projector)

        tablet = _tablet(new_context, server, me, errors)
        expect(tablet.locator("body")).to_have_attribute("data-view", "agenda")

        # (1) The documents by agenda item, with their access badges.
        tablet.click("#tab-documents")
        library = tablet.locator("#library")
        expect(library).to_be_visible()
        expect(tablet.locator("#documents-count")).to_have_text("4")
        expect(library.locator(".doc-row")).to_have_count(4)
        expect(library.locator(".doc-group")).to_have_count(4)  # general + three items
        secret_row = library.locator(f'.doc-row[data-document-id="{secret.pk}"]')
        expect(secret_row.locator(".access")).to_have_text("Mật")
        expect(library.locator(f'.doc-row[data-document-id="{report.pk}"] .access')).to_have_text(
            "Công khai"
        )
        expect(
            library.locator(f'.doc-row[data-document-id="{resolution.pk}"] .access')
        ).to_have_text("Đại biểu")
        _images_loaded(tablet, "#library-list .doc-cover img")
        _shot(tablet, artifacts / "tablet-documents-1280x800.png")

        # (2) Open a document and turn its pages: keys, a swipe, the buttons, the number.
        library.locator(f'.doc-row[data-document-id="{report.pk}"]').click()
        _at(tablet, report, 1, follow=True)
        expect(tablet.locator("#thumbs .thumb-item")).to_have_count(12)
        tablet.keyboard.press("ArrowRight")
        _at(tablet, report, 2)
        tablet.keyboard.press("PageDown")
        _at(tablet, report, 3)
        _swipe_left(tablet)
        _at(tablet, report, 4)
        tablet.click("#page-next")
        _at(tablet, report, 5)
        tablet.keyboard.press("ArrowLeft")
        _at(tablet, report, 4)
        tablet.fill("#page-input", "7")
        tablet.press("#page-input", "Enter")
        _at(tablet, report, 7)
        tablet.click('#thumbs .thumb[data-page="2"]')
        _at(tablet, report, 2)
        # Zoom in and back: the page grows past the stage, then fits its width again.
        tablet.click("#zoom-in")
        expect(tablet.locator("#reader")).to_have_attribute("data-zoom", "1.25")
        tablet.click("#zoom-reset")
        expect(tablet.locator("#reader")).to_have_attribute("data-zoom", "1.00")
        # Two fingers spread apart: the page grows; ctrl + wheel zooms too.
        _pinch(tablet, spread=160)
        expect(tablet.locator("#reader")).not_to_have_attribute("data-zoom", "1.00")
        tablet.click("#zoom-reset")
        viewport = tablet.locator("#page-viewport")
        box = viewport.bounding_box()
        tablet.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tablet.keyboard.down("Control")
        tablet.mouse.wheel(0, -300)
        tablet.keyboard.up("Control")
        expect(tablet.locator("#reader")).not_to_have_attribute("data-zoom", "1.00")
        # Zoomed in, a drag pans the page instead of turning it.
        left = viewport.evaluate("v => v.scrollLeft")
        _swipe_left(tablet)
        assert viewport.evaluate("v => v.scrollLeft") > left
        _at(tablet, report, 2)
        tablet.click("#zoom-reset")
        expect(tablet.locator("#reader")).to_have_attribute("data-zoom", "1.00")
        _shot(tablet, artifacts / "tablet-reader-1280x800.png")

        # (3) Search without diacritics; the hit opens its page.
        tablet.click("#reader-back")
        expect(tablet.locator("body")).to_have_attribute("data-view", "documents")
        tablet.fill("#search-input", "nghi quyet")
        tablet.press("#search-input", "Enter")
        results = tablet.locator("#search-results")
        expect(results).to_have_attribute("data-state", "done")
        hit = results.locator(f'.hit[data-document-id="{resolution.pk}"][data-page="3"]')
        expect(hit.locator("mark").first).to_have_text(re.compile("Nghị quyết", re.I))
        expect(
            results.locator(f'.hit[data-document-id="{report.pk}"][data-page="7"]')
        ).to_be_visible()
        _shot(tablet, artifacts / "tablet-search-1280x800.png")
        hit.click()
        _at(tablet, resolution, 3, follow=True)  # nothing is shown to the room yet

        # (4) A private note, saved by itself, still there after a reload.
        tablet.click("#note-text")
        tablet.keyboard.type(note)
        expect(tablet.locator("#note-status")).to_have_attribute("data-state", "saved")
        expect(tablet.locator("#note-status")).to_have_text("Đã lưu")
        expect(tablet.locator('#thumbs .thumb-item[data-page="3"]')).to_have_class(
            re.compile("has-note")
        )
        tablet.reload()
        _connected(tablet)
        _at(tablet, resolution, 3)
        expect(tablet.locator("#note-text")).to_have_value(note)

        # ... and live on the delegate's other tablet.
        second_device = _tablet(new_context, server, me, errors, width=800, height=1280)
        second_device.click("#tab-documents")
        second_device.click(f'.doc-row[data-document-id="{resolution.pk}"]')
        second_device.fill("#page-input", "3")
        second_device.press("#page-input", "Enter")
        _at(second_device, resolution, 3)
        expect(second_device.locator("#note-text")).to_have_value(note)
        second_device.click("#note-text")
        second_device.keyboard.press("End")
        second_device.keyboard.type(" Đã hỏi Ban Kinh tế – Ngân sách.")
        expect(second_device.locator("#note-status")).to_have_attribute("data-state", "saved")
        expect(tablet.locator("#note-text")).to_have_value(later)
        _shot(second_device, artifacts / "tablet-reader-800x1280.png")
        second_device.context.close()

        # (5) A second delegate; nothing shown yet, so the agenda.
        follower = tablet
        stray = _tablet(new_context, server, other, errors, width=1024, height=768)
        expect(stray.locator("body")).to_have_attribute("data-view", "agenda")

        # (6) The console shows a page: the projector and both tablets (following) switch.
        console.click("#tab-documents")
        expect(console.locator("#present-panel")).to_be_visible()
        _show(console, report, 5)
        _at(follower, report, 5, follow=True)
        _at(stray, report, 5, follow=True)
        doc_panel = projector.locator("#doc-panel")
        expect(projector.locator("#proj-main")).to_have_attribute("data-view", "document")
        expect(doc_panel).to_have_attribute("data-document-id", str(report.pk))
        expect(doc_panel).to_have_attribute("data-image-page", "5")
        expect(projector.locator("#doc-page")).to_have_text(re.compile(r"Trang\s*5\s*/12"))

        # (7) The second delegate reads on by themself: follow mode ends.
        stray.keyboard.press("ArrowRight")
        _at(stray, report, 6, follow=False)
        expect(stray.locator("#follow-return")).to_be_visible()
        expect(stray.locator("#follow-return")).to_have_attribute("data-page", "5")

        # (8) Another page to the room: the follower moves, the stray stays (its "return" moves).
        _show(console, resolution, 2, confirm=True)
        _at(follower, resolution, 2, follow=True)
        expect(stray.locator("#follow-return")).to_have_attribute(
            "data-document-id", str(resolution.pk)
        )
        expect(stray.locator("#follow-return")).to_have_attribute("data-page", "2")
        _at(stray, report, 6, follow=False)
        _shot(stray, artifacts / "tablet-reader-return-1024x768.png")
        _shot(console.locator("#present-panel"), artifacts / "console-present-panel.png")
        _shot(console, artifacts / "console-documents-1440x900.png")

        # (9) Also from the list of documents, one tap: back on the page shown, following again.
        stray.click("#reader-back")
        expect(stray.locator("body")).to_have_attribute("data-view", "documents")
        expect(stray.locator("#follow-host-main #follow-return")).to_be_visible()
        _images_loaded(stray, "#library-list .doc-cover img")
        _shot(stray, artifacts / "tablet-documents-return-1024x768.png")
        stray.click("#follow-return")
        _at(stray, resolution, 2, follow=True)
        expect(stray.locator("#follow-return")).to_be_hidden()

        # (10) "Next page" on the console shows at once; everyone following moves.
        console.click("#present-now-next")
        expect(console.locator("#present-now")).to_have_attribute("data-page", "3")
        _at(follower, resolution, 3, follow=True)
        _at(stray, resolution, 3, follow=True)
        expect(follower.locator("#note-text")).to_have_value(later)  # the note of that page
        expect(doc_panel).to_have_attribute("data-image-page", "3")
        qr = projector.locator("#public-qr")
        expect(qr.locator("svg.qr-svg")).to_be_visible()
        expect(qr).to_have_attribute(
            "data-url", f"{server.http}/public/sessions/{session.pk}/documents/"
        )
        _shot(projector, artifacts / "projector-document-1920x1080.png")
        assert projector.request.get(qr.get_attribute("data-url")).ok  # the page it leads to

        # (11) A confidential page: on the tablets, never on the wall.
        _show(console, secret, 1)
        _at(follower, secret, 1, follow=True)
        expect(doc_panel).to_have_attribute("data-document-id", str(secret.pk))
        expect(doc_panel).to_have_attribute("data-access", "confidential")
        expect(projector.locator("#doc-secret")).to_be_visible()
        expect(projector.locator("#doc-secret")).to_contain_text("Tài liệu mật")
        expect(projector.locator("#doc-image")).to_be_hidden()
        _shot(projector, artifacts / "projector-document-confidential-1920x1080.png")
        _shot(follower, artifacts / "tablet-reader-confidential-1280x800.png")

        # The reader in English (the language cookie), still following the room.
        stray.context.add_cookies([{"name": "django_language", "value": "en", "url": server.http}])
        stray.reload()
        _connected(stray)
        _at(stray, secret, 1, follow=True)
        expect(stray.locator("#follow-switch")).to_contain_text("Follow the screen")
        expect(stray.locator("#reader-access")).to_have_text("Confidential")
        expect(stray.locator("#reader-page-of")).to_have_text("Page 1/3")
        _shot(stray, artifacts / "tablet-reader-en-1024x768.png")

        # (12) A vote takes the room; the page comes back when the console shows one again.
        console.click("#tab-voting")
        console.click("#poll-new")
        console.fill("#poll-title", "Thông qua Nghị quyết về dự toán ngân sách năm 2027")
        console.click("#poll-create-open")
        expect(projector.locator("#proj-main")).to_have_attribute("data-view", "poll")
        expect(doc_panel).to_be_hidden()
        console.click("#tab-documents")
        _show(console, report, 8)
        expect(projector.locator("#poll-panel")).to_be_visible()  # an open vote wins
        expect(doc_panel).to_be_hidden()
        _at(follower, report, 8, follow=True)

        assert not errors, errors

    notes = {(n.delegate_id, n.document_id, n.page): n.text for n in Note.objects.all()}
    assert notes == {(me.pk, resolution.pk, 3): later}


def test_ballot_goes_over_http_when_the_socket_is_down(artifacts):
    """The socket is closed when the delegate confirms: the same command, over HTTP."""
    session, chair, delegates, _docs = _make_sitting()
    poll = voting.poll_create(
        session_id=session.pk,
        title="Thông qua Nghị quyết về dự toán ngân sách năm 2027",
        actor=Actor(user=chair),
        agenda_item_id=selectors.agenda_order(session)[1].pk,
    )
    voting.poll_open(poll_id=poll.pk, actor=Actor(user=chair))
    errors: list[str] = []
    posted: list[dict] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        tablet = _tablet(new_context, server, delegates[0], errors)
        tablet.on(
            "request",
            lambda request: (
                posted.append(request.post_data_json) if request.url.endswith("/ballot/") else None
            ),
        )
        ballot = tablet.locator("#ballot")
        expect(ballot).to_have_attribute("data-state", "choose")
        # The link drops and stays down (no reconnect).
        tablet.evaluate("chamber.client.ended = true; chamber.client.socket.close()")
        expect(tablet.locator("body")).to_have_attribute("data-connection", "closed")
        tablet.click('#ballot-choices .choice-btn[data-choice="yes"]')
        tablet.click("#ballot-send")
        expect(ballot).to_have_attribute("data-state", "cast")
        receipt = tablet.locator("#ballot-receipt").get_attribute("data-receipt")
        assert not errors, errors

    assert len(posted) == 1 and posted[0]["type"] == "ballot.cast"
    assert posted[0]["data"] == {"poll_id": poll.pk, "choice": "yes"}
    assert receipt == receipt_for(poll_id=poll.pk, command_id=posted[0]["id"])
    assert Ballot.objects.filter(poll=poll).count() == 1
