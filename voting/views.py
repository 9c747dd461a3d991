"""HTTP fallback for casting a ballot when a tablet's WebSocket cannot get through.

Same envelope and same service as the socket: ``POST /tablet/ballot/`` with
``{"type": "ballot.cast", "id": "<uuid>", "data": {"poll_id": 1, "choice": "yes"}}``.
"""

import logging

from django.db import DataError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meeting.access import signed_in_delegate
from realtime import commands
from realtime.actors import Actor
from realtime.commands import server_error_message
from realtime.envelope import MalformedMessage, decode_command
from realtime.errors import ServiceError
from voting import ballots
from voting.commands import ballot_cast as ballot_cast_command

logger = logging.getLogger(__name__)

STATUS_BY_CODE = {"poll.not_found": 404, "ballot.already_cast": 409, "poll.not_open": 409}


def _answer(type: str, command_id: str | int | None, data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        {"type": type, "id": command_id, "seq": None, "data": data},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
def ballot_cast(request: HttpRequest) -> JsonResponse:
    delegate = signed_in_delegate(request.session)
    if delegate is None:
        message = _("Cần đăng nhập bằng thẻ đại biểu.")
        return _answer("error", None, {"code": "auth.not_signed_in", "message": message}, 401)
    try:
        command = decode_command(request.body.decode("utf-8", "replace"))
    except MalformedMessage as refused:
        error = {"code": refused.code, "message": refused.message}
        return _answer("error", refused.command_id, error, 400)
    command_id = command.id
    if command.type != "ballot.cast":
        error = {"code": "command.unknown", "message": _("Lệnh không được hỗ trợ.")}
        return _answer("error", command_id, error, 400)
    context = commands.Context(session_id=0, actor=Actor(delegate=delegate), command_id=command.key)
    try:
        result = commands.retry_if_disconnected(
            lambda: ballot_cast_command(context, command.data), what=f"ballot {command_id!r}"
        )
    except ServiceError as refused:
        error = {"code": refused.code, "message": refused.message}
        return _answer("error", command_id, error, STATUS_BY_CODE.get(refused.code, 400))
    except DataError:
        message = _("Tin nhắn có giá trị nằm ngoài phạm vi cho phép.")
        return _answer("error", command_id, {"code": "message.malformed", "message": message}, 400)
    except Exception:
        logger.exception("ballot %r failed inside the server", command_id)
        error = {"code": "server.error", "retryable": True, "message": server_error_message()}
        return _answer("error", command_id, error, 503)
    # No event loop here to coalesce with: publish the progress at once (a rare path).
    ballots.poll_progress_publish(poll_id=result["poll_id"])
    return _answer("ack", command_id, result)
