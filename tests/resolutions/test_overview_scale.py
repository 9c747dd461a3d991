"""At a city's size: the overview's queries do not grow with the number of councils, an export
runs only its own query, and the lists come a page at a time (bench.resolutions measures the
time at 169 councils; these prove the shape that keeps it flat)."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meeting.models import Agency, Council
from resolutions.models import Consultation, Resolution, Task
from tests.factories import make_council, make_staff

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def commune_with_a_year(city: Council, *, resolutions: int = 2) -> Council:
    """A commune with resolutions, their tasks (late, on track, done), a consultation."""
    commune = make_council(seats=3, parent=city)
    agency = Agency.objects.create(council=commune, name="Ủy ban nhân dân phường")
    today = timezone.localdate()
    made = Resolution.objects.bulk_create(
        Resolution(
            council=commune,
            year=today.year,
            number=next(_numbers),
            adopted_on=today,
            title=f"Nghị quyết số {n}",
        )
        for n in range(resolutions)
    )
    Task.objects.bulk_create(
        Task(
            council=commune,
            kind="task",
            resolution=r,
            title=f"Việc {n}",
            agency=agency,
            due_on=today + datetime.timedelta(days=days),
            done_on=today if n == 2 else None,
        )
        for r in made
        for n, days in enumerate([-3, 10, 20])
    )
    Consultation.objects.create(
        council=commune, title="Xin ý kiến", status="open",
        deadline=timezone.now() + datetime.timedelta(days=2),
    )
    return commune


def queries_of(client: Client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.fixture
def city():
    city = make_council(seats=3, level=Council.Level.CITY, name="HĐND Thành phố Thử")
    communes = [commune_with_a_year(city) for _ in range(2)]
    standing = Client()
    standing.force_login(make_staff(role="standing", council=city))
    clerk = Client()
    clerk.force_login(make_staff(role="clerk", council=communes[0]))
    return city, communes, standing, clerk


PAGES = [
    ("standing", {}),
    ("standing", {"state": "late"}),
    ("standing", {"export": "tasks-by-agency", "format": "xlsx"}),
    ("standing", {"export": "tasks", "format": "csv"}),
    ("clerk", {}),
    ("clerk", {"export": "tasks", "format": "xlsx"}),
]


def test_the_overviews_queries_do_not_grow_with_the_councils(city):
    city_council, _communes, standing, clerk = city
    clients = {"standing": standing, "clerk": clerk}
    url = reverse("resolution-overview")
    before = [queries_of(clients[who], url, params) for who, params in PAGES]
    for _ in range(4):
        commune_with_a_year(city_council, resolutions=5)
    after = [queries_of(clients[who], url, params) for who, params in PAGES]
    assert after == before
    # The same queries, over every commune: 3 tasks to each of 2·2 + 4·5 resolutions.
    page = standing.get(url).content.decode()
    assert 'data-count="72"' in page
    # The figures at the top: every task, and the late ones (one of each resolution's three).
    assert '<span class="card-label">Nhiệm vụ, kiến nghị</span><strong>72</strong>' in page
    assert '<span class="card-label">Quá hạn</span><strong>24</strong>' in page
    commune = clerk.get(url).content.decode()
    assert '<span class="card-label">Quá hạn</span><strong>2</strong>' in commune
    # A file runs its own query, not the page's charts too.
    assert before[3] < before[0]


def test_the_lists_come_a_page_at_a_time(city):
    city_council, _communes, standing, _clerk = city
    commune_with_a_year(city_council, resolutions=60)  # 64 resolutions, 192 tasks in all
    url = reverse("resolution-overview")
    page = standing.get(url).content.decode()
    assert page.count("data-task-id=") == 50
    assert 'class="pager" data-pages="4"' in page
    assert standing.get(url, {"page": 4}).content.decode().count("data-task-id=") == 42
    late = standing.get(url, {"state": "late", "page": 2}).content.decode()
    assert late.count('data-state="late"') == 64 - 50
    listing = standing.get(reverse("resolution-list")).content.decode()
    assert listing.count("data-resolution-id=") == 50
    assert 'class="pager" data-pages="2"' in listing
    second = standing.get(reverse("resolution-list"), {"page": 2}).content.decode()
    assert second.count("data-resolution-id=") == 14
