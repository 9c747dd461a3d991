"""Who may read which page, the original PDF and search hits; confidential pages carry the
reader's name in their pixels.

Every reader is a real signed-in browser (Django's test client): delegates scan their badge,
the projector opens its page with the session's key, the chair logs in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymupdf
import pytest
from django.test import Client
from django.utils import timezone

from documents import render_worker, rendering, services
from documents.models import Document
from meeting.badges import sign_in_url
from meeting.models import Delegate, Session
from realtime.actors import Actor
from tests.documents import pdfs
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db

PUBLIC, DELEGATES, CONFIDENTIAL = "public", "delegates", "confidential"
WIDTH = 800
# Every document has the words "ngân sách" on page 2: search must find it in exactly the
# documents the reader may read.
PAGES = [
    "Trang bìa",
    "Dự toán ngân sách địa phương năm 2027",
    "Phụ lục",
]


@dataclass
class Chamber:
    session: Session
    delegate_a: Delegate
    delegate_b: Delegate
    outsider: Delegate  # a delegate of another council
    documents: dict[str, Document]
    chair: object


def _upload(session: Session, access: str, *, actor: Actor) -> Document:
    return services.document_upload(
        session_id=session.pk,
        title=f"Tài liệu {access}",
        # A distinct file per access level: identical bytes would share one stored file.
        data=pdfs.make_pdf([*PAGES, f"Mức {access}"]),
        access=access,
        actor=actor,
    )


@pytest.fixture
def chamber() -> Chamber:
    council, other = make_council(seats=5), make_council(seats=3)
    session = make_session(council=council)
    make_session(council=other)
    clerk = Actor(user=make_staff(role="clerk"))
    a, b = council.delegates.order_by("seat_label")[:2]
    return Chamber(
        session=session,
        delegate_a=a,
        delegate_b=b,
        outsider=other.delegates.first(),
        documents={
            access: _upload(session, access, actor=clerk)
            for access in (PUBLIC, DELEGATES, CONFIDENTIAL)
        },
        chair=make_staff(role="chair", council=council),
    )


def delegate_client(delegate: Delegate) -> Client:
    """A browser signed in by scanning the delegate's badge."""
    client = Client()
    answer = client.get(sign_in_url("http://testserver", delegate))
    assert answer.status_code == 302, answer
    return client


def projector_client(session: Session) -> Client:
    client = Client()
    assert client.get(f"/projector/{session.pk}/?key={session.projector_key}").status_code == 200
    return client


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(document: Document, number: int = 2, *, version: str | None = None) -> str:
    version = version or document.file_id[:12]
    return f"/documents/{document.pk}/{version}/{number}.png?w={WIDTH}"


def pdf_url(document: Document) -> str:
    return f"/documents/{document.pk}/file.pdf"


# -- who gets what ---------------------------------------------------------------------------

# reader -> (page image, original PDF) status for public / delegates / confidential documents
EXPECTED = {
    "anonymous": {PUBLIC: (200, 200), DELEGATES: (403, 403), CONFIDENTIAL: (403, 403)},
    "delegate": {PUBLIC: (200, 200), DELEGATES: (200, 200), CONFIDENTIAL: (200, 403)},
    "outsider": {PUBLIC: (200, 200), DELEGATES: (403, 403), CONFIDENTIAL: (403, 403)},
    "projector": {PUBLIC: (200, 200), DELEGATES: (200, 200), CONFIDENTIAL: (403, 403)},
    "chair": {PUBLIC: (200, 200), DELEGATES: (200, 200), CONFIDENTIAL: (200, 200)},
}


def _reader(chamber: Chamber, name: str) -> Client:
    return {
        "anonymous": Client,
        "delegate": lambda: delegate_client(chamber.delegate_a),
        "outsider": lambda: delegate_client(chamber.outsider),
        "projector": lambda: projector_client(chamber.session),
        "chair": lambda: staff_client(chamber.chair),
    }[name]()


