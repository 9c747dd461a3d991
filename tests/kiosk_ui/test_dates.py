"""Dates typed dd/mm/yyyy whatever the browser's locale (kiosk_ui.dates); on the forms and
the keyset pages: tests/petitions/test_dates_and_pages.py."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template

from kiosk_ui.dates import form_day, parse_day
from realtime.errors import ServiceError

DAY = datetime.date(2026, 3, 5)


@pytest.mark.parametrize(
    "text", ["05/03/2026", "5/3/2026", "05.03.2026", "05-03-2026", "2026-03-05"]
)
def test_a_day_reads_day_first(text):
    assert parse_day(text) == DAY


@pytest.mark.parametrize("text", ["31/02/2026", "03/05", "hôm nay", "2026/03/05"])
def test_a_wrong_day_is_refused_in_a_form_and_ignored_in_a_filter(text):
    assert parse_day(text) is None
    with pytest.raises(ServiceError) as caught:
        form_day(text)
    assert caught.value.code == "date.bad_format" and "05/03/2026" in caught.value.message
    assert form_day("  ") is None


def test_the_input_is_text_with_the_vietnamese_pattern():
    html = Template('{% load dates %}{% date_input "due" day required=True %}').render(
        Context({"day": DAY})
    )
    assert 'type="text"' in html and 'value="05/03/2026"' in html
    assert 'placeholder="dd/mm/yyyy"' in html and "required" in html and 'type="date"' not in html
