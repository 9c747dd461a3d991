"""What the session record (record.selectors) holds of the floor: each item's speakers with
their times, the questions with their respondents and how each was answered.

A question answered in writing after the sitting is still, in the minutes of the sitting,
one "to be answered in writing": the record of a closed sitting does not change when the
answer comes (the same record gives the same minutes). The written answers are listed apart
(``floor.selectors.open_written_answers``, the staff page) until answered.
"""

from __future__ import annotations

from floor import timing
from floor.models import Kind, Question, Turn
from meeting.models import Session

WRITTEN = (Question.Status.WRITTEN_DUE, Question.Status.ANSWERED_IN_WRITING)


def _speaker(delegate, guest) -> dict:
    if delegate is not None:
        return {
            "delegate_id": delegate.pk,
            "full_name": delegate.full_name,
            "seat": delegate.seat_label,
            "title": delegate.title,
            "agency": "",
        }
    return {
        "delegate_id": None,
        "full_name": guest.full_name,
        "seat": "",
        "title": guest.title,
        "agency": guest.agency,
    }


def turn_row(turn: Turn) -> dict:
    reply_to = turn.reply_to
    return {
        "turn_id": turn.pk,
        "kind": turn.kind,
        "kind_label": str(Kind(turn.kind).label),
        **_speaker(turn.delegate, turn.guest),
        "reply_to": (reply_to.delegate or reply_to.guest).full_name if reply_to else "",
        "question_id": turn.question_id,
        "started_at": turn.started_at.isoformat(),
        "ended_at": turn.ended_at.isoformat() if turn.ended_at else None,
        "duration_seconds": round(timing.elapsed_seconds(turn)) if turn.ended_at else None,
        "paused_seconds": round(turn.paused_seconds),
        "limit_seconds": turn.limit_seconds + turn.added_seconds,
    }


def outcome(question: Question) -> str:
    if question.status == Question.Status.ANSWERED:
        return "answered"
    if question.status in WRITTEN:
        return "written"
    if question.status == Question.Status.CALLED:
        return "in_progress"  # a recess (the close ends it): the minutes say so
    return "not_reached"


def question_row(question: Question) -> dict:
    return {
        "id": question.pk,
        "position": question.position,
        "asker": _speaker(question.asker, None),
        "respondent": _speaker(None, question.respondent),
        "text": question.text,
        "on_paper": question.on_paper,
        "outcome": outcome(question),
        "due_date": question.due_date.isoformat() if question.due_date else None,
    }


def floor_record(session: Session) -> dict:
    turns = Turn.objects.filter(session=session).select_related(
        "delegate", "guest", "reply_to__delegate", "reply_to__guest"
    )
    by_item: dict[int | None, list[dict]] = {}
    for turn in turns.order_by("started_at", "id"):
        by_item.setdefault(turn.agenda_item_id, []).append(turn_row(turn))
    questions = [
        question_row(q)
        for q in Question.objects.filter(session=session)
        .exclude(status=Question.Status.WITHDRAWN)
        .select_related("asker", "respondent")
        .order_by("position")
    ]
    return {
        "speakers": [
            {"agenda_item_id": item_id, "turns": rows} for item_id, rows in by_item.items()
        ],
        "questions": questions,
        "written_due": [q for q in questions if q["outcome"] == "written"],
    }
