"""Staff pages of resolutions: the list (with the passed votes waiting for theirs), one
resolution, adopting one from a poll or a consultation, the signed PDF."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kiosk_ui.refused import Typed, form_refused_async
from meeting.models import Agency
from meeting.scope import councils_for, filter_councils, may
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import access, selectors
from resolutions.models import Consultation, Resolution
from resolutions.services import resolutions as services
from resolutions.views import common, picker

PAGE_SIZE = 50


def _scope(user):
    scope = councils_for(user, access.VIEW)
    return None if not isinstance(scope, set) else scope


@login_required
@require_GET
def resolution_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: HttpRequest, typed: Typed | None = None) -> HttpResponse:
    """The list with the adoption forms: empty, or the refused one as typed."""
    scope = _scope(request.user)
    if scope is not None and not scope:
        raise PermissionDenied
    resolutions = filter_councils(
        Resolution.objects.select_related("council"), request.user, access.VIEW
    )
    query = request.GET.get("q", "")
    resolutions = selectors.resolutions_search(resolutions, query)
    status = request.GET.get("status", "")
    if status in Resolution.Status.values:
        resolutions = resolutions.filter(status=status)
    waiting = [
        poll
        for poll in selectors.passed_polls_waiting(scope)[:50]
        if access.may_act(request.user, access.ADD, poll.session.council_id)
    ]
    adopted_consultations = [
        c
        for c in filter_councils(
            Consultation.objects.filter(
                status=Consultation.Status.CLOSED, passed=True, resolution__isnull=True
            ).select_related("council"),
            request.user,
            access.VIEW,
        )[:50]
        if access.may_act(request.user, access.ADD, c.council_id)
    ]
    targets = picker.choices_by_council(
        [p.session.council_id for p in waiting] + [c.council_id for c in adopted_consultations]
    )
    for source in waiting:
        source.targets = targets[source.session.council_id]
        source.typed = _typed_for(typed, "poll", source.pk)
    for source in adopted_consultations:
        source.targets = targets[source.council_id]
        source.typed = _typed_for(typed, "consultation", source.pk)
    return render(
        request,
        "resolutions/resolution_list.html",
        {
            "resolutions": Paginator(
                resolutions.order_by("-adopted_on", "-number", "-pk"), PAGE_SIZE
            ).get_page(request.GET.get("page")),
            "query": query,
            "status": status,
            "statuses": Resolution.Status.choices,
            "waiting": waiting,
            "adopted_consultations": adopted_consultations,
        },
    )


def _typed_for(typed: Typed | None, source: str, pk: int) -> Typed | None:
    """What was typed in this source's adoption form, when it is the one refused."""
    return typed if typed is not None and typed.get(source) == str(pk) else None


def _readable(request: HttpRequest, resolution_id: int) -> Resolution:
    resolution = get_object_or_404(
        Resolution.objects.select_related("council", "poll__session", "target"), pk=resolution_id
    )
    if not may(request.user, access.VIEW, resolution.council_id):
        raise PermissionDenied
    return resolution


@login_required
@require_GET
def resolution_detail(request: HttpRequest, resolution_id: int) -> HttpResponse:
    return detail_page(request, resolution_id)


def detail_page(request: HttpRequest, resolution_id: int, typed: Typed | None = None):
    """The resolution with its task form: empty, or as typed when it was refused."""
    resolution = _readable(request, resolution_id)
    return render(
        request,
        "resolutions/resolution_detail.html",
        {
            "resolution": resolution,
            "changed_by": resolution.changed_by.order_by("adopted_on"),
            "may_act": access.may_act(request.user, access.ADD, resolution.council_id),
            "tasks": resolution.tasks.select_related("agency"),
            "may_add_task": access.may_act(
                request.user, "resolutions.add_task", resolution.council_id
            ),
            "agency_choices": Agency.objects.filter(council_id=resolution.council_id, active=True),
            "typed": typed,
        },
    )


@login_required
@require_GET
def resolution_pdf(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = _readable(request, resolution_id)
    if not resolution.signed_file_id:
        raise Http404
    return common.pdf_response(resolution.signed_file_id, f"nghi-quyet-{resolution.pk}.pdf")


@login_required
@require_POST
async def resolution_adopt(request: HttpRequest) -> HttpResponse:
    """Adopt from a passed poll (``poll``) or an adopted consultation (``consultation``)."""
    user = await request.auser()
    try:
        data, checked = await common.pdf_upload(request)
        post = request.POST
        fields = {
            "title": post.get("title", ""),
            "actor": Actor(user=user),
            "adopted_on": common.parse_date(post.get("adopted_on", "")),
            "number": common.parse_int(post.get("number")),
            "relation": post.get("relation", ""),
            "target_id": common.parse_int(post.get("target")),
            "pdf": data,
            "checked": checked,
        }
        if post.get("consultation"):
            resolution = await sync_to_async(services.resolution_from_consultation)(
                consultation_id=common.parse_int(post.get("consultation")) or 0, **fields
            )
        else:
            resolution = await sync_to_async(services.resolution_from_poll)(
                poll_id=common.parse_int(post.get("poll")) or 0, **fields
            )
    except ServiceError as refused:
        return await form_refused_async(request, refused, _list_page)
    await sync_to_async(messages.success)(
        request, _("Đã ban hành Nghị quyết số %(symbol)s.") % {"symbol": resolution.symbol}
    )
    return redirect("resolution-detail", resolution_id=resolution.pk)


@login_required
@require_POST
async def resolution_sign(request: HttpRequest, resolution_id: int) -> HttpResponse:
    user = await request.auser()
    try:
        data, checked = await common.pdf_upload(request)
        await sync_to_async(services.resolution_sign)(
            resolution_id=resolution_id, pdf=data or b"", actor=Actor(user=user), checked=checked
        )
    except ServiceError as refused:
        await sync_to_async(messages.error)(request, refused.message)
    else:
        await sync_to_async(messages.success)(request, _("Đã lưu bản ký số."))
    return redirect("resolution-detail", resolution_id=resolution_id)
