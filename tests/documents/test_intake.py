"""Intake of session documents: Vietnamese text, search, refusals that leave nothing behind."""

import multiprocessing
import time

import pymupdf
import pytest
from django.test import Client

from documents import rendering, services
from documents.models import Document, PageText, StoredFile
from documents.selectors import search
from meeting.models import ActionLog
from realtime.actors import Actor
from realtime.errors import ServiceError
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


# --- hostile files (issue 10, items 19 and 20) ---------------------------------------------


def assert_nothing_stored(media_root):
    assert not Document.objects.exists() and not StoredFile.objects.exists()
    assert not PageText.objects.exists()
    assert not ActionLog.objects.filter(action="document.upload").exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_a_text_bomb_is_refused_quickly_and_leaves_nothing(session, clerk, media_root):
    """15 KiB on the wire, 50 pages drawing one stream of 2 MB: millions of characters."""
    bomb = pdfs.text_bomb(pages=50)
    assert len(bomb) < 20 * 1024
    started = time.monotonic()
    with pytest.raises(ServiceError) as refused:
        upload(session, clerk, bomb)
    assert time.monotonic() - started < 10
    assert refused.value.code == "document.page_text_too_long"
    assert "Trang 1 có quá nhiều chữ" in refused.value.message
    assert_nothing_stored(media_root)


def test_the_whole_file_has_a_text_limit_too(session, clerk, settings, media_root):
    settings.CHAMBER_MAX_PDF_TEXT_CHARS = 120  # each of the four pages is under it, not all
    with pytest.raises(ServiceError) as refused:
        upload(session, clerk, pdfs.make_pdf(pdfs.VIETNAMESE_PAGES))
    assert refused.value.code == "document.text_too_long"
    assert "hãy chia thành nhiều tệp" in refused.value.message
    assert_nothing_stored(media_root)


def test_intake_that_takes_too_long_is_stopped_and_refused(session, clerk, settings, media_root):
    # No text limit to stop it early: only the clock does (the whole bomb takes ~20 s).
    settings.CHAMBER_MAX_PAGE_TEXT_CHARS = settings.CHAMBER_MAX_PDF_TEXT_CHARS = 10**9
    settings.CHAMBER_INTAKE_TIMEOUT_SECONDS = 2
    started = time.monotonic()
    with pytest.raises(ServiceError) as refused:
        upload(session, clerk, pdfs.text_bomb(pages=50))
    assert time.monotonic() - started < 8
    assert refused.value.code == "document.intake_timeout"
    assert "không đọc xong trong 2 giây" in refused.value.message
    assert not [p for p in multiprocessing.active_children() if p.name == "chamber-intake"]
    assert_nothing_stored(media_root)


def test_pdfs_are_opened_and_read_outside_the_web_process(session, clerk, monkeypatch):
    def not_here(*args, **kwargs):
        raise AssertionError("a PDF was opened in the web process")

    data = pdfs.make_pdf(pdfs.VIETNAMESE_PAGES)
    monkeypatch.setattr(pymupdf, "open", not_here)
    monkeypatch.setattr(pymupdf.Page, "get_text", not_here)
    document = upload(session, clerk, data)
    texts = PageText.objects.filter(file=document.file).order_by("number")
    assert [t.text.strip() for t in texts] == pdfs.VIETNAMESE_PAGES


@pytest.mark.parametrize(
    "width, height",
    [(200, 14400), (20, 842), (595, 6000), (7000, 7000), (40, 40)],
    ids=["ribbon", "sliver", "too-long", "too-big", "stamp"],
)
def test_absurd_page_sizes_are_refused_at_intake(session, clerk, media_root, width, height):
    data = pdfs.sized_pdf(width, height)
    assert len(data) < 2048
    with pytest.raises(ServiceError) as refused:
        upload(session, clerk, data)
    assert refused.value.code == "document.bad_page_size"
    assert f"({width} × {height} điểm)" in refused.value.message
    assert_nothing_stored(media_root)


@pytest.mark.parametrize(
    "width, height", [(842, 595), (842 * 2, 1191), (595, 842 * 4)], ids=["a4", "a2", "fold-out"]
)
def test_real_page_sizes_are_accepted(session, clerk, width, height):
    document = upload(session, clerk, pdfs.sized_pdf(width, height))
    assert document.file.page_count == 1
