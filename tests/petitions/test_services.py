"""Every step of a petition's handling, who may take it, and every refusal (nothing changes).
The set-up (a city, commune ``a``, a ``received`` or ``sent`` petition) is conftest's."""

from __future__ import annotations

import datetime

import pytest

from meeting.council_log import verify_council_log
from meeting.models import CouncilLog
from petitions import services
from petitions.models import Petition, Status
from tests.documents.pdfs import broken_pdf, make_pdf
from tests.petitions.conftest import TODAY, enter, forwarded, in_days, refused

pytestmark = pytest.mark.django_db


def test_the_whole_way_each_step_in_the_chain(a, sent):
    assert (sent.status, sent.agency, sent.due_date) == (Status.FORWARDED, a.committee, in_days(30))
    services.petition_start(petition_id=sent.pk, actor=a.officer)
    services.petition_answer(petition_id=sent.pk, text="Đã nạo vét cống.", actor=a.officer)
    services.petition_inform(petition_id=sent.pk, actor=a.clerk)
    services.petition_close(petition_id=sent.pk, actor=a.clerk)
    sent.refresh_from_db()
    assert sent.status == Status.CLOSED and sent.answered_on == datetime.date.today()
    entries = list(CouncilLog.objects.filter(council=a.council).order_by("id"))
    assert [e.action.removeprefix("petition.") for e in entries] == [
        "create",
        "forward",
        "start",
        "answer",
        "inform",
        "close",
    ]
    clerk, officer = a.clerk.user, a.officer.user
    assert [e.actor_user for e in entries] == [clerk, clerk, officer, officer, clerk, clerk]
    assert all("Nguyễn Văn Bình" not in str(e.data) for e in entries)  # no personal data
    assert verify_council_log(a.council.pk) == []


@pytest.mark.parametrize("step", ["start", "answer", "inform", "close"])
def test_a_step_out_of_order_is_refused(a, received, step):
    # Received: only forward or to_city may come next.
    actor = a.officer if step in ("start", "answer") else a.clerk
    extra = {"text": "Trả lời"} if step == "answer" else {}
    code = "petition.bad_status" if actor is a.clerk else "petition.not_addressed"
    call = getattr(services, f"petition_{step}")
    refused(code, a.council, call, petition_id=received.pk, actor=actor, **extra)


def test_forward_twice_and_close_before_informing_are_refused(a, sent):
    again = {"agency_id": a.office.pk, "due_date": in_days(9)}
    refused(
        "petition.bad_status",
        a.council,
        services.petition_forward,
        petition_id=sent.pk,
        actor=a.clerk,
        **again,
    )
    services.petition_answer(petition_id=sent.pk, text="Đã xử lý.", actor=a.officer)
    for call in (services.petition_close, services.petition_to_city):
        refused("petition.bad_status", a.council, call, petition_id=sent.pk, actor=a.clerk)


def test_entry_refusals(city, a):
    b = city.b
    for field_id in (999_999, b.fields["env"].pk, "đất đai"):
        refused("field.unknown", a.council, enter, a, field_id=field_id)
    refused("petition.text_required", a.council, enter, a, text="   ")
    refused("petition.bad_source", a.council, enter, a, source="consolidated")
    # A clerk of commune B entering into commune A: as if it did not exist.
    refused("petition.not_found", a.council, enter, a, actor=b.clerk)
    # The city's Standing Committee reads the communes, never writes them.
    refused("petition.not_found", a.council, enter, a, actor=city.standing)


