"""Delegate badges: a QR code whose content is the tablet sign-in URL.

The token is a random key (stored on the delegate) followed by a short HMAC of it, so a
forged code is refused without a lookup and a printed badge reveals nothing but itself.
Re-issuing a badge replaces the key: old badges then name no one (``badge.revoked``).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pymupdf
import qrcode
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from realtime.errors import ServiceError

if TYPE_CHECKING:
    from meeting.models import Council, Delegate

# Crockford's base32 without I, L, O, U: nothing to confuse when a code is typed by hand.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_LENGTH = 10
SIGNATURE_LENGTH = 6
SIGN_IN_PATH = "/tablet/signin/"


def new_badge_key() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def _signature(key: str) -> str:
    digest = salted_hmac("chamber.badge", key, algorithm="sha256").digest()
    number = int.from_bytes(digest[:8], "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(SIGNATURE_LENGTH))


def badge_token(delegate: Delegate) -> str:
    return delegate.badge_key + _signature(delegate.badge_key)


def display_code(token: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: the code printed under the QR code, to type by hand."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def normalise_code(typed: str) -> str:
    return (
        "".join(ch for ch in typed.upper() if ch.isalnum())
        .replace("O", "0")
        .replace("I", "1")
        .replace("L", "1")
    )


def delegate_for_badge(typed: str) -> Delegate:
    from meeting.models import Delegate

    token = normalise_code(typed or "")
    if len(token) != KEY_LENGTH + SIGNATURE_LENGTH:
        raise ServiceError("badge.invalid", _("Mã thẻ không hợp lệ."))
    key, signature = token[:KEY_LENGTH], token[KEY_LENGTH:]
    if not hmac.compare_digest(signature, _signature(key)):
        raise ServiceError("badge.invalid", _("Mã thẻ không hợp lệ."))
    delegate = Delegate.objects.select_related("council").filter(badge_key=key).first()
    if delegate is None:
        raise ServiceError(
            "badge.revoked", _("Thẻ này đã bị thu hồi. Vui lòng liên hệ thư ký kỳ họp.")
        )
    return delegate


def sign_in_url(base_url: str, delegate: Delegate) -> str:
    return f"{base_url.rstrip('/')}{SIGN_IN_PATH}{badge_token(delegate)}/"


def draw_qr(page: pymupdf.Page, content: str, rect: pymupdf.Rect) -> None:
    """Draw the QR code as vector squares: sharp on any printer, no image library."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(content)
    matrix = code.get_matrix()
    module = min(rect.width, rect.height) / len(matrix)
    shape = page.new_shape()
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                x, y = rect.x0 + col * module, rect.y0 + row * module
                shape.draw_rect(pymupdf.Rect(x, y, x + module, y + module))
    shape.finish(color=None, fill=(0, 0, 0), width=0)
    shape.commit()


@dataclass(frozen=True)
class Block:
    text: str
    font: pymupdf.Font
    size: float  # the size it is printed at when there is room
    smallest: float  # the size it may shrink to before it is shortened


def _line_height(font: pymupdf.Font, size: float) -> float:
    return (font.ascender - font.descender) * size


