"""What the staff pages share: the PDF field read and checked off the shared thread, the
file answer, the forms' values read (a refused form is shown again by kiosk_ui.refused)."""

from __future__ import annotations

import asyncio
import datetime
import re
import zoneinfo

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


# What a ``datetime-local`` field sends (``2026-12-05T17:30``, seconds when its step asks),
# what this parser read before (any ISO moment, an offset included), and a moment typed by
# hand where a browser shows a text box instead: ``05/12/2026 17:30`` (day first, as in
# kiosk_ui.dates) or ``17:30 05/12/2026`` (as the lists show it).
_DAY = r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})"
_TIME = r"(?P<hour>\d{1,2})[:hg](?P<minute>\d{2})"
_TYPED = (
    re.compile(rf"{_DAY}(?:\s+|\s*,\s*|T){_TIME}", re.IGNORECASE),
    re.compile(rf"{_TIME}(?:\s+|\s*,\s*){_DAY}", re.IGNORECASE),
)


def _typed_moment(text: str) -> datetime.datetime | None:
    for pattern in _TYPED:
        if found := pattern.fullmatch(text):
            parts = {name: int(value) for name, value in found.groupdict().items()}
            try:
                return datetime.datetime(**parts)
            except ValueError:
                return None
    try:
        return datetime.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None


def parse_moment(text: str | None) -> datetime.datetime:
    """A form's moment, aware. A naive one (what a browser sends) is read in the council's
    time zone, settings.TIME_ZONE — not the request's active zone, nor the server's.

    Empty or unreadable is refused as ``moment.bad_format``, and nothing is written."""
    from django.conf import settings

    text = (text or "").strip()
    moment = _typed_moment(text) if text else None
    if moment is None:
        raise ServiceError(
            "moment.bad_format",
            _(
                "Thời điểm “%(text)s” không đúng: chọn ngày giờ, hoặc viết theo dạng "
                "ngày/tháng/năm giờ:phút, ví dụ 05/12/2026 17:30."
            )
            % {"text": text[:30]}
            if text
            else _("Cần nhập thời điểm (ngày và giờ)."),
        )
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment


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
