"""A refused form of a petition's page comes back as typed, with the refusal and its code
(kiosk_ui.refused), not an empty page after a redirect: the officer's answer (a long text a
wrong file used to lose), the clerk's forwarding; nothing is written."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from petitions.models import Petition, VoterMeeting
from tests.petitions.conftest import enter, forwarded

pytestmark = pytest.mark.django_db


def _client(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _alert_code(page: str) -> str | None:
    found = re.search(r'data-level="error" data-tags="code-([^"]+)"', page)
    return found.group(1) if found else None


def test_a_refused_answer_keeps_its_text_and_asks_for_the_file_again(city):
    a = city.a
    petition = forwarded(a)
    before = Petition.objects.filter(pk=petition.pk).values().get()
    text = "UBND phường đã khảo sát tuyến cống\nvà sẽ nạo vét trước mùa mưa <2027>."
    refused = _client(a.officer).post(
        f"/petitions/{petition.pk}/answer/",
        {  # as the page's form sends it (its hidden "action" names the form refused)
            "action": "answer",
            "text": text,
            "file": SimpleUploadedFile("tra-loi.pdf", b"not a pdf at all"),
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _alert_code(page) and _alert_code(page).startswith("document.")
    assert f'<textarea name="text" rows="5" required>{escape(text)}</textarea>' in page
    assert "data-choose-again" in page
    # The other forms of the page are not filled with it.
    assert 'name="reason" required maxlength="2000">' in page
    assert Petition.objects.filter(pk=petition.pk).values().get() == before


def test_a_refused_forwarding_keeps_the_agency_and_the_day_typed(city):
    a = city.a
    petition = enter(a)
    refused = _client(a.clerk).post(
        f"/petitions/{petition.pk}/act/",
        {"action": "forward", "agency": a.office.pk, "due_date": "31/02/2027"},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _alert_code(page) == "date.bad_format"
    agency = re.search(r'<select name="agency" required>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\d+)" selected>', agency) == [str(a.office.pk)]
    assert 'name="due_date" value="31/02/2027"' in page
    assert Petition.objects.get(pk=petition.pk).status == "received"
    # The page as it opens: nothing filled.
    fresh = _client(a.clerk).get(f"/petitions/{petition.pk}/").content.decode()
    assert " selected>" not in fresh and 'name="due_date" value=""' in fresh


def test_a_refused_meeting_with_voters_keeps_what_was_typed(city):
    a = city.a
    delegates = list(a.council.delegates.order_by("pk").values_list("pk", flat=True))
    refused = _client(a.clerk).post(
        "/petitions/meetings/",
        {
            "council": a.council.pk,
            "held_on": "31/02/2026",
            "voter_count": "85",
            "place": "Nhà văn hóa khu phố 3",
            "delegates": [delegates[0], delegates[2]],
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert _alert_code(page) == "date.bad_format"
    assert 'name="held_on" value="31/02/2026"' in page
    assert 'name="voter_count" min="0" value="85"' in page
    assert 'value="Nhà văn hóa khu phố 3"' in page
    chosen = re.search(r'<select name="delegates"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\d+)" selected>', chosen) == [
        str(delegates[0]),
        str(delegates[2]),
    ]
    assert not VoterMeeting.objects.exists()
