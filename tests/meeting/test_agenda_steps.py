"""Many sittings' agenda steps written together (meeting.agenda_steps): each sitting steps as the
service would step it alone — its events in order, its chain intact, its answer — and a
sitting another transaction holds is stepped after the batch, never waited for inside it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from documents import services as documents
from documents.models import Presentation
from meeting import agenda_steps, chain, selectors, services
from meeting.agenda_steps import batch_handler
from meeting.models import ActionLog, Session
from realtime.actors import Actor
from realtime.commands import Context
from realtime.errors import ServiceError
from realtime.models import CommandReceipt
from tests.documents import pdfs
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


def _alone(step):
    def handle(context, data):
        session = services.agenda_step(
            session_id=context.session_id, step=step, actor=context.actor
        )
        return {"current_item_id": session.current_item_id}

    return handle


NEXT = batch_handler(step=1, command_type="agenda.next", alone=_alone(1))
PREVIOUS = batch_handler(step=-1, command_type="agenda.previous", alone=_alone(-1))


def _sitting(items=3, sub_items=0):
    council = make_council(seats=3)
    session = make_session(council=council, items=items, sub_items=sub_items)
    chair = Actor(user=make_staff(role="chair", council=council))
    order = [item.pk for item in selectors.agenda_order(session)]
    return session, chair, order


def _context(session, actor, command_id):
    return Context(session_id=session.pk, actor=actor, command_id=command_id)


def _events(frames, session):
    group = f"session.{session.pk}.public"
    return [(f["type"], f["seq"], f["data"]) for f in frames if f["group"] == group]


def test_a_batch_steps_each_sitting_as_the_service_would(published):
    a, chair_a, order_a = _sitting(items=2, sub_items=1)  # a tree: 1, 1.1, 2, 2.1
    b, chair_b, order_b = _sitting()
    c, chair_c, order_c = _sitting(items=1)  # at its end already
    secretary_a = Actor(user=make_staff(role="secretary", council=a.council))
    # B's room is shown a page: the step takes it down, right after its agenda.current.
    document = documents.document_upload(
        session_id=b.pk,
        title="Tờ trình",
        data=pdfs.make_pdf(count=2),
        actor=Actor(user=make_staff(role="clerk", council=b.council)),
    )
    documents.document_show(session_id=b.pk, document_id=document.pk, page=2, actor=chair_b)
    seq = {s.pk: Session.objects.get(pk=s.pk).seq for s in (a, b, c)}

    with published() as frames:
        outcomes = NEXT(
            [
                (_context(a, chair_a, "n1"), {}),
                (_context(b, chair_b, "n1"), {}),
                (_context(c, chair_c, "n1"), {}),
                (_context(a, secretary_a, "s1"), {}),  # A's second console: A steps twice
            ]
        )

    assert outcomes[0] == {"current_item_id": order_a[1]}
    assert outcomes[1] == {"current_item_id": order_b[1]}
    assert isinstance(outcomes[2], ServiceError) and outcomes[2].code == "agenda.at_end"
    assert outcomes[3] == {"current_item_id": order_a[2]}
    assert _events(frames, a) == [
        ("agenda.current", seq[a.pk] + 1, {"current_item_id": order_a[1]}),
        ("agenda.current", seq[a.pk] + 2, {"current_item_id": order_a[2]}),
    ]
    assert _events(frames, b) == [
        ("agenda.current", seq[b.pk] + 1, {"current_item_id": order_b[1]}),
        ("document.shown", seq[b.pk] + 2, {"document": None, "page": None}),
    ]
    assert _events(frames, c) == []
    assert Presentation.objects.get(session=b).document_id is None
    for session, current, events in ((a, order_a[2], 2), (b, order_b[1], 2), (c, order_c[0], 0)):
        row = Session.objects.get(pk=session.pk)
        assert (row.current_item_id, row.seq) == (current, seq[session.pk] + events)
        if events:  # a step changes the snapshots' shared parts: they are built again
            assert row.shared_seq == row.seq
        assert row.log_count == ActionLog.objects.filter(session=session).count()
        assert chain.verify_chain(session.pk) == []
    logged = ActionLog.objects.filter(session=a, action="agenda.current").order_by("id")
    assert [(e.data, e.actor_user_id) for e in logged] == [
        ({"previous": order_a[0], "current": order_a[1]}, chair_a.user.pk),
        ({"previous": order_a[1], "current": order_a[2]}, secretary_a.user.pk),
    ]
    assert CommandReceipt.objects.filter(command_type="agenda.next").count() == 3

    # The service goes on from where the batch left each chain and sequence.
    with published() as frames:
        services.agenda_step(session_id=a.pk, step=1, actor=chair_a)
    assert _events(frames, a) == [
        ("agenda.current", seq[a.pk] + 3, {"current_item_id": order_a[3]})
    ]
    assert chain.verify_chain(a.pk) == []


def test_a_command_sent_again_is_answered_as_before_and_not_done_twice(published):
    a, chair_a, order_a = _sitting()
    b, chair_b, order_b = _sitting()
    with published():
        first = NEXT([(_context(a, chair_a, "n1"), {}), (_context(b, chair_b, "n1"), {})])
    with published() as frames:
        again = NEXT(
            [
                (_context(a, chair_a, "n1"), {}),  # the same id again
                (_context(b, chair_b, "p1"), {}),  # an id of a command of another type
                (_context(b, chair_b, "n1"), {}),
                (_context(b, chair_b, "n1"), {}),  # twice in one batch
            ]
        )
    with published():
        refused = PREVIOUS([(_context(b, chair_b, "n1"), {}), (_context(a, chair_a, "x"), {})])
    assert again[0] == first[0] == {"current_item_id": order_a[1]}
    assert again[2] == again[3] == first[1] == {"current_item_id": order_b[1]}
    assert again[1] == {"current_item_id": order_b[2]}  # "p1" is a new command: B steps
    assert [type for type, _seq, _data in _events(frames, a)] == []
    assert isinstance(refused[0], ServiceError) and refused[0].code == "command.id_reused"
    assert refused[1] == {"current_item_id": order_a[0]}


def test_a_lone_step_is_a_batch_of_one(published):
    a, chair_a, order_a = _sitting()
    with published() as frames:
        assert NEXT([(_context(a, chair_a, "n1"), {})]) == [{"current_item_id": order_a[1]}]
    assert [type for type, _seq, _data in _events(frames, a)] == ["agenda.current"]
    assert CommandReceipt.objects.filter(command_id="n1").count() == 1
    assert chain.verify_chain(a.pk) == []


def test_a_copy_committed_meanwhile_is_answered_from_it_not_done_twice(published, monkeypatch):
    a, chair_a, order_a = _sitting()
    b, chair_b, order_b = _sitting()
    with published():
        first = NEXT([(_context(a, chair_a, "n1"), {})])
    seq = Session.objects.get(pk=a.pk).seq
    # As if the copy sent through another worker committed after this batch read the receipts.
    monkeypatch.setattr(agenda_steps, "_receipts", lambda keys: {})
    with published() as frames:
        outcomes = NEXT([(_context(a, chair_a, "n1"), {}), (_context(b, chair_b, "n1"), {})])
    assert outcomes == [first[0], {"current_item_id": order_b[1]}]
    assert Session.objects.get(pk=a.pk).seq == seq
    assert _events(frames, a) == []
    assert chain.verify_chain(a.pk) == [] and chain.verify_chain(b.pk) == []


def test_a_sitting_not_live_is_refused_in_its_words():
    a, chair_a, _order = _sitting()
    b, chair_b, _order = _sitting()
    Session.objects.filter(pk=b.pk).update(status=Session.Status.CLOSED)
    outcomes = NEXT([(_context(a, chair_a, "n1"), {}), (_context(b, chair_b, "n1"), {})])
    assert isinstance(outcomes[1], ServiceError) and outcomes[1].code == "session.not_live"
    assert not CommandReceipt.objects.filter(actor=f"user:{chair_b.user.pk}").exists()


@pytest.mark.django_db(transaction=True)
def test_a_sitting_another_transaction_holds_is_stepped_after_the_batch_not_inside_it():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    a, chair_a, order_a = _sitting()
    b, chair_b, order_b = _sitting()
    held, release = threading.Event(), threading.Event()
    seen_during: list = []

    def hold_b() -> None:
        # Another command of B's sitting, still in its transaction (a vote being closed).
        try:
            with transaction.atomic():
                services.session_lock(b.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_b)
    holder.start()
    assert held.wait(10)
    stepped_alone = []

    def alone_after(context, data):
        # By the time B is stepped, A's step has committed: B never held A back.
        seen_during.append(Session.objects.get(pk=a.pk).current_item_id)
        release.set()
        stepped_alone.append(context.session_id)
        return _alone(1)(context, data)

    handler = batch_handler(step=1, command_type="agenda.next", alone=alone_after)
    started = timezone.now()
    outcomes = handler([(_context(a, chair_a, "n1"), {}), (_context(b, chair_b, "n1"), {})])
    holder.join(10)
    assert outcomes == [{"current_item_id": order_a[1]}, {"current_item_id": order_b[1]}]
    assert stepped_alone == [b.pk]
    assert seen_during == [order_a[1]]
    assert (timezone.now() - started).total_seconds() < 10
    for session in (a, b):
        assert chain.verify_chain(session.pk) == []
