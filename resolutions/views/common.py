"""What the staff pages share: the PDF field read and checked off the shared thread, the
file answer, refusals shown on the page."""

from __future__ import annotations

import asyncio
import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import rendering
from documents.services import InspectedPdf, too_large_message
from kiosk_ui.dates import form_day
from realtime.errors import ServiceError
from resolutions import files

PDF_FIELD = "pdf"


def _read_pdf(request: HttpRequest, field: str) -> bytes | None:
    from django.conf import settings

    upload = request.FILES.get(field)
    if upload is None:
        return None
    if upload.size > settings.CHAMBER_MAX_PDF_BYTES:
        raise ServiceError("document.too_large", too_large_message())
    return upload.read()


async def pdf_upload(
    request: HttpRequest, field: str = PDF_FIELD
) -> tuple[bytes | None, InspectedPdf | None]:
    """The uploaded PDF and its intake, each in a thread of its own: the web process's shared
    thread, which runs every other view and the screens' commands, never waits for them."""
    data = await asyncio.to_thread(_read_pdf, request, field)
    checked = await asyncio.to_thread(files.inspected, data)
    return data, checked


def pdf_response(sha256: str, filename: str) -> HttpResponse:
    response = HttpResponse(rendering.pdf_path(sha256).read_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def parse_date(text: str) -> datetime.date | None:
    """A form's day as Vietnamese write it, dd/mm/yyyy (ISO is read too): kiosk_ui.dates;
    unreadable is ``date.bad_format``, and nothing is written."""
    return form_day(text)


def parse_moment(text: str) -> datetime.datetime:
    """A ``datetime-local`` field, in the house's time zone."""
    try:
        naive = datetime.datetime.fromisoformat((text or "").strip())
    except ValueError:
        raise ServiceError("form.invalid", _("Thời điểm không hợp lệ.")) from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def parse_int(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ServiceError("form.invalid", _("Cần nhập một số."))
    return int(text)


def parse_int_or_none(text: str | None) -> int | None:
    """A number from a query string; anything else is no number (a GET refuses nothing)."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else None
