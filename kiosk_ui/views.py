"""The three screens. Pages carry only what is needed to connect; data comes over the socket."""

import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from documents.access import PROJECTOR_SESSIONS_KEY
from meeting import selectors
from meeting.access import projector_access, signed_in_delegate
from meeting.models import Session
from meeting.scope import filter_councils, may, may_somewhere
from voting.models import Poll


def _screen(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render a screen whose socket speaks the page's language.

    The page's language may come from the browser's Accept-Language header, but the WebSocket
    consumers read only the ``django_language`` cookie: pin the page's language in the cookie so
    that server messages (errors, status labels) arrive in the language of the page.
    """
    response = render(request, template, context)
    language = get_language()
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kiosk_ui/home.html", {})


def tablet(request: HttpRequest) -> HttpResponse:
    delegate = signed_in_delegate(request.session)
    if delegate is None:
        return redirect("tablet-signin")
    session = selectors.live_session_for(delegate)
    return _screen(request, "kiosk_ui/tablet.html", {"delegate": delegate, "session": session})


@login_required
def chair_index(request: HttpRequest) -> HttpResponse:
    if not may_somewhere(request.user, "meeting.run_session"):
        raise PermissionDenied
    sessions = filter_councils(
        Session.objects.select_related("council").exclude(status=Session.Status.CLOSED),
        request.user,
        "meeting.run_session",
    )
    return render(request, "kiosk_ui/chair_index.html", {"sessions": sessions})


@login_required
def chair(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("council"), pk=session_id)
    if not may(request.user, "meeting.run_session", session.council_id):
        raise PermissionDenied
    context = {
        "session": session,
        # The console's poll form: the rules a poll may take instead of the council's.
        "poll_bases": Poll.Base.choices,
        "poll_thresholds": [
            choice for choice in Poll.Threshold.choices if choice[0] != Poll.Threshold.FRACTION
        ],
        "poll_quorums": Poll.Quorum.choices,
        "poll_presence_quorums": Poll.PresenceQuorum.choices,
    }
    return _screen(request, "kiosk_ui/chair.html", context)


def qr_svg(content: str) -> str:
    """A QR code as an inline SVG (vector: sharp at any size; no image library).

    The fixed width and height in millimetres are dropped: the page sizes it with CSS from
    the viewBox. The markup is made here from the encoder's output, never from user input.
    """
    image = qrcode.make(
        content,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)
    return svg.replace("<svg ", '<svg class="qr-svg" role="img" aria-hidden="true" ', 1)


def projector(request: HttpRequest, session_id: int) -> HttpResponse:
    key = request.GET.get("key", "")
    refused = projector_access(session_id=session_id, key=key, user=request.user)
    if refused == 4404:
        return render(request, "kiosk_ui/refused.html", {}, status=404)
    if refused is not None:
        raise PermissionDenied
    session = Session.objects.select_related("council").get(pk=session_id)
    # The room screen may then load the page images of the documents shown to the room.
    allowed = set(request.session.get(PROJECTOR_SESSIONS_KEY, []))
    if session.pk not in allowed:
        request.session[PROJECTOR_SESSIONS_KEY] = sorted(allowed | {session.pk})
    # The gallery and the press scan the room screen for the session's public documents.
    public_url = request.build_absolute_uri(reverse("public-documents", args=[session.pk]))
    context = {
        "session": session,
        "key": key,
        "public_url": public_url,
        # Safe: the markup is the encoder's, built above from a URL of ours.
        "public_qr": mark_safe(qr_svg(public_url)),
    }
    return _screen(request, "kiosk_ui/projector.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
