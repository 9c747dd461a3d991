"""The overview: the city's Standing Committee sees every commune, a commune itself; a late
task shows on both; one query per chart; every chart exports to CSV and XLSX."""

import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meeting.models import Council
from resolutions import overview
from resolutions.models import Task
from resolutions.services import resolutions as resolution_services
from resolutions.services import tasks
from tests.factories import make_council, make_staff
from tests.resolutions.helpers import agency_with_officer, sitting_with_votes

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    city = make_council(seats=9, level=Council.Level.CITY, name="HĐND Thành phố Thử")
    chamber = sitting_with_votes()
    chamber.council.parent = city
    chamber.council.save(update_fields=["parent"])
    resolution = resolution_services.resolution_from_poll(
        poll_id=chamber.passed.pk, title="", actor=chamber.clerk
    )
    agency, officer = agency_with_officer(chamber.council)
    today = timezone.localdate()
    late = tasks.task_add(resolution_id=resolution.pk, title="Việc trễ hạn", agency_id=agency.pk,
                          due_on=today + datetime.timedelta(days=3), actor=chamber.clerk)
    tasks.task_add(resolution_id=resolution.pk, title="Việc đúng hạn", agency_id=agency.pk,
                   due_on=today + datetime.timedelta(days=30), actor=chamber.clerk)
    Task.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=1))
    standing = make_staff(role="standing", council=city)
    return city, chamber, late, standing


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_late_task_shows_on_the_city_and_the_commune(city):
    city_council, chamber, late, standing = city
    page = client_of(standing).get(reverse("resolution-overview")).content.decode()
    assert f'data-council-id="{city_council.pk}"' in page
    assert 'data-chart="tasks-by-council"' in page
    assert f'data-task-id="{late.pk}" data-state="late"' in page
    commune = client_of(chamber.clerk.user).get(reverse("resolution-overview")).content.decode()
    assert f'data-council-id="{chamber.council.pk}"' in commune
    assert f'data-task-id="{late.pk}" data-state="late"' in commune
    assert 'data-chart="tasks-by-council"' not in commune  # nothing under a commune
    # The commune's staff cannot read the city's page.
    assert client_of(chamber.clerk.user).get(
        reverse("resolution-overview"), {"council": city_council.pk}
    ).status_code == 403
    drilled = client_of(standing).get(
        reverse("resolution-overview"), {"council": city_council.pk, "state": "late"}
    ).content.decode()
    assert "Việc trễ hạn" in drilled and "Việc đúng hạn" not in drilled


def test_one_query_per_chart(city):
    city_council, chamber, _late, _standing = city
    councils = [city_council.pk, chamber.council.pk]
    today = timezone.localdate()
    for chart in (
        overview.resolutions_by_status,
        overview.tasks_by_agency,
        overview.tasks_by_council,
        overview.recommendations,
        overview.consultations_by_status,
    ):
        with CaptureQueriesContext(connection) as queries:
            chart(city_council, councils, today)
        assert len(queries) == 1, chart.__name__


def test_charts_and_the_list_export(city):
    _city, chamber, _late, standing = city
    client = client_of(standing)
    url = reverse("resolution-overview")
    csv = client.get(url, {"export": "tasks-by-agency", "format": "csv"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    # On the city's page an agency names its council: every commune has a People's Committee.
    assert body.splitlines()[1].startswith(
        f"Ủy ban nhân dân phường — {chamber.council.name},1,1,0"
    )
    assert client.get(url, {"export": "no-such-chart"}).status_code == 404
    xlsx = client.get(url, {"export": "tasks", "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    titles = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert titles == ["Việc trễ hạn", "Việc đúng hạn"]


def test_the_officer_sees_and_reports_on_their_tasks(city):
    _city, chamber, late, _standing = city
    officer = late.agency.officers.get().user
    client = client_of(officer)
    listing = client.get(reverse("officer-tasks")).content.decode()
    assert f'data-task-id="{late.pk}"' in listing
    page = client.get(reverse("task-detail", args=[late.pk])).content.decode()
    assert 'id="report-form"' in page
    client.post(reverse("task-report", args=[late.pk]), {"text": "Đã xong", "percent": "100",
                                                          "done": "1"})
    late.refresh_from_db()
    assert late.state == "done"
    stranger = make_staff(role="clerk", council=make_council(seats=2))
    assert client_of(stranger).get(reverse("task-detail", args=[late.pk])).status_code == 403
    assert client_of(stranger).get(reverse("officer-tasks")).status_code == 403
