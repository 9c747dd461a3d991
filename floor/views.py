"""The clerk's pages of written answers: the questions still due, for the councils the user
holds the role in, and the form that records an answer (text and/or a PDF); the answer's PDF
for its asker's tablet and for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from documents import rendering
from floor.models import Question
from floor.questions import written_answer_record
from floor.selectors import open_written_answers
from meeting.access import signed_in_delegate
from meeting.scope import Everywhere, councils_for, may
from realtime.actors import Actor
from realtime.errors import ServiceError

ANSWER_PERM = "floor.change_question"
MAX_PDF_BYTES = 50 * 1024 * 1024


@permission_required(ANSWER_PERM)
def written_list(request: HttpRequest) -> HttpResponse:
    scope = councils_for(request.user, ANSWER_PERM)
    if isinstance(scope, Everywhere):
        from meeting.models import Council

        scope = set(Council.objects.values_list("pk", flat=True))
    return render(request, "floor/written.html", {"due": open_written_answers(scope)})


@permission_required(ANSWER_PERM)
def written_answer(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.select_related("asker", "respondent", "session__council"), pk=question_id
    )
    if not may(request.user, ANSWER_PERM, question.session.council_id):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is not None and upload.size > MAX_PDF_BYTES:
                raise ServiceError("document.too_large", _("Tệp PDF quá lớn (tối đa 50 MB)."))
            written_answer_record(
                question_id=question.pk,
                text=request.POST.get("text", ""),
                pdf=upload.read() if upload is not None else None,
                actor=Actor(user=request.user),
            )
        except ServiceError as refused:
            # The code on the page too (as the petitions' pages): "code-document.broken".
            messages.error(request, refused.message, extra_tags=f"code-{refused.code}")
            status = 400
        else:
            messages.success(request, _("Đã ghi nhận văn bản trả lời; đại biểu đã được thông báo."))
            return redirect("floor-written")
    return render(request, "floor/answer.html", {"question": question}, status=status)


@require_GET
def answer_pdf(request: HttpRequest, question_id: int) -> HttpResponse:
    """The answer's PDF: for the delegate who asked (their badge's sign-in) or staff of the
    council."""
    question = get_object_or_404(Question, pk=question_id, answer_file__isnull=False)
    delegate = signed_in_delegate(request.session)
    allowed = (delegate is not None and delegate.pk == question.asker_id) or may(
        request.user, "floor.view_question", question.session.council_id
    )
    if not allowed:
        raise Http404
    path = rendering.pdf_path(question.answer_file_id)
    response = FileResponse(path.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tra-loi-chat-van-{question.pk}.pdf"'
    return response
