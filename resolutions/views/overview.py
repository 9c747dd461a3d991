"""The overview page: one for the city's Standing Committee, one for each commune."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from kiosk_ui.tables import export_response
from meeting.models import Council
from meeting.scope import councils_for, may
from resolutions import access, overview
from resolutions.models import Task


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
    built = overview.build(council, _under(council, scope), filters)
    if (response := export_response(request, built.tables)) is not None:
        return response
    return render(
        request,
        "resolutions/overview.html",
        {
            "view": built,
            "task_table": built.tables[-1],
            "tasks": built.tasks[:200],
            "filters": filters,
            "states": Task.State.choices,
            "parent": council.parent if council.parent_id and may(
                request.user, access.VIEW, council.parent_id
            ) else None,
        },
    )
