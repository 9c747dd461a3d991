"""The envelope of every frame, both ways: ``{"type", "id", "seq", "data"}`` (docs/protocol.md);
notices add ``"notice": true``."""

import json
from dataclasses import dataclass
from typing import Any

MAX_COMMAND_ID_LENGTH = 64
# The integers a JavaScript client can send exactly; no id, page or count comes near it.
MAX_SAFE_INTEGER = 2**53 - 1


def encode(
    *,
    type: str,
    data: dict[str, Any],
    seq: int | None,
    id: str | None = None,
    notice: bool = False,
) -> str:
    """One frame; a notice says so (``"notice": true``), so no client keeps a list of them."""
    frame: dict[str, Any] = {"type": type, "id": id, "seq": seq}
    if notice:
        frame["notice"] = True
    frame["data"] = data
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


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
    if command_id is not None and not _representable(command_id):
        raise MalformedMessage("message.malformed", _("Mã định danh (id) của lệnh không hợp lệ."))
    if not _representable(message):
        raise MalformedMessage(
            "message.malformed",
            _("Tin nhắn chứa ký tự không hợp lệ hoặc số nằm ngoài phạm vi cho phép."),
            command_id,
        )
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


def _representable(value: Any) -> bool:
    """No lone surrogate in any string or key (JSON escapes like ``\\ud800`` decode to one; it
    can be neither stored nor sent back as UTF-8) and no integer a client cannot mean."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True
