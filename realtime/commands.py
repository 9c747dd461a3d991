"""The commands each screen may send, and running each exactly once per command id."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from documents import services as documents
from meeting import services
from meeting.models import Delegate
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.models import CommandReceipt
from voting import assisted
from voting import live as voting_live
from voting import services as voting

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    session_id: int
    actor: Actor
    command_id: str
    # The screen's origin ("http://192.168.1.5:8000"), for links it shows (a voting pass).
    origin: str = ""


def execute_once(
    *, context: Context, command_type: str, command_id: str, run: Callable[[], dict]
) -> dict:
    """Run a command, or give back the answer it already got if this id was seen before.

    The receipt commits with the command's own writes, so a command is either done and
    receipted, or neither; two copies racing each other meet the unique constraint.
    """
    if command_type in SELF_IDEMPOTENT:
        return run()
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


def retry_if_disconnected(run: Callable[[], dict], *, what: str) -> dict:
    """Run a command; if the database dropped the connection under it, once more on a new one.

    The first run's transaction rolled back, or — if the link died after COMMIT — the command's
    id makes the second run give the same answer (ballots by receipt, the rest by
    CommandReceipt). A statement the database refused on a live link (a lock or statement
    timeout, a locked SQLite database) is not retried here: the client gets its error.
    """
    try:
        return run()
    except (OperationalError, InterfaceError) as error:
        if connection.in_atomic_block or not _connection_lost(error):
            raise
        logger.warning("command %s: database connection lost, running it once more", what)
        _discard_connection()
        return run()


# SQLSTATEs of a connection the server ended: admin_shutdown (a killed backend), crash_shutdown,
# cannot_connect_now (restarting); and class 08, connection exceptions.
CONNECTION_ENDED = {"57P01", "57P02", "57P03"}


def _connection_lost(error: Exception) -> bool:
    """Whether the database dropped the link under the command (not a statement refused).

    Judged by the error, not by probing the connection: when the transaction's rollback fails
    on a dead link, Django has already opened a new one by the time the error gets here."""
    if isinstance(error, InterfaceError):
        return True
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in CONNECTION_ENDED or sqlstate.startswith("08")
    # psycopg's own "server closed the connection" has no SQLSTATE; SQLite's errors (a locked
    # database) are not about a link at all.
    return connection.vendor == "postgresql"


def gave_up_waiting(error: BaseException) -> bool:
    """The database ended the statement — lock_timeout or statement_timeout (settings): a
    frozen worker held a lock too long. The transaction rolled back; nothing was written."""
    return isinstance(error, OperationalError) and getattr(error.__cause__, "sqlstate", None) in {
        "55P03",
        "57014",
    }


def server_busy_message() -> str:
    return _("Hệ thống đang bận nên lệnh chưa được thực hiện; vui lòng gửi lại.")


def server_error_message() -> str:
    return _(
        "Máy chủ gặp sự cố, lệnh chưa được thực hiện. Hãy gửi lại (lệnh chỉ được thực hiện "
        "một lần)."
    )


def _discard_connection() -> None:
    try:
        connection.close()
    except Exception:
        connection.connection = None  # closing a dead link may fail: forget it anyway


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


def _override_reason(data: dict[str, Any]) -> str:
    """The chair's reason to go on below the quorum (``quorum.not_met``), if given."""
    return _str_field(data, "override_reason") if data.get("override_reason") is not None else ""


def _session_action(action: str) -> Callable[[Context, dict], dict]:
    def handle(context: Context, data: dict) -> dict:
        session = services.session_transition(
            session_id=context.session_id, action=action, actor=context.actor
        )
        return {"status": session.status}

    return handle


OFFICER_FIELDS = ("chair_name", "chair_title", "secretary_name", "secretary_title")


