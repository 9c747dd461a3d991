"""Page images, originals, search, the clerk's upload page and the public list."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from documents import rendering, selectors, services
from documents.access import may_download_original, may_read, reader_for
from documents.models import Document
from meeting.models import Session
from meeting.scope import may
from meeting.selectors import agenda_item_not_found, agenda_order
from realtime.actors import Actor
from realtime.errors import ServiceError

YEAR = 60 * 60 * 24 * 365


def _document(document_id: int) -> Document:
    return get_object_or_404(
        Document.objects.select_related("file", "session__council"), pk=document_id
    )


def _refused(request: HttpRequest) -> HttpResponse:
    # The same answer whether the page exists or not: nothing to learn by guessing.
    return HttpResponse(
        _("Không có quyền xem tài liệu này."), status=403, content_type="text/plain"
    )


def _file_response(request: HttpRequest, path, etag: str, content_type: str) -> HttpResponse:
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    elif settings.CHAMBER_ACCEL_REDIRECT_PREFIX:
        # Behind nginx: it sends the file; Python only said yes.
        response = HttpResponse(content_type=content_type)
        relative = path.relative_to(settings.MEDIA_ROOT)
        response["X-Accel-Redirect"] = f"{settings.CHAMBER_ACCEL_REDIRECT_PREFIX}/{relative}"
    else:
        # One read, one write: page images are small; no Python loop per chunk.
        response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["ETag"] = etag
    # Private: access is checked per request, so no shared cache may keep it.
    response["Cache-Control"] = f"private, max-age={YEAR}, immutable"
    return response


@require_GET
def page_image(request: HttpRequest, document_id: int, version: str, number: int) -> HttpResponse:
    document = _document(document_id)
    reader = reader_for(request)
    if not may_read(reader, document):
        return _refused(request)
    if not document.file_id.startswith(version) or not 1 <= number <= document.file.page_count:
        raise Http404
    try:
        width = int(request.GET.get("w", rendering.TABLET_WIDTH))
    except ValueError:
        width = rendering.TABLET_WIDTH
    if width not in rendering.WIDTHS:
        width = rendering.TABLET_WIDTH
    try:
        if document.access == Document.Access.CONFIDENTIAL:
            # Rendered for this reader, now: their name and the time are in the pixels.
            stamp = timezone.localtime().strftime("%d/%m/%Y %H:%M")
            lines = [reader.watermark_name or "", stamp, _("TÀI LIỆU MẬT")]
            image = rendering.watermarked(document.file_id, number, width, lines)
            response = HttpResponse(image, content_type="image/png")
            response["Cache-Control"] = "no-store"
            return response
        path = rendering.ensure_rendered(document.file_id, number, width)
    except rendering.RenderFailed:
        response = HttpResponse(
            _("Không hiển thị được trang này, hãy thử lại sau."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "5"
        return response
    return _file_response(request, path, f'"{document.file_id[:16]}-{width}-{number}"', "image/png")


@require_GET
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(document_id)
    if not may_download_original(reader_for(request), document):
        return _refused(request)
    response = _file_response(
        request, rendering.pdf_path(document.file_id), f'"{document.file_id}"', "application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="tai-lieu-{document.pk}.pdf"'
    return response


@require_GET
def search(request: HttpRequest) -> JsonResponse:
    """``?session=<id>&q=<words>``: hits by page in the documents this reader may read."""
    try:
        session = Session.objects.select_related("council").get(pk=int(request.GET["session"]))
    except (KeyError, ValueError, Session.DoesNotExist):
        return JsonResponse({"hits": []}, status=404)
    reader = reader_for(request)
    readable = [
        document
        for document in selectors.documents_of(session, include_confidential=True)
        if may_read(reader, document)
    ]
    hits = selectors.search(readable, request.GET.get("q", ""))
    return JsonResponse({"hits": hits}, json_dumps_params={"ensure_ascii": False})


def _upload_fields(request: HttpRequest) -> dict:
    """The upload form's fields and file (parsing the body, reading the file: no database)."""
    upload = request.FILES.get("file")
    item = request.POST.get("agenda_item") or None
    if upload is None:
        raise ServiceError("document.no_file", _("Hãy chọn một tệp PDF."))
    try:
        agenda_item_id = int(item) if item else None
    except ValueError:  # not a number: no item of this session (not Python's words)
        raise agenda_item_not_found() from None
    return {
        "title": request.POST.get("title") or upload.name.rsplit(".", 1)[0],
        # One byte over the limit is enough for the service to refuse it.
        "data": upload.read(settings.CHAMBER_MAX_PDF_BYTES + 1),
        "access": request.POST.get("access", Document.Access.DELEGATES),
        "agenda_item_id": agenda_item_id,
    }