@pytest.mark.parametrize(
    ("code", "agency", "due", "who", "petition_id"),
    [
        ("agency.unknown", "b.committee", 30, "a.clerk", None),
        ("petition.bad_due_date", "a.committee", -30, "a.clerk", None),  # = the day received
        # A forged id: commune B's clerk acting on commune A's petition.
        ("petition.not_found", "b.committee", 30, "b.clerk", None),
        ("petition.not_found", "a.committee", 30, "a.clerk", "1 OR 1=1"),
    ],
)
def test_forward_refusals(city, a, received, code, agency, due, who, petition_id):
    def pick(path):
        commune, name = path.split(".")
        return getattr(getattr(city, commune), name)

    refused(
        code,
        a.council,
        services.petition_forward,
        petition_id=petition_id or received.pk,
        agency_id=pick(agency).pk,
        due_date=in_days(due),
        actor=pick(who),
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [("office_officer", "petition.not_addressed"), ("clerk", "petition.not_found")],
)
def test_only_the_addressed_agency_answers(a, sent, who, code):
    answer = services.petition_answer
    refused(code, a.council, answer, petition_id=sent.pk, text="Trả lời", actor=getattr(a, who))


def test_an_agency_of_another_commune_and_an_empty_answer_are_refused(city, a, sent):
    answer = services.petition_answer
    refused(
        "petition.not_found",
        a.council,
        answer,
        petition_id=sent.pk,
        text="Trả lời",
        actor=city.b.officer,
    )
    refused(
        "answer.text_required", a.council, answer, petition_id=sent.pk, text="", actor=a.officer
    )


def test_an_answer_carries_its_pdf_and_a_bad_pdf_changes_nothing(a, sent, settings):
    pdf = make_pdf(["Văn bản trả lời kiến nghị cử tri về thoát nước"])

    def answer(data, code=None):
        call = (services.petition_answer,)
        kwargs = {"petition_id": sent.pk, "text": "Trả lời", "actor": a.officer, "data": data}
        if code:
            return refused(code, a.council, *call, **kwargs)
        return services.petition_answer(**kwargs)

    answer(broken_pdf(), "document.broken")
    answer(b"GIF89a not a pdf", "document.not_pdf")
    settings.CHAMBER_MAX_PDF_BYTES = len(pdf) - 1
    answer(pdf, "document.too_large")
    settings.CHAMBER_MAX_PDF_BYTES = 10 * 1024 * 1024
    answer(pdf)
    sent.refresh_from_db()
    assert sent.answer_file.page_count == 1
    assert sent.answer_file.pages.get().text.startswith("Văn bản trả lời")


def test_grouped_petitions_follow_their_consolidated_petition(a):
    first, second = enter(a), enter(a, text="Cử tri phản ánh đường Lê Lợi ngập khi mưa")
    alone = enter(a, text="Đề nghị lắp đèn chiếu sáng hẻm 45")
    group = services.petitions_group(
        council_id=a.council.pk, petition_ids=[first.pk, second.pk], actor=a.clerk
    )
    assert group.is_group
    assert set(group.members.values_list("pk", flat=True)) == {first.pk, second.pk}
    refused(
        "petition.grouped",
        a.council,
        services.petition_forward,
        petition_id=first.pk,
        agency_id=a.committee.pk,
        due_date=in_days(9),
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


def test_group_refusals(city, a, received):
    other, sent = enter(city.b), forwarded(a)

    def group(code, ids):
        refused(
            code,
            a.council,
            services.petitions_group,
            council_id=a.council.pk,
            petition_ids=ids,
            actor=a.clerk,
        )

    group("group.too_small", [received.pk])
    group("petition.not_found", [received.pk, other.pk])
    group("group.not_received", [received.pk, sent.pk])


def test_a_petition_joins_an_open_group_and_takes_its_status(a):
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


def test_beyond_the_commune_forwarded_to_the_city(city, a, received):
    services.petition_to_city(petition_id=received.pk, actor=a.clerk, reason="Thẩm quyền")
    received.refresh_from_db()
    assert (received.status, received.handler) == (Status.TO_CITY, city.council)
    # From now on the city handles it: the commune's clerk is told so and nothing changes.
    refused(
        "petition.with_city",
        a.council,
        services.petition_forward,
        petition_id=received.pk,
        agency_id=a.committee.pk,
        due_date=in_days(9),
        actor=a.clerk,
        also=[city.council],
    )
    assert Petition.objects.get(pk=received.pk).received_on == TODAY - datetime.timedelta(30)