def session_open(context: Context, data: dict) -> dict:
    """Open the sitting; the console names the chair and the secretary with it when the
    session has none yet (the minutes print them and they sign)."""
    if any(name in data for name in OFFICER_FIELDS):
        officers = {name: data[name] if name in data else "" for name in OFFICER_FIELDS}
        for name in OFFICER_FIELDS:
            _str_field(officers, name)
        services.session_officers_set(
            session_id=context.session_id, actor=context.actor, **officers
        )
    session = services.session_transition(
        session_id=context.session_id,
        action="open",
        actor=context.actor,
        override_reason=_override_reason(data),  # below the quorum (quorum.not_met)
    )
    return {"status": session.status}


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
        reason=_str_field(data, "reason") if "reason" in data else "",
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


# Ballots are idempotent by their own receipt: storing "delegate X sent command Y" would tie a
# secret ballot to its voter, so they never go through CommandReceipt.
# A voting pass's token is derived from its command id, never stored (voting.assisted).
SELF_IDEMPOTENT = {"ballot.cast", "pass.issue"}
# Commands that touch no shared row exclusively: they may run side by side in worker threads.
PARALLEL = {"ballot.cast", "note.save"}
# Ballot command ids make the receipt: they must be unguessable (a UUID).
MIN_BALLOT_ID_LENGTH = 16


def ballot_cast(context: Context, data: dict) -> dict:
    if len(context.command_id) < MIN_BALLOT_ID_LENGTH:
        raise ServiceError(
            "command.id_weak",
            _("Mã lệnh bỏ phiếu phải là chuỗi ngẫu nhiên từ 16 ký tự (UUID)."),
        )
    # Changing a secret ballot: the command id of the one it replaces (never its receipt).
    previous = data.get("previous_id")
    return voting.ballot_cast(
        poll_id=_int_field(data, "poll_id"),
        delegate=context.actor.delegate,
        choice=data.get("choice"),
        command_id=context.command_id,
        previous_id=previous if isinstance(previous, str) and previous else None,
    )


_POLL_FIELDS = {
    "agenda_item_id": int,
    "kind": str,
    "choice_type": str,
    "options": list,
    "min_selections": int,
    "max_selections": int,
    "countdown_seconds": int,
    "allow_change": bool,
    "show_partial": bool,
    "base": str,
    "threshold": str,
    "threshold_strict": bool,
    "quorum": str,
    "presence_quorum": str,
    "tie_rule": str,
    "casting_delegate_id": int,
    "weighted": bool,
}


def poll_create(context: Context, data: dict) -> dict:
    options = {}
    for name, kind in _POLL_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ServiceError(
                "message.malformed", _("Trường “%(name)s” không đúng kiểu.") % {"name": name}
            )
        options[name] = value
    fraction = data.get("threshold_fraction")
    if fraction is not None:
        if not (
            isinstance(fraction, list)
            and len(fraction) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in fraction)
        ):
            raise ServiceError("message.malformed", _("threshold_fraction phải là [p, q]."))
        options["threshold_fraction"] = tuple(fraction)
    poll = voting.poll_create(
        session_id=context.session_id,
        title=_str_field(data, "title"),
        actor=context.actor,
        **options,
    )
    return {"poll_id": poll.pk, "status": poll.status}


def ballot_cast_own(context: Context, data: dict) -> dict:
    """The chair (or any console user who is a delegate of the council) votes as themself."""
    delegate = Delegate.objects.filter(
        user=context.actor.user,
        council__sessions=context.session_id,
    ).first()
    if delegate is None or context.actor.user is None:
        raise ServiceError(
            "command.forbidden",
            _("Tài khoản này không gắn với đại biểu nào của hội đồng: chỉ đại biểu biểu quyết."),
        )
    own = Context(
        session_id=context.session_id,
        actor=Actor(user=context.actor.user, delegate=delegate),
        command_id=context.command_id,
    )
    return ballot_cast(own, data)


def ballot_record(context: Context, data: dict) -> dict:
    """The secretary records a present delegate's vote in a named poll (show of hands)."""
    return assisted.ballot_record(
        poll_id=_int_field(data, "poll_id"),
        delegate_id=_int_field(data, "delegate_id"),
        choice=data.get("choice"),
        command_id=context.command_id,
        actor=context.actor,
        session_id=context.session_id,
    )


