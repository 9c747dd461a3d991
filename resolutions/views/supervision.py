"""Supervision programmes: the list, a new one, one with its recommendations and report."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kiosk_ui.paging import keyset_page
from kiosk_ui.refused import Typed, form_refused
from meeting.models import Agency, Council
from meeting.scope import councils_for, filter_councils, may
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import access
from resolutions.models import SupervisionProgramme, Task
from resolutions.services import supervision as services
from resolutions.views import common

VIEW = "resolutions.view_supervisionprogramme"


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: HttpRequest, typed: Typed | None = None) -> HttpResponse:
    """The list with the form of a new one: empty, or as typed when it was refused."""
    scope = councils_for(request.user, VIEW)
    if isinstance(scope, set) and not scope:
        raise PermissionDenied
    councils = [
        c
        for c in filter_councils(Council.objects.order_by("level", "name"), request.user, VIEW,
                                 path="pk")
        if access.may_act(request.user, services.ADD, c.pk)
    ]
    programmes = filter_councils(
        SupervisionProgramme.objects.select_related("council"), request.user, VIEW
    ).order_by("-period_start", "-pk")
    # Keyset pages (kiosk_ui.paging) along supervision_newest: every programme reachable.
    page = keyset_page(
        programmes,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        date_field="period_start",
    )
    return render(
        request,
        "resolutions/supervision_list.html",
        {
            "page": page,
            "councils": councils,
            "kinds": SupervisionProgramme.Kind.choices,
            "agencies": Agency.objects.filter(council__in=councils, active=True),
            "typed": typed,
        },
    )


@login_required
@require_POST
def programme_create(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        programme = services.programme_create(
            council_id=common.parse_int(post.get("council")) or 0,
            subject=post.get("subject", ""),
            kind=post.get("kind", SupervisionProgramme.Kind.THEMATIC),
            period_start=common.parse_date(post.get("period_start", "")),
            period_end=common.parse_date(post.get("period_end", "")),
            team_ids=[int(v) for v in post.getlist("team") if v.isdigit()],
            agency_ids=[int(v) for v in post.getlist("agencies") if v.isdigit()],
            actor=Actor(user=request.user),
        )
    except ServiceError as refused:
        return form_refused(request, refused, _list_page)
    return redirect("supervision-detail", programme_id=programme.pk)


def _readable(request: HttpRequest, programme_id: int) -> SupervisionProgramme:
    programme = get_object_or_404(
        SupervisionProgramme.objects.select_related("council"), pk=programme_id
    )
    if not may(request.user, VIEW, programme.council_id):
        raise PermissionDenied
    return programme


@login_required
@require_GET
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    return detail_page(request, programme_id)


def detail_page(request: HttpRequest, programme_id: int, typed: Typed | None = None):
    """The programme with its recommendation form: empty, or as typed when it was refused."""
    programme = _readable(request, programme_id)
    may_act = access.may_act(request.user, services.ADD, programme.council_id)
    return render(
        request,
        "resolutions/supervision_detail.html",
        {
            "programme": programme,
            "team": programme.team.order_by("seat_label", "full_name"),
            "agencies": programme.agencies.all(),
            "tasks": Task.objects.filter(programme=programme).select_related("agency"),
            "may_act": may_act,
            "today": timezone.localdate(),
            "typed": typed,
        },
    )


@login_required
@require_POST
async def programme_report(request: HttpRequest, programme_id: int) -> HttpResponse:
    user = await request.auser()
    try:
        data, checked = await common.pdf_upload(request)
        await sync_to_async(services.programme_report)(
            programme_id=programme_id,
            pdf=data or b"",
            reported_on=common.parse_date(request.POST.get("reported_on", ""))
            or timezone.localdate(),
            actor=Actor(user=user),
            checked=checked,
        )
    except ServiceError as refused:
        await sync_to_async(messages.error)(request, refused.message)
    else:
        await sync_to_async(messages.success)(request, _("Đã lưu báo cáo kết quả giám sát."))
    return redirect("supervision-detail", programme_id=programme_id)


@login_required
@require_GET
def programme_pdf(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _readable(request, programme_id)
    if not programme.report_file_id:
        raise Http404
    return common.pdf_response(programme.report_file_id, f"bao-cao-giam-sat-{programme.pk}.pdf")
