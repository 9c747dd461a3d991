"""The floor in the record: the minutes list each item's speakers with their times, the
questions with their respondents and the written answers due; verify-record finds a turn, a
question or a written answer edited behind the application's back."""

from __future__ import annotations

import datetime
import io

import pymupdf
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from floor import questions, services, turns
from floor.models import Question, Turn
from meeting import services as meeting
from meeting.models import Session
from realtime.actors import Actor
from record.minutes import minutes_pdf
from record.selectors import session_record
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(sitting, clock):
    """Two turns on the first item, a question session on the second with one question
    answered and one left for a written answer, then the close."""
    session_id = sitting.session.pk
    first = services.speaker_request(
        session_id=session_id, kind="speak", actor=Actor(delegate=sitting.delegates[0])
    )
    turns.turn_give(session_id=session_id, request_id=first.pk, actor=sitting.chair)
    clock.advance(362)
    spoken = Turn.objects.get(request=first)
    services.speaker_request(
        session_id=session_id,
        kind="debate",
        reply_to_turn_id=spoken.pk,
        actor=Actor(delegate=sitting.delegates[1]),
    )
    turns.turn_next(session_id=session_id, actor=sitting.chair)
    clock.advance(50)
    turns.turn_end(session_id=session_id, actor=sitting.chair)
    meeting.agenda_step(session_id=session_id, step=1, actor=sitting.chair)
    asked = questions.question_register(
        session_id=session_id,
        respondent_id=sitting.guests[0].pk,
        text="Khi nào hoàn thành nâng cấp đường Lê Lợi?",
        actor=Actor(delegate=sitting.delegates[2]),
    )
    later = questions.question_register(
        session_id=session_id,
        respondent_id=sitting.guests[1].pk,
        text="Kế hoạch xử lý điểm ngập ở tổ dân phố 5?",
        actor=Actor(delegate=sitting.delegates[3]),
    )
    questions.question_call(session_id=session_id, actor=sitting.chair)
    clock.advance(55)
    questions.question_answer(session_id=session_id, actor=sitting.chair)
    clock.advance(170)
    questions.question_finish(session_id=session_id, actor=sitting.chair)
    questions.question_time_end(
        session_id=session_id,
        due_date=clock.at.date() + datetime.timedelta(days=15),
        actor=sitting.chair,
    )
    meeting.session_officers_set(
        session_id=session_id,
        chair_name="Nguyễn Văn An",
        secretary_name="Trần Thị Bích",
        actor=sitting.chair,
    )
    meeting.session_transition(session_id=session_id, action="close", actor=sitting.chair)
    sitting.asked, sitting.later = asked, later
    return sitting


def minutes_text(session_id: int) -> str:
    session = Session.objects.get(pk=session_id)
    pdf = minutes_pdf(session_record(session), verify_url="http://testserver/verify/")
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return " ".join(" ".join(page.get_text().split()) for page in document)


def verify(session_id: int) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify-record", str(session_id), stdout=out, stderr=err)
    except CommandError:
        return err.getvalue().splitlines()
    return []


def test_minutes_list_speakers_questions_and_written_answers_due(held):
    text = minutes_text(held.session.pk)
    first, second = held.delegates[0].full_name, held.delegates[1].full_name
    assert f"{first} (ghế 01)" in text
    assert "6 phút 02 giây" in text
    assert f"Tranh luận với {first}" in text
    assert second in text and "50 giây" in text
    assert "Chất vấn và trả lời chất vấn" in text
    assert "Khi nào hoàn thành nâng cấp đường Lê Lợi?" in text
    assert "Nguyễn Văn Chủ, Chủ tịch UBND phường, UBND phường" in text
    assert "Đã trả lời tại kỳ họp" in text
    assert "Câu hỏi chất vấn trả lời bằng văn bản" in text
    assert "Kế hoạch xử lý điểm ngập ở tổ dân phố 5?" in text
    assert text.index("Khi nào hoàn thành") < text.index("Câu hỏi chất vấn trả lời bằng văn bản")


def test_a_written_answer_after_the_close_keeps_the_record_and_verifies(held):
    before = minutes_text(held.session.pk)
    clerk = Actor(user=make_staff(role="clerk", council=held.session.council))
    questions.written_answer_record(
        question_id=held.later.pk, actor=clerk, text="Đã khởi công cống thoát nước."
    )
    assert verify(held.session.pk) == []
    assert minutes_text(held.session.pk) == before  # the minutes of the sitting stand
    Question.objects.filter(pk=held.later.pk).update(answer_text="Đã xong.")
    assert verify(held.session.pk) == [
        f"FAIL question {held.later.pk}: the written answer was altered (its seal does not match)"
    ]


def test_verify_names_a_turn_or_a_question_edited_in_the_database(held):
    assert verify(held.session.pk) == []
    turn = Turn.objects.filter(session=held.session, kind="speak").get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE floor_turn SET ended_at = ended_at + interval '5 minutes' WHERE id = %s",
            [turn.pk],
        )
        cursor.execute(
            "UPDATE floor_question SET text = 'Câu hỏi khác' WHERE id = %s", [held.asked.pk]
        )
    problems = verify(held.session.pk)
    assert any(f"turn {turn.pk} (speak): ended_at" in line for line in problems), problems
    assert any(f"turn {turn.pk} (speak): duration" in line for line in problems), problems
    assert (
        f"FAIL question {held.asked.pk}: its text was changed after it was registered" in problems
    )
