"""Badge sign-in for tablets and the badge sheet for clerks."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from meeting import selectors, services
from meeting.actors import Actor
from meeting.badges import badges_pdf, delegate_for_badge
from meeting.errors import ServiceError
from meeting.models import Attendance, Council, Session


def _sign_in(request: HttpRequest, typed_code: str) -> HttpResponse:
    try:
        delegate = delegate_for_badge(typed_code)
    except ServiceError as refused:
        return render(
            request,
            "kiosk_ui/signin.html",
            {"error": refused.message, "error_code": refused.code, "code": typed_code},
            status=403,
        )
    request.session.cycle_key()
    request.session["delegate_id"] = delegate.pk
    request.session["badge_key"] = delegate.badge_key
    session = selectors.live_session_for(delegate)
    if session is not None and session.status == Session.Status.IN_PROGRESS:
        # Scanning the badge in the room is the check-in, even after the chair checked out.
        services.attendance_set(
            session_id=session.pk,
            delegate_id=delegate.pk,
            status=Attendance.Status.PRESENT,
            actor=Actor(delegate=delegate),
        )
    return redirect("tablet")


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
    request.session.flush()
    return redirect("tablet-signin")


@permission_required("meeting.print_badges")
def council_badges(request: HttpRequest, council_id: int) -> HttpResponse:
    council = get_object_or_404(Council, pk=council_id)
    pdf = badges_pdf(council, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="the-dai-bieu-{council.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
