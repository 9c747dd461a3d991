"""Every step of a petition's handling, who may take it, and every refusal (nothing changes)."""

from __future__ import annotations

import datetime

import pytest

from meeting.council_log import verify_council_log
from meeting.models import CouncilLog
from petitions import services
from petitions.models import Petition, Status
from realtime.errors import ServiceError
from tests.documents.pdfs import broken_pdf, make_pdf
from tests.petitions.conftest import TODAY, enter, forwarded

pytestmark = pytest.mark.django_db


def _snapshot(council):
    rows = list(Petition.objects.filter(council=council).order_by("pk").values())
    return rows, CouncilLog.objects.filter(council=council).count()


def refused(code: str, council, call, *args, **kwargs) -> ServiceError:
    """``call`` raises ``code`` and leaves the council's petitions and log as they were."""
    before = _snapshot(council)
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    assert caught.value.message  # Vietnamese words for the person at the screen
    assert _snapshot(council) == before
    return caught.value


def test_the_whole_way_each_step_in_the_chain(city):
    a = city.a
    petition = forwarded(a)
    assert (petition.status, petition.agency, petition.due_date) == (
        Status.FORWARDED,
        a.committee,
        TODAY + datetime.timedelta(days=30),
    )
    services.petition_start(petition_id=petition.pk, actor=a.officer)
    services.petition_answer(
        petition_id=petition.pk, text="Đã nạo vét cống thoát nước.", actor=a.officer
    )
    services.petition_inform(petition_id=petition.pk, actor=a.clerk)
    services.petition_close(petition_id=petition.pk, actor=a.clerk)
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED and petition.answered_on == datetime.date.today()
    entries = list(CouncilLog.objects.filter(council=a.council).order_by("id"))
    assert [e.action for e in entries] == [
        "petition.create",
        "petition.forward",
        "petition.start",
        "petition.answer",
        "petition.inform",
        "petition.close",
    ]
    assert [e.actor_user for e in entries] == [
        a.clerk.user,
        a.clerk.user,
        a.officer.user,
        a.officer.user,
        a.clerk.user,
        a.clerk.user,
    ]
    assert all("Nguyễn Văn Bình" not in str(e.data) for e in entries)  # no personal data
    assert verify_council_log(a.council.pk) == []


@pytest.mark.parametrize(
    "step",
    ["start", "answer", "inform", "close"],
)
def test_a_step_out_of_order_is_refused(city, step):
    a = city.a
    petition = enter(a)  # received: only forward or to_city may come next
    call = getattr(services, f"petition_{step}")
    actor = a.officer if step in ("start", "answer") else a.clerk
    extra = {"text": "Trả lời"} if step == "answer" else {}
    code = "petition.bad_status" if actor is a.clerk else "petition.not_addressed"
    refused(code, a.council, call, petition_id=petition.pk, actor=actor, **extra)


def test_forward_twice_and_close_before_informing_are_refused(city):
    a = city.a
    petition = forwarded(a)
    refused(
        "petition.bad_status",
        a.council,
        services.petition_forward,
        petition_id=petition.pk,
        agency_id=a.office.pk,
        due_date=TODAY + datetime.timedelta(days=9),
        actor=a.clerk,
    )
    services.petition_answer(petition_id=petition.pk, text="Đã xử lý.", actor=a.officer)
    refused(
        "petition.bad_status",
        a.council,
        services.petition_close,
        petition_id=petition.pk,
        actor=a.clerk,
    )
    refused(
        "petition.bad_status",
        a.council,
        services.petition_to_city,
        petition_id=petition.pk,
        actor=a.clerk,
    )


def test_entry_refusals(city):
    a, b = city.a, city.b
    refused("field.unknown", a.council, enter, a, field_id=999_999)
    refused("field.unknown", a.council, enter, a, field_id=b.fields["env"].pk)
    refused("field.unknown", a.council, enter, a, field_id="đất đai")
    refused("petition.text_required", a.council, enter, a, text="   ")
    refused("petition.bad_source", a.council, enter, a, source="consolidated")
    # A clerk of commune B entering into commune A: as if it did not exist.
    refused("petition.not_found", a.council, enter, a, actor=b.clerk)
    # The city's Standing Committee reads the communes, never writes them.
    refused("petition.not_found", a.council, enter, a, actor=city.standing)


def test_forward_refusals(city):
    a, b = city.a, city.b
    petition = enter(a)
    due = TODAY + datetime.timedelta(days=30)
    forward = services.petition_forward
    refused(
        "agency.unknown",
        a.council,
        forward,
        petition_id=petition.pk,
        agency_id=b.committee.pk,
        due_date=due,
        actor=a.clerk,
    )
    refused(
        "petition.bad_due_date",
        a.council,
        forward,
        petition_id=petition.pk,
        agency_id=a.committee.pk,
        due_date=petition.received_on,
        actor=a.clerk,
    )
    # A forged id: commune B's clerk acting on commune A's petition.
    refused(
        "petition.not_found",
        a.council,
        forward,
        petition_id=petition.pk,
        agency_id=b.committee.pk,
        due_date=due,
        actor=b.clerk,
    )
    refused(
        "petition.not_found",
        a.council,
        forward,
        petition_id="1 OR 1=1",
        agency_id=a.committee.pk,
        due_date=due,
        actor=a.clerk,
    )


