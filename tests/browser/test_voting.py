"""A live electronic vote on the three screens, in a real browser against a real server.

The console creates and opens a named poll; four tablets vote through their ballots (with the
confirmation step); the projector follows the progress; the console closes and publishes; the
projector shows the bar chart and the verdict. What the screens showed is then checked against
the database (ballots, receipts, the stored result). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from meeting import selectors, services
from meeting.badges import sign_in_url
from meeting.models import AgendaItem, Attendance
from realtime.actors import Actor
from tests.browser.conftest import chromium, console_login, make_console_user, watch_errors
from tests.factories import make_council, make_session
from tests.servers import running_servers
from voting.models import Ballot, Participation, Poll, PollResult
from voting.secrecy import receipt_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=15_000)

ITEMS = [
    "Nghị quyết về dự toán ngân sách phường và phân bổ ngân sách năm 2027",
    "Nghị quyết về chương trình giám sát năm 2027 của Hội đồng nhân dân phường",
    "Nghị quyết về kế hoạch đầu tư công trung hạn giai đoạn 2026–2030",
]


def _make_sitting():
    """Seven seats; five marked present (four will vote from tablets), one excused."""
    council = make_council(seats=7, name="HĐND Phường Bến Thành")
    session = make_session(council=council, items=len(ITEMS))
    for item in AgendaItem.objects.filter(session=session, parent=None).order_by("position"):
        item.title = ITEMS[item.position]
        item.save(update_fields=["title"])
    chair = make_console_user(council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    marks = {**dict.fromkeys(range(5), Attendance.Status.PRESENT), 5: Attendance.Status.EXCUSED}
    for index, status in marks.items():
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegates[index].pk,
            status=status,
            actor=Actor(user=chair),
        )
    return session, chair, delegates


def _connected(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-connection", "open")


def _open_tablet(
    new_context, server, delegate, errors, *, width=1024, height=768, frames=None
) -> Page:
    page = watch_errors(new_context(width=width, height=height).new_page(), errors)
    if frames is not None:  # the ballots this tablet sends, as sent
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framesent",
                lambda text: frames.append(json.loads(text)) if "ballot.cast" in text else None,
            ),
        )
    page.goto(sign_in_url(server.http, delegate))
    page.wait_for_url(re.compile(r"/tablet/$"))
    _connected(page)
    return page


def _vote(tablet: Page, choice: str, label: str) -> None:
    ballot = tablet.locator("#ballot")
    expect(ballot).to_have_attribute("data-state", "choose")
    tablet.click(f'#ballot-choices .choice-btn[data-choice="{choice}"]')
    expect(ballot).to_have_attribute("data-state", "confirm")
    expect(tablet.locator("#ballot-confirm-choice")).to_have_text(label)
    tablet.click("#ballot-send")
    expect(ballot).to_have_attribute("data-state", "cast")


def test_named_vote_from_console_to_tablets_and_projector(artifacts):
    session, chair, delegates = _make_sitting()
    item = selectors.agenda_order(session)[0]
    voters, absentee = delegates[:4], delegates[4]
    errors: list[str] = []
    shown: dict[str, object] = {}

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        console = new_context(width=1440, height=900).new_page()
        console_sent: list[str] = []  # the types of the commands the console sends
        console.on(
            "websocket",
            lambda ws: ws.on(
                "framesent", lambda text: console_sent.append(json.loads(text)["type"])
            ),
        )
        console_login(console, server.http, chair, session.pk)
        watch_errors(console, errors)
        _connected(console)

        projector = watch_errors(new_context(width=1920, height=1080).new_page(), errors)
        projector.goto(f"{server.http}/projector/{session.pk}/?key={session.projector_key}")
        _connected(projector)

        ballot_frames: list[dict] = []
        tablet = _open_tablet(
            new_context, server, voters[0], errors, width=1280, height=800, frames=ballot_frames
        )
        retry_frames: list[dict] = []
        others = [
            _open_tablet(new_context, server, voters[1], errors, frames=retry_frames),
            *(_open_tablet(new_context, server, delegate, errors) for delegate in voters[2:]),
        ]
        for page in (tablet, *others):
            expect(page.locator("body")).to_have_attribute("data-attendance", "present")
            expect(page.locator("#ballot")).to_be_hidden()

        # (1) The console creates a named poll for the current item, with a rule of its own.
        console.click("#tab-voting")
        expect(console.locator("#poll-empty")).to_be_visible()
        console.click("#poll-new")
        expect(console.locator("#poll-title")).to_have_value(item.title)
        expect(console.locator("#poll-item-line")).to_contain_text(item.title)
        expect(console.locator('input[name="kind"][value="named"]')).to_be_checked()
        console.click("#poll-advanced summary")
        console.select_option("#poll-base", "present")
        console.fill("#poll-countdown", "600")
        console.screenshot(path=artifacts / "console-voting-create-1440x900.png")
        sent_before = len(console_sent)
        console.click("#poll-create")
        detail = console.locator("#poll-detail")
        expect(detail).to_have_attribute("data-status", "draft")
        expect(console.locator("#poll-list .poll-row")).to_have_count(1)
        # The draft came as poll.created: no new snapshot asked for. Drafts stay on the console.
        assert "snapshot.request" not in console_sent[sent_before:], console_sent
        expect(projector.locator("#poll-panel")).to_be_hidden()

        # (2) ... and opens it: every screen shows it at once.
        console.click('#poll-detail [data-action="open"]')
        expect(detail).to_have_attribute("data-status", "open")
        poll_id = detail.get_attribute("data-poll-id")
        expect(console.locator("body")).to_have_attribute("data-open-poll-id", poll_id)
        progress = projector.locator("#poll-progress")
        expect(projector.locator("#poll-panel")).to_have_attribute("data-status", "open")
        expect(projector.locator("#poll-title")).to_have_text(item.title)
        expect(progress).to_have_attribute("data-voted", "0")
        expect(progress).to_have_attribute("data-entitled", "5")
        expect(projector.locator("#current-item")).to_be_hidden()
        expect(projector.locator("#poll-countdown")).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))
        expect(console.locator("#poll-not-voted .not-voted-item")).to_have_count(5)

        # (3) A delegate votes "Tán thành", with the confirmation step, and gets a receipt.
        ballot = tablet.locator("#ballot")
        expect(ballot).to_be_visible()
        expect(ballot).to_have_attribute("data-poll-id", poll_id)
        expect(tablet.locator("#ballot-title")).to_have_text(item.title)
        expect(tablet.locator("#ballot-kind")).to_have_text("Biểu quyết công khai")
        tablet.screenshot(path=artifacts / "tablet-voting-choose-1280x800.png")
        tablet.click('#ballot-choices .choice-btn[data-choice="yes"]')
        expect(ballot).to_have_attribute("data-state", "confirm")
        expect(tablet.locator("#ballot-confirm-choice")).to_have_text("Tán thành")
        tablet.screenshot(path=artifacts / "tablet-voting-confirm-1280x800.png")
        # "Chọn lại" goes back without sending anything.
        tablet.click("#ballot-back")
        expect(ballot).to_have_attribute("data-state", "choose")
        assert ballot_frames == []
        tablet.click('#ballot-choices .choice-btn[data-choice="yes"]')
        tablet.click("#ballot-send")
        expect(ballot).to_have_attribute("data-state", "cast")
        expect(tablet.locator("#ballot-done-title")).to_have_text("Đã ghi nhận phiếu")
        expect(tablet.locator(".toast-ok")).to_contain_text("Đã ghi nhận phiếu")
        receipt_box = tablet.locator("#ballot-receipt")
        expect(receipt_box).to_have_attribute("data-receipt", re.compile(r"^[0-9a-f]{20}$"))
        receipt = receipt_box.get_attribute("data-receipt")
        tablet.screenshot(path=artifacts / "tablet-voting-1280x800.png")
        [frame] = ballot_frames
        assert frame["data"] == {"poll_id": int(poll_id), "choice": "yes"}
        assert len(str(frame["id"])) >= 16
        stored = tablet.evaluate(
            f"JSON.parse(localStorage.getItem('chamber.receipts.{voters[0].pk}'))"
        )
        assert stored[poll_id]["receipt"] == receipt

        # The projector and the console follow: 1 of 5.
        expect(progress).to_have_attribute("data-voted", "1")
        expect(projector.locator("#poll-voted")).to_have_text("1")
        expect(projector.locator("#poll-entitled")).to_have_text("5")
        projector.screenshot(path=artifacts / "projector-voting-progress-1920x1080.png")
        not_voted = console.locator("#poll-not-voted .not-voted-item")
        expect(not_voted).to_have_count(4)
        expect(
            console.locator(f'.not-voted-item[data-delegate-id="{voters[0].pk}"]')
        ).to_have_count(0)

        # After the ballot, the tablet can be put aside: the side card keeps the receipt.
        tablet.click("#ballot-hide")
        expect(ballot).to_be_hidden()
        expect(tablet.locator("#poll-card-mine")).to_have_text("Bạn đã biểu quyết")
        expect(tablet.locator("#last-receipt-code")).to_have_attribute("data-receipt", receipt)
        tablet.screenshot(path=artifacts / "tablet-voting-card-1280x800.png")

        # (4) A delegate marked absent is refused with the server's message; the tablet's check-in
        # does not undo the chair's mark (issue 10 item 16): scanning the badge again does.
        late = others[2]
        console.click("#tab-roster")
        late_row = console.locator(f'#roster tr[data-delegate-id="{voters[3].pk}"]')
        late_row.locator('.seg-btn[data-status="absent"]').click()
        console.click("#tab-voting")
        expect(late.locator("body")).to_have_attribute("data-attendance", "absent")
        expect(late.locator("#ballot-not-present")).to_be_visible()
        late.click('#ballot-choices .choice-btn[data-choice="no"]')
        late.click("#ballot-send")
        expect(late.locator(".toast-error")).to_contain_text(
            "Đại biểu cần điểm danh có mặt trước khi biểu quyết."
        )
        expect(late.locator("#ballot")).to_have_attribute("data-state", "confirm")
        late.click("#ballot-check-in")
        expect(late.locator(".toast-error").last).to_contain_text("quét thẻ")
        expect(late.locator("body")).to_have_attribute("data-attendance", "absent")
        late.goto(sign_in_url(server.http, voters[3]))
        expect(late.locator("body")).to_have_attribute("data-attendance", "present")
        late.click('#ballot-choices .choice-btn[data-choice="no"]')
        late.click("#ballot-send")
        expect(late.locator("#ballot")).to_have_attribute("data-state", "cast")

        # A ballot whose answer was lost (a dropped link, a reload) is sent again under the id
        # it was first sent with: the tablet keeps it until the server answers.
        retry_id = "6f1c2a9e-8d4b-4c3e-9a7f-2b5d8e1f0a3c"
        others[0].evaluate(
            "([key, value]) => localStorage.setItem(key, JSON.stringify(value))",
            [
                f"chamber.ballot.pending.{voters[1].pk}.{poll_id}",
                {"id": retry_id, "data": {"poll_id": int(poll_id), "choice": "yes"}},
            ],
        )
        _vote(others[0], "yes", "Tán thành")
        assert [frame["id"] for frame in retry_frames] == [retry_id]
        assert (
            others[0].evaluate(
                f"localStorage.getItem('chamber.ballot.pending.{voters[1].pk}.{poll_id}')"
            )
            is None
        )
        _vote(others[1], "yes", "Tán thành")
        expect(progress).to_have_attribute("data-voted", "4")
        expect(progress).to_have_attribute("data-entitled", "5")
        expect(not_voted).to_have_count(1)
        expect(not_voted.first).to_have_attribute("data-delegate-id", str(absentee.pk))
        expect(console.locator("#poll-live-progress")).to_have_attribute("data-voted", "4")
        expect(console.locator("#tab-voting-badge")).to_have_text("4/5")
        console.screenshot(path=artifacts / "console-voting-open-1440x900.png")

        # (5) The console closes (after confirming): the room waits for the publication.
        console.click('#poll-detail [data-action="close"]')
        console.click("#poll-close-dialog button[value=cancel]")
        expect(detail).to_have_attribute("data-status", "open")
        console.click('#poll-detail [data-action="close"]')
        console.click("#poll-close-yes")
        expect(detail).to_have_attribute("data-status", "closed")
        result = console.locator("#poll-live-result")
        expect(result).to_have_attribute("data-passed", "true")
        expect(projector.locator("#poll-panel")).to_have_attribute("data-status", "closed")
        expect(projector.locator("#poll-closed")).to_contain_text("Đã kết thúc — chờ công bố")
        expect(projector.locator("#poll-result")).to_be_hidden()
        projector.screenshot(path=artifacts / "projector-voting-closed-1920x1080.png")
        expect(ballot).to_be_hidden()
        expect(tablet.locator("#poll-card")).to_have_attribute("data-status", "closed")
        expect(tablet.locator("#poll-card-mine")).to_have_text("Đã kết thúc — chờ công bố")
        shown["console_digest"] = result.locator(".poll-digest").get_attribute("title")
        console.screenshot(path=artifacts / "console-voting-1440x900.png")

        # (6) ... and publishes: the bar chart and the verdict on the projector.
        console.click('#poll-detail [data-action="publish"]')
        expect(detail).to_have_attribute("data-status", "published")
        panel = projector.locator("#poll-panel")
        expect(panel).to_have_attribute("data-status", "published")
        verdict = projector.locator("#poll-result")
        expect(verdict).to_have_attribute("data-passed", "true")
        expect(projector.locator("#poll-verdict .verdict-text")).to_have_text("Thông qua")
        bars = projector.locator("#poll-bars .chart-row")
        expect(bars).to_have_count(3)
        shown["counts"] = {
            choice: int(
                projector.locator(f'#poll-bars .chart-row[data-choice="{choice}"]').get_attribute(
                    "data-count"
                )
            )
            for choice in ("yes", "no", "abstain")
        }
        expect(projector.locator("#poll-bars .chart-label-text")).to_have_text(
            ["Tán thành", "Không tán thành", "Không biểu quyết"]
        )
        expect(projector.locator("#poll-facts")).to_contain_text("5 · số đại biểu có mặt")
        expect(projector.locator("#poll-facts")).to_contain_text("3 · Quá nửa")
        shown["projector_digest"] = projector.locator("#poll-digest").text_content()
        projector.screenshot(path=artifacts / "projector-voting-result-1920x1080.png")

        # The tablets show the result, with the delegate's own receipt.
        expect(ballot).to_have_attribute("data-state", "result")
        expect(tablet.locator("#ballot-verdict")).to_have_text("Thông qua")
        expect(tablet.locator("#ballot-hint")).to_contain_text(receipt[:4])
        tablet.screenshot(path=artifacts / "tablet-voting-result-1280x800.png")
        tablet.click("#ballot-hide")
        tablet.screenshot(path=artifacts / "tablet-voting-published-1280x800.png")
        tablet.set_viewport_size({"width": 800, "height": 1280})
        tablet.screenshot(path=artifacts / "tablet-voting-published-800x1280.png")
        tablet.set_viewport_size({"width": 1280, "height": 800})
        card_verdict = tablet.locator("#poll-card-result .verdict")
        expect(card_verdict).to_have_attribute("data-passed", "true")

        # (7) A re-vote, opened and then cancelled with a reason the room can read.
        sent_before = len(console_sent)
        console.click('#poll-detail [data-action="revote"]')
        expect(detail).to_have_attribute("data-status", "draft")
        revote_id = detail.get_attribute("data-poll-id")
        assert revote_id != poll_id
        assert console_sent[sent_before:] == ["poll.revote"], (
            console_sent
        )  # poll.created, no snapshot
        console.click('#poll-detail [data-action="open"]')
        expect(panel).to_have_attribute("data-status", "open")
        expect(panel).to_have_attribute("data-poll-id", revote_id)
        expect(progress).to_have_attribute("data-voted", "0")
        expect(ballot).to_have_attribute("data-state", "choose")
        console.click('#poll-detail [data-action="cancel"]')
        console.click("#poll-cancel-yes")
        expect(console.locator("#poll-cancel-error")).to_be_visible()
        console.fill("#poll-cancel-reason", "Sai sót kỹ thuật khi mở biểu quyết")
        console.click("#poll-cancel-yes")
        expect(detail).to_have_attribute("data-status", "cancelled")
        expect(panel).to_have_attribute("data-status", "cancelled")
        expect(projector.locator("#poll-cancel-reason")).to_contain_text(
            "Sai sót kỹ thuật khi mở biểu quyết"
        )
        expect(ballot).to_be_hidden()
        expect(tablet.locator(".toast-error")).to_contain_text("Sai sót kỹ thuật")
        projector.screenshot(path=artifacts / "projector-voting-cancelled-1920x1080.png")

    assert errors == []

    # What the screens showed is what the database holds.
    poll = Poll.objects.get(pk=int(poll_id))
    assert poll.status == Poll.Status.PUBLISHED
    assert (poll.kind, poll.base, poll.agenda_item_id) == ("named", "present", item.pk)
    assert poll.countdown_seconds == 600
    ballots = {b.delegate_id: b for b in Ballot.objects.filter(poll=poll, superseded=False)}
    assert {d: b.choice for d, b in ballots.items()} == {
        voters[0].pk: "yes",
        voters[1].pk: "yes",
        voters[2].pk: "yes",
        voters[3].pk: "no",
    }
    assert ballots[voters[0].pk].receipt == receipt
    # The retried ballot counted once, under the id it was first sent with.
    assert ballots[voters[1].pk].receipt == receipt_for(poll_id=poll.pk, command_id=retry_id)
    assert Participation.objects.filter(poll=poll).count() == 4
    stored = PollResult.objects.get(poll=poll)
    assert stored.counts == shown["counts"] == {"yes": 3, "no": 1, "abstain": 0}
    assert (stored.ballots, stored.present, stored.base, stored.required) == (4, 5, 5, 3)
    assert stored.passed is True
    assert shown["console_digest"] == stored.digest
    assert stored.digest[:16] in str(shown["projector_digest"])
    revote = Poll.objects.get(pk=int(revote_id))
    assert revote.revote_of_id == poll.pk
    assert revote.status == Poll.Status.CANCELLED
    assert revote.cancel_reason == "Sai sót kỹ thuật khi mở biểu quyết"
    assert not Ballot.objects.filter(poll=revote).exists()


def test_secret_election_with_options(artifacts):
    """A secret ballot among candidates: the limits are enforced on the tablet, no one's name
    is stored with a ballot, and the projector marks who is elected."""
    council = make_council(seats=5, name="HĐND Xã Tân Phú")
    session = make_session(council=council, items=2)
    chair = make_console_user(council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates[:4]:  # the sitting's quorum: four of five
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegate.pk,
            status=Attendance.Status.PRESENT,
            actor=Actor(user=chair),
        )
    candidates = ["Nguyễn Thị Hoa", "Trần Văn Minh", "Lê Thị Thu"]
    title = "Bầu Ủy viên Thường trực Hội đồng nhân dân xã"
    errors: list[str] = []

    with running_servers(1, redis=True) as [server], chromium() as new_context:
        console = new_context(width=1440, height=900).new_page()
        console_login(console, server.http, chair, session.pk)
        watch_errors(console, errors)
        _connected(console)
        projector = watch_errors(new_context(width=1920, height=1080).new_page(), errors)
        projector.goto(f"{server.http}/projector/{session.pk}/?key={session.projector_key}")
        _connected(projector)
        first = _open_tablet(new_context, server, delegates[0], errors, width=1280, height=800)
        second = _open_tablet(new_context, server, delegates[1], errors)

        # Created and opened in one step, secret, with options and a rule of its own.
        console.click("#tab-voting")
        console.click("#poll-new")
        console.fill("#poll-title", title)
        console.check('input[name="kind"][value="secret"]')
        console.check('input[name="choice_type"][value="options"]')
        console.fill("#poll-options", "\n".join(candidates))
        console.fill("#poll-min", "1")
        console.fill("#poll-max", "2")
        console.click("#poll-advanced summary")
        console.select_option("#poll-base", "cast")
        console.click("#poll-create-open")
        detail = console.locator("#poll-detail")
        expect(detail).to_have_attribute("data-status", "open")
        expect(detail).to_have_attribute("data-kind", "secret")
        expect(console.locator("#poll-not-voted")).to_have_count(0)

        panel = projector.locator("#poll-panel")
        expect(panel).to_have_attribute("data-status", "open")
        expect(panel.locator(".poll-kind")).to_have_text("Bỏ phiếu kín")
        expect(projector.locator("#poll-clock")).to_be_hidden()  # no countdown

        ballot = first.locator("#ballot")
        expect(ballot).to_have_attribute("data-kind", "secret")
        expect(first.locator("#ballot-kind .poll-kind-secret")).to_be_visible()
        expect(first.locator("#ballot-hint")).to_have_text("Chọn từ 1 đến 2 lựa chọn.")
        tiles = first.locator("#ballot-options-list .option-tile")
        expect(tiles).to_have_count(3)
        expect(first.locator("#ballot-next")).to_be_disabled()  # at least one
        tiles.nth(0).click()
        tiles.nth(1).click()
        # At the maximum the third waits.
        expect(tiles.nth(2).locator("input")).to_be_disabled()
        expect(first.locator("#ballot-count")).to_have_text("Đã chọn 2/2")
        first.screenshot(path=artifacts / "tablet-voting-options-1280x800.png")
        first.click("#ballot-next")
        expect(first.locator("#ballot-confirm-choice li")).to_have_text(candidates[:2])
        expect(first.locator("#ballot-confirm-note")).to_contain_text("Bỏ phiếu kín")
        first.click("#ballot-send")
        expect(ballot).to_have_attribute("data-state", "cast")
        receipts = [first.locator("#ballot-receipt").get_attribute("data-receipt")]
        # A secret ballot's choice is not kept on the tablet, only its receipt.
        kept = first.evaluate(
            f"JSON.parse(localStorage.getItem('chamber.receipts.{delegates[0].pk}'))"
        )
        assert list(kept.values())[0]["receipt"] == receipts[0]
        assert "choice" not in list(kept.values())[0]

        second.locator("#ballot-options-list .option-tile").nth(0).click()
        second.click("#ballot-next")
        second.click("#ballot-send")
        expect(second.locator("#ballot")).to_have_attribute("data-state", "cast")
        receipts.append(second.locator("#ballot-receipt").get_attribute("data-receipt"))

        expect(projector.locator("#poll-progress")).to_have_attribute("data-voted", "2")
        expect(console.locator("#poll-live-progress")).to_have_attribute("data-voted", "2")
        console.click('#poll-detail [data-action="close"]')
        console.click("#poll-close-yes")
        expect(detail).to_have_attribute("data-status", "closed")
        console.click('#poll-detail [data-action="publish"]')
        expect(panel).to_have_attribute("data-status", "published")
        rows = projector.locator("#poll-bars .chart-row")
        expect(rows.locator(".chart-label-text")).to_have_text(candidates)
        expect(rows.nth(0)).to_have_attribute("data-elected", "true")
        expect(rows.nth(0)).to_have_attribute("data-count", "2")
        expect(rows.nth(1)).to_have_attribute("data-elected", "false")
        expect(rows.nth(2)).to_have_attribute("data-count", "0")
        expect(projector.locator("#poll-verdict .verdict-text")).to_have_text("1 lựa chọn đạt")
        projector.screenshot(path=artifacts / "projector-election-result-1920x1080.png")

    assert errors == []
    poll = Poll.objects.get(session=session)
    assert (poll.kind, poll.choice_type, poll.base) == ("secret", "options", "cast")
    assert (poll.min_selections, poll.max_selections) == (1, 2)
    ballots = list(Ballot.objects.filter(poll=poll))
    assert all(b.delegate_id is None for b in ballots)
    assert sorted(b.receipt for b in ballots) == sorted(receipts)
    assert sorted(json.dumps(b.choice) for b in ballots) == ['["1", "2"]', '["1"]']
    result = PollResult.objects.get(poll=poll)
    assert result.elected == {"1": True, "2": False, "3": False}
    assert result.counts == {"1": 2, "2": 1, "3": 0}
