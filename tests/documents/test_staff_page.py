"""The clerk's upload page over HTTP: refusals in Vietnamese that leave nothing behind, and a
good upload whose pages render in the background, in worker processes.

Transactional: the background rendering starts when the upload commits (``on_commit``).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor

import pymupdf
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from documents import rendering
from documents.models import Document, PageText, StoredFile
from meeting.badges import sign_in_url
from meeting.models import ActionLog
from realtime.publish import capturing
from tests.documents import pdfs
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

RENDER_DEADLINE_SECONDS = 60.0


@pytest.fixture
def session():
    return make_session(council=make_council(seats=5))


@pytest.fixture
def clerk_client(session):
    client = Client()
    client.force_login(make_staff(role="clerk", council=session.council))
    return client


def page_url(session) -> str:
    return f"/staff/sessions/{session.pk}/documents/"


def progress_url(session) -> str:
    return f"/staff/sessions/{session.pk}/documents/progress/"


def post(client: Client, session, data: bytes | None, name: str = "tờ-trình.pdf", **fields):
    form = {"title": "Tờ trình ngân sách", "access": "delegates", **fields}
    if data is not None:
        form["file"] = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(page_url(session), form)


def files_under(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_clerk_role_may_upload_documents():
    make_staff(role="clerk")
    codenames = set(Group.objects.get(name="clerk").permissions.values_list("codename", flat=True))
    assert {"add_document", "view_document", "change_document"} <= codenames


def test_the_page_is_for_the_clerk_only(session, clerk_client):
    answer = clerk_client.get(page_url(session))
    assert answer.status_code == 200
    assert 'enctype="multipart/form-data"' in answer.content.decode()
    assert clerk_client.get(progress_url(session)).json() == {"documents": []}

    chair = Client()
    # Runs the sitting, uploads nothing.
    chair.force_login(make_staff(role="chair", council=session.council))
    delegate = Client()
    delegate.get(sign_in_url("http://testserver", session.council.delegates.first()))
    for client in (Client(), chair, delegate):
        for url in (page_url(session), progress_url(session)):
            answer = client.get(url)
            assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
        assert post(client, session, pdfs.make_pdf(["Một trang"])).status_code == 302
    assert not Document.objects.exists() and not StoredFile.objects.exists()


def _other_item(session):
    return make_session(council=session.council).agenda_items.first().pk


REFUSALS = [
    ("not_pdf", "document.not_pdf", "Tệp không phải là PDF."),
    ("broken", "document.broken", "Tệp PDF bị hỏng, không đọc được."),
    ("encrypted", "document.encrypted", "Tệp PDF có mật khẩu: hãy gửi bản không khóa."),
    ("no_pages", "document.no_pages", "Tệp PDF không có trang nào."),
    ("too_many_pages", "document.too_many_pages", "Tệp có 4 trang, vượt quá giới hạn 3 trang."),
    ("too_large", "document.too_large", "Tệp quá lớn: tối đa 1 MB."),
    ("no_file", "document.no_file", "Hãy chọn một tệp PDF."),
    ("no_title", "document.title_required", "Cần nhập tiêu đề tài liệu."),
    ("bad_access", "document.bad_access", "Mức truy cập không hợp lệ."),
    ("foreign_item", "agenda.item_not_found", "Nội dung này không thuộc chương trình kỳ họp."),
    ("garbled_item", "agenda.item_not_found", "Nội dung này không thuộc chương trình kỳ họp."),
]


@pytest.mark.parametrize("case, code, message", REFUSALS, ids=[case for case, *_ in REFUSALS])
def test_a_refused_upload_says_why_and_leaves_nothing(
    session, clerk_client, settings, media_root, case, code, message
):
    settings.CHAMBER_MAX_PDF_PAGES = 3
    settings.CHAMBER_MAX_PDF_BYTES = 1024 * 1024
    good = pdfs.make_pdf(["Một trang"])
    data, fields, name = good, {}, "tờ-trình.pdf"
    if case == "not_pdf":
        data = "Xin chào, đây không phải PDF".encode()
    elif case == "broken":
        data = pdfs.broken_pdf()
    elif case == "encrypted":
        data = pdfs.encrypted_pdf()
    elif case == "no_pages":
        data = pdfs.empty_pdf()
    elif case == "too_many_pages":
        data = pdfs.make_pdf(pdfs.VIETNAMESE_PAGES)
    elif case == "too_large":
        data = good + b"%" * (settings.CHAMBER_MAX_PDF_BYTES + 1 - len(good))
    elif case == "no_file":
        data = None
    elif case == "no_title":
        fields, name = {"title": "  "}, ".pdf"  # and no file name to take it from
    elif case == "bad_access":
        fields = {"access": "top-secret"}
    elif case == "foreign_item":
        fields = {"agenda_item": _other_item(session)}
    elif case == "garbled_item":
        fields = {"agenda_item": "1; DROP TABLE"}

    with capturing() as published:
        answer = post(clerk_client, session, data, name=name, **fields)

    assert answer.status_code == 400
    html = answer.content.decode()
    assert f'data-error-code="{code}"' in html
    assert escape(message) in html  # in Vietnamese, the screen's first language
    assert "Traceback" not in html and "invalid literal" not in html
    assert not Document.objects.exists()
    assert not StoredFile.objects.exists() and not PageText.objects.exists()
    assert not ActionLog.objects.filter(action="document.upload").exists()
    assert files_under(media_root) == []
    assert published == []  # no screen heard of it


def test_a_failure_after_the_file_was_written_takes_the_file_away(
    session, clerk_client, media_root, monkeypatch
):
    """The PDF is written inside the transaction: if the rest fails, the file goes too."""

    def fail(cls, **kwargs):
        raise RuntimeError("the database went away")

    # The upload's record entry is the last write after the file: it fails here.
    monkeypatch.setattr(ActionLog, "append_entry", classmethod(fail))
    clerk_client.raise_request_exception = False
    answer = post(clerk_client, session, pdfs.make_pdf(["Một trang"]))
    assert answer.status_code == 500
    assert not Document.objects.exists() and not StoredFile.objects.exists()
    assert files_under(media_root) == []


def _progress(client: Client, session) -> dict[int, tuple[int, int]]:
    answer = client.get(progress_url(session))
    assert answer.status_code == 200
    return {row["id"]: (row["pages"], row["rendered"]) for row in answer.json()["documents"]}


def wait_until_rendered(
    client: Client, session, document_id: int, jobs: list[Future]
) -> tuple[int, int]:
    """Poll the clerk page's progress JSON, as its script does, until every page is ready
    (and fail at once if a rendering job failed)."""
    deadline = time.monotonic() + RENDER_DEADLINE_SECONDS
    seen = []
    while time.monotonic() < deadline:
        for job in jobs:
            if job.done() and job.exception() is not None:
                raise AssertionError("a rendering job failed") from job.exception()
        pages, rendered = _progress(client, session)[document_id]
        seen.append(rendered)
        assert rendered <= pages
        if rendered == pages:
            assert seen == sorted(seen)  # it only ever goes up
            return pages, rendered
        time.sleep(0.05)  # polling interval, not a wait for something to happen
    raise AssertionError(f"pages not rendered in {RENDER_DEADLINE_SECONDS}s: {seen[-5:]}")


def test_a_good_upload_renders_its_pages_in_worker_processes(
    session, clerk_client, media_root, monkeypatch
):
    # Rendering in this process is made impossible: the pages must come from elsewhere.
    def no_rendering_here(*args, **kwargs):
        raise AssertionError("a page was rendered in the web process")

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", no_rendering_here)
    # Keep the background jobs the upload starts, to hear of a failure at once.
    jobs: list[Future] = []
    start = rendering.render_in_background
    monkeypatch.setattr(
        rendering, "render_in_background", lambda *args: jobs.extend(start(*args)) or jobs
    )
    texts = [f"Trang {n}: Nghị quyết về dự toán ngân sách, đất đai" for n in range(1, 21)]
    item = session.agenda_items.order_by("position").first()

    with capturing() as published:
        answer = post(
            clerk_client, session, pdfs.make_pdf(texts), access="confidential", agenda_item=item.pk
        )
    assert answer.status_code == 302 and answer["Location"] == page_url(session)

    document = Document.objects.select_related("file").get()
    assert (document.title, document.access, document.agenda_item_id) == (
        "Tờ trình ngân sách",
        "confidential",
        item.pk,
    )
    assert document.file.page_count == 20
    stored = list(PageText.objects.filter(file=document.file).values_list("number", "text"))
    assert [(n, t.strip()) for n, t in stored] == list(enumerate(texts, start=1))
    assert ActionLog.objects.filter(action="document.upload").count() == 1
    # One event told every screen of the session, after the commit.
    [event] = published
    assert event["group"] == f"session.{session.pk}.public"
    frame = json.loads(event["text"])
    assert frame["type"] == "document.added"
    assert frame["data"]["document"]["id"] == document.pk

    # The page lists the document with a progress bar, and the success message.
    page = clerk_client.get(page_url(session)).content.decode()
    assert f'data-document-id="{document.pk}"' in page
    assert escape("Đã tải lên “Tờ trình ngân sách”.") in page

    assert jobs, "the upload started no rendering"
    assert wait_until_rendered(clerk_client, session, document.pk, jobs) == (20, 20)
    for number in range(1, 21):
        png = rendering.page_path(document.file_id, rendering.TABLET_WIDTH, number)
        assert png.read_bytes().startswith(b"\x89PNG")
    monkeypatch.undo()
    assert pymupdf.Pixmap(png.read_bytes()).width == rendering.TABLET_WIDTH

    # The pool is one of processes, started fresh ("spawn": no copy of this process's state,
    # which is how the patched PyMuPDF above stayed out of it).
    pool = rendering.pool()
    assert isinstance(pool, ProcessPoolExecutor)
    assert pool._mp_context.get_start_method() == "spawn"
    assert os.getpid() not in {process.pid for process in pool._processes.values()}
    assert pool.submit(os.getpid).result(timeout=30) != os.getpid()
    assert multiprocessing.current_process().name == "MainProcess"
