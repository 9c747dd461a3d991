"""Running a socket command exactly once per command id, and what every handler shares.

The commands themselves live in their apps (``<app>/commands.py``) and are registered with
``realtime.registry``; this module is the machinery around them: the handler's ``Context``,
``execute_once`` (CommandReceipt), ``retry_if_disconnected``, the server's error answers and
the field parsers the handlers share.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from realtime import registry
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.models import CommandReceipt

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    session_id: int
    actor: Actor
    command_id: str
    # The screen's origin ("http://192.168.1.5:8000"), for links it shows (a voting pass).
    origin: str = ""


def execute_once(
    *,
    context: Context,
    command_type: str,
    command_id: str,
    run: Callable[[], dict],
    self_idempotent: bool = False,
) -> dict:
    """Run a command, or give back the answer it already got if this id was seen before.

    The receipt commits with the command's own writes, so a command is either done and
    receipted, or neither; two copies racing each other meet the unique constraint. A
    self-idempotent command (a ballot: its receipt) is run as it is.
    """
    if self_idempotent:
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


def int_field(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(
            "message.malformed", _("Trường “%(name)s” phải là một số nguyên.") % {"name": name}
        )
    return value


def str_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise ServiceError(
            "message.malformed", _("Trường “%(name)s” phải là một chuỗi.") % {"name": name}
        )
    return value



def __getattr__(name: str):
    # ALL_COMMANDS: what the registry holds once the apps are loaded (the protocol tests).
    if name == "ALL_COMMANDS":
        return registry.command_types()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
