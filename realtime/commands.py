"""The commands each screen may send, and running each exactly once per command id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from meeting import services
from meeting.actors import Actor
from meeting.errors import ServiceError
from realtime.models import CommandReceipt


@dataclass(frozen=True)
class Context:
    session_id: int
    actor: Actor


def execute_once(
    *, context: Context, command_type: str, command_id: str, run: Callable[[], dict]
) -> dict:
    """Run a command, or give back the answer it already got if this id was seen before.

    The receipt commits with the command's own writes, so a command is either done and
    receipted, or neither; two copies racing each other meet the unique constraint.
    """
    actor = context.actor.key
    previous = CommandReceipt.objects.filter(actor=actor, command_id=command_id).first()
    if previous is not None:
        return _repeat(previous, command_type)
    try:
        with transaction.atomic():
            result = run()
            CommandReceipt.objects.create(
                actor=actor, command_id=command_id, command_type=command_type, result=result
            )
    except IntegrityError:
        previous = CommandReceipt.objects.filter(actor=actor, command_id=command_id).first()
        if previous is None:
            raise
        return _repeat(previous, command_type)
    return result


def _repeat(receipt: CommandReceipt, command_type: str) -> dict:
    if receipt.command_type != command_type:
        raise ServiceError("command.id_reused", _("Mã lệnh này đã được dùng cho một lệnh khác."))
    return receipt.result


def _int_field(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(
            "message.malformed", _("Trường “%(name)s” phải là một số nguyên.") % {"name": name}
        )
    return value


def _str_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise ServiceError(
            "message.malformed", _("Trường “%(name)s” phải là một chuỗi.") % {"name": name}
        )
    return value


def _session_action(action: str) -> Callable[[Context, dict], dict]:
    def handle(context: Context, data: dict) -> dict:
        session = services.session_transition(
            session_id=context.session_id, action=action, actor=context.actor
        )
        return {"status": session.status}

    return handle


def agenda_select(context: Context, data: dict) -> dict:
    session = services.agenda_select(
        session_id=context.session_id, item_id=_int_field(data, "item_id"), actor=context.actor
    )
    return {"current_item_id": session.current_item_id}


def _agenda_step(step: int) -> Callable[[Context, dict], dict]:
    def handle(context: Context, data: dict) -> dict:
        session = services.agenda_step(
            session_id=context.session_id, step=step, actor=context.actor
        )
        return {"current_item_id": session.current_item_id}

    return handle


def attendance_mark(context: Context, data: dict) -> dict:
    attendance = services.attendance_set(
        session_id=context.session_id,
        delegate_id=_int_field(data, "delegate_id"),
        status=_str_field(data, "status"),
        actor=context.actor,
    )
    return {"delegate_id": attendance.delegate_id, "status": attendance.status}


def attendance_check_in(context: Context, data: dict) -> dict:
    delegate = context.actor.delegate
    attendance = services.attendance_set(
        session_id=context.session_id,
        delegate_id=delegate.pk,
        status="present",
        actor=context.actor,
    )
    return {"delegate_id": delegate.pk, "status": attendance.status}


CHAIR_COMMANDS: dict[str, Callable[[Context, dict], dict]] = {
    "session.open": _session_action("open"),
    "session.adjourn": _session_action("adjourn"),
    "session.resume": _session_action("resume"),
    "session.close": _session_action("close"),
    "agenda.select": agenda_select,
    "agenda.next": _agenda_step(+1),
    "agenda.previous": _agenda_step(-1),
    "attendance.mark": attendance_mark,
}

TABLET_COMMANDS: dict[str, Callable[[Context, dict], dict]] = {
    "attendance.check_in": attendance_check_in,
}

ALL_COMMANDS = {"snapshot.request", *CHAIR_COMMANDS, *TABLET_COMMANDS}
