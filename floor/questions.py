"""The question session (chất vấn): questions to respondents, called in order, each turn
question → answer → debate; at the end of question time, the unreached become written-answer
tasks; the clerk records each written answer.

A written answer usually comes after the sitting closed, when the session's chain is sealed:
it is then sealed on its own (``answer_seal``: an HMAC of its content under the server's key,
like the chain's seal), and ``verify-record`` checks it. One that comes while the sitting is
live also enters the chain.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from documents import services as documents
from floor import selectors, timing
from floor.models import Kind, Question, QuestionSession, Turn
from floor.services import (
    delegate_of,
    floor_publish,
    guest_of,
    log,
    questions_publish,
    require_live,
)
from floor.turns import end_on_sitting_stop as end_turn_on_sitting_stop
from floor.turns import finish_running, start_turn
from meeting.models import Session
from meeting.services import session_lock
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.groups import Audience
from realtime.publish import notify

MAX_QUESTION_LENGTH = 2000
MAX_ANSWER_LENGTH = 20000


def _state(session: Session) -> QuestionSession:
    state, _created = QuestionSession.objects.get_or_create(session=session)
    return QuestionSession.objects.select_for_update().get(pk=state.pk)


def _require_open(state: QuestionSession) -> None:
    if state.ended_at is not None:
        raise ServiceError("question.time_ended", _("Phiên chất vấn đã kết thúc."))


def _question(session: Session, question_id: int) -> Question:
    question = (
        Question.objects.select_for_update()
        .select_related("asker", "respondent")
        .filter(pk=question_id, session=session)
        .first()
    )
    if question is None:
        raise ServiceError("question.not_found", _("Không tìm thấy câu hỏi chất vấn."))
    return question


def _called(session: Session) -> Question:
    question = Question.objects.filter(session=session, status=Question.Status.CALLED).first()
    if question is None:
        raise ServiceError("question.none_called", _("Chưa mời câu hỏi chất vấn nào."))
    return _question(session, question.pk)


def question_register(
    *,
    session_id: int,
    respondent_id: int,
    text: str,
    actor: Actor,
    asker_id: int | None = None,
) -> Question:
    """A delegate registers a question (before or during the sitting); the clerk registers
    one submitted on paper, naming its asker (``asker_id``)."""
    text = (text or "").strip()
    if not text or len(text) > MAX_QUESTION_LENGTH:
        raise ServiceError(
            "question.text_required", _("Cần nhập nội dung câu hỏi (tối đa 2.000 ký tự).")
        )
    with transaction.atomic():
        session = session_lock(session_id)
        if session.status == Session.Status.CLOSED:
            raise ServiceError("session.closed", _("Kỳ họp đã bế mạc."))
        if actor.delegate is not None:
            asker = delegate_of(session, actor.delegate.pk)
        elif asker_id is None:
            raise ServiceError("question.asker_required", _("Cần chọn đại biểu đặt câu hỏi."))
        else:
            asker = delegate_of(session, asker_id)
        respondent = guest_of(session, respondent_id)
        state = _state(session)
        _require_open(state)
        state.last_position += 1
        state.save(update_fields=["last_position"])
        question = Question.objects.create(
            session=session,
            asker=asker,
            respondent=respondent,
            text=text,
            on_paper=actor.delegate is None,
            position=state.last_position,
            registered_at=timing.now(),
        )
        log(
            session,
            "question.register",
            actor,
            question=question.pk,
            asker=asker.pk,
            respondent=respondent.pk,
            text=text,
            on_paper=question.on_paper,
            position=question.position,
        )
        questions_publish(session=session)
        return question


def question_withdraw(*, session_id: int, question_id: int, actor: Actor) -> Question:
    with transaction.atomic():
        session = session_lock(session_id)
        question = _question(session, question_id)
        if actor.delegate is not None and question.asker_id != actor.delegate.pk:
            raise ServiceError("question.not_found", _("Không tìm thấy câu hỏi chất vấn."))
        if question.status != Question.Status.REGISTERED:
            raise ServiceError("question.bad_state", _("Câu hỏi này không còn rút được."))
        question.status = Question.Status.WITHDRAWN
        question.save(update_fields=["status"])
        log(session, "question.withdraw", actor, question=question.pk)
        questions_publish(session=session)
        return question


def question_order_set(*, session_id: int, order: str, actor: Actor) -> QuestionSession:
    if order not in QuestionSession.Order.values:
        raise ServiceError("question.bad_order", _("Thứ tự mời chất vấn không hợp lệ."))
    with transaction.atomic():
        session = session_lock(session_id)
        state = _state(session)
        if state.order != order:
            state.order = order
            state.save(update_fields=["order"])
            log(session, "question.order", actor, order=order)
            questions_publish(session=session)
        return state


def question_call(*, session_id: int, actor: Actor, question_id: int | None = None) -> Turn:
    """Call a question (the next in the chosen order unless one is named): its asker gets
    the floor to ask, with the question's limit."""
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        state = _state(session)
        _require_open(state)
        if Question.objects.filter(session=session, status=Question.Status.CALLED).exists():
            raise ServiceError(
                "question.in_progress", _("Cần kết thúc câu hỏi đang chất vấn trước.")
            )
        if question_id is None:
            pending = selectors.call_order(session, state.order)
            if not pending:
                raise ServiceError("question.none_left", _("Không còn câu hỏi nào chờ."))
            question_id = pending[0].pk
        question = _question(session, question_id)
        if question.status != Question.Status.REGISTERED:
            raise ServiceError("question.bad_state", _("Câu hỏi này không ở trạng thái chờ."))
        question.status = Question.Status.CALLED
        question.called_at = timing.now()
        question.save(update_fields=["status", "called_at"])
        log(session, "question.call", actor, question=question.pk)
        turn = start_turn(
            session=session,
            actor=actor,
            kind=Kind.QUESTION,
            item_id=session.current_item_id,
            delegate=question.asker,
            question=question,
        )
        floor_publish(session=session, item_id=session.current_item_id)
        questions_publish(session=session)
        return turn


