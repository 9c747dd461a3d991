"""Dates typed dd/mm/yyyy on the petitions' forms and filters (kiosk_ui.dates), and the list's
keyset pages without a full count (kiosk_ui.paging)."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.test import Client

from kiosk_ui import paging
from petitions.models import Petition
from tests.petitions.conftest import TODAY, enter, in_days

pytestmark = pytest.mark.django_db


def _client(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_forwarding_with_a_vietnamese_date_and_refusing_a_wrong_one(city):
    a = city.a
    petition = enter(a)
    clerk = _client(a.clerk)
    page = clerk.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'name="due_date"' in page and 'placeholder="dd/mm/yyyy"' in page
    before = Petition.objects.filter(pk=petition.pk).values().get()
    wrong = clerk.post(
        f"/petitions/{petition.pk}/act/",
        {"action": "forward", "agency": a.committee.pk, "due_date": "31/02/2027"},
        follow=True,
    )
    assert "code-date.bad_format" in wrong.content.decode()
    assert Petition.objects.filter(pk=petition.pk).values().get() == before
    due = in_days(40)
    clerk.post(
        f"/petitions/{petition.pk}/act/",
        {"action": "forward", "agency": a.committee.pk, "due_date": due.strftime("%d/%m/%Y")},
    )
    petition.refresh_from_db()
    assert (petition.status, petition.due_date) == ("forwarded", due)


def test_the_list_filters_by_vietnamese_dates(city):
    a = city.a
    old = enter(a, received_on=TODAY - datetime.timedelta(days=60))
    new = enter(a, received_on=TODAY - datetime.timedelta(days=2))
    since = (TODAY - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    listed = _client(a.clerk).get(f"/petitions/?from={since}").context["page"]
    assert [p.pk for p in listed] == [new.pk] and old.pk not in [p.pk for p in listed]


def test_keyset_pages_walk_the_whole_list_once_with_a_capped_count(city, monkeypatch):
    a = city.a
    made = [enter(a, received_on=TODAY - datetime.timedelta(days=n % 7)).pk for n in range(12)]
    monkeypatch.setattr(paging, "PAGE_SIZE", 5)
    monkeypatch.setattr(paging, "COUNT_CAP", 8)
    clerk = _client(a.clerk)
    seen, url = [], "/petitions/"
    while url:
        response = clerk.get(url)
        page = response.context["page"]
        assert (page.count, page.more_than_count) == (8, True)
        seen += [(p.received_on, p.pk) for p in page]
        url = f"/petitions/?after={page.next_after}" if page.next_after else None
        if url:
            assert "Xem tiếp" in response.content.decode()
    # Newest first, every petition once, across three pages.
    assert sorted(pk for _day, pk in seen) == sorted(made)
    assert seen == sorted(seen, reverse=True)
    assert "Hơn 8 kiến nghị" in clerk.get("/petitions/").content.decode()


def _pager_link(html: str, marker: str) -> str | None:
    found = re.search(rf'<a class="btn btn-ghost" {marker}[^>]* href="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def test_the_pager_goes_back_page_by_page_with_the_filters_kept(city, monkeypatch):
    """Forward with "Xem tiếp" to the last page, then back with "Trang trước" to the first:
    the same pages in reverse, the filter in every link (a keyset page before the cursor)."""
    a = city.a
    # Same-day ties across every page boundary; one of another status, filtered out.
    made = [enter(a, received_on=TODAY - datetime.timedelta(days=n % 4)).pk for n in range(13)]
    Petition.objects.filter(pk=made.pop()).update(status="closed")
    monkeypatch.setattr(paging, "PAGE_SIZE", 5)
    clerk = _client(a.clerk)

    def shown(url: str) -> tuple[list[int], str]:
        response = clerk.get(url)
        assert response.status_code == 200
        return [p.pk for p in response.context["page"]], response.content.decode()

    forward, url = [], "/petitions/?status=received"
    while url:
        ids, html = shown(url)
        forward.append(ids)
        assert (_pager_link(html, "data-previous") is None) == (len(forward) == 1)
        following = _pager_link(html, "data-next")
        url = f"/petitions/{following}" if following else None
        for link in filter(None, (following, _pager_link(html, "data-previous"))):
            assert "status=received" in link
    assert [len(ids) for ids in forward] == [5, 5, 2]
    assert sorted(sum(forward, [])) == sorted(made)
    backward = [forward[-1]]
    while previous := _pager_link(html, "data-previous"):
        ids, html = shown(f"/petitions/{previous}")
        backward.append(ids)
        assert _pager_link(html, "data-next") is not None
    assert backward == forward[::-1]
    assert 'data-first' not in html  # back on the first page
