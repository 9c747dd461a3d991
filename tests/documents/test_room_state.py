"""What the room is shown is one state: the server takes the page down when something else takes
the room, and every screen hears it from one event (and a snapshot says the same)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from documents import services as documents
from documents.models import Presentation
from documents.selectors import documents_snapshot
from meeting import services
from meeting.models import Attendance
from realtime.actors import Actor
from tests.documents import pdfs
from tests.events import expect_events
from tests.factories import make_council, make_session, make_staff
from voting import services as voting
from voting.counting import poll_close

pytestmark = pytest.mark.django_db

CLEARED = {"document": None, "page": None}


@pytest.fixture
def room():
    council = make_council(seats=3)
    session = make_session(council=council, items=4)
    # Everyone present: a vote may open whatever the quorum rules say.
    Attendance.objects.bulk_create(
        Attendance(session=session, delegate=d, status="present", changed_at=timezone.now())
        for d in council.delegates.all()
    )
    chair = Actor(user=make_staff(role="chair", council=council))
    document = documents.document_upload(
        session_id=session.pk,
        title="Báo cáo kinh tế - xã hội",
        data=pdfs.make_pdf(count=3),
        actor=Actor(user=make_staff(role="clerk", council=council)),
    )
    return session, chair, document


def _show(room, page: int = 2) -> None:
    session, chair, document = room[:3]
    documents.document_show(session_id=session.pk, document_id=document.pk, page=page, actor=chair)


def _shown(session) -> dict:
    return documents_snapshot(session, screen="projector")["presentation"]


def _closed_poll(room):
    session, chair, _document = room[:3]
    poll = voting.poll_create(session_id=session.pk, title="Thông qua nghị quyết", actor=chair)
    voting.poll_open(poll_id=poll.pk, actor=chair)
    poll_close(poll_id=poll.pk, actor=chair)
    return poll


def _take_the_room(room, how: str) -> str:
    """Do what takes the room; the type of the event that says so."""
    session, chair, _document = room[:3]
    items = [item.pk for item in session.agenda_items.order_by("position")]
    if how == "next":
        services.agenda_step(session_id=session.pk, step=1, actor=chair)
        return "agenda.current"
    if how == "jump":
        services.agenda_select(session_id=session.pk, item_id=items[3], actor=chair)
        return "agenda.current"
    if how == "publish":
        voting.poll_publish(poll_id=room[3].pk, actor=chair)
        return "poll.published"
    if how == "cancel":
        voting.poll_cancel(poll_id=room[3].pk, reason="Nhầm nội dung", actor=chair)
        return "poll.cancelled"
    services.session_transition(session_id=session.pk, action="close", actor=chair)
    return "session.changed"


@pytest.mark.parametrize("how", ["next", "jump", "publish", "cancel", "close"])
def test_whatever_takes_the_room_takes_the_page_down_on_every_screen(room, published, how):
    session = room[0]
    if how in ("publish", "cancel"):
        room = (*room, _closed_poll(room))
    _show(room)
    assert _shown(session)["page"] == 2
    before = type(session).objects.get(pk=session.pk).seq

    with published() as events:
        cause = _take_the_room(room, how)

    # The cause, then at once (the next seq, the same public group) the page taken down.
    assert [(e["type"], e["seq"], e["group"]) for e in events] == [
        (cause, before + 1, f"session.{session.pk}.public"),
        ("document.shown", before + 2, f"session.{session.pk}.public"),
    ]
    assert events[1]["data"] == CLEARED
    assert _shown(session) == CLEARED  # a screen that reconnects is told the same
    assert Presentation.objects.get(session=session).document_id is None


def test_nothing_shown_nothing_more_is_sent(room):
    session, chair, _document = room[:3]
    with expect_events("agenda.current") as events:
        services.agenda_step(session_id=session.pk, step=1, actor=chair)
    assert [e["type"] for e in events] == ["agenda.current"]


def test_a_vote_opening_leaves_the_page_to_the_tablets_that_follow(room):
    """The projector shows the open vote; delegates may still read the page the chair shows."""
    session, chair, _document = room[:3]
    _show(room, page=3)
    poll = voting.poll_create(session_id=session.pk, title="Thông qua nghị quyết", actor=chair)
    with expect_events("poll.opened") as events:
        voting.poll_open(poll_id=poll.pk, actor=chair)
    assert [e["type"] for e in events] == ["poll.opened"]
    assert _shown(session)["page"] == 3
