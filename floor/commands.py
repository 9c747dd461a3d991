"""The floor's socket commands: the tablet asks and withdraws, registers questions; the console
runs the list, the turns and their timers, and the question session.

Registered with realtime's registry (``realtime.registry.command``); documented in
docs/protocol.md ("The floor"). Each parses its fields, calls one service and answers.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from floor import questions, selectors, services, turns
from floor.models import Request, Turn
from realtime.commands import Context, int_field, str_field
from realtime.errors import ServiceError
from realtime.registry import CHAIR, TABLET, command


def _optional_int(data: dict[str, Any], name: str) -> int | None:
    return None if data.get(name) is None else int_field(data, name)


def _request_answer(request: Request) -> dict:
    return {
        "request_id": request.pk,
        "agenda_item_id": request.speaker_list.agenda_item_id,
        "place": selectors.place_of(request),
        "status": request.status,
    }


def _turn_answer(turn: Turn | None) -> dict:
    return {"turn_id": turn.pk if turn else None}


@command(type="floor.request", screens=[TABLET])
def floor_request(context: Context, data: dict) -> dict:
    request = services.speaker_request(
        session_id=context.session_id,
        kind=str_field(data, "kind"),
        agenda_item_id=_optional_int(data, "agenda_item_id"),
        reply_to_turn_id=_optional_int(data, "reply_to_turn_id"),
        actor=context.actor,
    )
    return _request_answer(request)


@command(type="floor.withdraw", screens=[TABLET, CHAIR])
def floor_withdraw(context: Context, data: dict) -> dict:
    request = services.speaker_withdraw(
        session_id=context.session_id,
        request_id=int_field(data, "request_id"),
        actor=context.actor,
    )
    return {"request_id": request.pk, "status": request.status}


@command(type="floor.add", screens=[CHAIR])
def floor_add(context: Context, data: dict) -> dict:
    request = services.speaker_add(
        session_id=context.session_id,
        kind=str_field(data, "kind"),
        delegate_id=_optional_int(data, "delegate_id"),
        guest_id=_optional_int(data, "guest_id"),
        agenda_item_id=_optional_int(data, "agenda_item_id"),
        reply_to_turn_id=_optional_int(data, "reply_to_turn_id"),
        actor=context.actor,
    )
    return _request_answer(request)


@command(type="floor.reorder", screens=[CHAIR])
def floor_reorder(context: Context, data: dict) -> dict:
    ids = data.get("request_ids")
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ServiceError("message.malformed", _("request_ids phải là danh sách số nguyên."))
    speaker_list = services.speaker_reorder(
        session_id=context.session_id,
        request_ids=ids,
        agenda_item_id=_optional_int(data, "agenda_item_id"),
        actor=context.actor,
    )
    return {"agenda_item_id": speaker_list.agenda_item_id}


def _list_closing(closed: bool):
    def handle(context: Context, data: dict) -> dict:
        speaker_list = services.speaker_list_close(
            session_id=context.session_id,
            closed=closed,
            agenda_item_id=_optional_int(data, "agenda_item_id"),
            actor=context.actor,
        )
        return {"agenda_item_id": speaker_list.agenda_item_id, "closed": speaker_list.closed}

    return handle


command(type="floor.close", screens=[CHAIR])(_list_closing(True))
command(type="floor.reopen", screens=[CHAIR])(_list_closing(False))


@command(type="floor.give", screens=[CHAIR])
def floor_give(context: Context, data: dict) -> dict:
    turn = turns.turn_give(
        session_id=context.session_id,
        request_id=int_field(data, "request_id"),
        actor=context.actor,
    )
    return _turn_answer(turn)


@command(type="floor.next", screens=[CHAIR])
def floor_next(context: Context, data: dict) -> dict:
    turn = turns.turn_next(
        session_id=context.session_id,
        agenda_item_id=_optional_int(data, "agenda_item_id"),
        actor=context.actor,
    )
    return _turn_answer(turn)


def _timer(service):
    def handle(context: Context, data: dict) -> dict:
        return _turn_answer(service(session_id=context.session_id, actor=context.actor))

    return handle


command(type="floor.end", screens=[CHAIR])(_timer(turns.turn_end))
command(type="floor.pause", screens=[CHAIR])(_timer(turns.turn_pause))
command(type="floor.resume", screens=[CHAIR])(_timer(turns.turn_resume))
command(type="question.answer", screens=[CHAIR])(_timer(questions.question_answer))
command(type="question.debate", screens=[CHAIR])(_timer(questions.question_debate))


@command(type="floor.add_time", screens=[CHAIR])
def floor_add_time(context: Context, data: dict) -> dict:
    turn = turns.turn_add_time(
        session_id=context.session_id, seconds=int_field(data, "seconds"), actor=context.actor
    )
    return _turn_answer(turn)


@command(type="floor.limit", screens=[CHAIR])
def floor_limit(context: Context, data: dict) -> dict:
    limit = services.speaking_limit_set(
        session_id=context.session_id,
        kind=str_field(data, "kind"),
        seconds=int_field(data, "seconds"),
        agenda_item_id=_optional_int(data, "agenda_item_id"),
        actor=context.actor,
    )
    return {"kind": limit.kind, "seconds": limit.seconds, "agenda_item_id": limit.agenda_item_id}


@command(type="question.register", screens=[TABLET, CHAIR])
def question_register(context: Context, data: dict) -> dict:
    """From a tablet: the delegate's own question. From the console: one submitted on
    paper, for the ``asker_id`` named."""
    question = questions.question_register(
        session_id=context.session_id,
        respondent_id=int_field(data, "respondent_id"),
        text=str_field(data, "text"),
        asker_id=_optional_int(data, "asker_id"),
        actor=context.actor,
    )
    return {"question_id": question.pk, "position": question.position}


@command(type="question.withdraw", screens=[TABLET, CHAIR])
def question_withdraw(context: Context, data: dict) -> dict:
    question = questions.question_withdraw(
        session_id=context.session_id,
        question_id=int_field(data, "question_id"),
        actor=context.actor,
    )
    return {"question_id": question.pk, "status": question.status}


@command(type="question.order", screens=[CHAIR])
def question_order(context: Context, data: dict) -> dict:
    state = questions.question_order_set(
        session_id=context.session_id, order=str_field(data, "order"), actor=context.actor
    )
    return {"order": state.order}


@command(type="question.call", screens=[CHAIR])
def question_call(context: Context, data: dict) -> dict:
    turn = questions.question_call(
        session_id=context.session_id,
        question_id=_optional_int(data, "question_id"),
        actor=context.actor,
    )
    return {"turn_id": turn.pk, "question_id": turn.question_id}


@command(type="question.finish", screens=[CHAIR])
def question_finish(context: Context, data: dict) -> dict:
    question = questions.question_finish(session_id=context.session_id, actor=context.actor)
    return {"question_id": question.pk, "status": question.status}


@command(type="question.time_end", screens=[CHAIR])
def question_time_end(context: Context, data: dict) -> dict:
    try:
        due = datetime.date.fromisoformat(str_field(data, "due_date"))
    except ValueError:
        raise ServiceError(
            "message.malformed", _("due_date phải là ngày dạng YYYY-MM-DD.")
        ) from None
    written = questions.question_time_end(
        session_id=context.session_id, due_date=due, actor=context.actor
    )
    return {"written": [q.pk for q in written], "due_date": due.isoformat()}
