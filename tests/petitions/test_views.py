"""The pages: who sees which councils, personal data never in a file, exports, refusals."""

from __future__ import annotations

import csv
import datetime
import io
from html import escape
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.test import Client

from petitions import services
from petitions.models import Petition
from tests.petitions.conftest import TODAY, enter, forwarded

pytestmark = pytest.mark.django_db


def client_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.fixture
def two_communes(city):
    a_ids = [enter(city.a, text=f"Phường An Khánh kiến nghị số {n}").pk for n in range(3)]
    b_ids = [enter(city.b, text=f"Xã Bình Lợi kiến nghị số {n}").pk for n in range(2)]
    forwarded(
        city.a,
        services.petition_create(
            council_id=city.a.council.pk,
            text="Hẻm 45 thiếu đèn chiếu sáng",
            field_id=city.a.fields["social"].pk,
            source="letter",
            actor=city.a.clerk,
            received_on=TODAY - datetime.timedelta(days=25),
            voter_name="Trần Thị Cúc",
        ),
        due=TODAY - datetime.timedelta(days=1),
    )
    return a_ids, b_ids


def test_the_city_sees_every_commune_and_a_commune_only_itself(city, two_communes):
    a_ids, b_ids = two_communes
    city_page = client_for(city.standing).get("/petitions/")
    assert city_page.context["page"].count == 6
    commune_page = client_for(city.a.clerk).get("/petitions/")
    listed = {p.pk for p in commune_page.context["page"]}
    assert set(a_ids) <= listed and not listed & set(b_ids)
    assert client_for(city.a.clerk).get(f"/petitions/{b_ids[0]}/").status_code == 404
    overview = client_for(city.standing).get("/petitions/overview/?from=2026-01-01")
    per_commune = {r.label: r.total for r in overview.context["charts"][2].rows}
    assert per_commune == {"Phường An Khánh": 4, "Xã Bình Lợi": 2}
    own = client_for(city.a.clerk).get("/petitions/overview/?from=2026-01-01")
    assert own.context["total"] == 4
    assert own.context["charts"][2].name == "theo-co-quan"  # per agency for a commune
    late = {r.label: list(r.values) for r in own.context["charts"][3].rows}
    assert late == {f"UBND {city.a.council.name}": [0, 0, 1, 0]}


def test_personal_data_only_to_the_councils_own_staff_and_never_in_a_file(city, two_communes):
    a_ids, _b = two_communes
    page = client_for(city.a.clerk).get(f"/petitions/{a_ids[0]}/")
    assert "Nguyễn Văn Bình" in _body(page)
    assert "Nguyễn Văn Bình" not in _body(client_for(city.standing).get(f"/petitions/{a_ids[0]}/"))
    for fmt in ("csv", "xlsx"):
        response = client_for(city.a.clerk).get(f"/petitions/?export=kien-nghi&format={fmt}")
        assert response.status_code == 200
        if fmt == "csv":
            text = _body(response)
            rows = list(csv.reader(io.StringIO(text)))
            assert len(rows) == 1 + 4
        else:
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            text = " ".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row)
        for personal in ("Nguyễn Văn Bình", "12 Lê Lợi", "Trần Thị Cúc"):
            assert personal not in text


def test_the_public_list_shows_answers_never_voters(city):
    a = city.a
    petition = forwarded(a)
    services.petition_answer(petition_id=petition.pk, text="Đã nạo vét cống.", actor=a.officer)
    page = Client().get(f"/public/councils/{a.council.pk}/petitions/")
    body = _body(page)
    assert "Đã nạo vét cống." in body and "Nguyễn Văn Bình" not in body
    exported = _body(
        Client().get(
            f"/public/councils/{a.council.pk}/petitions/?export=kien-nghi-da-tra-loi&format=csv"
        )
    )
    assert "Đã nạo vét cống." in exported
    assert "Nguyễn Văn Bình" not in exported and "12 Lê Lợi" not in exported


def test_search_is_diacritic_blind_across_petitions_and_answers(city):
    a = city.a
    petition = forwarded(a)
    services.petition_answer(petition_id=petition.pk, text="Đã nạo vét cống.", actor=a.officer)
    enter(a, text="Đề nghị lắp đèn chiếu sáng hẻm 45")
    client = client_for(a.clerk)
    found = [p.pk for p in client.get("/petitions/?q=ngap nuoc").context["page"]]
    assert found == [petition.pk]
    assert [p.pk for p in client.get("/petitions/?q=nao vet").context["page"]] == [petition.pk]


def test_an_officer_sees_only_what_is_addressed_to_the_agency_and_answers(city):
    a = city.a
    mine, other = forwarded(a), forwarded(a, agency=a.office)
    officer = client_for(a.officer)
    assert [p.pk for p in officer.get("/petitions/").context["page"]] == [mine.pk]
    assert officer.get(f"/petitions/{other.pk}/").status_code == 404
    detail = _body(officer.get(f"/petitions/{mine.pk}/"))
    assert "Nguyễn Văn Bình" not in detail and 'id="answer-form"' in detail
    response = officer.post(f"/petitions/{mine.pk}/answer/", {"text": "Đã xử lý xong."})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "answered"
    due = client_for(a.clerk).get("/petitions/due/")
    assert due.status_code == 200


def test_a_refused_step_says_why_and_changes_nothing(city):
    a = city.a
    petition = enter(a)
    client = client_for(a.clerk)
    response = client.post(f"/petitions/{petition.pk}/act/", {"action": "close"}, follow=True)
    body = _body(response)
    assert "code-petition.bad_status" in body
    petition.refresh_from_db()
    assert petition.status == "received"
    response = client.post(
        f"/petitions/{petition.pk}/act/",
        {"action": "forward", "agency": city.b.committee.pk, "due_date": "2027-01-01"},
        follow=True,
    )
    assert "code-agency.unknown" in _body(response)


def test_each_communes_row_of_the_city_overview_opens_its_list(city, two_communes):
    """The city's rows per commune (counts and timeliness) link to that commune's list, for
    the period counted; a commune's own rows per agency, to that agency's."""
    standing = client_for(city.standing)
    ids = {
        commune.council.name: set(
            Petition.objects.filter(council=commune.council).values_list("pk", flat=True)
        )
        for commune in (city.a, city.b)
    }
    since = (TODAY - datetime.timedelta(days=60)).isoformat()
    overview = standing.get(f"/petitions/overview/?from={since}")
    page = overview.content.decode()
    for chart in overview.context["charts"][2:]:
        assert {r.label for r in chart.rows} == set(ids)
        for row in chart.rows:
            assert f'<a href="{escape(row.href)}">{escape(row.label)}</a>' in page
            query = parse_qs(urlsplit(row.href).query)
            assert query["from"] == [since]
            listed = standing.get(row.href).context["page"]
            assert {p.pk for p in listed} == ids[row.label]
    counted = {r.label: r.total for r in overview.context["charts"][2].rows}
    assert counted == {name: len(pks) for name, pks in ids.items()}
    # With no period asked, the year so far is counted, and the links carry it.
    default = standing.get("/petitions/overview/").context["charts"][0].rows[0].href
    assert parse_qs(urlsplit(default).query)["from"] == [f"{TODAY.year}-01-01"]
    own = client_for(city.a.clerk).get("/petitions/overview/?from=2026-01-01")
    [agency_row] = own.context["charts"][3].rows
    listed = client_for(city.a.clerk).get(agency_row.href).context["page"]
    assert {p.agency_id for p in listed} == {city.a.committee.pk}