@pytest.mark.parametrize("reader", list(EXPECTED))
def test_each_reader_gets_exactly_what_the_access_level_allows(chamber, reader):
    client = _reader(chamber, reader)
    for access, (page_status, pdf_status) in EXPECTED[reader].items():
        document = chamber.documents[access]
        page = client.get(page_url(document))
        assert page.status_code == page_status, (reader, access, "page")
        original = client.get(pdf_url(document))
        assert original.status_code == pdf_status, (reader, access, "pdf")
        if page_status == 200:
            assert page["Content-Type"] == "image/png"
            assert page.content.startswith(b"\x89PNG")
        else:
            assert not page.content.startswith(b"\x89PNG")
        if pdf_status == 200:
            assert original["Content-Type"] == "application/pdf"
            assert original.content == rendering.pdf_path(document.file_id).read_bytes()
        else:
            assert b"%PDF" not in original.content


def test_a_draft_sessions_public_documents_are_not_public_yet(chamber):
    chamber.session.status = Session.Status.DRAFT
    chamber.session.save(update_fields=["status"])
    public = chamber.documents[PUBLIC]
    assert Client().get(page_url(public)).status_code == 403
    assert Client().get(pdf_url(public)).status_code == 403
    assert staff_client(chamber.chair).get(page_url(public)).status_code == 200


def test_the_delegates_pdf_link_is_absent_for_confidential_documents(chamber):
    from documents.selectors import document_payload

    assert document_payload(chamber.documents[CONFIDENTIAL])["pdf_url"] is None
    assert document_payload(chamber.documents[DELEGATES])["pdf_url"] == pdf_url(
        chamber.documents[DELEGATES]
    )


# -- wrong URLs --------------------------------------------------------------------------------


def test_a_wrong_version_or_page_is_not_found_for_a_reader(chamber):
    client = delegate_client(chamber.delegate_a)
    for document in chamber.documents.values():
        assert client.get(page_url(document)).status_code == 200
        wrong = "f" * 12 if not document.file_id.startswith("f") else "0" * 12
        assert client.get(page_url(document, version=wrong)).status_code == 404
        assert client.get(page_url(document, number=0)).status_code == 404
        assert client.get(page_url(document, number=len(PAGES) + 2)).status_code == 404
    assert client.get(f"/documents/{10**9}/{'0' * 12}/1.png").status_code == 404


def test_someone_who_may_not_read_learns_nothing_from_a_wrong_url(chamber):
    """Refused first, whatever the version or page: the answer tells nothing about the file."""
    client = Client()
    document = chamber.documents[CONFIDENTIAL]
    for url in (page_url(document), page_url(document, version="0" * 12), page_url(document, 99)):
        assert client.get(url).status_code == 403


# -- confidential pages: the reader's name in the pixels, never cached ----------------------


def _watermark(document: Document, name: str, stamp: str, number: int = 2) -> bytes:
    """The page as the server must draw it for this reader at this minute (same code, here)."""
    return render_worker.render_watermarked(
        str(rendering.pdf_path(document.file_id)), number, WIDTH, [name, stamp, "TÀI LIỆU MẬT"]
    )


def _served_with_stamp(client: Client, url: str) -> tuple[bytes, str]:
    """The served image and the minute it was drawn in (asked again if a minute turned)."""
    for _attempt in range(3):
        before = timezone.localtime().strftime("%d/%m/%Y %H:%M")
        answer = client.get(url)
        after = timezone.localtime().strftime("%d/%m/%Y %H:%M")
        assert answer.status_code == 200
        assert answer["Content-Type"] == "image/png"
        # Personal: no shared or browser cache may keep it, and no validator to revalidate.
        assert answer["Cache-Control"] == "no-store"
        assert not answer.has_header("ETag")
        if before == after:
            return answer.content, before
    raise AssertionError("the minute kept turning")


def _pixels(png: bytes) -> pymupdf.Pixmap:
    return pymupdf.Pixmap(png)


def _differing_pixels(first: bytes, second: bytes) -> int:
    a, b = _pixels(first), _pixels(second)
    assert (a.width, a.height, a.n) == (b.width, b.height, b.n)
    samples_a, samples_b, n = a.samples, b.samples, a.n
    return sum(
        1 for at in range(0, len(samples_a), n) if samples_a[at : at + n] != samples_b[at : at + n]
    )


