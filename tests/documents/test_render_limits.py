"""Rendering within limits (issue 10, item 20): a pixel cap per page image, a memory cap per
render process, and a render pool that is replaced when its process dies, never kept broken.

The ribbon page (200 × 14,400 pt, 732 bytes) is refused at intake now; files stored before
that limit existed are still served, so it is stored here directly, as such a file was.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pymupdf
import pytest
from django.test import Client

from documents import rendering
from documents.models import Document, StoredFile
from tests.documents import pdfs
from tests.factories import make_council, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_pools():
    """Each test starts render processes of its own, with its settings' memory cap."""
    rendering.shutdown_pools()
    yield
    rendering.shutdown_pools()


def stored_document(data: bytes) -> Document:
    """A public document whose file was stored as it is, without today's intake."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = rendering.pdf_path(sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    page_count = pymupdf.open(stream=data, filetype="pdf").page_count
    stored = StoredFile.objects.create(sha256=sha256, size=len(data), page_count=page_count)
    session = make_session(council=make_council(seats=3))
    return Document.objects.create(session=session, title="Sơ đồ", access="public", file=stored)


def page_url(document: Document, number: int = 1, width: int = 1920) -> str:
    return f"/documents/{document.pk}/{document.file_id[:12]}/{number}.png?w={width}"


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def render_processes() -> list[int]:
    return [p.pid for p in rendering.interactive_pool()._processes.values()]


def test_a_ribbon_page_at_projector_width_is_capped_in_pixels_and_memory(settings):
    data = pdfs.sized_pdf(200, 14400)
    assert len(data) < 1024
    document = stored_document(data)

    answer = Client().get(page_url(document, width=1920))

    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    image = pymupdf.Pixmap(answer.content)
    assert image.width * image.height <= settings.CHAMBER_MAX_PAGE_PIXELS
    # Scaled down as a whole: the same shape, narrower than asked for.
    assert image.width < 1920
    assert abs(image.height / image.width - 14400 / 200) < 1
    # Uncapped, this page needs 1920 × 138,240 pixels (~800 MB of RGB, 2.5 GB peak seen).
    [pid] = render_processes()
    assert peak_memory_mb(pid) < 400


def test_the_cap_is_a_setting_and_ordinary_pages_stay_at_full_width(settings):
    settings.CHAMBER_MAX_PAGE_PIXELS = 1_000_000
    tall = stored_document(pdfs.sized_pdf(600, 4800))
    a4 = stored_document(pdfs.sized_pdf(595, 842))
    client = Client()
    image = pymupdf.Pixmap(client.get(page_url(tall, width=800)).content)
    assert image.width * image.height <= 1_000_000 and image.width < 800
    image = pymupdf.Pixmap(client.get(page_url(a4, width=800)).content)
    assert image.width == 800  # 800 × 1,132: under the cap, untouched


def test_a_render_process_that_runs_out_of_memory_fails_alone_and_is_replaced(settings):
    # Without the pixel cap, the ribbon needs ~800 MB: more than these processes may have.
    settings.CHAMBER_MAX_PAGE_PIXELS = 10**12
    settings.CHAMBER_WORKER_MEMORY_MB = 400
    ribbon = stored_document(pdfs.sized_pdf(200, 14400))
    a4 = stored_document(pdfs.make_pdf(["Nghị quyết"]))
    client = Client()

    answer = client.get(page_url(ribbon, width=1920))
    assert answer.status_code == 503
    assert answer.content.decode() == "Không hiển thị được trang này, hãy thử lại sau."
    # The next page is served: the process that failed was replaced, not kept.
    assert client.get(page_url(a4, width=800)).status_code == 200


def test_a_render_process_that_died_is_replaced_rather_than_keep_a_broken_pool():
    first = stored_document(pdfs.make_pdf(["Trang một"]))
    second = stored_document(pdfs.make_pdf(["Trang hai"]))
    client = Client()
    assert client.get(page_url(first, width=800)).status_code == 200
    [pid] = render_processes()
    os.kill(pid, signal.SIGKILL)

    for _attempt in range(2):  # every later request is served, not only the next
        answer = client.get(page_url(second, width=800))
        assert answer.status_code == 200 and answer.content.startswith(b"\x89PNG")
    assert pid not in render_processes()
