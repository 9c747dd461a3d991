"""Reads of resolutions and consultations for pages (the overview has its own module)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from meeting.models import Delegate
from resolutions.models import Consultation, ConsultationParticipation, Resolution
from voting.models import Poll


def consultations_for_delegate(delegate: Delegate) -> QuerySet[Consultation]:
    """The delegate's council's consultations that were sent, newest first, each with
    ``answered`` (whether this delegate answered)."""
    return (
        Consultation.objects.filter(council_id=delegate.council_id)
        .exclude(status__in=[Consultation.Status.DRAFT])
        .annotate(
            answered=Exists(
                ConsultationParticipation.objects.filter(
                    consultation=OuterRef("pk"), delegate=delegate
                )
            )
        )
        .order_by("-sent_at", "-pk")
    )


def waiting_for(delegate: Delegate) -> int:
    """How many open consultations wait for this delegate's answer (one query)."""
    return (
        consultations_for_delegate(delegate)
        .filter(status=Consultation.Status.OPEN, deadline__gt=timezone.now(), answered=False)
        .count()
    )


def passed_polls_waiting(councils) -> QuerySet[Poll]:
    """Polls that passed in the councils' sittings and have no resolution yet."""
    polls = Poll.objects.filter(
        status__in=[Poll.Status.CLOSED, Poll.Status.PUBLISHED],
        result__passed=True,
        result__void=False,
        resolution__isnull=True,
    ).select_related("session__council")
    return polls if councils is None else polls.filter(session__council_id__in=councils)


def resolutions_search(queryset: QuerySet[Resolution], text: str) -> QuerySet[Resolution]:
    """Diacritic-blind search of titles and symbols (the search app indexes the signed PDFs
    once it is here)."""
    text = (text or "").strip()
    if not text:
        return queryset
    from documents.folding import fold

    folded = fold(text)
    ids = [
        pk
        for pk, title in queryset.values_list("pk", "title")
        if folded in fold(title)
    ]
    number = text.split("/")[0]
    by_number = Q(number=int(number)) if number.isdigit() else Q(pk__in=[])
    return queryset.filter(Q(pk__in=ids) | by_number)
