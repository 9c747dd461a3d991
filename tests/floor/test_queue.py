"""The list of speakers: places, kinds, one waiting request per kind, closing, the chair's
order and additions, giving the floor — and refusals that change nothing."""

from __future__ import annotations

import pytest

from floor import services, turns
from floor.models import Request, Turn
from floor.selectors import floor_snapshot
from meeting import services as meeting
from meeting.models import ActionLog, Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.events import expect_events
from tests.factories import make_council

pytestmark = pytest.mark.django_db(transaction=False)


def ask(sitting, index: int, kind: str = "speak", **extra) -> Request:
    return services.speaker_request(
        session_id=sitting.session.pk,
        kind=kind,
        actor=Actor(delegate=sitting.delegates[index]),
        **extra,
    )


def queue(sitting) -> list[tuple[str, str]]:
    session = Session.objects.get(pk=sitting.session.pk)
    state = floor_snapshot(session)["floor"]["lists"][str(session.current_item_id)]
    return [(entry["speaker"]["name"], entry["kind"]) for entry in state["waiting"]]


def names(sitting, *indexes: int) -> list[str]:
    return [sitting.delegates[i].full_name for i in indexes]


def unchanged(sitting):
    """What a refused command must leave as it was: the rows, the chain, the sequence."""
    session = Session.objects.get(pk=sitting.session.pk)
    return (
        list(Request.objects.order_by("pk").values()),
        list(Turn.objects.order_by("pk").values()),
        ActionLog.objects.filter(session=session).count(),
        session.seq,
    )


def refused(sitting, code: str, call) -> None:
    before = unchanged(sitting)
    with pytest.raises(ServiceError) as refusal:
        call()
    assert refusal.value.code == code
    assert unchanged(sitting) == before


def test_places_follow_arrival_and_points_of_order_go_first(sitting, published):
    with published() as events:
        ask(sitting, 0)
        ask(sitting, 1)
        ask(sitting, 2, kind="order")
        ask(sitting, 0, kind="order")
    assert queue(sitting) == [
        (sitting.delegates[2].full_name, "order"),
        (sitting.delegates[0].full_name, "order"),
        (sitting.delegates[0].full_name, "speak"),
        (sitting.delegates[1].full_name, "speak"),
    ]
    # One sequenced event per change, each with the request as it now is.
    assert [e["type"] for e in events] == ["floor.changed"] * 4
    # ... each saying what changed (the new request), never the whole line again.
    assert [e["data"]["list"]["waiting_count"] for e in events] == [1, 2, 3, 4]
    assert [len(e["data"]["list"]["requests"]) for e in events] == [1, 1, 1, 1]
    assert [e["seq"] for e in events] == sorted({e["seq"] for e in events})


def test_one_waiting_request_per_kind(sitting):
    first = ask(sitting, 0)
    refused(sitting, "floor.already_requested", lambda: ask(sitting, 0))
    services.speaker_withdraw(
        session_id=sitting.session.pk,
        request_id=first.pk,
        actor=Actor(delegate=sitting.delegates[0]),
    )
    ask(sitting, 0)  # withdrawn: may ask again
    assert queue(sitting) == [(sitting.delegates[0].full_name, "speak")]


def test_only_checked_in_delegates_of_the_council(sitting):
    meeting.attendance_set(
        session_id=sitting.session.pk,
        delegate_id=sitting.delegates[3].pk,
        status="left",
        actor=sitting.chair,
    )
    refused(sitting, "floor.not_checked_in", lambda: ask(sitting, 3))
    stranger = make_council(seats=3).delegates.first()
    refused(
        sitting,
        "delegate.not_found",
        lambda: services.speaker_request(
            session_id=sitting.session.pk, kind="speak", actor=Actor(delegate=stranger)
        ),
    )
    refused(
        sitting,
        "delegate.not_found",
        lambda: services.speaker_add(
            session_id=sitting.session.pk,
            kind="speak",
            delegate_id=stranger.pk,
            actor=sitting.chair,
        ),
    )


def test_closed_list_refuses_but_takes_points_of_order_and_reopens(sitting):
    services.speaker_list_close(session_id=sitting.session.pk, actor=sitting.chair)
    refused(sitting, "floor.list_closed", lambda: ask(sitting, 0))
    ask(sitting, 1, kind="order")
    services.speaker_add(
        session_id=sitting.session.pk,
        kind="speak",
        delegate_id=sitting.delegates[2].pk,
        actor=sitting.chair,
    )
    services.speaker_list_close(session_id=sitting.session.pk, actor=sitting.chair, closed=False)
    ask(sitting, 0)
    assert [n for n, _k in queue(sitting)] == names(sitting, 1, 2, 0)


def test_debate_replies_to_an_earlier_speaker_of_the_item(sitting):
    refused(sitting, "floor.reply_to_required", lambda: ask(sitting, 1, kind="debate"))
    turn = turns.turn_give(
        session_id=sitting.session.pk, request_id=ask(sitting, 0).pk, actor=sitting.chair
    )
    refused(
        sitting,
        "floor.reply_to_unknown",
        lambda: ask(sitting, 0, kind="debate", reply_to_turn_id=turn.pk),  # not to oneself
    )
    request = ask(sitting, 1, kind="debate", reply_to_turn_id=turn.pk)
    session = Session.objects.get(pk=sitting.session.pk)
    entry = floor_snapshot(session)["floor"]["lists"][str(session.current_item_id)]["waiting"][0]
    assert entry["id"] == request.pk
    assert entry["reply_to"] == {"turn_id": turn.pk, "name": sitting.delegates[0].full_name}