def pass_issue(context: Context, data: dict) -> dict:
    """A one-time voting pass for a spare tablet (secret poll): its link and QR code."""
    from kiosk_ui.views import qr_svg

    if len(context.command_id) < MIN_BALLOT_ID_LENGTH:
        raise ServiceError(
            "command.id_weak",
            _("Mã lệnh cấp mã bỏ phiếu phải là chuỗi ngẫu nhiên từ 16 ký tự (UUID)."),
        )
    voting_pass, token = assisted.voting_pass_issue(
        poll_id=_int_field(data, "poll_id"),
        delegate_id=_int_field(data, "delegate_id"),
        command_id=context.command_id,
        actor=context.actor,
        session_id=context.session_id,
    )
    url = f"{context.origin}{assisted.PASS_PATH}{token}/"
    return {
        "pass_id": voting_pass.pk,
        "poll_id": voting_pass.poll_id,
        "delegate_id": voting_pass.delegate_id,
        "url": url,
        "qr_svg": qr_svg(url),
    }


def _poll_action(service: Callable[..., Any]) -> Callable[[Context, dict], dict]:
    def handle(context: Context, data: dict) -> dict:
        extra = {}
        if service is voting.poll_cancel:
            extra["reason"] = _str_field(data, "reason")
        if service is voting.poll_open:
            extra["override_reason"] = _override_reason(data)
        outcome = service(
            poll_id=_int_field(data, "poll_id"),
            actor=context.actor,
            session_id=context.session_id,
            **extra,
        )
        poll = getattr(outcome, "poll", outcome)
        answer = {"poll_id": poll.pk, "status": poll.status}
        if poll.closes_at and poll.status == "open":
            answer["closes_at"] = poll.closes_at.isoformat()
        return answer

    return handle


def document_show(context: Context, data: dict) -> dict:
    presentation = documents.document_show(
        session_id=context.session_id,
        document_id=_int_field(data, "document_id"),
        page=_int_field(data, "page"),
        actor=context.actor,
    )
    return {"document_id": presentation.document_id, "page": presentation.page}


def note_save(context: Context, data: dict) -> dict:
    note = documents.note_save(
        session_id=context.session_id,
        document_id=_int_field(data, "document_id"),
        page=_int_field(data, "page"),
        text=_str_field(data, "text"),
        actor=context.actor,
    )
    return {"document_id": note.document_id, "page": note.page}


def _after_ballot(result: dict) -> None:
    voting_live.progress_soon(result["poll_id"])


def _after_open(result: dict) -> None:
    if result.get("closes_at"):
        from datetime import datetime

        voting_live.close_when_due(result["poll_id"], datetime.fromisoformat(result["closes_at"]))


# Run in the consumer's event loop after a command succeeded.
AFTER: dict[str, Callable[[dict], None]] = {
    "ballot.cast": _after_ballot,
    "ballot.record": _after_ballot,
    "poll.open": _after_open,
}


CHAIR_COMMANDS: dict[str, Callable[[Context, dict], dict]] = {
    "session.open": session_open,
    "session.adjourn": _session_action("adjourn"),
    "session.resume": _session_action("resume"),
    "session.close": _session_action("close"),
    "agenda.select": agenda_select,
    "agenda.next": _agenda_step(+1),
    "agenda.previous": _agenda_step(-1),
    "attendance.mark": attendance_mark,
    "poll.create": poll_create,
    "poll.open": _poll_action(voting.poll_open),
    "poll.close": _poll_action(voting.poll_close),
    "poll.publish": _poll_action(voting.poll_publish),
    "poll.cancel": _poll_action(voting.poll_cancel),
    "poll.revote": _poll_action(voting.poll_revote),
    "document.show": document_show,
    # Assisted votes (voting.assisted) and the chair's own ballot.
    "ballot.cast": ballot_cast_own,
    "ballot.record": ballot_record,
    "pass.issue": pass_issue,
}

TABLET_COMMANDS: dict[str, Callable[[Context, dict], dict]] = {
    "attendance.check_in": attendance_check_in,
    "ballot.cast": ballot_cast,
    "note.save": note_save,
}

ALL_COMMANDS = {"ping", "snapshot.request", *CHAIR_COMMANDS, *TABLET_COMMANDS}
