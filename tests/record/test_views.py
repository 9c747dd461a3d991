"""The record's pages and downloads: public once the session is closed, the staff's before;
and the verification page that finds a delegate's ballot by its receipt."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from meeting import services as meeting
from tests.factories import make_staff
from tests.record.sitting import make_sitting
from voting import services as voting
from voting.ballots import ballot_cast

pytestmark = pytest.mark.django_db

DOWNLOADS = {
    "attendance.csv": "text/csv; charset=utf-8",
    "polls.csv": "text/csv; charset=utf-8",
    "votes.csv": "text/csv; charset=utf-8",
    "record.json": "application/json; charset=utf-8",
}


def urls(session) -> list[str]:
    base = f"/record/{session.pk}/"
    return [base, f"{base}minutes.pdf", *(f"{base}{name}" for name in DOWNLOADS)]


def test_a_closed_sessions_record_is_public(sitting):
    client = Client()
    session = sitting.session
    page = client.get(f"/record/{session.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "HĐND Phường Đông Ba" in html and session.log_head in html
    for poll in sitting.polls:
        assert poll.title in html
    # The four polls and the repetition of the cancelled fifth.
    assert html.count(">THÔNG QUA<") == 4 and html.count(">KHÔNG THÔNG QUA<") == 1
    for name in DOWNLOADS:  # every download is linked from the page
        assert f'href="/record/{session.pk}/{name}"' in html
    assert f'href="/record/{session.pk}/minutes.pdf"' in html

    minutes = client.get(f"/record/{session.pk}/minutes.pdf")
    assert minutes.status_code == 200 and minutes.content.startswith(b"%PDF-")
    assert minutes["Content-Disposition"] == f'inline; filename="bien-ban-ky-hop-{session.pk}.pdf"'
    for name, content_type in DOWNLOADS.items():
        response = client.get(f"/record/{session.pk}/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith('attachment; filename="')
    assert client.get(f"/record/{session.pk}/secrets.csv").status_code == 404
    assert client.get("/record/999999/").status_code == 404


def test_a_live_sessions_record_is_refused_to_the_public_and_served_to_staff(db):
    sitting = make_sitting(close=False)
    session = sitting.session
    assert session.status == "in_progress"
    anonymous = Client()
    for url in urls(session):
        assert anonymous.get(url).status_code == 403, url

    staff = Client()
    staff.force_login(make_staff(role="secretary", council=session.council))
    for url in urls(session):
        assert staff.get(url).status_code == 200, url
    assert ">THÔNG QUA<" in staff.get(f"/record/{session.pk}/").content.decode()


def test_a_delegate_finds_their_ballot_by_its_receipt(sitting):
    client = Client()
    url = f"/record/{sitting.session.pk}/verify/"
    page = client.get(url).content.decode()
    assert sitting.session.log_head in page and 'id="receipt-result"' not in page

    # A named ballot: the page says the choice, which the record shows anyway.
    for poll, index, shown in (
        (sitting.budget, 4, "Không tán thành"),
        (sitting.school, 1, "Phường Thuận Hòa"),
    ):
        receipt = sitting.receipts[poll.pk][index]
        html = client.get(url, {"receipt": receipt}).content.decode()
        assert 'id="receipt-result" data-found="true"' in html, receipt
        assert f"Phiếu của bạn đã được ghi nhận trong “{poll.title}”." in html
        assert f"<strong>{shown}</strong>" in html
    # A secret one: counted, and in the poll's digest; never which choice it carries, since
    # whoever holds the receipt (a photo of the tablet) may open this page.
    for poll, index, hidden in (
        (sitting.oversight, 3, ["Không biểu quyết", "Tán thành"]),
        (sitting.election, 2, ["Lê Thị Thu Hằng", "Khúc Thị Yến"]),
        (sitting.election, 5, ["(phiếu trắng)"]),
    ):
        receipt = sitting.receipts[poll.pk][index]
        html = client.get(url, {"receipt": receipt}).content.decode()
        assert 'id="receipt-result" data-found="true"' in html, receipt
        assert f"Phiếu của bạn đã được ghi nhận trong “{poll.title}”." in html
        assert f'id="receipt-digest" class="hash">{poll.result.digest}<' in html
        assert "<strong>" not in html and not [text for text in hidden if text in html]

    # Typed with capitals and spaces, as read off a tablet: still found.
    receipt = sitting.receipts[sitting.budget.pk][0]
    spaced = " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4)).upper()
    html = client.get(url, {"receipt": spaced}).content.decode()
    assert 'data-found="true"' in html and "<strong>Tán thành</strong>" in html

    for wrong in ("0" * 20, receipt[:-1] + ("0" if receipt[-1] != "0" else "1"), "khong-co"):
        html = client.get(url, {"receipt": wrong}).content.decode()
        assert 'id="receipt-result" data-found="false"' in html, wrong
        assert "Không tìm thấy phiếu với mã biên nhận này." in html


def test_a_receipt_of_another_session_is_not_found_here(sitting):
    other = make_sitting(close=False)
    receipt = other.receipts[other.budget.pk][0]
    html = Client().get(f"/record/{sitting.session.pk}/verify/", {"receipt": receipt})
    assert 'data-found="false"' in html.content.decode()


def test_a_ballot_of_a_cancelled_poll_is_found_but_not_counted(db):
    sitting = make_sitting(close=False)
    chair, voter = sitting.chair, sitting.delegates[0]
    poll = voting.poll_create(session_id=sitting.session.pk, title="Biểu quyết lại", actor=chair)
    voting.poll_open(poll_id=poll.pk, actor=chair)
    receipt = ballot_cast(
        poll_id=poll.pk, delegate=voter, choice="yes", command_id=str(uuid.uuid4())
    )["receipt"]
    voting.poll_cancel(poll_id=poll.pk, reason="Sai nội dung", actor=chair)
    meeting.session_transition(session_id=sitting.session.pk, action="close", actor=chair)
    html = Client().get(f"/record/{sitting.session.pk}/verify/", {"receipt": receipt})
    html = html.content.decode()
    assert 'data-found="true"' in html
    assert "Cuộc biểu quyết này đã bị hủy: phiếu không được tính." in html
    assert "Phiếu được tính" not in html


def test_the_record_lists_what_the_sitting_adopted_linked_with_number_and_status(sitting):
    from realtime.actors import Actor
    from resolutions.services import resolutions as adopting
    from voting.models import PollResult

    session = sitting.session
    html = Client().get(f"/record/{session.pk}/").content.decode()
    assert "Chưa có nghị quyết, kết luận nào được ban hành" in html
    clerk = Actor(user=make_staff(role="clerk", council=session.council))
    passed = [
        p for p in sitting.polls
        if PollResult.objects.filter(poll=p, passed=True, void=False).exists()
    ]
    first = adopting.resolution_from_poll(poll_id=passed[0].pk, title="", actor=clerk)
    amending = adopting.resolution_from_poll(
        poll_id=passed[1].pk, title="", actor=clerk, relation="amends", target_id=first.pk
    )
    conclusion = adopting.conclusion_record(
        session_id=session.pk, title="Kết luận của kỳ họp", actor=clerk
    )
    html = Client().get(f"/record/{session.pk}/").content.decode()
    table = html[html.index('id="adopted"'):html.index("</table>", html.index('id="adopted"'))]
    for adopted, url in (
        (first, f"/resolutions/{first.pk}/"),
        (amending, f"/resolutions/{amending.pk}/"),
        (conclusion, f"/resolutions/conclusions/{conclusion.pk}/"),
    ):
        assert f'href="{url}"' in table and adopted.symbol in table
    assert 'data-status="amended">Đã được sửa đổi, bổ sung<' in table
    assert f'href="#poll-{passed[0].pk}"' in table
    # Beside its vote too.
    vote = html[html.index(f'id="poll-{passed[0].pk}"'):]
    vote = vote[: vote.index("</section>")]
    assert f'href="/resolutions/{first.pk}/"' in vote and first.symbol in vote