def _phase(session_id: int, actor: Actor, kind: str) -> Turn:
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        question = _called(session)
        answer = question.turns.filter(kind=Kind.ANSWER).last()
        if kind == Kind.DEBATE and answer is None:
            raise ServiceError(
                "question.not_answered", _("Người được chất vấn chưa trả lời câu hỏi này.")
            )
        turn = start_turn(
            session=session,
            actor=actor,
            kind=kind,
            item_id=session.current_item_id,
            delegate=question.asker if kind == Kind.DEBATE else None,
            guest=question.respondent if kind == Kind.ANSWER else None,
            question=question,
            reply_to=answer if kind == Kind.DEBATE else None,
        )
        floor_publish(session=session, item_id=session.current_item_id)
        return turn


def question_answer(*, session_id: int, actor: Actor) -> Turn:
    """The respondent answers the called question (the answer's limit)."""
    return _phase(session_id, actor, Kind.ANSWER)


def question_debate(*, session_id: int, actor: Actor) -> Turn:
    """Debate on the answer: the questioner speaks first; others ask on the list (debate)."""
    return _phase(session_id, actor, Kind.DEBATE)


def _end_called(session: Session, actor: Actor, question: Question) -> None:
    """The called question is done (its turn already ended): answered at the sitting if its
    respondent answered, otherwise back among those waiting."""
    answered = question.turns.filter(kind=Kind.ANSWER).exists()
    question.status = Question.Status.ANSWERED if answered else Question.Status.REGISTERED
    question.save(update_fields=["status"])
    log(session, "question.finish", actor, question=question.pk, status=question.status)


def end_on_sitting_stop(sender, *, session: Session, actor: Actor, action: str, **kwargs) -> None:
    """meeting.signals.sitting_stops: the running turn ends (floor.turns); at the close, the
    question being called ends too, as the chair's "finish" ends it — answered if its
    respondent had answered until then — so the minutes never say a question answered at
    the sitting was not. A recess (adjourn) keeps it called: the answer or the debate goes
    on when the sitting resumes, and minutes printed meanwhile say "Đang chất vấn"."""
    end_turn_on_sitting_stop(sender, session=session, actor=actor, action=action, **kwargs)
    if action != "close":
        return
    called = Question.objects.filter(session=session, status=Question.Status.CALLED).first()
    if called is not None:
        _end_called(session, actor, _question(session, called.pk))
        questions_publish(session=session)


