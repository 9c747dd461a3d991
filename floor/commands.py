"""The floor's socket commands: the tablet asks and withdraws, registers questions; the console
runs the list, the turns and their timers, and the question session.

Registered with realtime's registry; documented in docs/protocol.md ("The floor"). Every one
has the same shape — parse its fields, call one service for the connection's session and
actor, answer with what the service returned — so each is one ``floor_command`` line.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from floor import questions, selectors, services, turns
from floor.models import Request, Turn
from realtime.commands import Context, int_field, str_field
from realtime.errors import ServiceError
from realtime.registry import CHAIR, TABLET, register_command

Parse = Callable[[dict[str, Any], str], Any]
Answer = Callable[[Any, dict[str, Any]], dict]


def floor_command(
    type: str,
    *,
    screens: Iterable[str],
    service: Callable[..., Any],
    answer: Answer,
    **fields: Parse,
) -> None:
    """Register command ``type``: each of ``fields`` parsed from the message by its parser (in
    the order given: the first bad one is the one named), then ``service(session_id=,
    actor=, **fields)``, answered by ``answer(result, fields)``."""

    def handle(context: Context, data: dict) -> dict:
        parsed = {name: parse(data, name) for name, parse in fields.items()}
        result = service(session_id=context.session_id, actor=context.actor, **parsed)
        return answer(result, parsed)

    handle.__qualname__ = type.replace(".", "_")
    register_command(handle, type=type, screens=screens)


# -- parsers ---------------------------------------------------------------------------------
def optional_int(data: dict[str, Any], name: str) -> int | None:
    return None if data.get(name) is None else int_field(data, name)


def request_ids(data: dict[str, Any], name: str) -> list[int]:
    ids = data.get(name)
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ServiceError("message.malformed", _("request_ids phải là danh sách số nguyên."))
    return ids


def iso_date(data: dict[str, Any], name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str_field(data, name))
    except ValueError:
        raise ServiceError(
            "message.malformed", _("due_date phải là ngày dạng YYYY-MM-DD.")
        ) from None


# -- answers ---------------------------------------------------------------------------------
def placed(request: Request, _fields: dict) -> dict:
    return {
        "request_id": request.pk,
        "agenda_item_id": request.speaker_list.agenda_item_id,
        "place": selectors.place_of(request),
        "status": request.status,
    }


def turn_id(turn: Turn | None, _fields: dict) -> dict:
    return {"turn_id": turn.pk if turn else None}


def question_status(question, _fields: dict) -> dict:
    return {"question_id": question.pk, "status": question.status}


# -- the list of speakers --------------------------------------------------------------------
floor_command(
    "floor.request",
    screens=[TABLET],
    service=services.speaker_request,
    answer=placed,
    kind=str_field,
    agenda_item_id=optional_int,
    reply_to_turn_id=optional_int,
)
floor_command(
    "floor.withdraw",
    screens=[TABLET, CHAIR],
    service=services.speaker_withdraw,
    answer=lambda request, _: {"request_id": request.pk, "status": request.status},
    request_id=int_field,
)
floor_command(
    "floor.add",
    screens=[CHAIR],
    service=services.speaker_add,
    answer=placed,
    kind=str_field,
    delegate_id=optional_int,
    guest_id=optional_int,
    agenda_item_id=optional_int,
    reply_to_turn_id=optional_int,
)
floor_command(
    "floor.reorder",
    screens=[CHAIR],
    service=services.speaker_reorder,
    answer=lambda speaker_list, _: {"agenda_item_id": speaker_list.agenda_item_id},
    request_ids=request_ids,
    agenda_item_id=optional_int,
)
for _type, _closed in (("floor.close", True), ("floor.reopen", False)):
    floor_command(
        _type,
        screens=[CHAIR],
        service=partial(services.speaker_list_close, closed=_closed),
        answer=lambda speaker_list, _: {
            "agenda_item_id": speaker_list.agenda_item_id,
            "closed": speaker_list.closed,
        },
        agenda_item_id=optional_int,
    )
floor_command(
    "floor.limit",
    screens=[CHAIR],
    service=services.speaking_limit_set,
    answer=lambda limit, _: {
        "kind": limit.kind,
        "seconds": limit.seconds,
        "agenda_item_id": limit.agenda_item_id,
    },
    kind=str_field,
    seconds=int_field,
    agenda_item_id=optional_int,
)

# -- turns and their timers ------------------------------------------------------------------
floor_command(
    "floor.give", screens=[CHAIR], service=turns.turn_give, answer=turn_id, request_id=int_field
)
floor_command(
    "floor.next",
    screens=[CHAIR],
    service=turns.turn_next,
    answer=turn_id,
    agenda_item_id=optional_int,
)
for _type, _service in (
    ("floor.end", turns.turn_end),
    ("floor.pause", turns.turn_pause),
    ("floor.resume", turns.turn_resume),
    ("question.answer", questions.question_answer),
    ("question.debate", questions.question_debate),
):
    floor_command(_type, screens=[CHAIR], service=_service, answer=turn_id)
floor_command(
    "floor.add_time",
    screens=[CHAIR],
    service=turns.turn_add_time,
    answer=turn_id,
    seconds=int_field,
)

# -- the question session --------------------------------------------------------------------
# From a tablet: the delegate's own question. From the console: one submitted on paper, for
# the ``asker_id`` named.
floor_command(
    "question.register",
    screens=[TABLET, CHAIR],
    service=questions.question_register,
    answer=lambda question, _: {"question_id": question.pk, "position": question.position},
    respondent_id=int_field,
    text=str_field,
    asker_id=optional_int,
)
floor_command(
    "question.withdraw",
    screens=[TABLET, CHAIR],
    service=questions.question_withdraw,
    answer=question_status,
    question_id=int_field,
)
floor_command(
    "question.order",
    screens=[CHAIR],
    service=questions.question_order_set,
    answer=lambda state, _: {"order": state.order},
    order=str_field,
)
floor_command(
    "question.call",
    screens=[CHAIR],
    service=questions.question_call,
    answer=lambda turn, _: {"turn_id": turn.pk, "question_id": turn.question_id},
    question_id=optional_int,
)
floor_command(
    "question.finish",
    screens=[CHAIR],
    service=questions.question_finish,
    answer=question_status,
)
floor_command(
    "question.time_end",
    screens=[CHAIR],
    service=questions.question_time_end,
    answer=lambda written, fields: {
        "written": [q.pk for q in written],
        "due_date": fields["due_date"].isoformat(),
    },
    due_date=iso_date,
)
