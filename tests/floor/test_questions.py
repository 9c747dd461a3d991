"""The question session: registration (tablet and paper), calling in order or by respondent,
question → answer → debate, the end of question time and the written answers."""

from __future__ import annotations

import datetime

import pytest

from floor import questions, selectors, turns
from floor.models import Question, Turn
from meeting.models import Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def register(sitting, asker: int, respondent: int, text: str) -> Question:
    return questions.question_register(
        session_id=sitting.session.pk,
        respondent_id=sitting.guests[respondent].pk,
        text=text,
        actor=Actor(delegate=sitting.delegates[asker]),
    )


def test_called_in_registration_order_or_grouped_by_respondent(sitting):
    q1 = register(sitting, 0, 0, "Về tiến độ giải phóng mặt bằng?")
    q2 = register(sitting, 1, 1, "Về xử lý rác thải?")
    clerk = Actor(user=make_staff(role="clerk", council=sitting.session.council))
    q3 = questions.question_register(
        session_id=sitting.session.pk,
        respondent_id=sitting.guests[0].pk,
        text="Câu hỏi gửi bằng phiếu giấy",
        actor=clerk,
        asker_id=sitting.delegates[2].pk,
    )
    assert q3.on_paper and q3.asker_id == sitting.delegates[2].pk
    session = Session.objects.get(pk=sitting.session.pk)
    assert [q.pk for q in selectors.call_order(session, "registration")] == [q1.pk, q2.pk, q3.pk]
    assert [q.pk for q in selectors.call_order(session, "respondent")] == [q1.pk, q3.pk, q2.pk]
    questions.question_order_set(session_id=session.pk, order="respondent", actor=sitting.chair)
    questions.question_call(session_id=session.pk, actor=sitting.chair)
    questions.question_finish(session_id=session.pk, actor=sitting.chair)  # not answered: back
    assert Question.objects.get(pk=q1.pk).status == "registered"
    turn = questions.question_call(session_id=session.pk, actor=sitting.chair, question_id=q3.pk)
    assert (turn.kind, turn.delegate_id) == ("question", sitting.delegates[2].pk)


def test_a_turn_is_question_then_answer_then_debate(sitting, clock):
    q = register(sitting, 0, 1, "Vì sao dự án chậm?")
    session_id = sitting.session.pk
    with pytest.raises(ServiceError) as refusal:
        questions.question_answer(session_id=session_id, actor=sitting.chair)
    assert refusal.value.code == "question.none_called"
    asked = questions.question_call(session_id=session_id, actor=sitting.chair)
    assert asked.limit_seconds == 60
    with pytest.raises(ServiceError) as refusal:
        questions.question_debate(session_id=session_id, actor=sitting.chair)
    assert refusal.value.code == "question.not_answered"
    answer = questions.question_answer(session_id=session_id, actor=sitting.chair)
    assert (answer.kind, answer.guest_id, answer.limit_seconds) == (
        "answer",
        sitting.guests[1].pk,
        180,
    )
    assert Turn.objects.get(pk=asked.pk).ended_at is not None
    debate = questions.question_debate(session_id=session_id, actor=sitting.chair)
    assert (debate.kind, debate.delegate_id, debate.reply_to_id) == (
        "debate",
        sitting.delegates[0].pk,
        answer.pk,
    )
    with pytest.raises(ServiceError) as refusal:
        questions.question_call(session_id=session_id, actor=sitting.chair)
    assert refusal.value.code == "question.in_progress"
    questions.question_finish(session_id=session_id, actor=sitting.chair)
    assert Question.objects.get(pk=q.pk).status == "answered"
    assert selectors.running_turn(Session.objects.get(pk=session_id)) is None


def test_question_time_ends_unreached_questions_become_written_tasks(sitting, published):
    session_id = sitting.session.pk
    reached = register(sitting, 0, 0, "Câu hỏi một")
    q2 = register(sitting, 1, 1, "Câu hỏi hai")
    q3 = register(sitting, 2, 0, "Câu hỏi ba")
    questions.question_call(session_id=session_id, actor=sitting.chair)
    questions.question_answer(session_id=session_id, actor=sitting.chair)
    due = datetime.date.today() + datetime.timedelta(days=15)
    with pytest.raises(ServiceError) as refusal:
        questions.question_time_end(
            session_id=session_id, due_date=datetime.date(2000, 1, 1), actor=sitting.chair
        )
    assert refusal.value.code == "question.bad_due_date"
    written = questions.question_time_end(session_id=session_id, due_date=due, actor=sitting.chair)
    assert [q.pk for q in written] == [q2.pk, q3.pk]
    assert Question.objects.get(pk=reached.pk).status == "answered"
    assert {q.status for q in Question.objects.filter(pk__in=[q2.pk, q3.pk])} == {"written_due"}
    assert [q.pk for q in selectors.open_written_answers([sitting.session.council_id])] == [
        q2.pk,
        q3.pk,
    ]
    with pytest.raises(ServiceError) as refusal:
        register(sitting, 3, 0, "Quá giờ")
    assert refusal.value.code == "question.time_ended"

    clerk = Actor(user=make_staff(role="clerk", council=sitting.session.council))
    with published() as events:
        questions.written_answer_record(
            question_id=q2.pk, actor=clerk, text="Sở đã bố trí thêm xe thu gom."
        )
    answered = Question.objects.get(pk=q2.pk)
    assert answered.status == "answered_in_writing"
    assert answered.answer_seal == questions.answer_seal(answered)
    mine = [e for e in events if e["type"] == "written.answered" and "delegate" in e["group"]]
    assert mine and mine[0]["data"]["answer_text"] == "Sở đã bố trí thêm xe thu gom."
    tablet = selectors.floor_snapshot(
        Session.objects.get(pk=session_id), delegate=sitting.delegates[1]
    )
    assert [a["id"] for a in tablet["my_answers"]] == [q2.pk]
    assert [q.pk for q in selectors.open_written_answers([sitting.session.council_id])] == [q3.pk]
    with pytest.raises(ServiceError) as refusal:
        questions.written_answer_record(question_id=q2.pk, actor=clerk, text="lần nữa")
    assert refusal.value.code == "written.not_due"


def test_a_delegate_withdraws_only_their_own_question(sitting):
    q = register(sitting, 0, 0, "Câu hỏi")
    with pytest.raises(ServiceError) as refusal:
        questions.question_withdraw(
            session_id=sitting.session.pk,
            question_id=q.pk,
            actor=Actor(delegate=sitting.delegates[1]),
        )
    assert refusal.value.code == "question.not_found"
    questions.question_withdraw(
        session_id=sitting.session.pk, question_id=q.pk, actor=Actor(delegate=sitting.delegates[0])
    )
    assert selectors.questions(Session.objects.get(pk=sitting.session.pk)) == []


def test_running_turn_is_ended_by_a_question_call(sitting):
    from floor import services

    request = services.speaker_request(
        session_id=sitting.session.pk, kind="speak", actor=Actor(delegate=sitting.delegates[3])
    )
    turns.turn_give(session_id=sitting.session.pk, request_id=request.pk, actor=sitting.chair)
    register(sitting, 0, 0, "Câu hỏi")
    turn = questions.question_call(session_id=sitting.session.pk, actor=sitting.chair)
    assert Turn.objects.filter(ended_at__isnull=True).get() == turn
