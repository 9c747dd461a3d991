"""Builders for the resolutions tests: a sitting with a passed (and a failed) poll, staff of
each role, a consultation sent to a small council. Built through the services."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pymupdf
from django.utils import timezone

from meeting.models import Council
from realtime.actors import Actor
from resolutions.services import consultation as consult
from tests.factories import make_council, make_sitting, make_staff
from voting import services as voting
from voting.ballots import ballot_cast
from voting.counting import poll_close


def new_id() -> str:
    return str(uuid.uuid4())


def pdf_bytes(text: str = "Nghị quyết đã ký") -> bytes:
    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 72), text, fontname="notos")
    return document.tobytes()


def vote(sitting, title: str, choices: list[str]):
    """A named poll of the sitting, voted with ``choices`` (one per delegate) and closed."""
    poll = voting.poll_create(session_id=sitting.session.pk, title=title, actor=sitting.chair)
    voting.poll_open(poll_id=poll.pk, actor=sitting.chair)
    for delegate, choice in zip(sitting.delegates, choices, strict=False):
        ballot_cast(poll_id=poll.pk, delegate=delegate, choice=choice, command_id=new_id())
    poll_close(poll_id=poll.pk, actor=sitting.chair)
    poll.refresh_from_db()
    return poll


def sitting_with_votes(seats: int = 5):
    """A live sitting, a passed poll (4 of 5 yes) and a failed one (2 of 5)."""
    sitting = make_sitting(seats=seats)
    council = sitting.session.council
    clerk = Actor(user=make_staff(role="clerk", council=council))
    passed = vote(sitting, "Nghị quyết về ngân sách năm 2027", ["yes"] * 4 + ["no"])
    failed = vote(sitting, "Nghị quyết về phí trông giữ xe", ["yes"] * 2 + ["no"] * 3)
    return SimpleNamespace(
        sitting=sitting, council=council, clerk=clerk, passed=passed, failed=failed
    )


def consultation_council(seats: int = 5, level: str = Council.Level.WARD, parent=None):
    council = make_council(seats=seats, level=level, parent=parent)
    standing = Actor(user=make_staff(role="standing", council=council))
    return SimpleNamespace(
        council=council,
        standing=standing,
        delegates=list(council.delegates.order_by("seat_label")),
    )


def sent_consultation(place, **options):
    consultation = consult.consultation_create(
        council_id=place.council.pk,
        title=options.pop("title", "Xin ý kiến về điều chỉnh dự toán ngân sách"),
        actor=place.standing,
        deadline=options.pop("deadline", timezone.now() + timedelta(days=3)),
        **options,
    )
    return consult.consultation_send(consultation_id=consultation.pk, actor=place.standing)


def answer(consultation, delegate, choice=None, opinion="", command_id=None):
    return consult.consultation_answer(
        consultation_id=consultation.pk,
        delegate=delegate,
        choice=choice,
        opinion=opinion,
        command_id=command_id or new_id(),
    )


def agency_with_officer(council, name: str = "Ủy ban nhân dân phường", email: str = ""):
    """An agency of the council and a user who answers for it (``officer``: an Actor)."""
    from django.contrib.auth.models import User

    from meeting.models import Agency, AgencyOfficer

    agency = Agency.objects.create(council=council, name=name, email=email)
    user = User.objects.create_user(
        f"officer-{agency.pk}", password="pw-123456", is_staff=True,
        email=f"officer{agency.pk}@ubnd.example.vn",
    )
    AgencyOfficer.objects.create(user=user, agency=agency)
    return agency, Actor(user=user)
