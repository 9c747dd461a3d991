"""A delegate answers a written consultation from the tablet or any browser, signed in with
their badge (meeting.views: the badge's sign-in keeps ``delegate_id`` in the browser's session).

Plain HTML forms, no socket: between sessions there is no sitting to connect to.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from meeting.access import signed_in_delegate
from realtime.errors import ServiceError
from resolutions import selectors
from resolutions.models import Consultation
from resolutions.services import consultation as services

COMMANDS = "consultation_commands"  # {consultation id: the answer's command id}
RECEIPTS = "consultation_receipts"  # {consultation id: the receipt shown after answering}


def _signed_in(request: HttpRequest):
    return signed_in_delegate(request.session)


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    delegate = _signed_in(request)
    if delegate is None:
        return redirect("tablet-signin")
    services.close_due_consultations()  # a deadline passed while no one was looking
    consultations = list(selectors.consultations_for_delegate(delegate)[:50])
    return render(
        request,
        "resolutions/delegate_list.html",
        {"delegate": delegate, "consultations": consultations},
    )


@require_http_methods(["GET", "POST"])
def consultation_answer(request: HttpRequest, consultation_id: int) -> HttpResponse:
    delegate = _signed_in(request)
    if delegate is None:
        return redirect("tablet-signin")
    consultation = (
        selectors.consultations_for_delegate(delegate).filter(pk=consultation_id).first()
    )
    if consultation is None:
        raise Http404
    key = str(consultation.pk)
    commands = request.session.get(COMMANDS, {})
    # The answer's command id, made once per browser: a form sent twice answers once.
    if key not in commands:
        commands[key] = str(uuid.uuid4())
        request.session[COMMANDS] = commands
    context = {
        "delegate": delegate,
        "consultation": consultation,
        "receipt": request.session.get(RECEIPTS, {}).get(key),
        "record_url": reverse("consultation-record", args=[consultation.pk]),
    }
    status = 200
    if request.method == "POST":
        if consultation.form == Consultation.Form.OPTIONS:
            choice = request.POST.getlist("option")
        else:
            choice = request.POST.get("choice") or None
        try:
            answered = services.consultation_answer(
                consultation_id=consultation.pk,
                delegate=delegate,
                choice=choice,
                opinion=request.POST.get("opinion", ""),
                command_id=commands[key],
            )
        except ServiceError as refused:
            context.update(error=refused.message, error_code=refused.code)
            status = 409 if refused.code.endswith(("not_open", "already_answered")) else 400
        else:
            receipts = request.session.get(RECEIPTS, {})
            receipts[key] = answered["receipt"]
            request.session[RECEIPTS] = receipts
            return redirect("consultation-answer", consultation_id=consultation.pk)
    response = render(request, "resolutions/delegate_answer.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
