"""Every write of session documents: intake, showing a page to the room, private notes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import intake, rendering, search_index, selectors
from documents.models import Document, Note, PageText, Presentation, StoredFile
from meeting import chain
from meeting.selectors import agenda_item_check
from meeting.services import session_lock
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.publish import emit, notify

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class InspectedPdf:
    sha256: str
    page_count: int
    texts: list[str]


def _refusal(answer: dict) -> ServiceError:
    """The intake process's refusal, in words."""
    code = answer["refused"]
    if code == "document.encrypted":
        message = _("Tệp PDF có mật khẩu: hãy gửi bản không khóa.")
    elif code == "document.no_pages":
        message = _("Tệp PDF không có trang nào.")
    elif code == "document.too_many_pages":
        message = _("Tệp có %(n)d trang, vượt quá giới hạn %(max)d trang.") % {
            "n": answer["pages"],
            "max": settings.CHAMBER_MAX_PDF_PAGES,
        }
    elif code == "document.bad_page_size":
        message = _(
            "Trang %(page)d có khổ giấy bất thường (%(width)d × %(height)d điểm): "
            "không nhận tệp này."
        ) % {"page": answer["page"], "width": answer["width"], "height": answer["height"]}
    elif code == "document.page_text_too_long":
        message = _("Trang %(page)d có quá nhiều chữ (hơn %(max)d ký tự): không nhận tệp này.") % {
            "page": answer["page"],
            "max": settings.CHAMBER_MAX_PAGE_TEXT_CHARS,
        }
    elif code == "document.text_too_long":
        message = _("Tệp có quá nhiều chữ (hơn %(max)d ký tự): hãy chia thành nhiều tệp.") % {
            "max": settings.CHAMBER_MAX_PDF_TEXT_CHARS
        }
    elif code == "document.intake_timeout":
        message = _("Tệp PDF quá phức tạp: không đọc xong trong %(seconds)d giây.") % {
            "seconds": settings.CHAMBER_INTAKE_TIMEOUT_SECONDS
        }
    elif code == "document.too_complex":
        message = _("Tệp PDF quá phức tạp: cần quá nhiều bộ nhớ để đọc.")
    else:
        code, message = "document.broken", _("Tệp PDF bị hỏng, không đọc được.")
    return ServiceError(code, message)


def too_large_message() -> str:
    return _("Tệp quá lớn: tối đa %(mb)d MB.") % {
        "mb": settings.CHAMBER_MAX_PDF_BYTES // (1024 * 1024)
    }


def inspect_pdf(data: bytes) -> InspectedPdf:
    """Check that the bytes are a readable, unprotected PDF within the limits; read its text.

    The PDF is opened and read in an intake process (documents.intake), within limits of
    time, memory and text. Nothing is written: a refused file leaves nothing behind.
    """
    if len(data) > settings.CHAMBER_MAX_PDF_BYTES:
        raise ServiceError("document.too_large", too_large_message())
    # The header may follow a little junk (the PDF standard allows it in the first 1 KiB).
    if PDF_MAGIC not in data[:1024]:
        raise ServiceError("document.not_pdf", _("Tệp không phải là PDF."))
    with tempfile.NamedTemporaryFile(prefix="chamber-intake-", suffix=".pdf") as file:
        file.write(data)
        file.flush()
        answer = intake.inspect_file(file.name)
    if "refused" in answer:
        raise _refusal(answer)
    return InspectedPdf(
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=answer["page_count"],
        texts=answer["texts"],
    )


def _store(inspected: InspectedPdf, data: bytes) -> tuple[StoredFile, bool]:
    """The stored file for these bytes, written once; True if this call wrote it."""
    stored = StoredFile.objects.filter(sha256=inspected.sha256).first()
    if stored is not None:
        return stored, False
    stored = StoredFile.objects.create(
        sha256=inspected.sha256, size=len(data), page_count=inspected.page_count
    )
    pages = PageText.objects.bulk_create(
        PageText(file=stored, number=number, text=text)
        for number, text in enumerate(inspected.texts, start=1)
    )
    search_index.index_pages(pages)
    path = rendering.pdf_path(inspected.sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, path)
    return stored, True


def file_store(*, inspected: InspectedPdf, data: bytes):
    """Store a checked PDF by its hash (once, however many use it), with its page text, for
    a use other than a session document (a written answer, floor.questions)."""
    stored, _wrote = _store(inspected, data)
    return stored


