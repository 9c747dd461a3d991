"""Reads of resolutions and consultations for pages (the overview has its own module)."""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from meeting.models import Delegate
from resolutions import search_index
from resolutions.models import Consultation, ConsultationParticipation, Resolution
from search.selectors import search_ids
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


def resolutions_search(
    queryset: QuerySet[Resolution], text: str, council_ids=None
) -> QuerySet[Resolution]:
    """Diacritic-blind search of numbers, titles and the signed PDFs' text (search index)."""
    if not (text or "").strip():
        return queryset
    return queryset.filter(
        pk__in=search_ids(kind=search_index.KIND, query=text, council_ids=council_ids)
    )


PICK_LIMIT = 50
# A number as the clerk types it: "12", "12/NQ", "12/NQ-HĐND".
SYMBOL = re.compile(r"^\s*(\d{1,6})\s*(/\S*)?\s*$")


def targets_to_pick(council_id: int, text: str = "") -> QuerySet[Resolution]:
    """The council's own resolutions that an amendment or a repeal may name: not repealed,
    matching ``text`` (number or title, diacritic-blind), newest first."""
    found = Resolution.objects.filter(council_id=council_id, kind=Resolution.Kind.RESOLUTION)
    found = found.exclude(status=Resolution.Status.REPEALED)
    symbol = SYMBOL.match(text or "")
    if symbol and symbol.group(2):  # "12/NQ", "12/NQ-HĐND": that number
        found = found.filter(number=int(symbol.group(1)))
    elif symbol:  # "12": that number, or a title that says 12 (a year, an article)
        words = search_ids(kind=search_index.KIND, query=text, council_ids=[council_id])
        found = found.filter(Q(number=int(symbol.group(1))) | Q(pk__in=words))
    else:
        found = resolutions_search(found, text, council_ids=[council_id])
    return found.order_by("-year", "-number")[:PICK_LIMIT]


def adopted_in_session(session_id: int) -> list[Resolution]:
    """What a sitting adopted: the resolutions of its polls and its conclusions (the record
    page lists them)."""
    return list(
        Resolution.objects.filter(session_id=session_id).order_by("kind", "year", "number")
    )