@permission_required("documents.add_document")
async def staff_documents(request: HttpRequest, session_id: int) -> HttpResponse:
    """The clerk's page: upload PDFs to the session and watch their pages render.

    Asynchronous, so that the intake (seconds, in a process of its own) is awaited in a
    thread of its own: the web process's shared thread, which runs every other view and the
    screens' commands, never waits for it.
    """
    session = await sync_to_async(get_object_or_404)(
        Session.objects.select_related("council"), pk=session_id
    )
    user = await request.auser()
    if not await sync_to_async(may)(user, "documents.add_document", session.council_id):
        raise PermissionDenied
    if request.method != "POST":
        return await sync_to_async(_render_staff_page)(request, session)
    try:
        fields = await asyncio.to_thread(_upload_fields, request)
        inspected = await asyncio.to_thread(services.inspect_pdf, fields["data"])
        document = await sync_to_async(services.document_upload)(
            session_id=session.pk,
            actor=Actor(user=user),
            inspected=inspected,
            **fields,
        )
    except (ServiceError, ValueError) as refused:
        message = getattr(refused, "message", str(refused))
        messages.error(request, message)
        code = getattr(refused, "code", "form.invalid")
        return await sync_to_async(_render_staff_page)(request, session, code)
    messages.success(request, _("Đã tải lên “%(title)s”.") % {"title": document.title})
    return redirect("staff-documents", session_id=session.pk)


def _render_staff_page(
    request: HttpRequest, session: Session, error_code: str | None = None
) -> HttpResponse:
    extra = {"error_code": error_code} if error_code else {}
    return render(
        request,
        "documents/staff.html",
        _staff_context(session, **extra),
        status=400 if error_code else 200,
    )


def _staff_context(session: Session, **extra) -> dict:
    documents = selectors.documents_of(session, include_confidential=True)
    return {
        "session": session,
        "documents": documents,
        "agenda": agenda_order(session),
        "access_choices": Document.Access.choices,
        "max_bytes": settings.CHAMBER_MAX_PDF_BYTES,
        "too_large": services.too_large_message(),
        **extra,
    }


@permission_required("documents.add_document")
def staff_progress(request: HttpRequest, session_id: int) -> JsonResponse:
    """How many pages of each document are rendered: the clerk page's progress bars."""
    session = get_object_or_404(Session, pk=session_id)
    if not may(request.user, "documents.add_document", session.council_id):
        raise PermissionDenied
    return JsonResponse(
        {
            "documents": [
                {
                    "id": document.pk,
                    "pages": document.file.page_count,
                    "rendered": min(
                        document.file.page_count, rendering.rendered_count(document.file_id)
                    ),
                }
                for document in selectors.documents_of(session, include_confidential=True)
            ]
        }
    )


def public_documents(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session's public documents, for the gallery and the press (the projector's QR)."""
    session = get_object_or_404(
        Session.objects.select_related("council").exclude(status=Session.Status.DRAFT),
        pk=session_id,
    )
    documents = [
        d
        for d in selectors.documents_of(session, include_confidential=False)
        if d.access == Document.Access.PUBLIC
    ]
    return render(
        request,
        "documents/public.html",
        {"session": session, "documents": [selectors.document_payload(d) for d in documents]},
    )
