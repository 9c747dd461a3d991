"""The petitions' staff pages: thin — parse, authorise (petitions.access), call a service,
answer. The overview and the public list are in petitions.views_overview."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from documents import rendering
from documents.services import inspect_pdf
from kiosk_ui import tables
from kiosk_ui.dates import form_day
from kiosk_ui.paging import keyset_page
from kiosk_ui.refused import Typed, form_refused, form_refused_async
from meeting.agencies import officer_agencies
from meeting.models import Agency, Council
from meeting.scope import Everywhere
from petitions import access, exports, selectors, services, services_more
from petitions.models import Extension, Field, Petition, Status, VoterMeeting
from petitions.similarity import similar_petitions
from petitions.steps import handling_council
from realtime.actors import Actor
from realtime.errors import ServiceError


def _day(value: str | None) -> date | None:
    # dd/mm/yyyy whatever the browser's locale (kiosk_ui.dates); unreadable: date.bad_format.
    return form_day(value)


def _councils(user, scope) -> list[Council]:
    found = Council.objects.order_by("level", "name")
    return list(found if isinstance(scope, Everywhere) else found.filter(pk__in=scope))


def _petition(request: HttpRequest, petition_id: int) -> Petition:
    petition = (
        selectors.visible(request.user)
        .select_related("council", "handler", "field", "agency", "meeting", "group", "answer_file")
        .filter(pk=petition_id)
        .first()
    )
    if petition is None:
        raise Http404
    return petition


def _refused(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, error.message, extra_tags=f"code-{error.code}")


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    scope = selectors.Scope.of(request.user)
    filters = selectors.Filters.from_request(request.GET)
    rows = selectors.listed(selectors.filtered(selectors.visible(request.user, scope), filters))
    table = exports.list_table(rows)
    if response := tables.export_response(request, [table]):
        return response
    # Keyset pages, a capped count (kiosk_ui.paging): no COUNT nor OFFSET over 60,000 rows.
    page = keyset_page(
        rows,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        date_field="received_on",
    )
    councils = list(selectors.visible_councils(request.user, scope))
    # The lists of one council: the city's 169 councils' fields would be a thousand options.
    listed_council = filters.council or (councils[0].pk if len(councils) == 1 else None)
    return render(
        request,
        "petitions/list.html",
        {
            "page": page,
            "filters": filters,
            "table": table,
            "councils": councils,
            "statuses": Status.choices,
            "fields": Field.objects.filter(council_id=listed_council) if listed_council else [],
            "agencies": Agency.objects.filter(council_id=listed_council) if listed_council else [],
            "may_enter": bool(access.editable_councils(request.user)),
        },
    )


@login_required
def petition_new(request: HttpRequest) -> HttpResponse:
    scope = access.editable_councils(request.user)
    councils = _councils(request.user, scope)
    if not councils:
        raise PermissionDenied
    council_id = int(request.POST.get("council") or request.GET.get("council") or councils[0].pk)
    if request.method == "POST":
        try:
            petition = services.petition_create(
                council_id=council_id,
                text=request.POST.get("text", ""),
                field_id=request.POST.get("field"),
                source=request.POST.get("source", ""),
                place=request.POST.get("place", ""),
                voter_name=request.POST.get("voter_name", ""),
                voter_address=request.POST.get("voter_address", ""),
                meeting_id=request.POST.get("meeting") or None,
                received_on=_day(request.POST.get("received_on")),
                actor=Actor(user=request.user),
            )
        except ServiceError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Đã nhập kiến nghị #%(id)d.") % {"id": petition.pk})
            return redirect("petition-detail", petition_id=petition.pk)
    return render(
        request,
        "petitions/new.html",
        {
            "councils": councils,
            "council_id": council_id,
            "fields": Field.objects.filter(council_id=council_id, active=True),
            "meetings": VoterMeeting.objects.filter(council_id=council_id)[:50],
            "sources": [c for c in Petition.Source.choices if c[0] != "consolidated"],
            "chosen_meeting": request.GET.get("meeting", ""),
            "form": request.POST,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def petition_detail(request: HttpRequest, petition_id: int) -> HttpResponse:
    return _detail_page(request, petition_id)


def _detail_page(
    request: HttpRequest, petition_id: int, typed: Typed | None = None
) -> HttpResponse:
    """The petition with its forms: empty, or the refused one as typed (kiosk_ui.refused)."""
    petition = _petition(request, petition_id)
    user = request.user
    editable = access.editable_councils(user)
    # Who handles it acts (the city, once forwarded there: petitions.steps); the commune reads.
    handling = handling_council(petition)
    staff = handling in editable
    officer = petition.agency_id is not None and petition.agency_id in officer_agencies(user)
    group = petition.group
    return render(
        request,
        "petitions/detail.html",
        {
            "petition": petition,
            "staff": staff,
            "officer": officer,
            "with_city": petition.handler_id is not None,
            "may_ungroup": group is not None
            and group.status == Status.RECEIVED
            and petition.council_id in editable,
            "personal": access.sees_personal_data(user, petition.council_id),
            "members": petition.members.select_related("field").order_by("pk"),
            "similar": similar_petitions(petition) if staff and not petition.group_id else [],
            "agencies": Agency.objects.filter(council_id=handling, active=True),
            "extensions": petition.extensions.select_related("requested_by"),
            "pending_extension": petition.extensions.filter(
                decision=Extension.Decision.PENDING
            ).first(),
            "log": exports.history(petition),
            "max_bytes": settings.CHAMBER_MAX_PDF_BYTES,
            "typed": typed,
        },
    )


ACTIONS = {
    "forward": lambda p, a, post: services.petition_forward(
        petition_id=p, agency_id=post.get("agency"), due_date=_day(post.get("due_date")), actor=a
    ),
    "to_city": lambda p, a, post: services.petition_to_city(
        petition_id=p, reason=post.get("reason", ""), actor=a
    ),
    "start": lambda p, a, post: services.petition_start(petition_id=p, actor=a),
    "inform": lambda p, a, post: services.petition_inform(petition_id=p, actor=a),
    "close": lambda p, a, post: services.petition_close(petition_id=p, actor=a),
    "group": lambda p, a, post: _group(p, a, post),
    "ungroup": lambda p, a, post: services.petition_ungroup(petition_id=p, actor=a),
    "extend": lambda p, a, post: services_more.extension_request(
        petition_id=p, due_date=_day(post.get("due_date")), reason=post.get("reason", ""), actor=a
    ),
    "accept": lambda p, a, post: services_more.extension_decide(
        extension_id=post.get("extension"), accept=True, actor=a
    ),
    "refuse": lambda p, a, post: services_more.extension_decide(
        extension_id=post.get("extension"), accept=False, actor=a
    ),
}
DONE = {
    "forward": gettext_lazy("Đã chuyển kiến nghị đến cơ quan."),
    "to_city": gettext_lazy("Đã chuyển kiến nghị lên HĐND thành phố."),
    "start": gettext_lazy("Đã ghi nhận: cơ quan đang giải quyết."),
    "inform": gettext_lazy("Đã ghi nhận: đã thông tin cho cử tri."),
    "close": gettext_lazy("Đã kết thúc kiến nghị."),
    "group": gettext_lazy("Đã gộp kiến nghị."),
    "ungroup": gettext_lazy("Đã tách kiến nghị khỏi kiến nghị tổng hợp."),
    "extend": gettext_lazy("Đã gửi đề nghị gia hạn."),
    "accept": gettext_lazy("Đã đồng ý gia hạn."),
    "refuse": gettext_lazy("Đã không đồng ý gia hạn."),
}


def _group(petition_id: int, actor: Actor, post) -> Petition:
    petition = Petition.objects.filter(pk=petition_id).only("council_id", "source").first()
    if petition is None:
        raise access.not_found()
    others = post.getlist("with")
    if petition.is_group:
        return services.petitions_group(
            council_id=petition.council_id, petition_ids=others, group_id=petition_id, actor=actor
        )
    target = post.get("into")
    if target:
        return services.petitions_group(
            council_id=petition.council_id,
            petition_ids=[petition_id],
            group_id=target,
            actor=actor,
        )
    return services.petitions_group(
        council_id=petition.council_id,
        petition_ids=[petition_id, *others],
        text=post.get("text") or None,
        actor=actor,
    )


@require_POST
@login_required
def petition_act(request: HttpRequest, petition_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    try:
        result = ACTIONS[action](petition_id, Actor(user=request.user), request.POST)
    except ServiceError as error:
        return form_refused(request, error, partial(_detail_page, petition_id=petition_id))
    messages.success(request, DONE[action])
    if action == "group":
        return redirect("petition-detail", petition_id=result.pk)
    return redirect("petition-detail", petition_id=petition_id)


@login_required
async def petition_answer(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The officer's answer. Asynchronous, like the documents' upload: the PDF's intake runs
    in a thread of its own, never in the shared thread that runs every other view."""
    if request.method != "POST":
        raise Http404
    user = await request.auser()
    upload = request.FILES.get("file")
    try:
        data = (
            await asyncio.to_thread(upload.read, settings.CHAMBER_MAX_PDF_BYTES + 1)
            if (upload)
            else None
        )
        inspected = await asyncio.to_thread(inspect_pdf, data) if data is not None else None
        await sync_to_async(services.petition_answer)(
            petition_id=petition_id,
            text=request.POST.get("text", ""),
            data=data,
            inspected=inspected,
            actor=Actor(user=user),
        )
    except ServiceError as error:
        return await form_refused_async(
            request, error, partial(_detail_page, petition_id=petition_id)
        )
    await sync_to_async(messages.success)(request, _("Đã gửi trả lời."))
    return redirect("petition-detail", petition_id=petition_id)


@login_required
def answer_pdf(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = _petition(request, petition_id)
    if petition.answer_file_id is None:
        raise Http404
    path = rendering.pdf_path(petition.answer_file_id)
    response = HttpResponse(path.read_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tra-loi-kien-nghi-{petition.pk}.pdf"'
    return response


@login_required
def due_page(request: HttpRequest) -> HttpResponse:
    return render(request, "petitions/due.html", selectors.due_items(request.user))
