"""The envelope of every frame, both ways: ``{"type", "id", "seq", "data"}`` (docs/protocol.md)."""

import json
from dataclasses import dataclass
from typing import Any

MAX_COMMAND_ID_LENGTH = 64


def encode(*, type: str, data: dict[str, Any], seq: int | None, id: str | None = None) -> str:
    return json.dumps(
        {"type": type, "id": id, "seq": seq, "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


class MalformedMessage(Exception):
    def __init__(self, code: str, message: str, command_id: str | int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.command_id = command_id


@dataclass(frozen=True)
class Command:
    type: str
    id: str | int  # as the client sent it: answers carry it back unchanged
    data: dict[str, Any]

    @property
    def key(self) -> str:
        """The id as a string, for idempotency records and receipts."""
        return str(self.id)


def decode_command(text: str | None) -> Command:
    """Parse a client command; raise MalformedMessage with a stable code if it is not one."""
    from django.utils.translation import gettext as _

    if text is None:
        raise MalformedMessage("message.malformed", _("Chỉ nhận tin nhắn dạng văn bản JSON."))
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedMessage("message.malformed", _("Tin nhắn không phải JSON hợp lệ.")) from None
    if not isinstance(message, dict):
        raise MalformedMessage("message.malformed", _("Tin nhắn phải là một đối tượng JSON."))
    command_id = message.get("id")
    if isinstance(command_id, bool) or not isinstance(command_id, str | int):
        command_id = None
    if command_id is None or not 0 < len(str(command_id)) <= MAX_COMMAND_ID_LENGTH:
        raise MalformedMessage(
            "command.id_missing", _("Mỗi lệnh cần một mã định danh (id) từ 1 đến 64 ký tự.")
        )
    command_type = message.get("type")
    if not isinstance(command_type, str) or not command_type:
        raise MalformedMessage("message.malformed", _("Thiếu loại lệnh (type)."), command_id)
    data = message.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MalformedMessage(
            "message.malformed", _("Trường data phải là một đối tượng."), command_id
        )
    return Command(type=command_type, id=command_id, data=data)
