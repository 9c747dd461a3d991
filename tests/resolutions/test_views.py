"""The pages: a delegate answers with their badge from any browser; the Standing Committee
sends, follows and closes; the clerk adopts a passed vote; strangers see nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meeting.badges import badge_token
from realtime.errors import ServiceError
from resolutions.models import Consultation, ConsultationParticipation, Resolution
from resolutions.services import resolutions as services
from tests.factories import make_council, make_staff
from tests.resolutions.helpers import (
    answer,
    consultation_council,
    pdf_bytes,
    sent_consultation,
    sitting_with_votes,
    vote,
)

pytestmark = pytest.mark.django_db


def badge_client(delegate) -> Client:
    client = Client()
    client.get(reverse("tablet-badge", args=[badge_token(delegate)]))
    return client


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_delegate_answers_once_with_their_badge():
    place = consultation_council(seats=3)
    consultation = sent_consultation(place, kind="secret")
    delegate = place.delegates[0]
    assert Client().get(reverse("consultation-list")).status_code == 302  # sign in first
    client = badge_client(delegate)
    tablet = client.get(reverse("tablet")).content.decode()
    assert 'data-waiting="1"' in tablet
    listing = client.get(reverse("consultation-list")).content.decode()
    assert consultation.title in listing and 'data-answered="no"' in listing
    url = reverse("consultation-answer", args=[consultation.pk])
    assert 'id="answer-form"' in client.get(url).content.decode()
    bad = client.post(url, {"choice": "maybe"})
    assert bad.status_code == 400 and b"ballot.invalid_choice" in bad.content
    done = client.post(url, {"choice": "yes", "opinion": "Đồng ý"}, follow=True)
    page = done.content.decode()
    assert 'id="answer-done"' in page and 'id="answer-receipt"' in page
    # The same form sent again answers once; another browser of the same delegate is refused.
    assert client.post(url, {"choice": "no"}).status_code == 302
    second_browser = badge_client(delegate).post(url, {"choice": "no"})
    assert second_browser.status_code == 409 and b"consultation.already_answered" in (
        second_browser.content
    )
    assert ConsultationParticipation.objects.filter(consultation=consultation).count() == 1
    # Another council's delegate does not even see it.
    stranger = badge_client(make_council(seats=2).delegates.first())
    assert stranger.get(url).status_code == 404


def test_the_committee_sends_follows_closes_and_reads_the_record():
    place = consultation_council(seats=4)
    client = staff_client(place.standing.user)
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    created = client.post(
        reverse("consultation-staff-create"),
        {
            "council": place.council.pk,
            "title": "Xin ý kiến về chủ trương đầu tư trường học",
            "form": "yes_no_abstain",
            "kind": "named",
            "threshold": "more_than_half",
            "deadline": deadline,
            "remind_hours": "24, 2",
            "pdf": _upload(),
        },
    )
    consultation = Consultation.objects.get()
    assert created.url == reverse("consultation-staff", args=[consultation.pk])
    assert consultation.draft_file is not None and consultation.remind_hours == [24, 2]
    client.post(reverse("consultation-staff-action", args=[consultation.pk, "send"]))
    consultation.refresh_from_db()
    assert consultation.status == "open"
    for delegate in place.delegates[:3]:
        answer(consultation, delegate, "yes", opinion=f"Ý kiến của {delegate.full_name}")
    page = client.get(reverse("consultation-staff", args=[consultation.pk])).content.decode()
    assert "3/4" in page
    closed = client.post(reverse("consultation-staff-action", args=[consultation.pk, "close"]))
    record_url = reverse("consultation-record", args=[consultation.pk])
    assert closed.url == record_url
    record = client.get(record_url).content.decode()
    assert 'data-passed="yes"' in record
    assert place.delegates[3].full_name in record  # did not answer
    assert f"Ý kiến của {place.delegates[0].full_name}" in record
    # A delegate of the council reads it too; nobody else does.
    assert badge_client(place.delegates[3]).get(record_url).status_code == 200
    assert Client().get(record_url).status_code == 403
    outsider = staff_client(make_staff(role="standing", council=make_council(seats=2)))
    assert outsider.get(record_url).status_code == 403
    assert badge_client(place.delegates[0]).get(
        reverse("consultation-draft", args=[consultation.pk])
    ).status_code == 200


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("du-thao.pdf", pdf_bytes("Dự thảo"), content_type="application/pdf")


def test_the_clerk_adopts_a_passed_vote_from_the_list():
    chamber = sitting_with_votes()
    client = staff_client(chamber.clerk.user)
    listing = client.get(reverse("resolution-list")).content.decode()
    assert f'data-poll-id="{chamber.passed.pk}"' in listing
    assert f'data-poll-id="{chamber.failed.pk}"' not in listing
    adopted = client.post(
        reverse("resolution-adopt"),
        {"poll": chamber.passed.pk, "title": "Nghị quyết về ngân sách", "pdf": _upload()},
    )
    resolution = Resolution.objects.get()
    assert adopted.url == reverse("resolution-detail", args=[resolution.pk])
    detail = client.get(adopted.url).content.decode()
    assert "1/NQ-HĐND" in detail and 'id="adopting-vote"' in detail
    pdf = client.get(reverse("resolution-pdf", args=[resolution.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    found = client.get(reverse("resolution-list"), {"q": "ngan sach"}).content.decode()
    assert f'data-resolution-id="{resolution.pk}"' in found
    missing = client.get(reverse("resolution-list"), {"q": "truong hoc"}).content.decode()
    assert f'data-resolution-id="{resolution.pk}"' not in missing
    refused = client.post(reverse("resolution-adopt"), {"poll": chamber.failed.pk, "title": "X"})
    assert refused.status_code == 400 and Resolution.objects.count() == 1
    outsider = staff_client(make_staff(role="clerk", council=make_council(seats=2)))
    assert outsider.get(adopted.url).status_code == 403


def test_the_clerk_records_a_conclusion_of_the_sitting_and_finds_it():
    chamber = sitting_with_votes()
    session = chamber.sitting.session
    client = staff_client(chamber.clerk.user)
    listing = client.get(reverse("conclusion-list")).content.decode()
    assert 'id="conclusion-form"' in listing and f'<option value="{session.pk}">' in listing
    made = client.post(
        reverse("conclusion-add"),
        {"session": session.pk, "title": "Kết luận về chất vấn tại kỳ họp", "pdf": _upload(),
         "adopted_on": "05/03/2026"},  # day/month/year, as Vietnamese write it
    )
    conclusion = Resolution.objects.get(kind="conclusion")
    assert conclusion.adopted_on.isoformat() == "2026-03-05"
    assert made.url == reverse("conclusion-detail", args=[conclusion.pk])
    detail = client.get(made.url).content.decode()
    assert "1/KL-HĐND" in detail and "Kết luận về chất vấn" in detail
    assert 'id="signed-pdf"' in detail
    found = client.get(reverse("conclusion-list"), {"q": "chat van"}).content.decode()
    assert f'data-conclusion-id="{conclusion.pk}"' in found
    assert reverse("record", args=[session.pk]) in found  # the sitting it concludes
    missing = client.get(reverse("conclusion-list"), {"q": "ngan sach"}).content.decode()
    assert f'data-conclusion-id="{conclusion.pk}"' not in missing
    # A resolution is not a conclusion: not at a conclusion's address, not in its list.
    resolution = client.post(
        reverse("resolution-adopt"), {"poll": chamber.passed.pk, "title": "Ngân sách"}
    )
    adopted = Resolution.objects.get(kind="resolution")
    assert resolution.status_code == 302
    assert client.get(reverse("conclusion-detail", args=[adopted.pk])).status_code == 404
    assert f'data-conclusion-id="{adopted.pk}"' not in client.get(
        reverse("conclusion-list")
    ).content.decode()


def test_a_conclusion_refused_writes_nothing_and_strangers_read_none():
    chamber = sitting_with_votes()
    client = staff_client(chamber.clerk.user)
    empty = client.post(reverse("conclusion-add"), {"session": chamber.sitting.session.pk,
                                                     "title": "  "}, follow=True)
    assert "Cần nhập trích yếu" in empty.content.decode()
    no_such_day = client.post(reverse("conclusion-add"), {
        "session": chamber.sitting.session.pk, "title": "Kết luận", "adopted_on": "31/02/2026",
    }, follow=True)
    assert "viết theo dạng ngày/tháng/năm" in no_such_day.content.decode()
    other = sitting_with_votes()  # another council's sitting: the clerk may not conclude it
    forged = client.post(
        reverse("conclusion-add"), {"session": other.sitting.session.pk, "title": "Giả mạo"},
        follow=True,
    )
    assert "Bạn không có quyền" in forged.content.decode()
    assert not Resolution.objects.exists()
    made = staff_client(other.clerk.user).post(
        reverse("conclusion-add"), {"session": other.sitting.session.pk, "title": "Của họ"}
    )
    assert client.get(made.url).status_code == 403
    assert f'<option value="{other.sitting.session.pk}">' not in client.get(
        reverse("conclusion-list")
    ).content.decode()
    assert Client().get(reverse("conclusion-list")).status_code == 302  # sign in first


def test_an_amendment_picks_the_earlier_resolution_from_the_council_list():
    chamber = sitting_with_votes()
    client = staff_client(chamber.clerk.user)
    budget = client.post(reverse("resolution-adopt"), {"poll": chamber.passed.pk, "title": ""})
    assert budget.status_code == 302
    budget = Resolution.objects.get()
    parking = vote(chamber.sitting, "Nghị quyết về phí trông giữ xe đạp", ["yes"] * 5)
    client.post(reverse("resolution-adopt"), {"poll": parking.pk, "title": ""})
    parking_resolution = Resolution.objects.get(poll=parking)
    conclusion = services.conclusion_record(
        session_id=chamber.sitting.session.pk, title="Kết luận ngân sách", actor=chamber.clerk
    )
    amend = vote(chamber.sitting, "Sửa đổi Nghị quyết về ngân sách", ["yes"] * 5)
    listing = client.get(reverse("resolution-list")).content.decode()
    form = listing[listing.index(f'data-poll-id="{amend.pk}"'):]
    form = form[: form.index("</details>")]
    assert f'data-council="{chamber.council.pk}"' in form
    assert f'<option value="{budget.pk}">1/NQ-HĐND — {budget.title}</option>' in form
    assert f'<option value="{parking_resolution.pk}">' in form
    assert f'<option value="{conclusion.pk}">' not in form  # a conclusion is not amended so

    def pick(query, council=chamber.council.pk, who=client):
        answer = who.get(reverse("resolution-targets"), {"council": council, "q": query})
        return answer.status_code, [r["id"] for r in answer.json()["results"]] if (
            answer.status_code == 200
        ) else None

    assert pick("ngan sach") == (200, [budget.pk])  # no diacritics needed
    assert pick("trông giữ") == (200, [parking_resolution.pk])
    assert pick("") == (200, [parking_resolution.pk, budget.pk])  # newest first
    assert pick("2/NQ") == (200, [parking_resolution.pk])  # by its number
    assert pick("2027") == (200, [budget.pk])  # no such number: the title's year
    other = sitting_with_votes()
    services.resolution_from_poll(poll_id=other.passed.pk, title="", actor=other.clerk)
    assert pick("ngan sach") == (200, [budget.pk])  # their budget is theirs
    assert pick("ngan sach", council=other.council.pk) == (403, None)  # not the clerk's
    assert pick("ngan sach", who=staff_client(other.clerk.user))[0] == 403
    # The pick is posted; the earlier resolution is now amended and links to it.
    done = client.post(
        reverse("resolution-adopt"),
        {"poll": amend.pk, "title": "", "relation": "amends", "target": budget.pk},
    )
    budget.refresh_from_db()
    assert budget.status == Resolution.Status.AMENDED
    assert Resolution.objects.get(poll=amend).target == budget
    assert done.url == reverse("resolution-detail", args=[Resolution.objects.get(poll=amend).pk])


def test_a_forged_target_of_another_council_is_refused_and_changes_nothing():
    chamber = sitting_with_votes()
    other = sitting_with_votes()
    theirs = services.resolution_from_poll(poll_id=other.passed.pk, title="", actor=other.clerk)
    client = staff_client(chamber.clerk.user)
    before = Resolution.objects.count()
    forged = client.post(
        reverse("resolution-adopt"),
        {"poll": chamber.passed.pk, "title": "", "relation": "repeals", "target": theirs.pk},
        follow=True,
    )
    assert "phải là nghị quyết của cùng hội đồng" in forged.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Resolution.Status.IN_FORCE and Resolution.objects.count() == before
    with pytest.raises(ServiceError) as caught:
        services.resolution_from_poll(
            poll_id=chamber.passed.pk, title="", actor=chamber.clerk,
            relation="repeals", target_id=theirs.pk,
        )
    assert caught.value.code == "resolution.target_invalid"
    assert Resolution.objects.count() == before


def test_the_consultations_list_opens_empty_to_whom_reads_them_and_to_no_one_else():
    """The clerk's menu leads there before the first consultation: an empty list, not a 403;
    an agency's officer (no role in a council) is still refused."""
    council = make_council(seats=5, name="Phường Thử")
    clerk = staff_client(make_staff(role="clerk", council=council))
    page = clerk.get(reverse("consultation-staff-list"))
    assert page.status_code == 200
    assert "Chưa có đợt lấy ý kiến nào." in page.content.decode()
    stranger = staff_client(make_staff(role="clerk", council=None))
    assert stranger.get(reverse("consultation-staff-list")).status_code == 403
