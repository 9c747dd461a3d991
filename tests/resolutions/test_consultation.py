"""Written consultation between sessions: sent by the council's Standing Committee, answered
once by each delegate, counted once against all seats, with who did not answer."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from realtime.actors import SYSTEM, Actor
from realtime.errors import ServiceError
from resolutions import chain
from resolutions.models import Consultation, ConsultationBallot, ConsultationParticipation
from resolutions.services import consultation as services
from resolutions.services import resolutions as resolution_services
from tests.factories import make_council, make_staff
from tests.resolutions.helpers import answer, consultation_council, new_id, sent_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return consultation_council(seats=5)


def answers_of(consultation) -> tuple[int, int]:
    return (
        ConsultationBallot.objects.filter(consultation=consultation).count(),
        ConsultationParticipation.objects.filter(consultation=consultation).count(),
    )


def refused(code: str, call, watched=None, /, **kwargs):
    before = answers_of(watched) if watched else None
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    assert caught.value.code == code and caught.value.message
    if watched is not None:
        assert answers_of(watched) == before
    return caught.value


def test_counted_once_against_all_seats_with_who_did_not_answer(place):
    consultation = sent_consultation(place)
    assert consultation.status == "open" and consultation.seats == 5
    a, b, c, d, e = place.delegates
    answer(consultation, a, "yes", opinion="Đồng ý với dự thảo")
    answer(consultation, b, "yes")
    answer(consultation, c, "no", opinion="Cần làm rõ nguồn vốn")
    closed = services.consultation_close(consultation_id=consultation.pk, actor=place.standing)
    # 2 yes of 5 seats is not more than half of all delegates, whoever answered.
    assert closed.result["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    assert closed.result["base"] == 5 and closed.result["required"] == 3
    assert closed.passed is False
    assert closed.non_respondents == [d.pk, e.pk]
    close, turnout = (
        chain.entries_of(place.council.pk, "consultation.close", consultation=consultation.pk)[0],
        chain.entries_of(place.council.pk, "consultation.turnout", consultation=consultation.pk)[0],
    )
    assert close.data["digest"] == closed.digest
    assert sorted(row[2] for row in close.data["ballots"]) == sorted([a.pk, b.pk, c.pk])
    assert turnout.data["non_respondents"] == [d.pk, e.pk]
    refused(
        "consultation.not_open", answer, consultation, consultation=closed, delegate=d, choice="yes"
    )
    refused(
        "consultation.not_open",
        services.consultation_close,
        consultation_id=consultation.pk,
        actor=place.standing,
    )


def test_one_answer_per_delegate_even_past_the_service(place):
    consultation = sent_consultation(place)
    delegate = place.delegates[0]
    command = new_id()
    first = answer(consultation, delegate, "yes", command_id=command)
    assert answer(consultation, delegate, "yes", command_id=command)["receipt"] == first["receipt"]
    refused(
        "consultation.already_answered",
        answer,
        consultation,
        consultation=consultation,
        delegate=delegate,
        choice="no",
    )
    # The database itself refuses a second answer of the same delegate.
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationParticipation.objects.create(
            consultation=consultation, delegate=delegate, answered_at=timezone.now()
        )


def test_bad_answers_and_strangers_change_nothing(place):
    consultation = sent_consultation(
        place,
        form="options",
        options=["Phương án A", "Phương án B", "Phương án C"],
        max_selections=2,
    )
    delegate = place.delegates[0]
    refused(
        "ballot.invalid_choice",
        answer,
        consultation,
        consultation=consultation,
        delegate=delegate,
        choice="yes",
    )
    refused(
        "ballot.invalid_choice",
        answer,
        consultation,
        consultation=consultation,
        delegate=delegate,
        choice=["9"],
    )
    refused(
        "ballot.too_many_selections",
        answer,
        consultation,
        consultation=consultation,
        delegate=delegate,
        choice=["1", "2", "3"],
    )
    stranger = make_council(seats=2).delegates.first()
    refused(
        "consultation.not_found",
        answer,
        consultation,
        consultation=consultation,
        delegate=stranger,
        choice=["1"],
    )
    refused(
        "consultation.invalid",
        answer,
        consultation,
        consultation=consultation,
        delegate=delegate,
        choice=["1"],
        opinion="x" * 10_001,
    )
    answer(consultation, delegate, ["2", "1"])
    assert ConsultationBallot.objects.get(consultation=consultation).choice == ["1", "2"]


def test_only_its_own_standing_committee_sends_and_closes(place):
    city = make_council(seats=9)
    place.council.parent = city
    place.council.save(update_fields=["parent"])
    city_standing = Actor(user=make_staff(role="standing", council=city))
    clerk = Actor(user=make_staff(role="clerk", council=place.council))
    deadline = timezone.now() + timedelta(days=2)
    for actor in (city_standing, clerk, Actor()):
        refused(
            "command.forbidden",
            services.consultation_create,
            council_id=place.council.pk,
            title="X",
            actor=actor,
            deadline=deadline,
        )
    draft = services.consultation_create(
        council_id=place.council.pk, title="X", actor=place.standing, deadline=deadline
    )
    for actor in (city_standing, clerk):
        refused(
            "command.forbidden", services.consultation_send, consultation_id=draft.pk, actor=actor
        )
    services.consultation_send(consultation_id=draft.pk, actor=place.standing)
    refused(
        "command.forbidden",
        services.consultation_close,
        consultation_id=draft.pk,
        actor=city_standing,
    )
    # The system closes only at the deadline.
    refused(
        "consultation.not_due", services.consultation_close, consultation_id=draft.pk, actor=SYSTEM
    )


def test_drafts_are_checked(place):
    now = timezone.now()
    make = services.consultation_create
    base = {"council_id": place.council.pk, "actor": place.standing}
    refused("consultation.invalid", make, title=" ", deadline=now + timedelta(days=1), **base)
    past = now - timedelta(hours=1)
    refused("consultation.deadline_past", make, title="X", deadline=past, **base)
    refused(
        "consultation.invalid",
        make,
        title="X",
        deadline=now + timedelta(days=1),
        form="options",
        options=["Chỉ một"],
        **base,
    )
    refused(
        "consultation.invalid",
        make,
        title="X",
        deadline=now + timedelta(days=1),
        form="survey",
        **base,
    )
    refused(
        "consultation.invalid",
        make,
        title="X",
        deadline=now + timedelta(days=1),
        threshold="fraction",
        **base,
    )
    assert Consultation.objects.count() == 0
    draft = make(title="X", deadline=now + timedelta(days=1), **base)
    services.consultation_send(consultation_id=draft.pk, actor=place.standing)
    refused(
        "consultation.bad_transition",
        services.consultation_send,
        consultation_id=draft.pk,
        actor=place.standing,
    )


def test_the_deadline_closes_it_and_a_late_answer_is_refused(place):
    consultation = sent_consultation(place)
    answer(consultation, place.delegates[0], "yes")
    for delegate in place.delegates[1:3]:
        answer(consultation, delegate, "yes")
    Consultation.objects.filter(pk=consultation.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    refused(
        "consultation.not_open",
        answer,
        consultation,
        consultation=consultation,
        delegate=place.delegates[3],
        choice="yes",
    )
    assert services.close_due_consultations() == 1
    assert services.close_due_consultations() == 0
    consultation.refresh_from_db()
    assert consultation.status == "closed" and consultation.passed is True  # 3 of 5 seats


def test_an_adopted_consultation_becomes_a_resolution(place):
    consultation = sent_consultation(place)
    for delegate in place.delegates[:3]:
        answer(consultation, delegate, "yes")
    clerk = Actor(user=make_staff(role="clerk", council=place.council))
    with pytest.raises(ServiceError) as caught:
        resolution_services.resolution_from_consultation(
            consultation_id=consultation.pk, title="", actor=clerk
        )
    assert caught.value.code == "resolution.consultation_not_adopted"
    services.consultation_close(consultation_id=consultation.pk, actor=place.standing)
    resolution = resolution_services.resolution_from_consultation(
        consultation_id=consultation.pk, title="", actor=clerk
    )
    assert resolution.consultation == consultation and resolution.symbol == "1/NQ-HĐND"
    assert chain.verify_chain(place.council.pk) == []


def test_a_secret_consultation_keeps_no_link_to_the_voter(place):
    consultation = sent_consultation(place, kind="secret")
    for delegate, choice in zip(place.delegates, ["yes", "no", "yes"], strict=False):
        answer(consultation, delegate, choice, opinion=f"Ý kiến {choice}")
    assert not ConsultationBallot.objects.filter(delegate__isnull=False).exists()
    closed = services.consultation_close(consultation_id=consultation.pk, actor=place.standing)
    close = chain.entries_of(place.council.pk, "consultation.close", consultation=consultation.pk)
    assert "ballots" not in close[0].data and len(close[0].data["receipts"]) == 3
    assert closed.result["counts"] == {"yes": 2, "no": 1, "abstain": 0}


def test_an_opinion_only_consultation_collects_words(place):
    consultation = sent_consultation(place, form="opinion")
    refused(
        "consultation.invalid",
        answer,
        consultation,
        consultation=consultation,
        delegate=place.delegates[0],
        opinion=" ",
    )
    answer(consultation, place.delegates[0], opinion="Đề nghị bổ sung đánh giá tác động")
    closed = services.consultation_close(consultation_id=consultation.pk, actor=place.standing)
    assert closed.passed is None and closed.result["ballots"] == 1
    assert len(closed.non_respondents) == 4


def test_cancel_needs_a_reason_and_ends_answers(place):
    consultation = sent_consultation(place)
    refused(
        "consultation.reason_required",
        services.consultation_cancel,
        consultation_id=consultation.pk,
        reason=" ",
        actor=place.standing,
    )
    services.consultation_cancel(
        consultation_id=consultation.pk, reason="Đã có kỳ họp bất thường", actor=place.standing
    )
    refused(
        "consultation.not_open",
        answer,
        consultation,
        consultation=consultation,
        delegate=place.delegates[0],
        choice="yes",
    )
    refused(
        "consultation.bad_transition",
        services.consultation_cancel,
        consultation_id=consultation.pk,
        reason="x",
        actor=place.standing,
    )
