"""The overview page: one for the city's Standing Committee, one for each commune."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from kiosk_ui.tables import csv_response, xlsx_response
from meeting.models import Council
from meeting.scope import councils_for, may
from resolutions import access, overview
from resolutions.models import Task

PAGE_SIZE = 50


def _under(council: Council, scope) -> list[int]:
    """The council and the councils below it that the user reads (one query per level)."""
    found, frontier = [council.pk], [council.pk]
    while frontier:
        frontier = [
            pk
            for pk in Council.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            if pk in scope
        ]
        found += frontier
    return found


@login_required
@require_GET
def overview_page(request: HttpRequest) -> HttpResponse:
    scope = councils_for(request.user, access.VIEW)
    chosen = request.GET.get("council", "")
    if chosen.isdigit():
        council = get_object_or_404(Council, pk=int(chosen))
        if not may(request.user, access.VIEW, council.pk):
            raise PermissionDenied
    else:
        # The highest council the user reads: the city for its Standing Committee.
        readable = Council.objects.order_by("parent_id", "pk")
        if isinstance(scope, set):
            readable = readable.filter(pk__in=scope)
        council = readable.filter(parent__isnull=True).first() or readable.first()
        if council is None:
            raise PermissionDenied
    filters = {
        "agency": int(request.GET["agency"]) if request.GET.get("agency", "").isdigit() else None,
        "state": request.GET.get("state") or None,
        "kind": request.GET.get("kind") or None,
    }
    councils = _under(council, scope)
    if name := request.GET.get("export"):
        # Only the table asked for: the page's other charts are not computed for a file.
        table = overview.export_table(name, council, councils, filters)
        if table is None:
            return HttpResponse(status=404)
        return xlsx_response(table) if request.GET.get("format") == "xlsx" else csv_response(table)
    built = overview.build(council, councils, filters)
    return render(
        request,
        "resolutions/overview.html",
        {
            "view": built,
            "task_table": built.tables[-1],
            "tasks": Paginator(built.tasks, PAGE_SIZE).get_page(request.GET.get("page")),
            "filters": filters,
            "states": Task.State.choices,
            "parent": council.parent if council.parent_id and may(
                request.user, access.VIEW, council.parent_id
            ) else None,
        },
    )
