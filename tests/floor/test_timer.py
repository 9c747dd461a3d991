"""The server keeps each turn's time: start, pauses, added time, overtime, and what a screen
that reconnects is told."""

from __future__ import annotations

import pytest

from floor import services, turns
from floor.models import SpeakingLimit, Turn
from floor.selectors import floor_snapshot, limits_for
from meeting.models import Session
from realtime.actors import Actor
from realtime.errors import ServiceError

pytestmark = pytest.mark.django_db


def start(sitting, kind: str = "speak") -> Turn:
    request = services.speaker_request(
        session_id=sitting.session.pk, kind=kind, actor=Actor(delegate=sitting.delegates[0])
    )
    return turns.turn_give(
        session_id=sitting.session.pk, request_id=request.pk, actor=sitting.chair
    )


def shown(sitting) -> dict:
    """The running turn as a screen that connects now gets it."""
    return floor_snapshot(Session.objects.get(pk=sitting.session.pk))["floor"]["turn"]


def test_countdown_pause_resume_and_add_time(sitting, clock):
    start(sitting)
    assert shown(sitting)["remaining_seconds"] == 420  # a discussion turn: 7 minutes
    clock.advance(100)
    assert shown(sitting)["remaining_seconds"] == 320
    turns.turn_pause(session_id=sitting.session.pk, actor=sitting.chair)
    clock.advance(60)  # paused: the time stands still
    timer = shown(sitting)
    assert (timer["paused"], timer["remaining_seconds"]) == (True, 320)
    with pytest.raises(ServiceError) as refusal:
        turns.turn_pause(session_id=sitting.session.pk, actor=sitting.chair)
    assert refusal.value.code == "floor.already_paused"
    turns.turn_resume(session_id=sitting.session.pk, actor=sitting.chair)
    clock.advance(20)
    assert shown(sitting)["remaining_seconds"] == 300
    turns.turn_add_time(session_id=sitting.session.pk, seconds=60, actor=sitting.chair)
    timer = shown(sitting)
    assert (timer["remaining_seconds"], timer["added_seconds"], timer["elapsed_seconds"]) == (
        360,
        60,
        120,
    )
    with pytest.raises(ServiceError) as refusal:
        turns.turn_resume(session_id=sitting.session.pk, actor=sitting.chair)
    assert refusal.value.code == "floor.not_paused"


def test_overtime_counts_up_until_the_chair_ends_the_turn(sitting, clock):
    start(sitting, kind="order")  # a point of order: 1 minute
    clock.advance(75)
    assert shown(sitting)["remaining_seconds"] == -15  # 15 s over: the screens count up, red
    clock.advance(5)
    turn = turns.turn_end(session_id=sitting.session.pk, actor=sitting.chair)
    clock.advance(30)
    turn.refresh_from_db()
    assert shown(sitting) is None
    from floor import timing

    assert timing.elapsed_seconds(turn) == 80


def test_ending_a_paused_turn_keeps_the_pause_in_the_record(sitting, clock):
    turn = start(sitting)
    clock.advance(10)
    turns.turn_pause(session_id=sitting.session.pk, actor=sitting.chair)
    clock.advance(50)
    turns.turn_end(session_id=sitting.session.pk, actor=sitting.chair)
    turn.refresh_from_db()
    assert turn.paused_seconds == 50
    assert len(turn.pauses) == 1
    from meeting.models import ActionLog

    end = ActionLog.objects.get(session=sitting.session, action="floor.turn_end")
    assert end.data["duration"] == 10
    assert end.data["pauses"] == turn.pauses


def test_a_reconnecting_screen_gets_the_time_left_now(sitting, clock):
    start(sitting)
    clock.advance(42.5)
    first = shown(sitting)
    clock.advance(17.5)  # the screen was away for a while
    again = shown(sitting)
    assert first["remaining_seconds"] - again["remaining_seconds"] == 17.5
    assert again["elapsed_seconds"] == 60
    assert again["started_at"] == first["started_at"]


def test_limits_per_council_session_and_item(sitting, clock):
    session = Session.objects.get(pk=sitting.session.pk)
    SpeakingLimit.objects.create(council=session.council, kind="speak", seconds=300)
    assert limits_for(session, session.current_item_id)["speak"] == 300
    services.speaking_limit_set(
        session_id=session.pk, kind="speak", seconds=240, actor=sitting.chair
    )
    assert limits_for(session, session.current_item_id)["speak"] == 240
    services.speaking_limit_set(
        session_id=session.pk,
        kind="speak",
        seconds=180,
        actor=sitting.chair,
        agenda_item_id=session.current_item_id,
    )
    assert limits_for(session, session.current_item_id)["speak"] == 180
    other = session.agenda_items.exclude(pk=session.current_item_id).first()
    assert limits_for(session, other.pk)["speak"] == 240
    assert start(sitting).limit_seconds == 180
    with pytest.raises(ServiceError) as refusal:
        services.speaking_limit_set(
            session_id=session.pk, kind="speak", seconds=5, actor=sitting.chair
        )
    assert refusal.value.code == "floor.bad_seconds"


def test_timer_commands_need_a_running_turn(sitting):
    for call in (turns.turn_pause, turns.turn_resume, turns.turn_end):
        with pytest.raises(ServiceError) as refusal:
            call(session_id=sitting.session.pk, actor=sitting.chair)
        assert refusal.value.code == "floor.no_turn"
    with pytest.raises(ServiceError) as refusal:
        turns.turn_add_time(session_id=sitting.session.pk, seconds=30, actor=sitting.chair)
    assert refusal.value.code == "floor.no_turn"