def test_a_confidential_page_carries_the_readers_name(chamber):
    document = chamber.documents[CONFIDENTIAL]
    url = page_url(document)
    served_a, stamp_a = _served_with_stamp(delegate_client(chamber.delegate_a), url)
    served_b, stamp_b = _served_with_stamp(delegate_client(chamber.delegate_b), url)
    name_a, name_b = chamber.delegate_a.full_name, chamber.delegate_b.full_name
    assert name_a != name_b

    # The served pixels are exactly the page drawn with the reader's own name and the minute;
    # the name is the only thing that differs between the two references.
    assert served_a == _watermark(document, name_a, stamp_a)
    assert served_b == _watermark(document, name_b, stamp_b)
    assert served_a != _watermark(document, name_b, stamp_a)
    assert served_a != _watermark(document, "", stamp_a)  # the name is really drawn
    assert served_a != served_b
    # ...and visibly so: thousands of pixels tell A's copy from B's, and from the plain page.
    assert _differing_pixels(served_a, served_b) > 1000
    plain = rendering.ensure_rendered(document.file_id, 2, WIDTH).read_bytes()
    assert _differing_pixels(served_a, plain) > 10_000
    # The watermark font draws every letter of Vietnamese names (no missing glyphs).
    font = pymupdf.Font("notos")
    assert all(font.has_glyph(ord(char)) for char in name_a + name_b + "TÀI LIỆU MẬT")


def test_a_confidential_page_is_never_written_to_the_shared_page_cache(chamber):
    document = chamber.documents[CONFIDENTIAL]
    delegate_client(chamber.delegate_a).get(page_url(document))
    assert not rendering.pages_dir(document.file_id, WIDTH).exists()


def test_the_staff_copy_carries_the_staff_name(chamber):
    document = chamber.documents[CONFIDENTIAL]
    chamber.chair.first_name, chamber.chair.last_name = "Lan", "Đỗ Thị"
    chamber.chair.save()
    served, stamp = _served_with_stamp(staff_client(chamber.chair), page_url(document))
    assert served == _watermark(document, chamber.chair.get_full_name(), stamp)


def test_public_pages_are_shared_and_cacheable(chamber):
    answer = Client().get(page_url(chamber.documents[PUBLIC]))
    assert answer.status_code == 200
    assert answer["Cache-Control"].startswith("private")
    assert "immutable" in answer["Cache-Control"]


# -- search ------------------------------------------------------------------------------------


def _hit_documents(client: Client, session: Session, query: str) -> set[int]:
    answer = client.get("/documents/search/", {"session": session.pk, "q": query})
    assert answer.status_code == 200
    hits = answer.json()["hits"]
    for hit in hits:
        assert hit["page"] == 2
        assert "ngân sách" in hit["snippet"]  # the words as written, diacritics intact
    return {hit["document_id"] for hit in hits}


@pytest.mark.parametrize(
    "reader, readable",
    [
        ("anonymous", {PUBLIC}),
        ("outsider", {PUBLIC}),
        ("projector", {PUBLIC, DELEGATES}),
        ("delegate", {PUBLIC, DELEGATES, CONFIDENTIAL}),
        ("chair", {PUBLIC, DELEGATES, CONFIDENTIAL}),
    ],
)
def test_search_never_returns_what_the_reader_may_not_read(chamber, reader, readable):
    client = _reader(chamber, reader)
    # With and without diacritics, in any case: the same pages of the same documents.
    for query in ("ngân sách", "ngan sach", "NGÂN SÁCH", "Ngan Sach"):
        found = _hit_documents(client, chamber.session, query)
        assert found == {chamber.documents[access].pk for access in readable}, query


def test_search_of_a_draft_session_finds_nothing_for_the_public(chamber):
    chamber.session.status = Session.Status.DRAFT
    chamber.session.save(update_fields=["status"])
    assert _hit_documents(Client(), chamber.session, "ngan sach") == set()


def test_search_of_an_unknown_session_is_not_found():
    answer = Client().get("/documents/search/", {"session": 10**9, "q": "ngan sach"})
    assert answer.status_code == 404 and answer.json() == {"hits": []}
    assert Client().get("/documents/search/", {"q": "ngan sach"}).status_code == 404
