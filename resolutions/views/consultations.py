"""The Standing Committee's pages for written consultations, and the result's record page."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kiosk_ui.paging import keyset_page
from kiosk_ui.refused import Typed, form_refused_async
from meeting.access import signed_in_delegate
from meeting.models import Council, Delegate
from meeting.scope import councils_for, filter_councils, may
from realtime.actors import Actor
from realtime.errors import ServiceError
from resolutions import access, counting
from resolutions.models import Consultation
from resolutions.services import consultation as services
from resolutions.views import common
from voting.models import Poll


def _acting_councils(user) -> list[Council]:
    scope = councils_for(user, access.CONSULT)
    councils = Council.objects.order_by("level", "name")
    if not isinstance(scope, set):
        return list(councils)
    return [c for c in councils.filter(pk__in=scope) if access.may_act(user, access.CONSULT, c.pk)]


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: HttpRequest, typed: Typed | None = None) -> HttpResponse:
    """The list with the form of a new one: empty, or as typed when it was refused."""
    services.close_due_consultations()
    # Keyset pages (kiosk_ui.paging) along the primary key, newest first: every consultation
    # of a city's councils reachable (the list stopped at 200 rows).
    page = keyset_page(
        filter_councils(
            Consultation.objects.select_related("council"), request.user, access.VIEW_CONSULTATION
        ).order_by("-pk"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        date_field=None,
    )
    councils = _acting_councils(request.user)
    # Refused only to whom reads consultations nowhere: a clerk of a council that has none yet
    # gets the empty list its menu leads to, not a 403.
    readable = councils_for(request.user, access.VIEW_CONSULTATION)
    if not councils and isinstance(readable, set) and not readable:
        raise PermissionDenied
    return render(
        request,
        "resolutions/consultation_list.html",
        {
            "page": page,
            "councils": councils,
            "typed": typed,
            "forms": Consultation.Form.choices,
            "kinds": Consultation.Kind.choices,
            "thresholds": [
                (v, label)
                for v, label in Poll.Threshold.choices
                if v in (Poll.Threshold.MORE_THAN_HALF, Poll.Threshold.TWO_THIRDS)
            ],
        },
    )


@login_required
@require_POST
async def staff_create(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    try:
        data, checked = await common.pdf_upload(request)
        post = request.POST
        consultation = await sync_to_async(services.consultation_create)(
            council_id=common.parse_int(post.get("council")) or 0,
            title=post.get("title", ""),
            question=post.get("question", ""),
            form=post.get("form", Consultation.Form.YES_NO_ABSTAIN),
            kind=post.get("kind", Consultation.Kind.NAMED),
            options=post.get("options", "").splitlines(),
            max_selections=common.parse_int(post.get("max_selections")) or 1,
            threshold=post.get("threshold", Poll.Threshold.MORE_THAN_HALF),
            deadline=common.parse_moment(post.get("deadline", "")),
            remind_hours=[int(h) for h in post.get("remind_hours", "").replace(",", " ").split()
                          if h.isdigit()],
            actor=Actor(user=user),
            pdf=data,
            checked=checked,
        )
    except ServiceError as refused:
        return await form_refused_async(request, refused, _list_page)
    return redirect("consultation-staff", consultation_id=consultation.pk)


def _readable(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(
        Consultation.objects.select_related("council"), pk=consultation_id
    )
    if not may(request.user, access.VIEW_CONSULTATION, consultation.council_id):
        raise PermissionDenied
    return consultation


@login_required
@require_GET
def staff_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    services.close_due_consultations()
    consultation = _readable(request, consultation_id)
    answered = set(consultation.participations.values_list("delegate_id", flat=True))
    delegates = list(consultation.council.delegates.order_by("seat_label", "full_name"))
    return render(
        request,
        "resolutions/consultation_staff.html",
        {
            "consultation": consultation,
            "answered": [d for d in delegates if d.pk in answered],
            "waiting": [d for d in delegates if d.pk not in answered],
            "may_act": access.may_act(request.user, access.CONSULT, consultation.council_id),
        },
    )


ACTIONS = {
    "send": lambda pk, actor, post: services.consultation_send(consultation_id=pk, actor=actor),
    "close": lambda pk, actor, post: services.consultation_close(consultation_id=pk, actor=actor),
    "cancel": lambda pk, actor, post: services.consultation_cancel(
        consultation_id=pk, actor=actor, reason=post.get("reason", "")
    ),
}
DONE = {
    "send": _("Đã gửi đến các đại biểu."),
    "close": _("Đã kết thúc và kiểm đếm."),
    "cancel": _("Đã hủy đợt lấy ý kiến."),
}


@login_required
@require_POST
def staff_action(request: HttpRequest, consultation_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](consultation_id, Actor(user=request.user), request.POST)
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, str(DONE[action]))
    if action == "close":
        return redirect("consultation-record", consultation_id=consultation_id)
    return redirect("consultation-staff", consultation_id=consultation_id)


def _record_reader(request: HttpRequest, consultation: Consultation) -> bool:
    if may(request.user, access.VIEW_CONSULTATION, consultation.council_id):
        return True
    delegate = signed_in_delegate(request.session)
    return delegate is not None and delegate.council_id == consultation.council_id


@require_GET
def record(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The consultation's record: the question, the rules, the result against all seats, who
    did not answer, the digest — readable by the council's staff and delegates."""
    services.close_due_consultations()
    consultation = get_object_or_404(
        Consultation.objects.select_related("council"), pk=consultation_id
    )
    if consultation.status == Consultation.Status.DRAFT or not _record_reader(
        request, consultation
    ):
        raise PermissionDenied
    names = dict(
        Delegate.objects.filter(council_id=consultation.council_id).values_list("pk", "full_name")
    )
    ballots = consultation.ballots.all()
    opinions = sorted(
        (
            (names.get(b.delegate_id, "") if b.delegate_id else "", b.opinion)
            for b in ballots
            if b.opinion
        ),
        key=lambda pair: (pair[0], pair[1]),
    )
    labels = {"yes": _("Tán thành"), "no": _("Không tán thành"), "abstain": _("Không biểu quyết")}
    labels.update({str(o["id"]): o["label"] for o in consultation.options})
    counted = consultation.result.get("counts") or {}
    # In the form's order (the database may keep a JSON object's keys in its own).
    order = counting.as_poll(counting.rule_facts(consultation)).choice_ids
    counts = [(labels.get(choice, choice), counted.get(choice, 0)) for choice in order] if (
        counted
    ) else []
    return render(
        request,
        "resolutions/consultation_record.html",
        {
            "consultation": consultation,
            "counts": counts,
            "opinions": opinions,
            "non_respondents": [names.get(pk, "?") for pk in consultation.non_respondents],
            "answered": consultation.participations.count(),
        },
    )


@require_GET
def draft(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    if not consultation.draft_file_id or not _record_reader(request, consultation):
        raise Http404
    return common.pdf_response(consultation.draft_file_id, f"du-thao-{consultation.pk}.pdf")
