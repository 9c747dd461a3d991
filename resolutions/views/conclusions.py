"""Staff pages of conclusions (kết luận): the list (search, the form that records one for a
sitting) and one conclusion. A conclusion is a ``Resolution`` of kind ``conclusion``: the
same numbering, chain, signed PDF and tasks as a resolution (services.resolutions)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kiosk_ui.paging import keyset_page
from kiosk_ui.refused import Typed, form_refused_async
from meeting.models import Session
from meeting.scope import councils_for, filter_councils
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import access, selectors
from resolutions.models import Resolution
from resolutions.services import resolutions as services
from resolutions.views import common
from resolutions.views import resolutions as resolution_views

Kind = Resolution.Kind


def _sittings_to_conclude(user) -> list[Session]:
    """The sittings (opened, newest first) of the councils where the user records them."""
    scope = councils_for(user, access.ADD)
    sessions = Session.objects.exclude(
        status__in=[Session.Status.DRAFT, Session.Status.SCHEDULED]
    ).select_related("council")
    if isinstance(scope, set):
        sessions = sessions.filter(council_id__in=scope)
    return [
        s
        for s in sessions.order_by("-planned_start", "-pk")[:60]
        if access.may_act(user, access.ADD, s.council_id)
    ]


@login_required
@require_GET
def conclusion_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: HttpRequest, typed: Typed | None = None) -> HttpResponse:
    """The list with the form of a new one: empty, or as typed when it was refused."""
    scope = councils_for(request.user, access.VIEW)
    if isinstance(scope, set) and not scope:
        raise PermissionDenied
    conclusions = filter_councils(
        Resolution.objects.filter(kind=Kind.CONCLUSION).select_related("council", "session"),
        request.user,
        access.VIEW,
    )
    query = request.GET.get("q", "")
    conclusions = selectors.resolutions_search(conclusions, query)
    # Keyset pages (kiosk_ui.paging) along resolution_kind_newest: a city's years of
    # conclusions all reachable, no OFFSET. Newest first by date, then by entry.
    page = keyset_page(
        conclusions.order_by("-adopted_on", "-pk"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        date_field="adopted_on",
    )
    return render(
        request,
        "resolutions/conclusion_list.html",
        {
            "page": page,
            "query": query,
            "sittings": _sittings_to_conclude(request.user),
            "typed": typed,
        },
    )


@login_required
@require_GET
def conclusion_detail(request: HttpRequest, conclusion_id: int) -> HttpResponse:
    # The same page as a resolution's, at its own address; a resolution's id is not one.
    if not Resolution.objects.filter(pk=conclusion_id, kind=Kind.CONCLUSION).exists():
        raise Http404
    return resolution_views.resolution_detail(request, conclusion_id)


@login_required
@require_POST
async def conclusion_add(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    try:
        data, checked = await common.pdf_upload(request)
        post = request.POST
        conclusion = await sync_to_async(services.conclusion_record)(
            session_id=common.parse_int(post.get("session")) or 0,
            title=post.get("title", ""),
            actor=Actor(user=user),
            adopted_on=common.parse_date(post.get("adopted_on", "")),
            number=common.parse_int(post.get("number")),
            pdf=data,
            checked=checked,
        )
    except ServiceError as refused:
        return await form_refused_async(request, refused, _list_page)
    await sync_to_async(messages.success)(
        request, _("Đã ban hành Kết luận số %(symbol)s.") % {"symbol": conclusion.symbol}
    )
    return redirect("conclusion-detail", conclusion_id=conclusion.pk)
