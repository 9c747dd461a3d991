"""A sitting closed or adjourned while someone speaks: the turn ends with it, in the same
transaction — the chain records its end before the close, every screen stops the timer, and
the minutes give the turn's end and duration. A question being answered at the close ends
answered, as the chair's "finish" would end it; a recess keeps it called."""

from __future__ import annotations

import pytest

from floor import questions, services, turns
from floor.models import Question, Request, Turn
from meeting import services as meeting
from meeting.models import ActionLog
from realtime.actors import Actor
from realtime.errors import ServiceError
from record import vn
from tests.events import expect_events
from tests.floor.test_record import minutes_text, verify

pytestmark = pytest.mark.django_db


def speaking(sitting) -> Turn:
    request = services.speaker_request(
        session_id=sitting.session.pk, kind="speak", actor=Actor(delegate=sitting.delegates[0])
    )
    return turns.turn_give(
        session_id=sitting.session.pk, request_id=request.pk, actor=sitting.chair
    )


def transition(sitting, action: str) -> None:
    meeting.session_transition(session_id=sitting.session.pk, action=action, actor=sitting.chair)


def test_closing_ends_the_running_turn_for_the_chain_the_screens_and_the_minutes(sitting, clock):
    turn = speaking(sitting)
    clock.advance(185)
    turns.turn_pause(session_id=sitting.session.pk, actor=sitting.chair)
    clock.advance(40)  # paused when the chair closes: the pause is not speaking time
    meeting.session_officers_set(
        session_id=sitting.session.pk,
        chair_name="Nguyễn Văn An",
        secretary_name="Trần Thị Bích",
        actor=sitting.chair,
    )
    with expect_events("floor.changed", "session.changed") as frames:
        transition(sitting, "close")
    assert frames[0]["data"]["turn"] is None  # the screens stop the timer
    turn.refresh_from_db()
    assert turn.ended_at == clock.at and turn.paused_at is None
    assert Request.objects.get(pk=turn.request_id).status == Request.Status.DONE
    actions = list(
        ActionLog.objects.filter(session=sitting.session)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["floor.turn_end", "session.close"]
    ended = ActionLog.objects.get(session=sitting.session, action="floor.turn_end")
    assert ended.data["duration"] == 185 and ended.data["pauses"]
    text = minutes_text(sitting.session.pk)
    times = f"{vn.time_words(turn.started_at)} – {vn.time_words(turn.ended_at)}"
    assert times in text
    assert "3 phút 05 giây" in text
    assert verify(sitting.session.pk) == []


def test_adjourning_ends_the_turn_and_resuming_finds_no_one_speaking(sitting, clock):
    turn = speaking(sitting)
    clock.advance(42)
    with expect_events("floor.changed", "session.changed"):
        transition(sitting, "adjourn")
    turn.refresh_from_db()
    assert turn.ended_at == clock.at
    transition(sitting, "resume")
    assert not Turn.objects.filter(session=sitting.session, ended_at__isnull=True).exists()
    transition(sitting, "close")
    assert verify(sitting.session.pk) == []


def test_closing_with_no_one_speaking_tells_the_floor_nothing(sitting, clock):
    turn = speaking(sitting)
    turns.turn_end(session_id=sitting.session.pk, actor=sitting.chair)
    with expect_events("session.changed"):
        transition(sitting, "close")
    assert ActionLog.objects.filter(session=sitting.session, action="floor.turn_end").count() == 1
    turn.refresh_from_db()
    assert turn.ended_at is not None


def test_a_close_refused_leaves_the_turn_running(sitting, clock):
    from voting import services as voting

    turn = speaking(sitting)
    poll = voting.poll_create(
        session_id=sitting.session.pk, title="Thông qua nghị quyết", actor=sitting.chair
    )
    voting.poll_open(poll_id=poll.pk, actor=sitting.chair)
    with pytest.raises(ServiceError) as refusal:
        transition(sitting, "close")
    assert refusal.value.code == "poll.still_open"
    turn.refresh_from_db()
    assert turn.ended_at is None


def questioned(sitting, clock, *, answered: bool) -> Question:
    """A question called, its respondent answering (or its asker still asking)."""
    question = questions.question_register(
        session_id=sitting.session.pk,
        respondent_id=sitting.guests[0].pk,
        text="Khi nào thông xe cầu Phú Lương?",
        actor=Actor(delegate=sitting.delegates[1]),
    )
    questions.question_call(session_id=sitting.session.pk, actor=sitting.chair)
    clock.advance(50)
    if answered:
        questions.question_answer(session_id=sitting.session.pk, actor=sitting.chair)
        clock.advance(120)
    meeting.session_officers_set(
        session_id=sitting.session.pk,
        chair_name="Nguyễn Văn An",
        secretary_name="Trần Thị Bích",
        actor=sitting.chair,
    )
    return question


def outcome_in_minutes(sitting) -> str:
    text = minutes_text(sitting.session.pk)
    asked = text.index("Khi nào thông xe cầu Phú Lương?")
    return text[asked : asked + 120]


def test_closing_while_a_question_is_answered_ends_it_answered_in_the_minutes(sitting, clock):
    question = questioned(sitting, clock, answered=True)
    with expect_events("floor.changed", "questions.changed", "session.changed"):
        transition(sitting, "close")
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    actions = list(
        ActionLog.objects.filter(session=sitting.session)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["floor.turn_end", "question.finish", "session.close"]
    outcome = outcome_in_minutes(sitting)
    assert "Đã trả lời tại kỳ họp" in outcome and "Chưa được trả lời" not in outcome
    assert "2 phút 00 giây" in minutes_text(sitting.session.pk)  # the answer, to the close
    assert verify(sitting.session.pk) == []


def test_closing_while_the_asker_still_asks_leaves_it_unanswered(sitting, clock):
    question = questioned(sitting, clock, answered=False)
    transition(sitting, "close")
    question.refresh_from_db()
    assert question.status == Question.Status.REGISTERED  # as the chair's "finish" leaves it
    assert "Chưa được trả lời" in outcome_in_minutes(sitting)
    assert verify(sitting.session.pk) == []


def test_a_recess_keeps_the_question_called_and_the_answer_goes_on_after(sitting, clock):
    question = questioned(sitting, clock, answered=True)
    transition(sitting, "adjourn")
    question.refresh_from_db()
    assert question.status == Question.Status.CALLED
    # Minutes printed during the recess say what is so: the question is being dealt with.
    outcome = outcome_in_minutes(sitting)
    assert "Đang chất vấn" in outcome and "Chưa được trả lời" not in outcome
    transition(sitting, "resume")
    questions.question_debate(session_id=sitting.session.pk, actor=sitting.chair)
    clock.advance(30)
    transition(sitting, "close")
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert "Đã trả lời tại kỳ họp" in outcome_in_minutes(sitting)
    assert verify(sitting.session.pk) == []
