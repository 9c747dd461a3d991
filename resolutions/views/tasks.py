"""Tasks and recommendations: the staff add them; the agency's officer reports on them from
their own list (meeting.agencies: an officer sees only what is addressed to their agencies)."""

from __future__ import annotations

from functools import partial

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kiosk_ui.refused import form_refused
from meeting.agencies import officer_agencies
from meeting.scope import may
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions.models import ProgressReport, Task
from resolutions.services import tasks as services
from resolutions.views import common, supervision
from resolutions.views import resolutions as resolution_views

VIEW_TASK = "resolutions.view_task"


def _readable(request: HttpRequest, task_id: int) -> Task:
    task = get_object_or_404(
        Task.objects.select_related("agency", "resolution", "programme", "council"), pk=task_id
    )
    if not (
        may(request.user, VIEW_TASK, task.council_id)
        or task.agency_id in officer_agencies(request.user)
    ):
        raise PermissionDenied
    return task


@login_required
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _readable(request, task_id)
    return render(
        request,
        "resolutions/task_detail.html",
        {
            "task": task,
            "reports": task.reports.select_related("author").order_by("-at", "-pk"),
            "may_report": task.agency_id in officer_agencies(request.user) and not task.done_on,
        },
    )


@login_required
@require_GET
def officer_tasks(request: HttpRequest) -> HttpResponse:
    """The officer's list: every task and recommendation addressed to their agencies."""
    agencies = officer_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    tasks = (
        Task.objects.filter(agency_id__in=agencies)
        .select_related("agency", "resolution", "programme", "council")
        .annotate(state_now=Task.state_expression())
        .order_by("done_on", "due_on", "pk")
    )
    return render(request, "resolutions/officer_tasks.html", {"tasks": tasks})


@login_required
@require_POST
def task_add(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        fields = {
            "title": post.get("title", ""),
            "agency_id": common.parse_int(post.get("agency")) or 0,
            "due_on": common.parse_date(post.get("due_on", "")),
            "actor": Actor(user=request.user),
        }
        if post.get("programme"):
            task = services.recommendation_add(
                programme_id=common.parse_int(post.get("programme")) or 0, **fields
            )
        else:
            task = services.task_add(
                resolution_id=common.parse_int(post.get("resolution")) or 0, **fields
            )
    except ServiceError as refused:
        # Shown again on the page the form is on, as typed (kiosk_ui.refused).
        if post.get("programme"):
            page = partial(
                supervision.detail_page,
                programme_id=common.parse_int_or_none(post.get("programme")) or 0,
            )
        else:
            page = partial(
                resolution_views.detail_page,
                resolution_id=common.parse_int_or_none(post.get("resolution")) or 0,
            )
        return form_refused(request, refused, page)
    messages.success(request, _("Đã giao: %(title)s") % {"title": task.title})
    if task.programme_id:
        return redirect("supervision-detail", programme_id=task.programme_id)
    return redirect("resolution-detail", resolution_id=task.resolution_id)


@login_required
@require_POST
async def task_report(request: HttpRequest, task_id: int) -> HttpResponse:
    user = await request.auser()
    try:
        data, checked = await common.pdf_upload(request)
        await sync_to_async(services.progress_report)(
            task_id=task_id,
            text=request.POST.get("text", ""),
            percent=common.parse_int(request.POST.get("percent")) or 0,
            done=request.POST.get("done") == "1",
            actor=Actor(user=user),
            pdf=data,
            checked=checked,
        )
    except ServiceError as refused:
        await sync_to_async(messages.error)(request, refused.message)
    else:
        await sync_to_async(messages.success)(request, _("Đã gửi báo cáo tiến độ."))
    return redirect("task-detail", task_id=task_id)


@login_required
@require_GET
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(ProgressReport, pk=report_id)
    _readable(request, report.task_id)
    if not report.file_id:
        raise Http404
    return common.pdf_response(report.file_id, f"bao-cao-{report.pk}.pdf")
