"""Badge sign-in for tablets and the badge sheet for clerks."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from meeting import credentials, selectors, services
from meeting.badges import badges_pdf, delegate_for_badge
from meeting.models import Attendance, Council, Delegate, Session
from meeting.scope import may
from meeting.tablet_pass import pass_forget, pass_issue
from realtime.actors import Actor
from realtime.errors import ServiceError

# The browser's session key holding a badge that still waits for its PIN.
PENDING = "pending_badge"


def _signin_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "kiosk_ui/signin.html", context, status=status)


def _sign_in(request: HttpRequest, typed_code: str) -> HttpResponse:
    try:
        delegate = delegate_for_badge(typed_code)
    except ServiceError as refused:
        return _signin_page(
            request,
            {"error": refused.message, "error_code": refused.code, "code": typed_code},
            status=403,
        )
    device = credentials.device_of(request)
    if delegate.council.require_pin:
        # Not signed in yet: the badge waits in the browser's session for the PIN.
        request.session.cycle_key()
        request.session.pop("delegate_id", None)
        request.session[PENDING] = {"delegate_id": delegate.pk, "badge_key": delegate.badge_key}
        response = _signin_page(request, _pin_context(delegate))
    else:
        response = _complete_sign_in(request, delegate, device)
    credentials.remember_device(response, device)
    return response


def _pin_context(delegate, **extra) -> dict:
    return {
        "pin_mode": "enter" if delegate.pin_hash else "set",
        "pin_delegate": delegate,
        "pin_min": credentials.PIN_MIN,
        "pin_max": credentials.PIN_MAX,
        **extra,
    }


def _complete_sign_in(request: HttpRequest, delegate, device) -> HttpResponse:
    request.session.cycle_key()
    request.session.pop(PENDING, None)
    request.session["delegate_id"] = delegate.pk
    request.session["badge_key"] = delegate.badge_key
    request.session["device_id"] = device.id
    credentials.badge_sign_in_record(delegate=delegate, device=device)
    session = selectors.live_session_for(delegate)
    if session is not None and session.status == Session.Status.IN_PROGRESS:
        # Scanning the badge in the room is the check-in, even after the chair checked out:
        # an explicit arrival (a tablet's reconnect is not one).
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegate.pk,
            status=Attendance.Status.PRESENT,
            actor=Actor(delegate=delegate),
            arrival=True,
        )
    response = redirect("tablet")
    # The tablet's socket authenticates with this pass, without a query (meeting.tablet_pass).
    pass_issue(
        response, delegate=delegate, device_id=device.id, login=request.session.session_key
    )
    return response


@require_POST
def tablet_pin(request: HttpRequest) -> HttpResponse:
    """The second step of a badge sign-in where the council requires a PIN."""
    pending = request.session.get(PENDING) or {}
    delegate = Delegate.objects.select_related("council").filter(
        pk=pending.get("delegate_id"), badge_key=pending.get("badge_key", "")
    ).first()
    if delegate is None:
        return redirect("tablet-signin")
    device = credentials.device_of(request)
    pin = request.POST.get("pin", "")
    try:
        if delegate.pin_hash:
            delegate = credentials.pin_check(delegate_id=delegate.pk, pin=pin, device=device)
        else:
            delegate = credentials.pin_set(
                delegate_id=delegate.pk, pin=pin, pin2=request.POST.get("pin2", ""), device=device
            )
    except ServiceError as refused:
        delegate.refresh_from_db()
        context = _pin_context(delegate, error=refused.message, error_code=refused.code)
        return _signin_page(request, context, status=403 if delegate.pin_hash else 400)
    return _complete_sign_in(request, delegate, device)


@require_http_methods(["GET", "POST"])
def tablet_sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _sign_in(request, request.POST.get("code", ""))
    return render(request, "kiosk_ui/signin.html", {})


def tablet_sign_in_with_badge(request: HttpRequest, token: str) -> HttpResponse:
    """The URL in the badge's QR code."""
    return _sign_in(request, token)


@require_POST
def tablet_sign_out(request: HttpRequest) -> HttpResponse:
    request.session.flush()  # the pass's sign-in ends with it (meeting.tablet_pass)
    response = redirect("tablet-signin")
    pass_forget(response)
    return response


@permission_required("meeting.print_badges")
def council_badges(request: HttpRequest, council_id: int) -> HttpResponse:
    council = get_object_or_404(Council, pk=council_id)
    if not may(request.user, "meeting.print_badges", council.pk):
        raise PermissionDenied
    pdf = badges_pdf(council, base_url=request.build_absolute_uri("/"))
    # The sheet signs every delegate in: who took it, when and where is on the record.
    credentials.credential_log(
        council_id=council.pk,
        action="badge.sheet",
        user=request.user,
        device=credentials.device_of(request),
        delegates=council.delegates.count(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="the-dai-bieu-{council.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