def _wrap(text: str, font: pymupdf.Font, size: float, width: float) -> list[str]:
    """Greedy word wrap; a word wider than the box is cut between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while font.text_length(word, fontsize=size) > width:
            cut = len(word) - 1
            while cut > 1 and font.text_length(word[:cut], fontsize=size) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if line and font.text_length(candidate, fontsize=size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _shorten(line: str, font: pymupdf.Font, size: float, width: float) -> str:
    while line and font.text_length(line + "…", fontsize=size) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def fit_text(
    blocks: list[Block], box: pymupdf.Rect, gap: float = 4
) -> list[tuple[float, float, str, pymupdf.Font, float]]:
    """Lay the blocks out top to bottom inside the box: ``(x, baseline, line, font, size)``.

    Everything is printed whole at its size when it fits; otherwise every block shrinks
    together (down to its smallest size), and only then are lines cut with an ellipsis: each
    block keeps its first line, the earlier (more important) blocks the rest of the room.
    Nothing leaves the box.
    """
    blocks = [block for block in blocks if block.text.strip()]
    steps = 12
    for step in range(steps + 1):
        sizes = [b.size - (b.size - b.smallest) * step / steps for b in blocks]
        wrapped = [_wrap(b.text, b.font, s, box.width) for b, s in zip(blocks, sizes, strict=True)]
        height = sum(
            len(lines) * _line_height(b.font, s)
            for b, s, lines in zip(blocks, sizes, wrapped, strict=True)
        ) + gap * (len(blocks) - 1)
        if height <= box.height:
            break
    heights = [_line_height(b.font, s) for b, s in zip(blocks, sizes, strict=True)]
    # Each block keeps at least its first line (the seat is never lost to a long title);
    # the room left goes to the blocks in order.
    room = box.height - gap * (len(blocks) - 1) - sum(heights)
    counts = []
    for lines, line_height in zip(wrapped, heights, strict=True):
        extra = max(0, min(len(lines) - 1, int(room // line_height)))
        room -= extra * line_height
        counts.append(1 + extra)
    placed = []
    top = box.y0
    for block, size, lines, line_height, count in zip(
        blocks, sizes, wrapped, heights, counts, strict=True
    ):
        if top + line_height > box.y1 + 0.01:
            break
        if len(lines) > count:
            lines = lines[: count - 1] + [_shorten(lines[count - 1], block.font, size, box.width)]
        for line in lines:
            placed.append((box.x0, top + block.font.ascender * size, line, block.font, size))
            top += line_height
        top += gap
    return placed


def badges_pdf(council: Council, base_url: str) -> bytes:
    """All badges of a council on A4 sheets, eight a page, ready to cut."""
    regular, bold = pymupdf.Font("notos"), pymupdf.Font("notosbo")
    document = pymupdf.open()
    columns, rows = 2, 4
    width, height = pymupdf.paper_size("a4")
    margin = 28
    cell_w, cell_h = (width - 2 * margin) / columns, (height - 2 * margin) / rows
    delegates = list(council.delegates.order_by("seat_label", "full_name"))
    for index, delegate in enumerate(delegates):
        slot = index % (columns * rows)
        if slot == 0:
            page = document.new_page(width=width, height=height)
        col, row = slot % columns, slot // columns
        cell = pymupdf.Rect(
            margin + col * cell_w,
            margin + row * cell_h,
            margin + (col + 1) * cell_w,
            margin + (row + 1) * cell_h,
        )
        page.draw_rect(cell, color=(0.6, 0.6, 0.6), width=0.5, dashes="[3] 0")
        qr_size = cell_h - 36
        draw_qr(
            page,
            sign_in_url(base_url, delegate),
            pymupdf.Rect(cell.x0 + 8, cell.y0 + 8, cell.x0 + 8 + qr_size, cell.y0 + 8 + qr_size),
        )
        text_box = pymupdf.Rect(cell.x0 + qr_size + 16, cell.y0 + 12, cell.x1 - 8, cell.y1 - 30)
        writer = pymupdf.TextWriter(page.rect)
        details = [
            part
            for part in (
                delegate.title,
                _("Ghế %(seat)s") % {"seat": delegate.seat_label} if delegate.seat_label else "",
            )
            if part
        ]
        blocks = [
            Block(council.name, regular, 8, 6),
            Block(delegate.full_name, bold, 13, 7),
            *(Block(part, regular, 9, 6) for part in details),
        ]
        for x, baseline, line, font, size in fit_text(blocks, text_box):
            writer.append((x, baseline), line, font=font, fontsize=size)
        writer.append(
            (cell.x0 + 10, cell.y1 - 12),
            display_code(badge_token(delegate)),
            font=bold,
            fontsize=11,
        )
        writer.write_text(page)
    if not delegates:
        document.new_page(width=width, height=height)
    return document.tobytes(garbage=3, deflate=True)
