"""The Standing Committee's form for a written consultation: the deadline as the browser's
``datetime-local`` field sends it, read in the council's time zone whatever zone is active;
a deadline unreadable or past refused with its code, and nothing written."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from realtime.errors import ServiceError
from resolutions.models import Consultation
from resolutions.views.common import parse_moment
from tests.resolutions.helpers import consultation_council, pdf_bytes

pytestmark = pytest.mark.django_db
COUNCIL_ZONE = ZoneInfo(settings.TIME_ZONE)


def _next_year_at(hour: int, minute: int) -> datetime:
    return datetime(timezone.now().year + 1, 12, 5, hour, minute, tzinfo=COUNCIL_ZONE)


@pytest.mark.parametrize(
    "sent",
    [
        "{y}-12-05T17:30",  # a datetime-local field
        "{y}-12-05T17:30:00",  # the same field with a step in seconds
        "{y}-12-05 17:30",  # ISO, as this parser read it before
        "05/12/{y} 17:30",  # typed by hand where a browser shows a text box
        "5/12/{y} 17h30",
        "17:30 05/12/{y}",  # as the lists show a deadline
    ],
)
def test_the_browsers_moment_is_read_in_the_councils_zone_whatever_zone_is_active(sent):
    expected = _next_year_at(17, 30)
    with timezone.override("UTC"):
        assert parse_moment(f"  {sent.format(y=expected.year)} ") == expected


def test_a_moment_with_an_offset_keeps_it():
    assert parse_moment("2030-12-05T10:30+00:00") == datetime(
        2030, 12, 5, 10, 30, tzinfo=ZoneInfo("UTC")
    )


@pytest.mark.parametrize("sent", ["", "  ", "mai", "31/02/2030 17:30", "2030-12-05T25:00"])
def test_an_unreadable_moment_is_refused_with_its_code(sent):
    with pytest.raises(ServiceError) as caught:
        parse_moment(sent)
    assert caught.value.code == "moment.bad_format" and caught.value.message


def _form(place, deadline: str, **more) -> dict:
    return {
        "council": place.council.pk,
        "title": "Xin ý kiến về chủ trương đầu tư trường học",
        "form": "yes_no_abstain",
        "kind": "named",
        "threshold": "more_than_half",
        "deadline": deadline,
        "remind_hours": "24, 2",
        **more,
    }


def _client(place) -> Client:
    client = Client()
    client.force_login(place.standing.user)
    return client


def test_the_committee_creates_with_the_deadline_its_browser_sends():
    place = consultation_council(seats=3)
    expected = _next_year_at(17, 30)
    sent = expected.strftime("%Y-%m-%dT%H:%M")
    created = _client(place).post(reverse("consultation-staff-create"), _form(place, sent))
    consultation = Consultation.objects.get()
    assert created.url == reverse("consultation-staff", args=[consultation.pk])
    assert consultation.deadline == expected
    # Shown as it was chosen, in the council's zone.
    page = _client(place).get(reverse("consultation-staff-list")).content.decode()
    assert expected.strftime("17:30 05/12/%Y") in page


@pytest.mark.parametrize(
    ("deadline", "code", "said"),
    [
        ("hôm nay", "moment.bad_format", "Thời điểm “hôm nay” không đúng"),
        ("", "moment.bad_format", "Cần nhập thời điểm"),
        (
            (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "consultation.deadline_past",
            "đã qua",
        ),
    ],
)
def test_a_deadline_unreadable_or_past_is_refused_in_vietnamese_and_writes_nothing(
    deadline, code, said
):
    place = consultation_council(seats=3)
    refused = _client(place).post(
        reverse("consultation-staff-create"), _form(place, deadline), follow=True
    )
    alert = re.search(
        r'<p [^>]*data-tags="code-([^"]+)"[^>]*>([^<]*)</p>', refused.content.decode()
    )
    assert alert is not None and alert.group(1) == code and said in alert.group(2)
    assert Consultation.objects.count() == 0


def test_a_refused_form_is_shown_again_as_typed_with_the_refusal():
    place = consultation_council(seats=3)
    typed = _form(
        place,
        "hôm nay",
        title="Xin ý kiến về đổi tên đường <Lê Lợi>",
        question="Đổi tên đường theo đề nghị\ncủa UBND",
        form="options",
        kind="secret",
        threshold="two_thirds",
        options="Phương án 1\nPhương án 2",
        max_selections="2",
        remind_hours="48",
    )
    refused = _client(place).post(reverse("consultation-staff-create"), typed)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'data-tags="code-moment.bad_format"' in page
    assert 'id="new-consultation" open' in page
    assert 'value="Xin ý kiến về đổi tên đường &lt;Lê Lợi&gt;"' in page
    assert ">Đổi tên đường theo đề nghị\ncủa UBND</textarea>" in page
    assert ">Phương án 1\nPhương án 2</textarea>" in page
    for name, value in (("form", "options"), ("kind", "secret"), ("threshold", "two_thirds")):
        select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
        assert re.findall(r'<option value="([^"]+)" selected>', select) == [value]
    assert 'name="max_selections" min="1" value="2"' in page
    assert 'name="deadline" required value="hôm nay"' in page
    assert 'name="remind_hours" value="48"' in page
    assert "data-choose-again" not in page  # no file was chosen
    assert Consultation.objects.count() == 0
    # Then sent again, corrected: created.
    typed["deadline"] = _next_year_at(9, 0).strftime("%Y-%m-%dT%H:%M")
    assert _client(place).post(reverse("consultation-staff-create"), typed).status_code == 302
    assert Consultation.objects.get().options[1]["label"] == "Phương án 2"


def test_a_refused_form_asks_for_its_file_again():
    place = consultation_council(seats=3)
    upload = SimpleUploadedFile("du-thao.pdf", pdf_bytes(), content_type="application/pdf")
    refused = _client(place).post(
        reverse("consultation-staff-create"), _form(place, "", pdf=upload)
    )
    assert refused.status_code == 400 and "data-choose-again" in refused.content.decode()
