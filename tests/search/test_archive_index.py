"""The archive and the document reader search through the index: no scan of the folded text,
and the same few statements whether the archive holds three sessions or thirty."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.models import Document, PageText
from documents.selectors import search as document_search
from record import archive
from search.models import Entry
from tests.factories import make_council
from tests.record.test_archive import closed_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _sessions(council, count: int, start: int) -> None:
    for n in range(start, start + count):
        closed_session(
            council,
            items=[f"Nghị quyết về ngân sách số {n}", "Tờ trình về đê điều"],
            documents=[(f"Dự thảo {n}", f"Dự thảo Nghị quyết ngân sách xã, bản {n}", "public")],
        )


def _statements(council) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        results = archive.search(
            council=council, query="nghi quyet ngan sach", include_restricted=False
        )
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert " LIKE " not in sql and "INSTR(" not in sql and "STRPOS(" not in sql
    return len(queries.captured_queries), results


def test_the_archive_asks_the_index_in_a_fixed_number_of_statements():
    council = make_council(level="city", seats=5)
    _sessions(council, 2, 1)
    few, results = _statements(council)
    assert len(results) == 2
    assert all({hit["kind"] for hit in r["hits"]} == {"agenda", "document"} for r in results)
    _sessions(council, 6, 3)
    many, results = _statements(council)
    assert len(results) == 8 and many == few


def test_the_index_follows_titles_and_pages():
    council = make_council(level="city", seats=5)
    session = closed_session(
        council,
        items=["Tờ trình về đê điều"],
        documents=[
            ("Báo cáo", "Báo cáo về thủy lợi nội đồng", "public"),
        ],
    )
    found = archive.search(council=council, query="thuy loi", include_restricted=False)
    assert [r["session"].pk for r in found] == [session.pk]
    # An agenda item renamed in the admin (a plain save) is found by its new title.
    item = session.agenda_items.get()
    item.title = "Tờ trình về chợ nổi"
    item.save()
    found = archive.search(council=council, query="cho noi", include_restricted=False)
    assert [hit["text"] for hit in found[0]["hits"]] == ["Tờ trình về chợ nổi"]
    assert archive.search(council=council, query="de dieu", include_restricted=False) == []
    # The reader's search of the same document, and nothing left behind when the pages go.
    document = Document.objects.get(session=session)
    assert [hit["page"] for hit in document_search([document], "thủy lợi")] == [1]
    page_ids = list(PageText.objects.filter(file=document.file).values_list("pk", flat=True))
    PageText.objects.filter(pk__in=page_ids).delete()
    assert not Entry.objects.filter(kind="documents.page", object_id__in=page_ids).exists()
