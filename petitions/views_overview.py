"""The overview with charts (status, field, per commune or per agency, on time / late /
overdue), the meetings with voters, and the public list of answered petitions."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.services import inspect_pdf
from kiosk_ui import tables
from kiosk_ui.dates import form_day
from kiosk_ui.refused import Typed, form_refused_async
from meeting.models import Council, Delegate
from meeting.scope import Everywhere
from petitions import access, exports, selectors, services_more
from petitions.models import ANSWERED_STATUSES, Petition, VoterMeeting
from realtime.actors import Actor
from realtime.errors import ServiceError


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    scope = selectors.Scope.of(request.user)
    if not isinstance(scope.councils, Everywhere) and not scope.councils:
        raise PermissionDenied
    filters = selectors.Filters.from_request(request.GET)
    if not request.GET.get("from") and not request.GET.get("to"):
        filters.date_from = date(timezone.localdate().year, 1, 1)
    councils = list(selectors.visible_councils(request.user, scope))
    rows = selectors.period_only(selectors.visible(request.user, scope), filters)
    # Per commune when more than one council is in sight (the city), else per agency.
    per_council = not filters.council and len(councils) > 1
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    # The period counted, the year's start when none was asked: the list a bar opens holds
    # the petitions the bar counts.
    if filters.date_from and "from" not in query:
        query["from"] = filters.date_from.isoformat()
    list_url = reverse("petition-list")

    def list_href(name: str, value) -> str:
        params = query.copy()
        params[name] = value
        return f"{list_url}?{params.urlencode()}"

    per = "council" if per_council else "agency"
    counts = selectors.overview(rows, per=per)

    def key_href(pk: int) -> str:
        # A commune's row (an agency's, on a council's own overview) opens its petitions.
        return list_href(per, pk)

    charts = [
        exports.status_chart(counts.by_status, lambda value: list_href("status", value)),
        exports.field_chart(counts.by_field),
        exports.count_chart(counts.by_key, per_council=per_council, href=key_href),
        exports.timeliness_chart(counts.timeliness, per_council=per_council, href=key_href),
    ]
    if response := tables.export_response(request, [c.table() for c in charts]):
        return response
    return render(
        request,
        "petitions/overview.html",
        {
            "charts": charts,
            "councils": councils,
            "filters": filters,
            "total": charts[0].total,
        },
    )


@login_required
async def meetings(request: HttpRequest) -> HttpResponse:
    """Meetings with voters: the list, and a new one with its minutes (PDF intake in a
    thread of its own, like the documents' upload)."""
    user = await request.auser()
    scope = await sync_to_async(access.editable_councils)(user)
    if not isinstance(scope, Everywhere) and not scope:
        raise PermissionDenied
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            data = (
                await asyncio.to_thread(upload.read, settings.CHAMBER_MAX_PDF_BYTES + 1)
                if upload
                else None
            )
            inspected = await asyncio.to_thread(inspect_pdf, data) if data is not None else None
            meeting = await sync_to_async(services_more.voter_meeting_create)(
                council_id=int(request.POST.get("council") or 0),
                held_on=_day(request.POST.get("held_on")),
                place=request.POST.get("place", ""),
                delegate_ids=request.POST.getlist("delegates"),
                voter_count=request.POST.get("voter_count") or 0,
                data=data,
                inspected=inspected,
                actor=Actor(user=user),
            )
        except ServiceError as error:
            # Shown again as typed, with the refusal (kiosk_ui.refused).
            return await form_refused_async(request, error, partial(_meetings_page, scope=scope))
        else:
            await sync_to_async(messages.success)(request, _("Đã ghi cuộc tiếp xúc cử tri."))
            return redirect(
                f"{reverse('petition-new')}?council={meeting.council_id}&meeting={meeting.pk}"
            )
    return await sync_to_async(_meetings_page)(request, scope)


def _day(value: str | None) -> date | None:
    return form_day(value)  # dd/mm/yyyy (kiosk_ui.dates)


def _meetings_page(request: HttpRequest, scope, typed: Typed | None = None) -> HttpResponse:
    councils = Council.objects.order_by("level", "name")
    if not isinstance(scope, Everywhere):
        councils = councils.filter(pk__in=scope)
    councils = list(councils)
    return render(
        request,
        "petitions/meetings.html",
        {
            "councils": councils,
            "meetings": VoterMeeting.objects.filter(council__in=councils)
            .select_related("council")
            .prefetch_related("delegates")[:100],
            "delegates": Delegate.objects.filter(council__in=councils).order_by(
                "council", "seat_label"
            ),
            "today": timezone.localdate(),
            "typed": typed,
        },
    )


def public_list(request: HttpRequest, council_id: int) -> HttpResponse:
    """A council's answered petitions, for anyone: what was asked and what was answered,
    never who asked (petitions.exports: no personal column exists)."""
    council = get_object_or_404(Council, pk=council_id)
    rows = selectors.listed(
        Petition.objects.filter(council=council, status__in=ANSWERED_STATUSES, group__isnull=True)
    )
    table = exports.list_table(rows, name="kien-nghi-da-tra-loi")
    if response := tables.export_response(request, [table]):
        return response
    return render(
        request, "petitions/public.html", {"council": council, "rows": rows[:200], "table": table}
    )
