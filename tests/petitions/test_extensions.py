"""An agency asks for more time; the council accepts or refuses; meetings with voters."""

from __future__ import annotations

import datetime

import pytest

from petitions import services, services_more
from petitions.models import Extension, Petition
from realtime.errors import ServiceError
from tests.documents.pdfs import make_pdf
from tests.petitions.conftest import TODAY, enter, forwarded

pytestmark = pytest.mark.django_db


def _code(call, **kwargs) -> str:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    return caught.value.code


def test_accepted_extension_moves_the_due_date_of_the_group_and_its_members(city):
    a = city.a
    group = services.petitions_group(
        council_id=a.council.pk, petition_ids=[enter(a).pk, enter(a).pk], actor=a.clerk
    )
    forwarded(a, group)
    later = TODAY + datetime.timedelta(days=60)
    extension = services_more.extension_request(
        petition_id=group.pk, due_date=later, reason="Cần khảo sát hiện trường", actor=a.officer
    )
    assert (
        _code(
            services_more.extension_request,
            petition_id=group.pk,
            due_date=later + datetime.timedelta(days=1),
            reason="Lần nữa",
            actor=a.officer,
        )
        == "extension.pending"
    )
    # Only the council decides.
    assert (
        _code(
            services_more.extension_decide, extension_id=extension.pk, accept=True, actor=a.officer
        )
        == "petition.not_found"
    )
    services_more.extension_decide(extension_id=extension.pk, accept=True, actor=a.clerk)
    assert set(Petition.objects.filter(council=a.council).values_list("due_date", flat=True)) == {
        later
    }
    assert (
        _code(
            services_more.extension_decide, extension_id=extension.pk, accept=False, actor=a.clerk
        )
        == "extension.decided"
    )


def test_refused_extension_keeps_the_due_date(city):
    a = city.a
    petition = forwarded(a)
    due = petition.due_date
    assert (
        _code(
            services_more.extension_request,
            petition_id=petition.pk,
            due_date=due,
            reason="x",
            actor=a.officer,
        )
        == "extension.bad_date"
    )
    assert (
        _code(
            services_more.extension_request,
            petition_id=petition.pk,
            due_date=due + datetime.timedelta(days=5),
            reason="x",
            actor=a.office_officer,
        )
        == "petition.not_addressed"
    )
    extension = services_more.extension_request(
        petition_id=petition.pk,
        due_date=due + datetime.timedelta(days=5),
        reason="x",
        actor=a.officer,
    )
    services_more.extension_decide(extension_id=extension.pk, accept=False, actor=a.clerk)
    petition.refresh_from_db()
    assert petition.due_date == due
    assert Extension.objects.get().decision == Extension.Decision.REFUSED


def test_a_meeting_with_voters_and_its_minutes(city):
    a, b = city.a, city.b
    delegates = list(a.council.delegates.values_list("pk", flat=True)[:2])
    meeting = services_more.voter_meeting_create(
        council_id=a.council.pk,
        held_on=TODAY,
        place="Nhà văn hóa khu phố 3",
        delegate_ids=delegates,
        voter_count=120,
        actor=a.clerk,
        data=make_pdf(["Biên bản tiếp xúc cử tri"]),
    )
    assert meeting.minutes.page_count == 1 and meeting.delegates.count() == 2
    petition = enter(a, meeting_id=meeting.pk, received_on=None)
    assert petition.received_on == TODAY
    assert _code(enter, commune=b, meeting_id=meeting.pk) == "voter_meeting.not_found"
    assert (
        _code(
            services_more.voter_meeting_create,
            council_id=a.council.pk,
            held_on=TODAY,
            place="X",
            delegate_ids=[b.council.delegates.first().pk],
            actor=a.clerk,
        )
        == "voter_meeting.delegate_unknown"
    )