def test_only_the_addressed_agency_answers(city):
    a, b = city.a, city.b
    petition = forwarded(a)  # to the committee
    answer = services.petition_answer
    refused(
        "petition.not_addressed",
        a.council,
        answer,
        petition_id=petition.pk,
        text="Trả lời",
        actor=a.office_officer,
    )
    refused(
        "petition.not_found",
        a.council,
        answer,
        petition_id=petition.pk,
        text="Trả lời",
        actor=b.officer,
    )
    refused(
        "petition.not_found",
        a.council,
        answer,
        petition_id=petition.pk,
        text="Trả lời",
        actor=a.clerk,
    )
    refused(
        "answer.text_required", a.council, answer, petition_id=petition.pk, text="", actor=a.officer
    )


def test_an_answer_carries_its_pdf_and_a_bad_pdf_changes_nothing(city, settings):
    a = city.a
    petition = forwarded(a)
    answer = services.petition_answer
    refused(
        "document.broken",
        a.council,
        answer,
        petition_id=petition.pk,
        text="Trả lời",
        actor=a.officer,
        data=broken_pdf(),
    )
    refused(
        "document.not_pdf",
        a.council,
        answer,
        petition_id=petition.pk,
        text="Trả lời",
        actor=a.officer,
        data=b"GIF89a not a pdf",
    )
    pdf = make_pdf(["Văn bản trả lời kiến nghị cử tri về thoát nước"])
    settings.CHAMBER_MAX_PDF_BYTES = len(pdf) - 1
    refused(
        "document.too_large",
        a.council,
        answer,
        petition_id=petition.pk,
        text="Trả lời",
        actor=a.officer,
        data=pdf,
    )
    settings.CHAMBER_MAX_PDF_BYTES = 10 * 1024 * 1024
    answer(petition_id=petition.pk, text="Trả lời", actor=a.officer, data=pdf)
    petition.refresh_from_db()
    assert petition.answer_file.page_count == 1
    assert petition.answer_file.pages.get().text.startswith("Văn bản trả lời")


def test_grouped_petitions_follow_their_consolidated_petition(city):
    a = city.a
    first, second = enter(a), enter(a, text="Cử tri phản ánh đường Lê Lợi ngập khi mưa")
    alone = enter(a, text="Đề nghị lắp đèn chiếu sáng hẻm 45")
    group = services.petitions_group(
        council_id=a.council.pk, petition_ids=[first.pk, second.pk], actor=a.clerk
    )
    assert group.is_group and set(group.members.values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    refused(
        "petition.grouped",
        a.council,
        services.petition_forward,
        petition_id=first.pk,
        agency_id=a.committee.pk,
        due_date=TODAY + datetime.timedelta(days=9),
        actor=a.clerk,
    )
    forwarded(a, group)
    services.petition_answer(petition_id=group.pk, text="Đã nạo vét.", actor=a.officer)
    for member in (first, second):
        member.refresh_from_db()
        assert (member.status, member.agency, member.answer_text) == (
            Status.ANSWERED,
            a.committee,
            "Đã nạo vét.",
        )
    alone.refresh_from_db()
    assert alone.status == Status.RECEIVED
    # Answered once: the chain says which petitions followed.
    entry = CouncilLog.objects.get(council=a.council, action="petition.answer")
    assert sorted(entry.data["members"]) == sorted([first.pk, second.pk])


def test_group_refusals(city):
    a, b = city.a, city.b
    one, two = enter(a), enter(a)
    other = enter(b)
    group = services.petitions_group
    refused(
        "group.too_small",
        a.council,
        group,
        council_id=a.council.pk,
        petition_ids=[one.pk],
        actor=a.clerk,
    )
    refused(
        "petition.not_found",
        a.council,
        group,
        council_id=a.council.pk,
        petition_ids=[one.pk, other.pk],
        actor=a.clerk,
    )
    forwarded(a, two)
    refused(
        "group.not_received",
        a.council,
        group,
        council_id=a.council.pk,
        petition_ids=[one.pk, two.pk],
        actor=a.clerk,
    )


def test_a_petition_joins_an_open_group_and_takes_its_status(city):
    a = city.a
    group = services.petitions_group(
        council_id=a.council.pk, petition_ids=[enter(a).pk, enter(a).pk], actor=a.clerk
    )
    forwarded(a, group)
    late = enter(a)
    services.petitions_group(
        council_id=a.council.pk, petition_ids=[late.pk], group_id=group.pk, actor=a.clerk
    )
    late.refresh_from_db()
    assert (late.group_id, late.status, late.agency_id) == (
        group.pk,
        Status.FORWARDED,
        a.committee.pk,
    )


def test_beyond_the_commune_forwarded_to_the_city(city):
    a = city.a
    petition = enter(a)
    services.petition_to_city(petition_id=petition.pk, actor=a.clerk, reason="Thẩm quyền")
    petition.refresh_from_db()
    assert petition.status == Status.TO_CITY
    refused(
        "petition.bad_status",
        a.council,
        services.petition_forward,
        petition_id=petition.pk,
        agency_id=a.committee.pk,
        due_date=TODAY + datetime.timedelta(days=9),
        actor=a.clerk,
    )
