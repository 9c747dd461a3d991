"""Reads of petitions: who sees which rows, the lists' filters, the overviews' aggregates.

Overviews count voters' petitions (a consolidated petition is a handle, not one more concern;
its members carry its status). Each chart is one aggregate query: nothing loads every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.lookups import In
from django.utils import timezone

from kiosk_ui.dates import query_day
from meeting.agencies import officer_agencies
from meeting.models import Agency, Council
from meeting.scope import Everywhere
from petitions import access
from petitions.models import WITH_AGENCY, Extension, Field, Petition, Status
from petitions.search_index import ANSWER, PETITION
from search.db import Unindexed
from search.selectors import search_ids


@dataclass(frozen=True)
class Scope:
    """What ``user`` reads, asked once per page (each ask is a few queries)."""

    councils: set[int] | Everywhere
    agencies: set[int]

    @classmethod
    def of(cls, user) -> Scope:
        return cls(access.readable_councils(user), set(officer_agencies(user)))


def visible(user, scope: Scope | None = None) -> QuerySet[Petition]:
    """Every petition ``user`` may read: their councils' (and those below, for the Standing
    Committee), those their council handles for a commune (the city's, petitions.steps), and
    what is addressed to their agencies (loose or consolidated ones)."""
    scope = scope or Scope.of(user)
    if isinstance(scope.councils, Everywhere):
        return Petition.objects.all()
    councils = sorted(scope.councils)
    if len(councils) > 1:
        # The city's 169 councils: SQLite (no statistics) would fetch every row by council and
        # sort them all; unindexed, it walks the list's order (petition_newest) and stops at
        # the page's 51st row (search.db.Unindexed; PostgreSQL gets the plain column).
        where = In(Unindexed("council_id"), councils) | In(Unindexed("handler_id"), councils)
    else:
        where = Q(council_id__in=councils) | Q(handler_id__in=councils)
    if scope.agencies:
        where |= Q(agency_id__in=scope.agencies, group__isnull=True)
    return Petition.objects.filter(where)


def visible_councils(user, scope: Scope | None = None) -> QuerySet[Council]:
    scope = scope or Scope.of(user)
    found = Council.objects.order_by("level", "name")
    if isinstance(scope.councils, Everywhere):
        return found
    if not scope.agencies:
        return found.filter(pk__in=scope.councils)
    return found.filter(Q(pk__in=scope.councils) | Q(agencies__in=scope.agencies)).distinct()


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
            return query_day(params.get(name))  # dd/mm/yyyy or ISO (kiosk_ui.dates)

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
    # A third of the city's rows wait on an agency: SQLite would fetch them all by status and
    # sort them; unindexed, it walks the list's order and stops at the page (see visible).
    waiting = In(Unindexed("status"), list(WITH_AGENCY))
    if filters.timeliness == "overdue":
        rows = rows.filter(waiting, due_date__lt=today)
    elif filters.timeliness == "due_soon":
        rows = rows.filter(waiting, due_date__range=(today, today + timedelta(7)))
    if filters.query:
        # The search index (search/): petitions' text and place, and agencies' answers.
        rows = rows.filter(pk__in=search_ids(kind=[PETITION, ANSWER], query=filters.query))
    return rows


def listed(rows: QuerySet[Petition]) -> QuerySet[Petition]:
    return rows.select_related("council", "field", "agency").order_by("-received_on", "-id")


# -- overviews -----------------------------------------------------------------------------


def concerns(rows: QuerySet[Petition]) -> QuerySet[Petition]:
    """Voters' petitions only: a consolidated petition's members count, not the handle."""
    return rows.exclude(source=Petition.Source.CONSOLIDATED)


@dataclass
class Overview:
    """The overview's four charts from two aggregate queries (each one pass over the rows):
    per (council or agency, status) with the timeliness counts, and per field."""

    by_status: dict[str, int]
    by_field: list[tuple[str, int]]
    # (id, name, count), most first; (id, name, on time, late, overdue, not yet due), by
    # name — the council's or the agency's id, for the rows' links to their list.
    by_key: list[tuple[int, str, int]]
    timeliness: list[tuple[int, str, int, int, int, int]]


def overview(rows: QuerySet[Petition], *, per: str) -> Overview:
    """The counts of ``rows`` (voters' petitions: ``concerns``) per ``council`` or ``agency``.

    One ``GROUP BY key, status`` (at most councils × statuses rows: 169 × 7 for the city)
    gives the status chart, the per-commune (or per-agency) chart and the timeliness chart;
    a second gives the fields. The four queries they replace each scanned every row."""
    today = timezone.localdate()
    key = "council_id" if per == "council" else "agency_id"
    answered = Q(answered_on__isnull=False)
    waiting = Q(status__in=WITH_AGENCY)
    grouped = (
        concerns(rows)
        .order_by()
        .values_list(key, "status")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_date"))),
            late=Count("pk", filter=answered & Q(answered_on__gt=F("due_date"))),
            overdue=Count("pk", filter=waiting & Q(due_date__lt=today)),
            pending=Count("pk", filter=waiting & Q(due_date__gte=today)),
        )
    )
    by_status: dict[str, int] = {}
    totals: dict[int, int] = {}
    timely: dict[int, list[int]] = {}
    for pk, status, total, *counts in grouped:
        by_status[status] = by_status.get(status, 0) + total
        if pk is None:  # per agency: not yet forwarded
            continue
        totals[pk] = totals.get(pk, 0) + total
        sums = timely.setdefault(pk, [0, 0, 0, 0])
        for n, count in enumerate(counts):
            sums[n] += count
    model = Council if per == "council" else Agency
    names = dict(model.objects.filter(pk__in=totals).values_list("pk", "name"))
    # Per field id, named here: grouping by the joined name cost SQLite three times as much.
    per_field = dict(concerns(rows).order_by().values_list("field_id").annotate(n=Count("pk")))
    by_name: dict[str, int] = {}
    for pk, name in Field.objects.filter(pk__in=per_field).values_list("pk", "name"):
        by_name[name] = by_name.get(name, 0) + per_field[pk]
    by_field = sorted(by_name.items(), key=lambda r: (-r[1], r[0]))
    return Overview(
        by_status=by_status,
        by_field=by_field,
        by_key=sorted(
            ((pk, names[pk], n) for pk, n in totals.items()), key=lambda r: (-r[2], r[1], r[0])
        ),
        timeliness=sorted(
            ((pk, names[pk], *sums) for pk, sums in timely.items()), key=lambda r: (r[1], r[0])
        ),
    )


def due_items(user) -> dict:
    """What waits on ``user``: an officer's open petitions by due date; a council's staff's
    overdue and soon-due petitions and the extensions waiting for their decision."""
    today = timezone.localdate()
    open_rows = Petition.objects.filter(status__in=WITH_AGENCY, group__isnull=True)
    agencies = officer_agencies(user)
    editable = access.editable_councils(user)
    staff = open_rows.filter(due_date__lte=today + timedelta(7))
    extensions = Extension.objects.filter(decision=Extension.Decision.PENDING)
    if not isinstance(editable, Everywhere):
        # The council handling it: its own, or the city for what a commune sent up.
        handled = Q(handler__isnull=True, council_id__in=editable) | Q(handler_id__in=editable)
        staff = staff.filter(handled)
        extensions = extensions.filter(
            Q(petition__handler__isnull=True, petition__council_id__in=editable)
            | Q(petition__handler_id__in=editable)
        )
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
