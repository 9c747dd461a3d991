"""The sitting's socket commands: the session's course, the agenda, attendance.

Registered with realtime's registry (``realtime.registry.command``); documented in
docs/protocol.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from meeting import agenda_steps, services
from realtime.commands import Context, int_field, str_field
from realtime.registry import CHAIR, TABLET, command, register_command


def override_reason(data: dict[str, Any]) -> str:
    """The chair's reason to go on below the quorum (``quorum.not_met``), if given."""
    return str_field(data, "override_reason") if data.get("override_reason") is not None else ""


def _session_action(action: str) -> Callable[[Context, dict], dict]:
    def handle(context: Context, data: dict) -> dict:
        session = services.session_transition(
            session_id=context.session_id, action=action, actor=context.actor
        )
        return {"status": session.status}

    handle.__qualname__ = f"session_{action}"
    return handle


OFFICER_FIELDS = ("chair_name", "chair_title", "secretary_name", "secretary_title")


@command(type="session.open", screens=[CHAIR])
def session_open(context: Context, data: dict) -> dict:
    """Open the sitting; the console names the chair and the secretary with it when the
    session has none yet (the minutes print them and they sign)."""
    if any(name in data for name in OFFICER_FIELDS):
        officers = {name: data[name] if name in data else "" for name in OFFICER_FIELDS}
        for name in OFFICER_FIELDS:
            str_field(officers, name)
        services.session_officers_set(
            session_id=context.session_id, actor=context.actor, **officers
        )
    session = services.session_transition(
        session_id=context.session_id,
        action="open",
        actor=context.actor,
        override_reason=override_reason(data),  # below the quorum (quorum.not_met)
    )
    return {"status": session.status}


for _action in ("adjourn", "resume", "close"):
    register_command(_session_action(_action), type=f"session.{_action}", screens=[CHAIR])


@command(type="agenda.select", screens=[CHAIR])
def agenda_select(context: Context, data: dict) -> dict:
    session = services.agenda_select(
        session_id=context.session_id, item_id=int_field(data, "item_id"), actor=context.actor
    )
    return {"current_item_id": session.current_item_id}


def _agenda_step(step: int, name: str) -> Callable[[Context, dict], dict]:
    def handle(context: Context, data: dict) -> dict:
        session = services.agenda_step(
            session_id=context.session_id, step=step, actor=context.actor
        )
        return {"current_item_id": session.current_item_id}

    handle.__qualname__ = name
    return handle


# Many sittings step at the same moment (the city's morning): their steps are written together,
# on the thread pool, not one by one in the consoles' one thread (meeting.agenda_steps).
for _step, _type, _name in (
    (+1, "agenda.next", "agenda_next"),
    (-1, "agenda.previous", "agenda_previous"),
):
    _handler = _agenda_step(_step, _name)
    register_command(
        _handler,
        type=_type,
        screens=[CHAIR],
        batch=agenda_steps.batch_handler(step=_step, command_type=_type, alone=_handler),
    )


@command(type="attendance.mark", screens=[CHAIR])
def attendance_mark(context: Context, data: dict) -> dict:
    attendance = services.attendance_set(
        session_id=context.session_id,
        delegate_id=int_field(data, "delegate_id"),
        status=str_field(data, "status"),
        reason=str_field(data, "reason") if "reason" in data else "",
        actor=context.actor,
    )
    return {"delegate_id": attendance.delegate_id, "status": attendance.status}


@command(type="attendance.check_in", screens=[TABLET])
def attendance_check_in(context: Context, data: dict) -> dict:
    delegate = context.actor.delegate
    attendance = services.attendance_set(
        session_id=context.session_id,
        delegate_id=delegate.pk,
        status="present",
        actor=context.actor,
    )
    return {"delegate_id": delegate.pk, "status": attendance.status}
