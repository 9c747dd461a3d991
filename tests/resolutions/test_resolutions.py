"""Resolutions and conclusions: adopted from a passed poll, a consultation or a sitting;
numbered per council, kind and year; amended and repealed; signed. Every refusal writes
nothing."""

import datetime

import pytest

from meeting.council_log import CouncilLog
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import chain
from resolutions.models import Resolution
from resolutions.services import resolutions as services
from tests.factories import make_council, make_staff
from tests.resolutions.helpers import pdf_bytes, sitting_with_votes, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def chamber():
    return sitting_with_votes()


def refused(code: str, call, **kwargs) -> None:
    before = (Resolution.objects.count(), CouncilLog.objects.count())
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    assert caught.value.code == code
    assert caught.value.message  # in words, for the clerk
    assert (Resolution.objects.count(), CouncilLog.objects.count()) == before


def test_a_passed_poll_becomes_the_councils_next_resolution(chamber):
    first = services.resolution_from_poll(
        poll_id=chamber.passed.pk, title="", actor=chamber.clerk, pdf=pdf_bytes()
    )
    assert first.number == 1 and first.year == first.adopted_on.year
    assert first.symbol == "1/NQ-HĐND"
    assert first.title == chamber.passed.title  # the poll's, unless given
    assert first.poll == chamber.passed and first.session == chamber.sitting.session
    assert first.signed_file is not None and first.signed_file.page_count == 1
    entry = chain.entries_of(chamber.council.pk, "resolution.adopt", resolution=first.pk)[0]
    assert entry.data["symbol"] == "1/NQ-HĐND"
    assert entry.data["source"]["digest"] == chamber.passed.result.digest
    assert entry.actor_user == chamber.clerk.user
    assert chain.verify_chain(chamber.council.pk) == []


def test_numbers_follow_per_year_and_kind_and_may_be_given(chamber):
    services.resolution_from_poll(poll_id=chamber.passed.pk, title="A", actor=chamber.clerk)
    conclusion = services.conclusion_record(
        session_id=chamber.sitting.session.pk, title="Kết luận phiên chất vấn", actor=chamber.clerk
    )
    assert conclusion.symbol == "1/KL-HĐND"
    later = services.conclusion_record(
        session_id=chamber.sitting.session.pk,
        title="Kết luận về giám sát",
        actor=chamber.clerk,
        adopted_on=datetime.date(2027, 1, 5),
    )
    assert (later.year, later.number) == (2027, 1)  # a new year starts again at 1
    given = services.conclusion_record(
        session_id=chamber.sitting.session.pk, title="X", actor=chamber.clerk, number=15
    )
    assert given.symbol == "15/KL-HĐND"
    refused(
        "resolution.number_taken",
        services.conclusion_record,
        session_id=chamber.sitting.session.pk,
        title="Y",
        actor=chamber.clerk,
        number=15,
    )


def test_a_failed_or_voided_poll_or_a_second_adoption_is_refused(chamber):
    refused(
        "resolution.poll_not_passed",
        services.resolution_from_poll,
        poll_id=chamber.failed.pk,
        title="",
        actor=chamber.clerk,
    )
    services.resolution_from_poll(poll_id=chamber.passed.pk, title="", actor=chamber.clerk)
    refused(
        "resolution.already_adopted",
        services.resolution_from_poll,
        poll_id=chamber.passed.pk,
        title="",
        actor=chamber.clerk,
    )


def test_only_the_councils_own_clerk_or_secretary_records(chamber):
    other = make_council(seats=3)
    outsider = Actor(user=make_staff(role="clerk", council=other))
    chair = Actor(user=make_staff(role="chair", council=chamber.council))
    # The city's Standing Committee reads the commune's resolutions, records none of them.
    city = make_council(seats=9)
    chamber.council.parent = city
    chamber.council.save(update_fields=["parent"])
    standing = Actor(user=make_staff(role="standing", council=city))
    for actor in (outsider, chair, standing, Actor()):
        refused(
            "command.forbidden",
            services.resolution_from_poll,
            poll_id=chamber.passed.pk,
            title="",
            actor=actor,
        )
    secretary = Actor(user=make_staff(role="secretary", council=chamber.council))
    assert (
        services.resolution_from_poll(poll_id=chamber.passed.pk, title="", actor=secretary).number
        == 1
    )


def test_bad_input_is_refused_and_a_bad_pdf_leaves_nothing(chamber):
    session = chamber.sitting.session.pk
    refused(
        "resolution.invalid",
        services.conclusion_record,
        session_id=session,
        title="  ",
        actor=chamber.clerk,
    )
    refused(
        "resolution.invalid",
        services.conclusion_record,
        session_id=session,
        title="X",
        actor=chamber.clerk,
        number=0,
    )
    refused(
        "document.not_pdf",
        services.resolution_from_poll,
        poll_id=chamber.passed.pk,
        title="",
        actor=chamber.clerk,
        pdf=b"not a pdf at all",
    )
    refused(
        "poll.not_found", services.resolution_from_poll, poll_id=0, title="", actor=chamber.clerk
    )


def test_amending_and_repealing_link_the_two(chamber):
    session = chamber.sitting.session.pk
    first = services.resolution_from_poll(poll_id=chamber.passed.pk, title="", actor=chamber.clerk)
    assert (
        services.conclusion_record(session_id=session, title="Z", actor=chamber.clerk).relation
        == ""
    )
    revote = chamber.sitting
    amend_poll = vote(revote, "Sửa đổi Nghị quyết về ngân sách", ["yes"] * 5)
    repeal_poll = vote(revote, "Bãi bỏ Nghị quyết về ngân sách", ["yes"] * 5)
    amends = services.resolution_from_poll(
        poll_id=amend_poll.pk, title="", actor=chamber.clerk, relation="amends", target_id=first.pk
    )
    first.refresh_from_db()
    assert first.status == Resolution.Status.AMENDED and amends.target == first
    repeals = services.resolution_from_poll(
        poll_id=repeal_poll.pk,
        title="",
        actor=chamber.clerk,
        relation="repeals",
        target_id=first.pk,
    )
    first.refresh_from_db()
    assert first.status == Resolution.Status.REPEALED
    assert set(first.changed_by.all()) == {amends, repeals}
    again = vote(revote, "Sửa đổi lần nữa", ["yes"] * 5)
    conclusion = Resolution.objects.get(kind="conclusion")
    refused(  # a conclusion is not amended by a resolution
        "resolution.target_invalid",
        services.resolution_from_poll,
        poll_id=again.pk,
        title="",
        actor=chamber.clerk,
        relation="amends",
        target_id=conclusion.pk,
    )
    refused(
        "resolution.target_invalid",
        services.resolution_from_poll,
        poll_id=again.pk,
        title="",
        actor=chamber.clerk,
        relation="amends",
        target_id=first.pk,
    )
    refused(
        "resolution.invalid",
        services.resolution_from_poll,
        poll_id=again.pk,
        title="",
        actor=chamber.clerk,
        relation="replaces",
        target_id=first.pk,
    )


def test_the_signed_pdf_is_attached_once(chamber):
    resolution = services.resolution_from_poll(
        poll_id=chamber.passed.pk, title="", actor=chamber.clerk
    )
    services.resolution_sign(resolution_id=resolution.pk, pdf=pdf_bytes(), actor=chamber.clerk)
    resolution.refresh_from_db()
    assert resolution.signed_file is not None
    refused(
        "resolution.already_signed",
        services.resolution_sign,
        resolution_id=resolution.pk,
        pdf=pdf_bytes("khác"),
        actor=chamber.clerk,
    )
