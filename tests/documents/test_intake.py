"""Intake of session documents: Vietnamese text, search, refusals that leave nothing behind."""

import pytest
from django.test import Client

from documents import rendering, services
from documents.models import Document, PageText, StoredFile
from documents.selectors import search
from meeting.actors import Actor
from meeting.errors import ServiceError
from meeting.models import ActionLog
from tests.documents import pdfs
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return Actor(user=make_staff(role="clerk"))


@pytest.fixture
def session():
    return make_session(council=make_council(seats=5))


def upload(session, clerk, data, **extra):
    return services.document_upload(
        session_id=session.pk, title=extra.pop("title", "Tờ trình"), data=data, actor=clerk, **extra
    )


def test_vietnamese_text_is_extracted_page_by_page(session, clerk):
    document = upload(session, clerk, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES))
    texts = list(PageText.objects.filter(file=document.file).values_list("text", flat=True))
    assert document.file.page_count == 4
    assert [t.strip() for t in texts] == pdfs.VIETNAMESE_PAGES


@pytest.mark.parametrize(
    "query, pages",
    [
        ("nghi quyet", [1]),
        ("Nghị quyết", [1]),
        ("NGHỊ QUYẾT", [1]),
        ("dat", [3]),  # "đất": đ folds to d
        ("kinh te - xa hoi", [2]),
        ("tiểu học", [4]),
        ("khong co", []),
    ],
)
def test_search_ignores_diacritics_and_case(session, clerk, query, pages):
    document = upload(session, clerk, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES))
    hits = search([document], query)
    assert [hit["page"] for hit in hits] == pages
    for hit in hits:
        assert hit["document_id"] == document.pk
        assert hit["snippet"]  # the original words, diacritics intact


def test_identical_files_are_stored_once(session, clerk):
    data = pdfs.make_pdf(pdfs.VIETNAMESE_PAGES)
    first, second = upload(session, clerk, data), upload(session, clerk, data, title="Bản sao")
    assert first.file_id == second.file_id
    assert StoredFile.objects.count() == 1 and PageText.objects.count() == 4
    assert rendering.pdf_path(first.file_id).read_bytes() == data


@pytest.mark.parametrize(
    "data, code",
    [
        (b"Hello, this is not a PDF", "document.not_pdf"),
        (pdfs.broken_pdf(), "document.broken"),
        (pdfs.encrypted_pdf(), "document.encrypted"),
        (pdfs.empty_pdf(), "document.no_pages"),
    ],
)
def test_refused_files_leave_nothing_behind(session, clerk, media_root, data, code):
    with pytest.raises(ServiceError) as refused:
        upload(session, clerk, data)
    assert refused.value.code == code
    assert not Document.objects.exists() and not StoredFile.objects.exists()
    assert not ActionLog.objects.filter(action="document.upload").exists()
    assert not media_root.exists() or not any(media_root.rglob("*.pdf"))


def test_size_and_page_limits(session, clerk, settings):
    settings.CHAMBER_MAX_PDF_PAGES = 3
    with pytest.raises(ServiceError) as refused:
        upload(session, clerk, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES))
    assert refused.value.code == "document.too_many_pages"
    data = pdfs.make_pdf(["Một trang"])
    settings.CHAMBER_MAX_PDF_BYTES = len(data) - 1
    with pytest.raises(ServiceError) as refused:
        upload(session, clerk, data)
    assert refused.value.code == "document.too_large"
    assert not Document.objects.exists()


def test_a_page_image_is_rendered_and_served_with_cache_headers(session, clerk):
    document = upload(session, clerk, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES), access="public")
    client = Client()
    url = f"/documents/{document.pk}/{document.file_id[:12]}/2.png?w=800"
    answer = client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG")
    assert "immutable" in answer["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=answer["ETag"])
    assert again.status_code == 304
    assert client.get(f"/documents/{document.pk}/{'0' * 12}/2.png").status_code == 404


def test_a_closed_session_shows_nothing_to_the_room(session, clerk):
    document = upload(session, clerk, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES))
    session.status = "closed"
    session.save(update_fields=["status"])
    with pytest.raises(ServiceError) as refused:
        services.document_show(session_id=session.pk, document_id=document.pk, page=2, actor=clerk)
    assert refused.value.code == "session.not_live"


def test_behind_nginx_python_only_says_yes(session, clerk, settings):
    settings.CHAMBER_ACCEL_REDIRECT_PREFIX = "/protected-media"
    document = upload(session, clerk, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES), access="public")
    answer = Client().get(f"/documents/{document.pk}/{document.file_id[:12]}/1.png")
    assert answer.status_code == 200 and answer.content == b""
    assert answer["X-Accel-Redirect"] == (
        f"/protected-media/pages/{document.file_id}/{rendering.TABLET_WIDTH}/1.png"
    )
    assert rendering.page_path(document.file_id, rendering.TABLET_WIDTH, 1).exists()