def test_who_spoke_names_each_turns_delegate_so_namesakes_may_debate(sitting):
    """The tablet's debate picker leaves out its delegate's own turns by ``delegate_id``:
    the line's ``spoken`` carries it, in the snapshot and in ``floor.changed``."""
    for delegate in sitting.delegates[:2]:
        delegate.full_name = "Nguyễn Văn Hùng"
        delegate.save(update_fields=["full_name"])
    first = turns.turn_give(
        session_id=sitting.session.pk, request_id=ask(sitting, 0).pk, actor=sitting.chair
    )
    second_request = ask(sitting, 1)
    with expect_events("floor.changed") as frames:
        second = turns.turn_give(
            session_id=sitting.session.pk, request_id=second_request.pk, actor=sitting.chair
        )
    ids = [d.pk for d in sitting.delegates[:2]]
    spoken = [(t["turn_id"], t["delegate_id"]) for t in frames[0]["data"]["list"]["spoken"]]
    assert spoken == [(first.pk, ids[0]), (second.pk, ids[1])]
    session = Session.objects.get(pk=sitting.session.pk)
    line = floor_snapshot(session)["floor"]["lists"][str(session.current_item_id)]
    assert [(t["turn_id"], t["delegate_id"]) for t in line["spoken"]] == spoken
    # Each may reply to the other's turn (the server refuses one's own, not a namesake's).
    turns.turn_end(session_id=sitting.session.pk, actor=sitting.chair)
    assert ask(sitting, 0, kind="debate", reply_to_turn_id=second.pk).reply_to_id == second.pk
    assert ask(sitting, 1, kind="debate", reply_to_turn_id=first.pk).reply_to_id == first.pk


def test_chair_reorders_adds_a_guest_and_gives_the_floor(sitting):
    a, b, c = ask(sitting, 0), ask(sitting, 1), ask(sitting, 2, kind="order")
    guest = services.speaker_add(
        session_id=sitting.session.pk,
        kind="speak",
        guest_id=sitting.guests[0].pk,
        actor=sitting.chair,
    )
    refused(
        sitting,
        "floor.bad_order",
        lambda: services.speaker_reorder(
            session_id=sitting.session.pk, request_ids=[a.pk, b.pk], actor=sitting.chair
        ),
    )
    services.speaker_reorder(
        session_id=sitting.session.pk, request_ids=[guest.pk, b.pk, a.pk, c.pk], actor=sitting.chair
    )
    assert [n for n, _k in queue(sitting)] == [
        sitting.guests[0].full_name,
        *names(sitting, 1, 0, 2),
    ]
    # A point of order arriving now still goes first.
    d = ask(sitting, 3, kind="order")
    assert queue(sitting)[0] == (sitting.delegates[3].full_name, "order")
    turn = turns.turn_next(session_id=sitting.session.pk, actor=sitting.chair)
    assert (turn.delegate_id, turn.kind, turn.request_id) == (
        sitting.delegates[3].pk,
        "order",
        d.pk,
    )
    turn = turns.turn_give(session_id=sitting.session.pk, request_id=a.pk, actor=sitting.chair)
    assert Turn.objects.get(request=d).ended_at is not None  # the floor moved on
    assert Request.objects.get(pk=d.pk).status == "done"
    assert [n for n, _k in queue(sitting)] == [
        sitting.guests[0].full_name,
        *names(sitting, 1, 2),
    ]
    turn = turns.turn_next(session_id=sitting.session.pk, actor=sitting.chair)
    assert turn.guest_id == sitting.guests[0].pk


def test_floor_to_someone_not_listed_and_ending_no_turn_are_refused(sitting):
    spoken = ask(sitting, 0)
    turns.turn_give(session_id=sitting.session.pk, request_id=spoken.pk, actor=sitting.chair)
    turns.turn_end(session_id=sitting.session.pk, actor=sitting.chair)
    for request_id in (spoken.pk, 999_999):
        refused(
            sitting,
            "floor.not_listed",
            lambda request_id=request_id: turns.turn_give(
                session_id=sitting.session.pk, request_id=request_id, actor=sitting.chair
            ),
        )
    refused(
        sitting,
        "floor.no_turn",
        lambda: turns.turn_end(session_id=sitting.session.pk, actor=sitting.chair),
    )
    refused(
        sitting,
        "floor.queue_empty",
        lambda: turns.turn_next(session_id=sitting.session.pk, actor=sitting.chair),
    )


def test_a_delegate_withdraws_only_their_own(sitting):
    mine = ask(sitting, 0)
    refused(
        sitting,
        "floor.request_not_found",
        lambda: services.speaker_withdraw(
            session_id=sitting.session.pk,
            request_id=mine.pk,
            actor=Actor(delegate=sitting.delegates[1]),
        ),
    )
    services.speaker_withdraw(
        session_id=sitting.session.pk, request_id=mine.pk, actor=sitting.chair
    )
    assert queue(sitting) == []


def test_requests_are_refused_when_the_sitting_is_not_live(sitting):
    Session.objects.filter(pk=sitting.session.pk).update(status=Session.Status.CLOSED)
    refused(sitting, "session.not_live", lambda: ask(sitting, 0))


def test_the_chain_records_each_request_and_turn(sitting):
    request = ask(sitting, 0)
    turns.turn_give(session_id=sitting.session.pk, request_id=request.pk, actor=sitting.chair)
    turns.turn_end(session_id=sitting.session.pk, actor=sitting.chair)
    actions = list(
        ActionLog.objects.filter(session=sitting.session, action__startswith="floor.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["floor.request", "floor.turn_start", "floor.turn_end"]
