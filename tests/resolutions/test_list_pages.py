"""The conclusions', the supervision programmes' and the written consultations' lists, page
by page (kiosk_ui.paging): a council with more rows than a page reaches every one of them,
newest first, none twice — they stopped silently at 300, 200 and 200 rows before."""

from __future__ import annotations

import datetime
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kiosk_ui import paging
from resolutions.services import consultation as consult
from resolutions.services import resolutions as services
from resolutions.services import supervision
from tests.resolutions.helpers import consultation_council, sitting_with_votes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _walk(client: Client, url: str, params: dict, marker: str) -> list[tuple[int, str]]:
    """Follow "Xem tiếp" from the first page to the last: the ids each page shows, in order."""
    seen, after, pages = [], None, 0
    while True:
        query = dict(params, **({"after": after} if after else {}))
        response = client.get(f"{url}?{urlencode(query)}")
        assert response.status_code == 200
        html = response.content.decode()
        page = response.context["page"]
        pages += 1
        ids = [row.pk for row in page]
        assert all(f'{marker}="{pk}"' in html for pk in ids)
        seen += [(pk, pages) for pk in ids]
        after = page.next_after
        if not after:
            assert "Xem tiếp" not in html
            return seen
        assert "Xem tiếp" in html and f"after={after}" in html


def test_every_conclusion_is_reached_page_by_page_once(monkeypatch):
    chamber = sitting_with_votes()
    session = chamber.sitting.session
    # Twelve conclusions over five days: same-day ties cross a page boundary.
    made = [
        services.conclusion_record(
            session_id=session.pk,
            title=f"Kết luận phiên chất vấn số {n}",
            actor=chamber.clerk,
            adopted_on=TODAY - datetime.timedelta(days=n % 5),
        )
        for n in range(12)
    ]
    monkeypatch.setattr(paging, "PAGE_SIZE", 5)
    client = Client()
    client.force_login(chamber.clerk.user)
    seen = _walk(client, reverse("conclusion-list"), {}, "data-conclusion-id")
    ids = [pk for pk, _page in seen]
    assert sorted(ids) == sorted(c.pk for c in made) and len(ids) == len(set(ids))
    assert max(page for _pk, page in seen) == 3
    by_pk = {c.pk: c for c in made}
    order = [(by_pk[pk].adopted_on, pk) for pk in ids]
    assert order == sorted(order, reverse=True)  # newest first, across pages
    # The search stays in the pager's links: the next page is of the same search.
    searched = _walk(client, reverse("conclusion-list"), {"q": "chat van"}, "data-conclusion-id")
    assert sorted(pk for pk, _page in searched) == sorted(ids)


def test_every_supervision_programme_is_reached_page_by_page_once(monkeypatch):
    chamber = sitting_with_votes()
    made = [
        supervision.programme_create(
            council_id=chamber.council.pk,
            subject=f"Giám sát chuyên đề số {n}",
            period_start=TODAY - datetime.timedelta(days=30 + n % 4),
            period_end=TODAY,
            actor=chamber.clerk,
        )
        for n in range(11)
    ]
    monkeypatch.setattr(paging, "PAGE_SIZE", 4)
    client = Client()
    client.force_login(chamber.clerk.user)
    seen = _walk(client, reverse("supervision-list"), {}, "data-programme-id")
    ids = [pk for pk, _page in seen]
    assert sorted(ids) == sorted(p.pk for p in made) and len(ids) == len(set(ids))
    assert max(page for _pk, page in seen) == 3
    by_pk = {p.pk: p for p in made}
    order = [(by_pk[pk].period_start, pk) for pk in ids]
    assert order == sorted(order, reverse=True)


def test_every_consultation_is_reached_page_by_page_and_back(monkeypatch):
    """The written consultations' list stopped at 200 rows: now keyset pages along the id,
    newest first — forward to the last page, then back with "Trang trước" to the first."""
    place = consultation_council(seats=3)
    deadline = timezone.now() + datetime.timedelta(days=3)
    made = [
        consult.consultation_create(
            council_id=place.council.pk,
            title=f"Xin ý kiến đợt {n}",
            actor=place.standing,
            deadline=deadline,
        ).pk
        for n in range(11)
    ]
    monkeypatch.setattr(paging, "PAGE_SIZE", 4)
    client = Client()
    client.force_login(place.standing.user)
    url = reverse("consultation-staff-list")
    seen = _walk(client, url, {}, "data-consultation-id")
    ids = [pk for pk, _page in seen]
    assert ids == sorted(made, reverse=True)  # newest first, every one once
    assert max(page for _pk, page in seen) == 3
    # Back from the last page, page by page.
    last = client.get(f"{url}?after={ids[7]}")
    pages, html = [[row.pk for row in last.context["page"]]], last.content.decode()
    while found := re.search(r'data-previous rel="prev" href="\?([^"]*)"', html):
        response = client.get(f"{url}?{unescape(found.group(1))}")
        pages.append([row.pk for row in response.context["page"]])
        html = response.content.decode()
    assert pages == [ids[8:], ids[4:8], ids[:4]]
