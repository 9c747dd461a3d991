"""Reads of petitions: who sees which rows, the lists' filters, the overviews' aggregates.

Overviews count voters' petitions (a consolidated petition is a handle, not one more concern;
its members carry its status). Each chart is one aggregate query: nothing loads every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from meeting.agencies import officer_agencies
from meeting.models import Council
from meeting.scope import Everywhere
from petitions import access
from petitions.models import WITH_AGENCY, Extension, Petition, Status
from petitions.search_index import ANSWER, PETITION
from search.selectors import search_ids


def visible(user) -> QuerySet[Petition]:
    """Every petition ``user`` may read: their councils' (and those below, for the Standing
    Committee), and what is addressed to their agencies (loose or consolidated ones)."""
    councils = access.readable_councils(user)
    if isinstance(councils, Everywhere):
        return Petition.objects.all()
    where = Q(council_id__in=councils)
    agencies = officer_agencies(user)
    if agencies:
        where |= Q(agency_id__in=agencies, group__isnull=True)
    return Petition.objects.filter(where)


def visible_councils(user) -> QuerySet[Council]:
    councils = access.readable_councils(user)
    found = Council.objects.order_by("level", "name")
    if isinstance(councils, Everywhere):
        return found
    agencies = officer_agencies(user)
    return found.filter(Q(pk__in=councils) | Q(agencies__in=agencies)).distinct()


@dataclass
class Filters:
    council: int | None = None
    status: str = ""
    field: int | None = None
    agency: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""
    timeliness: str = ""  # overdue | due_soon

    @classmethod
    def from_request(cls, params) -> Filters:
        def number(name):
            value = params.get(name, "")
            return int(value) if value.isdigit() else None

        def day(name):
            try:
                return date.fromisoformat(params.get(name, ""))
            except ValueError:
                return None

        status = params.get("status", "")
        return cls(
            council=number("council"),
            status=status if status in Status.values else "",
            field=number("field"),
            agency=number("agency"),
            date_from=day("from"),
            date_to=day("to"),
            query=params.get("q", "").strip()[:200],
            timeliness=params.get("timeliness", "")
            if params.get("timeliness") in ("overdue", "due_soon")
            else "",
        )


def period_only(rows: QuerySet[Petition], filters: Filters) -> QuerySet[Petition]:
    if filters.council:
        rows = rows.filter(council_id=filters.council)
    if filters.date_from:
        rows = rows.filter(received_on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(received_on__lte=filters.date_to)
    return rows


def filtered(rows: QuerySet[Petition], filters: Filters) -> QuerySet[Petition]:
    rows = period_only(rows, filters)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.field:
        rows = rows.filter(field_id=filters.field)
    if filters.agency:
        rows = rows.filter(agency_id=filters.agency)
    today = timezone.localdate()
    if filters.timeliness == "overdue":
        rows = rows.filter(status__in=WITH_AGENCY, due_date__lt=today)
    elif filters.timeliness == "due_soon":
        rows = rows.filter(status__in=WITH_AGENCY, due_date__range=(today, today + timedelta(7)))
    if filters.query:
        # The search index (search/): petitions' text and place, and agencies' answers.
        rows = rows.filter(
            Q(pk__in=search_ids(kind=PETITION, query=filters.query))
            | Q(pk__in=search_ids(kind=ANSWER, query=filters.query))
        )
    return rows


def listed(rows: QuerySet[Petition]) -> QuerySet[Petition]:
    return rows.select_related("council", "field", "agency").order_by("-received_on", "-id")


# -- overviews -----------------------------------------------------------------------------


def concerns(rows: QuerySet[Petition]) -> QuerySet[Petition]:
    """Voters' petitions only: a consolidated petition's members count, not the handle."""
    return rows.exclude(source=Petition.Source.CONSOLIDATED)


def by_status(rows) -> dict[str, int]:
    return dict(concerns(rows).order_by().values_list("status").annotate(n=Count("pk")))


def by_field(rows) -> list[tuple[str, int]]:
    return list(
        concerns(rows).order_by().values_list("field__name").annotate(n=Count("pk")).order_by("-n")
    )


def by_council_or_agency(rows, *, per: str) -> list[tuple[str, int]]:
    key = "council__name" if per == "council" else "agency__name"
    rows = concerns(rows).order_by()
    if per != "council":
        rows = rows.filter(agency__isnull=False)
    return list(rows.values_list(key).annotate(n=Count("pk")).order_by("-n", key))


def timeliness(rows, *, per: str) -> list[tuple[str, int, int, int, int]]:
    """(name, on time, late, overdue, not yet due) per ``council`` or per ``agency``."""
    today = timezone.localdate()
    key = "council__name" if per == "council" else "agency__name"
    answered = Q(answered_on__isnull=False)
    waiting = Q(status__in=WITH_AGENCY)
    rows = concerns(rows).order_by()
    if per != "council":
        rows = rows.filter(agency__isnull=False)
    return list(
        rows.values_list(key)
        .annotate(
            on_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_date"))),
            late=Count("pk", filter=answered & Q(answered_on__gt=F("due_date"))),
            overdue=Count("pk", filter=waiting & Q(due_date__lt=today)),
            pending=Count("pk", filter=waiting & Q(due_date__gte=today)),
            total=Count("pk"),
        )
        .values_list(key, "on_time", "late", "overdue", "pending")
        .order_by(key)
    )


def due_items(user) -> dict:
    """What waits on ``user``: an officer's open petitions by due date; a council's staff's
    overdue and soon-due petitions and the extensions waiting for their decision."""
    today = timezone.localdate()
    open_rows = Petition.objects.filter(status__in=WITH_AGENCY, group__isnull=True)
    agencies = officer_agencies(user)
    editable = access.editable_councils(user)
    staff = open_rows.filter(due_date__lte=today + timedelta(7))
    if not isinstance(editable, Everywhere):
        staff = staff.filter(council_id__in=editable)
    extensions = Extension.objects.filter(decision=Extension.Decision.PENDING)
    if not isinstance(editable, Everywhere):
        extensions = extensions.filter(petition__council_id__in=editable)
    related = ("council", "agency", "field")
    return {
        "today": today,
        "agency_items": list(
            open_rows.filter(agency_id__in=agencies).select_related(*related).order_by("due_date")
        )
        if agencies
        else [],
        "council_items": list(staff.select_related(*related).order_by("due_date")[:200])
        if editable
        else [],
        "extensions": list(
            extensions.select_related("petition__agency", "petition__council").order_by(
                "requested_at"
            )
        )
        if editable
        else [],
    }
