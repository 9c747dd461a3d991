"""Delegate badges: a QR code whose content is the tablet sign-in URL.

The token is a random key (stored on the delegate) followed by a short HMAC of it, so a
forged code is refused without a lookup and a printed badge reveals nothing but itself.
Re-issuing a badge replaces the key: old badges then name no one (``badge.revoked``).
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING

import pymupdf
import qrcode
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from meeting.errors import ServiceError

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
        details = "\n".join(
            part
            for part in (
                delegate.title,
                _("Ghế %(seat)s") % {"seat": delegate.seat_label} if delegate.seat_label else "",
            )
            if part
        )
        # Each block starts below the last line of the one before, so a long name that wraps
        # pushes the title down instead of running into it.
        top = text_box.y0
        for text, font, size, gap in (
            (council.name, regular, 8, 10),
            (delegate.full_name, bold, 13, 10),
            (details, regular, 9, 0),
        ):
            writer.fill_textbox(
                pymupdf.Rect(text_box.x0, top, text_box.x1, text_box.y1),
                text,
                font=font,
                fontsize=size,
            )
            top = writer.last_point.y + gap
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
