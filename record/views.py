"""The record of a session: printable page, minutes PDF, exports, verification, archive."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from meeting.models import Council, Session
from meeting.scope import councils_for, may
from record import archive, exports
from record.minutes import for_display, minutes_pdf
from record.selectors import session_record
from resolutions.selectors import adopted_in_session
from search.folding import fold
from voting.choices import choice_labels
from voting.models import Ballot, Poll, PollResult


def _session_for(request: HttpRequest, session_id: int) -> Session:
    """A closed session's record is public; a live one is the staff's until it closes."""
    session = get_object_or_404(Session.objects.select_related("council"), pk=session_id)
    staff = may(request.user, "meeting.view_session", session.council_id)
    if session.status != Session.Status.CLOSED and not staff:
        raise PermissionDenied
    return session


def record_page(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    record = for_display(session_record(session))
    # The resolutions and conclusions adopted from this sitting, each beside its vote too.
    adopted = adopted_in_session(session.pk)
    by_poll = {resolution.poll_id: resolution for resolution in adopted if resolution.poll_id}
    for entry in record["polls"]:
        entry["resolution"] = by_poll.get(entry["poll"]["id"])
    return render(request, "record/record.html", {"record": record, "adopted": adopted})


def minutes(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    path = reverse("record-verify", args=[session.pk])
    public = settings.CHAMBER_PUBLIC_URL
    verify_url = f"{public}{path}" if public else request.build_absolute_uri(path)
    # A Vietnamese legal document, whatever the reader's language: the same bytes for all.
    with translation.override("vi"):
        pdf = minutes_pdf(session_record(session), verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-ky-hop-{session.pk}.pdf"'
    return response


def _download(content: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export(request: HttpRequest, session_id: int, name: str) -> HttpResponse:
    session = _session_for(request, session_id)
    record = session_record(session)
    if name == "record.json":
        return _download(
            json.dumps(record, ensure_ascii=False, indent=2),
            f"ho-so-ky-hop-{session.pk}.json",
            "application/json; charset=utf-8",
        )
    makers = {
        "attendance.csv": exports.attendance_csv,
        "polls.csv": exports.polls_csv,
        "votes.csv": exports.named_votes_csv,
    }
    if name not in makers:
        raise Http404(name)
    return _download(makers[name](record), f"{session.pk}-{name}", "text/csv; charset=utf-8")


def verify(request: HttpRequest, session_id: int) -> HttpResponse:
    """The page the minutes' QR code opens: the final hash, and a delegate's receipt check.

    A secret ballot's receipt proves that the ballot was counted and is in the poll's digest,
    never which choice it carries: anyone holding the receipt (a photo of the tablet, a
    coercer) may open this page. A named ballot's choice is public anyway, and shown.
    """
    session = get_object_or_404(Session.objects.select_related("council"), pk=session_id)
    receipt = "".join(ch for ch in request.GET.get("receipt", "").lower() if ch.isalnum())
    found = None
    if receipt:
        ballot = (
            Ballot.objects.filter(poll__session=session, receipt=receipt)
            .select_related("poll")
            .first()
        )
        found = {"receipt": receipt, "ballot": ballot}
        if ballot is not None and ballot.poll.kind == Poll.Kind.SECRET:
            result = PollResult.objects.filter(poll=ballot.poll).first()
            found["secret"] = True
            found["digest"] = result.digest if result is not None else None
        elif ballot is not None:
            labels = choice_labels(ballot.poll.choice_type, ballot.poll.options)
            chosen = [ballot.choice] if isinstance(ballot.choice, str) else ballot.choice
            found["choice"] = ", ".join(labels.get(c, c) for c in chosen) or _("(phiếu trắng)")
    return render(
        request,
        "record/verify.html",
        {"session": session, "found": found, "closed": session.status == Session.Status.CLOSED},
    )


def archive_page(request: HttpRequest) -> HttpResponse:
    """Closed sessions of a council and its communes, searchable without diacritics."""
    councils = Council.objects.order_by("level", "name")
    council_id = request.GET.get("council")
    council = (
        councils.filter(pk=council_id).first() if council_id and council_id.isdigit() else None
    )
    query = request.GET.get("q", "").strip()
    # Restricted documents only of the councils the staff user reads (meeting.scope).
    results = archive.search(
        council=council,
        query=query,
        include_restricted=councils_for(request.user, "meeting.view_session"),
    )
    return render(
        request,
        "record/archive.html",
        {
            "councils": councils,
            "council": council,
            "query": query,
            "folded": fold(query),
            "results": results,
        },
    )
