"""Dates as Vietnamese people write them: dd/mm/yyyy, whatever the browser's locale.

Chromium's ``<input type=date>`` shows and types dates in the browser's locale (mm/dd/yyyy on
an English system), so a clerk's 05/03 becomes the 3rd of May. Forms use a text input with a
dd/mm/yyyy pattern and placeholder instead, parsed here on the server::

    {% load dates %}{% date_input "due_date" value required=True %}

    from kiosk_ui.dates import form_day, query_day
    due = form_day(request.POST.get("due_date"))      # ServiceError date.bad_format if wrong
    since = query_day(request.GET.get("from"))         # a filter: None if empty or wrong

ISO (``2026-03-05``) is read too: links, bookmarks and tests that carry it keep working.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from realtime.errors import ServiceError

PATTERN = r"\d{1,2}/\d{1,2}/\d{4}"
PLACEHOLDER = "dd/mm/yyyy"
_VIETNAMESE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_day(text: str | None) -> date | None:
    """``dd/mm/yyyy`` (or ``d/m/yyyy``, ``dd.mm.yyyy``, ``dd-mm-yyyy``) or ISO; None if empty
    or not a real day (31/02)."""
    text = (text or "").strip()
    try:
        if found := _VIETNAMESE.fullmatch(text):
            day, month, year = (int(n) for n in found.groups())
            return date(year, month, day)
        if found := _ISO.fullmatch(text):
            year, month, day = (int(n) for n in found.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def query_day(text: str | None) -> date | None:
    """A filter's day: None when empty or unreadable (the filter is then not applied)."""
    return parse_day(text)


def form_day(text: str | None) -> date | None:
    """A form's day: None when left empty; refused (nothing changes) when unreadable."""
    if not (text or "").strip():
        return None
    found = parse_day(text)
    if found is None:
        raise ServiceError(
            "date.bad_format",
            _("Ngày “%(text)s” không đúng: viết theo dạng ngày/tháng/năm, ví dụ 05/03/2026.")
            % {"text": text.strip()[:20]},
        )
    return found


def shown(value: date | str | None) -> str:
    """What a date input shows: a date as dd/mm/yyyy, a string as typed (after a refusal)."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value or ""