def question_finish(*, session_id: int, actor: Actor) -> Question:
    """Done with the called question: answered at the sitting if its respondent answered,
    otherwise back among those waiting."""
    with transaction.atomic():
        session = session_lock(session_id)
        question = _called(session)
        turn = finish_running(session, actor)
        _end_called(session, actor, question)
        floor_publish(session=session, item_id=turn.agenda_item_id if turn else None)
        questions_publish(session=session)
        return question


def question_time_end(*, session_id: int, due_date: date, actor: Actor) -> list[Question]:
    """Question time is over: every question not reached becomes a written-answer task for
    its respondent, due on ``due_date``."""
    if due_date < timing.now().date():
        raise ServiceError("question.bad_due_date", _("Hạn trả lời phải từ hôm nay trở đi."))
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        state = _state(session)
        _require_open(state)
        called = Question.objects.filter(session=session, status=Question.Status.CALLED).first()
        turn = finish_running(session, actor)
        if called is not None:
            _end_called(session, actor, called)
        unreached = list(
            Question.objects.select_for_update()
            .filter(session=session, status=Question.Status.REGISTERED)
            .order_by("position")
        )
        for question in unreached:
            question.status = Question.Status.WRITTEN_DUE
            question.due_date = due_date
            question.save(update_fields=["status", "due_date"])
        state.ended_at = timing.now()
        state.save(update_fields=["ended_at"])
        log(
            session,
            "question.time_end",
            actor,
            due_date=due_date.isoformat(),
            written=[q.pk for q in unreached],
        )
        if turn is not None:
            floor_publish(session=session, item_id=turn.agenda_item_id)
        questions_publish(session=session)
        return unreached


def answer_digest(question: Question) -> str:
    """What a written answer's seal covers: the question, the answer's text, its PDF's hash
    and when it was recorded."""
    content = "\n".join(
        [
            str(question.pk),
            question.answer_text,
            question.answer_file_id or "",
            question.answered_at.isoformat() if question.answered_at else "",
        ]
    )
    return hashlib.sha256(content.encode()).hexdigest()


def answer_seal(question: Question, secret: str | None = None) -> str:
    kwargs = {"secret": secret} if secret is not None else {}
    return salted_hmac(
        "chamber.written-answer", answer_digest(question), algorithm="sha256", **kwargs
    ).hexdigest()


def written_answer_record(
    *, question_id: int, actor: Actor, text: str = "", pdf: bytes | None = None
) -> Question:
    """The clerk records a respondent's written answer: text, a PDF (taken in through the
    documents intake: checked, stored once by its hash, its text kept), or both. The asker's
    tablets hear of it at once."""
    text = (text or "").strip()
    if (not text and not pdf) or len(text) > MAX_ANSWER_LENGTH:
        raise ServiceError(
            "written.answer_required",
            _("Cần nhập nội dung trả lời hoặc tải lên văn bản trả lời (PDF)."),
        )
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        raise ServiceError("question.not_found", _("Không tìm thấy câu hỏi chất vấn."))
    # Checked before the transaction: reading a PDF takes time and holds no lock.
    inspected = documents.inspect_pdf(pdf) if pdf else None
    with transaction.atomic():
        session = session_lock(question.session_id)
        question = _question(session, question_id)
        if question.status != Question.Status.WRITTEN_DUE:
            raise ServiceError("written.not_due", _("Câu hỏi này không chờ trả lời bằng văn bản."))
        question.answer_text = text
        question.answer_file = (
            documents.file_store(inspected=inspected, data=pdf) if inspected else None
        )
        question.answered_at = timing.now()
        question.status = Question.Status.ANSWERED_IN_WRITING
        question.answer_seal = answer_seal(question)
        question.save(
            update_fields=["answer_text", "answer_file", "answered_at", "status", "answer_seal"]
        )
        if session.is_live:
            log(
                session,
                "question.written_answer",
                actor,
                question=question.pk,
                digest=answer_digest(question),
            )
            questions_publish(session=session)
        notify(
            session=session,
            type="written.answered",
            data=selectors.written_answer_payload(question),
            delegate_id=question.asker_id,
        )
        notify(
            session=session,
            type="written.answered",
            data=selectors.written_answer_payload(question),
            audience=Audience.CHAIR,
        )
        return question