def stored_file_save(*, inspected: InspectedPdf, data: bytes) -> tuple[StoredFile, bool]:
    """Store a PDF checked by ``inspect_pdf`` that belongs to no session (an agency's answer,
    the minutes of a meeting with voters): the file and its folded page text, once per
    content. True if this call wrote it: call inside the caller's transaction and, if that
    rolls back, ``stored_file_discard(inspected)``."""
    return _store(inspected, data)


def stored_file_discard(inspected: InspectedPdf) -> None:
    rendering.pdf_path(inspected.sha256).unlink(missing_ok=True)


def document_upload(
    *,
    session_id: int,
    title: str,
    data: bytes,
    actor: Actor,
    access: str = Document.Access.DELEGATES,
    agenda_item_id: int | None = None,
    inspected: InspectedPdf | None = None,
) -> Document:
    """Store a PDF for the session. ``inspected``: this data's ``inspect_pdf``, when the
    caller already ran it (outside the shared thread of the web process)."""
    title = (title or "").strip()
    if not title:
        raise ServiceError("document.title_required", _("Cần nhập tiêu đề tài liệu."))
    if access not in Document.Access.values:
        raise ServiceError("document.bad_access", _("Mức truy cập không hợp lệ."))
    if inspected is None:
        inspected = inspect_pdf(data)
    wrote = False
    try:
        with transaction.atomic():
            session = session_lock(session_id)
            if agenda_item_id is not None:
                agenda_item_check(session=session, item_id=agenda_item_id)
            stored, wrote = _store(inspected, data)
            document = Document.objects.create(
                session=session,
                agenda_item_id=agenda_item_id,
                title=title[:300],
                access=access,
                file=stored,
                uploaded_by=actor.user,
            )
            chain.append(
                session_id=session.pk,
                action="document.upload",
                actor=actor,
                document=document.pk,
                sha256=stored.sha256,
                title=document.title,
                access=document.access,
            )
            emit(
                session=session,
                type="document.added",
                data={"document": selectors.document_payload(document)},
            )
            transaction.on_commit(
                lambda: rendering.render_in_background(stored.sha256, stored.page_count)
            )
    except BaseException:
        if wrote:  # the row rolled back: take the file with it
            rendering.pdf_path(inspected.sha256).unlink(missing_ok=True)
        raise
    return document


def _document_of_session(session_id: int, document_id: int) -> Document:
    document = (
        Document.objects.select_related("file").filter(pk=document_id, session_id=session_id)
    ).first()
    if document is None:
        raise ServiceError("document.not_found", _("Không tìm thấy tài liệu trong kỳ họp này."))
    return document


def _valid_page(document: Document, page: int) -> int:
    if not 1 <= page <= document.file.page_count:
        raise ServiceError(
            "document.bad_page",
            _("Tài liệu có %(n)d trang.") % {"n": document.file.page_count},
        )
    return page


def document_show(*, session_id: int, document_id: int, page: int, actor: Actor) -> Presentation:
    """Show a page to the room: the projector and every tablet that follows switch to it,
    from one event."""
    with transaction.atomic():
        session = session_lock(session_id)
        if not session.is_live:
            raise ServiceError("session.not_live", _("Kỳ họp chưa khai mạc hoặc đã bế mạc."))
        document = _document_of_session(session_id, document_id)
        _valid_page(document, page)
        presentation, _created = Presentation.objects.update_or_create(
            session=session,
            defaults={"document": document, "page": page, "updated_at": timezone.now()},
        )
        emit(
            session=session,
            type="document.shown",
            data=selectors.presentation_payload(presentation),
        )
    return presentation


def note_save(*, session_id: int, document_id: int, page: int, text: str, actor: Actor) -> Note:
    """Write a delegate's private note; their other devices hear of it, nobody else."""
    delegate = actor.delegate
    if delegate is None:
        raise ServiceError("command.forbidden", _("Chỉ đại biểu mới ghi chú được."))
    document = _document_of_session(session_id, document_id)
    if document.session.council_id != delegate.council_id:
        raise ServiceError("document.not_found", _("Không tìm thấy tài liệu trong kỳ họp này."))
    _valid_page(document, page)
    text = (text or "")[:20_000]
    with transaction.atomic():
        note, _created = Note.objects.update_or_create(
            delegate=delegate,
            document=document,
            page=page,
            defaults={"text": text, "updated_at": timezone.now()},
        )
        notify(
            session=document.session,
            type="note.saved",
            data=selectors.note_payload(note),
            delegate_id=delegate.pk,
        )
    return note
