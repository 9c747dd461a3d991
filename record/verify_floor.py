"""The floor's tables against the chain: every turn (who, kind, item, start, pauses, end,
added time) and every question (asker, respondent, text, how it was answered), and each
written answer against its own seal.

A written answer recorded after the close is not in the (sealed) chain: the chain's
``question.time_end`` made the question a written task, and the answer carries an HMAC of its
content under the server's key (floor.questions.answer_seal), which the database does not hold.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import constant_time_compare

from floor.models import Question, Turn
from floor.questions import answer_seal
from floor.turns import turn_facts
from meeting.models import ActionLog, Session

# What a turn's start says, compared with the table (its end says all of turn_facts).
START_FIELDS = ("item", "kind", "request", "question", "reply_to", "delegate", "guest")


def _turn_problems(turn: Turn, start: dict | None, end: dict | None) -> list[str]:
    label = f"turn {turn.pk} ({turn.kind})"
    if start is None:
        return [f"{label}: not in the log (added to the table afterwards)"]
    facts = turn_facts(turn)
    problems = []
    for field in START_FIELDS:
        if start.get(field) != facts[field]:
            problems.append(
                f"{label}: {field} {start.get(field)!r} in the log, {facts[field]!r} now"
            )
    if start.get("started_at") != facts["started_at"]:
        problems.append(f"{label}: its start was changed")
    if turn.ended_at is None:
        if end is not None:
            problems.append(f"{label}: the log ended it, the table says it still runs")
        return problems
    if end is None:
        problems.append(f"{label}: ended in the table, never in the log")
        return problems
    for field in ("ended_at", "limit", "added", "pauses", "duration"):
        if end.get(field) != facts[field]:
            problems.append(f"{label}: {field} {end.get(field)!r} in the log, {facts[field]!r} now")
    return problems


def _seal_ok(question: Question) -> bool:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(question.answer_seal, answer_seal(question, secret=key))
        for key in keys
    )


def _question_problems(question: Question, registered: dict | None, status: str | None) -> list:
    label = f"question {question.pk}"
    if registered is None:
        return [f"{label}: not in the log (added to the table afterwards)"]
    problems = []
    now = {
        "asker": question.asker_id,
        "respondent": question.respondent_id,
        "text": question.text,
        "on_paper": question.on_paper,
    }
    for field, value in now.items():
        if registered.get(field) != value:
            problems.append(f"{label}: its {field} was changed after it was registered")
    later_answer = (
        status == Question.Status.WRITTEN_DUE
        and question.status == Question.Status.ANSWERED_IN_WRITING
    )
    if question.status != status and not later_answer:
        problems.append(f"{label}: the log says {status}, the table says {question.status}")
    if question.status == Question.Status.ANSWERED_IN_WRITING and not _seal_ok(question):
        problems.append(f"{label}: the written answer was altered (its seal does not match)")
    return problems


# How each entry of the chain moves a question (None: the entry says).
STATUS_BY_ACTION = {
    "question.register": Question.Status.REGISTERED,
    "question.withdraw": Question.Status.WITHDRAWN,
    "question.call": Question.Status.CALLED,
    "question.finish": None,
    "question.written_answer": Question.Status.ANSWERED_IN_WRITING,
}


def verify_floor(session: Session, entries: list[ActionLog]) -> list[str]:
    starts: dict[int, dict] = {}
    ends: dict[int, dict] = {}
    registered: dict[int, dict] = {}
    status: dict[int, str] = {}
    for entry in entries:
        data = entry.data
        if entry.action == "floor.turn_start":
            starts[data["turn"]] = data
        elif entry.action == "floor.turn_end":
            ends[data["turn"]] = data
        elif entry.action in STATUS_BY_ACTION:
            if entry.action == "question.register":
                registered[data["question"]] = data
            status[data["question"]] = STATUS_BY_ACTION[entry.action] or data["status"]
        elif entry.action == "question.time_end":
            for question_id in data["written"]:
                status[question_id] = Question.Status.WRITTEN_DUE
    problems = []
    turns = {turn.pk: turn for turn in Turn.objects.filter(session=session).select_related()}
    for turn_id in sorted(starts.keys() - turns.keys()):
        problems.append(f"turn {turn_id}: in the log, missing from the table")
    for turn_id in sorted(turns):
        problems += _turn_problems(turns[turn_id], starts.get(turn_id), ends.get(turn_id))
    questions = {q.pk: q for q in Question.objects.filter(session=session)}
    for question_id in sorted(registered.keys() - questions.keys()):
        problems.append(f"question {question_id}: in the log, missing from the table")
    for question_id in sorted(questions):
        problems += _question_problems(
            questions[question_id], registered.get(question_id), status.get(question_id)
        )
    return problems
