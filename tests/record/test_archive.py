"""The archive: closed sessions of a city council and its communes, searched without diacritics
in poll titles, agenda items and the text of public documents."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from documents.services import document_upload
from meeting import services as meeting
from meeting.models import AgendaItem, Council
from realtime.actors import Actor
from tests.documents.pdfs import make_pdf
from tests.factories import make_council, make_session, make_staff
from tests.record.sitting import make_sitting

pytestmark = pytest.mark.django_db

QUERY = "nghi quyet ngan sach"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def closed_session(council: Council, *, items: list[str], documents=(), close=True):
    """A session of ``council`` with these agenda items and (title, text, access) documents."""
    session = make_session(council=council, items=len(items))
    for item, title in zip(
        AgendaItem.objects.filter(session=session).order_by("position"), items, strict=True
    ):
        item.title = title
        item.save(update_fields=["title"])
    clerk = Actor(user=make_staff(role="clerk"))
    for title, text, access in documents:
        document_upload(
            session_id=session.pk, title=title, data=make_pdf([text]), actor=clerk, access=access
        )
    if close:
        meeting.session_transition(session_id=session.pk, action="close", actor=clerk)
    return session


@pytest.fixture
def councils(db):
    city = make_council(level="city", name="HĐND Thành phố Huế", seats=7)
    commune = make_council(parent=city, level="commune", name="HĐND Xã Phú Vang", seats=5)
    elsewhere = make_council(level="city", name="HĐND Thành phố Cần Thơ", seats=5)
    # The city's sitting: the poll and its agenda item say "Nghị quyết về ngân sách".
    city_sitting = make_sitting(council=city, title="Kỳ họp thứ mười hai")
    # The commune's: an agenda item, a public document and a restricted one say it too.
    commune_session = closed_session(
        commune,
        items=["Nghị quyết về ngân sách xã năm 2027", "Tờ trình về giao thông nông thôn"],
        documents=[
            ("Dự thảo nghị quyết", "Dự thảo Nghị quyết về ngân sách xã Phú Vang", "public"),
            ("Báo cáo thẩm tra", "Thẩm tra Nghị quyết về ngân sách (tài liệu mật)", "delegates"),
        ],
    )
    # A commune sitting on something else, a live city sitting, another city's sitting.
    quiet = closed_session(commune, items=["Tờ trình về đê điều"])
    live = closed_session(city, items=["Nghị quyết về ngân sách bổ sung"], close=False)
    other = closed_session(elsewhere, items=["Nghị quyết về ngân sách thành phố"])
    return {
        "city": city,
        "commune": commune,
        "city_session": city_sitting.session,
        "commune_session": commune_session,
        "quiet": quiet,
        "live": live,
        "other": other,
    }


def archive(client: Client, **params) -> tuple[str, list[int]]:
    response = client.get("/archive/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return html, [int(pk) for pk in re.findall(r'data-session-id="(\d+)"', html)]


def result_of(html: str, session) -> str:
    start = f'<li class="archive-result" data-session-id="{session.pk}">'
    end = r'(?=<li class="archive-result"|</ul>\s*</main>)'
    found = re.search(re.escape(start) + ".*?" + end, html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", found).split()).replace(" :", ":")


def test_the_city_archive_finds_its_own_and_its_communes_sessions_without_diacritics(councils):
    html, found = archive(Client(), council=councils["city"].pk, q=QUERY)
    assert "2 kỳ họp có “nghi quyet ngan sach”." in html
    assert sorted(found) == sorted([councils["city_session"].pk, councils["commune_session"].pk])

    city = result_of(html, councils["city_session"])
    assert "Biểu quyết: Thông qua Nghị quyết về ngân sách địa phương năm 2027 — thông qua" in city
    assert "Nội dung: Nghị quyết về ngân sách địa phương năm 2027" in city
    assert f'href="/record/{councils["city_session"].pk}/"' in html

    commune = result_of(html, councils["commune_session"])
    assert "Nội dung: Nghị quyết về ngân sách xã năm 2027" in commune
    assert "Tài liệu: Dự thảo nghị quyết, trang 1" in commune
    assert "Dự thảo Nghị quyết về ngân sách xã Phú Vang" in commune
    assert "Báo cáo thẩm tra" not in html  # restricted: the public never sees it


def test_the_search_ignores_case_and_accepts_diacritics_too(councils):
    client = Client()
    expected = sorted([councils["city_session"].pk, councils["commune_session"].pk])
    for query in ("NGHI QUYET ngan SACH", "Nghị quyết về ngân sách", "  nghi quyet ve ngan sach "):
        _html, found = archive(client, council=councils["city"].pk, q=query)
        assert sorted(found) == expected, query
    _html, found = archive(client, council=councils["city"].pk, q="phu vang")
    assert found == [councils["commune_session"].pk]  # a document's text only
    _html, found = archive(client, council=councils["city"].pk, q="khong co dau ca")
    assert found == []


def test_a_communes_archive_does_not_show_the_citys_sessions(councils):
    _html, found = archive(Client(), council=councils["commune"].pk, q=QUERY)
    assert found == [councils["commune_session"].pk]
    _html, found = archive(Client(), council=councils["commune"].pk)
    assert sorted(found) == sorted([councils["commune_session"].pk, councils["quiet"].pk])


def test_live_sessions_stay_out_and_other_councils_show_only_unfiltered(councils):
    _html, found = archive(Client(), council=councils["city"].pk)
    assert councils["live"].pk not in found and councils["other"].pk not in found
    assert set(found) == {
        councils["city_session"].pk,
        councils["commune_session"].pk,
        councils["quiet"].pk,
    }
    _html, found = archive(Client(), q=QUERY)  # every council
    assert sorted(found) == sorted(
        [councils["city_session"].pk, councils["commune_session"].pk, councils["other"].pk]
    )


def test_restricted_documents_are_found_only_by_staff(councils):
    staff = Client()
    # The city's Standing Committee reads the commune's restricted documents too.
    staff.force_login(make_staff(role="standing", council=councils["city"]))
    html, _found = archive(staff, council=councils["city"].pk, q="tham tra nghi quyet")
    commune = result_of(html, councils["commune_session"])
    assert "Tài liệu: Báo cáo thẩm tra, trang 1" in commune
    assert "Thẩm tra Nghị quyết về ngân sách (tài liệu mật)" in commune

    _html, found = archive(Client(), council=councils["city"].pk, q="tham tra nghi quyet")
    assert found == []
