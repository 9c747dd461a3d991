"""The event catalogue: only declared frames leave a service, each of its declared shape."""

import pytest
from django.db import transaction

from meeting.models import Session
from realtime.events import To, UndeclaredEvent, catalogue, declare
from realtime.groups import Audience
from realtime.models import OutboxFrame
from realtime.publish import emit, notify
from realtime.schema import NUMBER, ShapeMismatch, dict_of, list_of, nullable, obj, optional
from tests.events import expect_events
from tests.factories import make_council, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return make_session(council=make_council(seats=3))


def test_every_app_declared_its_frames_and_each_kind_has_its_audience():
    events = catalogue()
    assert {e.declared_by for e in events.values()} >= {
        "meeting.events",
        "voting.events",
        "documents.events",
        "floor.events",
    }
    assert all(e.to == {To.PUBLIC} for e in events.values() if e.sequenced)
    assert all(To.PUBLIC not in e.to for e in events.values() if e.notice)


@pytest.mark.parametrize(
    "send",
    [
        lambda s: emit(session=s, type="agenda.jumped", data={"current_item_id": 1}),
        lambda s: notify(session=s, type="agenda.jumped", data={}, audience=Audience.CHAIR),
        # declared, but as the other kind
        lambda s: emit(session=s, type="note.saved", data={}),
        lambda s: notify(session=s, type="agenda.current", data={}, audience=Audience.CHAIR),
        # declared for the consoles, sent to the tablets
        lambda s: notify(session=s, type="poll.result", data={}, audience=Audience.DELEGATES),
    ],
    ids=["event", "notice", "notice-as-event", "event-as-notice", "wrong-audience"],
)
def test_an_undeclared_frame_is_refused_and_nothing_is_sent(session, send):
    with expect_events(), pytest.raises(UndeclaredEvent), transaction.atomic():
        send(session)
    assert Session.objects.get(pk=session.pk).seq == 0
    assert not OutboxFrame.objects.exists()


def test_a_payload_off_its_declared_shape_is_refused(session):
    with expect_events(), pytest.raises(ShapeMismatch, match="current_item_id"):
        emit(session=session, type="agenda.current", data={"current_item_id": "3"})
    with expect_events(), pytest.raises(ShapeMismatch, match="undeclared surprise"):
        emit(session=session, type="agenda.current", data={"current_item_id": 3, "surprise": 1})
    assert Session.objects.get(pk=session.pk).seq == 0


def test_in_the_room_the_shape_is_not_checked(session, settings):
    """CHAMBER_CHECK_EVENTS is off outside tests and DEBUG: the frame goes out."""
    settings.CHAMBER_CHECK_EVENTS = False
    with transaction.atomic():
        emit(session=session, type="agenda.current", data={"current_item_id": "3"})
    assert Session.objects.get(pk=session.pk).seq == 1


def test_notices_say_so_in_their_envelope_and_events_do_not(session):
    with expect_events("agenda.current", "roster.presence") as frames, transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        emit(session=locked, type="agenda.current", data={"current_item_id": None})
        notify(
            session=locked,
            type="roster.presence",
            data={"delegate_id": 1, "connected": True},
            audience=Audience.CHAIR,
        )
    event, notice = frames
    assert "notice" not in event and event["seq"] == 1
    assert notice["notice"] is True and notice["seq"] == 1


def test_a_type_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        declare("agenda.current", sequenced=True, data=obj())


def test_shapes():
    poll = obj(id=int, closes_at=nullable(str), partial=optional(dict_of(NUMBER)))
    poll.check({"id": 1, "closes_at": None})
    poll.check({"id": 1, "closes_at": "2026", "partial": {"yes": 2, "no": 0.5}})
    for bad, where in [
        ({"closes_at": None}, "missing id"),
        ({"id": True, "closes_at": None}, "data.id"),
        ({"id": 1, "closes_at": None, "partial": {"yes": "2"}}, "data.partial.yes"),
    ]:
        with pytest.raises(ShapeMismatch, match=where):
            poll.check(bad)
    with pytest.raises(ShapeMismatch, match=r"data\[1\]"):
        list_of(int).check([1, "2"])
