"""The overview of resolutions, tasks, supervision and consultations: one query per chart.

A council's page covers that council and every council under it (the city's Standing
Committee sees the whole city; a commune sees itself). Each chart is one aggregate query over
``Task`` (which carries its council, so no join fans out) or ``Resolution``/``Consultation``;
nothing loads rows into Python to count them, and the number of queries does not grow with
the number of councils (tests/resolutions/test_overview_scale.py).

At a city's size (``python -m bench.resolutions``: 169 councils, ~5,000 resolutions, ~19,000
tasks) the page draws the agencies with the most late tasks (``AGENCY_ROWS``), not the
thousand agencies of every commune (drawing them was most of the page's time); the chart's
file has them all. An export builds only the table it sends (``export_table``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kiosk_ui.charts import Chart, Row, Series
from kiosk_ui.tables import Column, Table
from meeting.models import Council
from resolutions.models import Consultation, Resolution, Task

# The agencies drawn on a page of several councils: the ones with the most late tasks.
AGENCY_ROWS = 25

STATE_SERIES = [
    ("on_track", gettext_lazy("Đúng tiến độ"), "info"),
    ("late", gettext_lazy("Quá hạn"), "bad"),
    ("done", gettext_lazy("Hoàn thành"), "good"),
]


@dataclass
class Overview:
    council: Council
    councils: list[int]
    charts: list[Chart]
    tables: list[Table]
    kpis: list[tuple[str, int, str]]
    tasks: QuerySet[Task]
    open_consultations: QuerySet[Consultation]


def _state_counts(today) -> dict:
    open_ = Q(done_on__isnull=True)
    return {
        "on_track": Count("pk", filter=open_ & Q(due_on__gte=today)),
        "late": Count("pk", filter=open_ & Q(due_on__lt=today)),
        "done": Count("pk", filter=Q(done_on__isnull=False)),
    }


def _series() -> list[Series]:
    return [Series(key, str(label), tone) for key, label, tone in STATE_SERIES]


def _link(council: Council, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"council": council.pk, **params}.items())
    return f"{reverse('resolution-overview')}?{query}#tasks"


def tasks_by_agency(
    council: Council, councils: list[int], today, limit: int | None = None
) -> Chart:
    """Per agency: on track, late, done. With ``limit``, only the agencies with the most late
    tasks (a LIMIT in the query)."""
    rows = (
        Task.objects.filter(council_id__in=councils)
        # Grouped by the id alone (the names ride along): cheaper than by three columns.
        .values("agency_id")
        .annotate(
            name=Min("agency__name"),
            council_name=Min("agency__council__name"),
            **_state_counts(today),
        )
        .order_by("-late", "name", "agency_id")
    )
    several = len(councils) > 1
    title = _("Nhiệm vụ và kiến nghị theo cơ quan thực hiện")
    if limit is not None:
        rows = rows[:limit]
        if several:
            title = _(
                "%(n)d cơ quan có nhiều nhiệm vụ quá hạn nhất (tệp tải về có đủ các cơ quan)"
            ) % {"n": limit}
    # The page's address once, not a reverse() per row (a city has a thousand agencies).
    link = _link(council, agency="{}")
    return Chart(
        name="tasks-by-agency",
        title=title,
        series=_series(),
        rows=[
            Row(
                # Every commune has its People's Committee: on the city's page, whose.
                f"{r['name']} — {r['council_name']}" if several else r["name"],
                [r["on_track"], r["late"], r["done"]],
                link.replace("{}", str(r["agency_id"])),
            )
            for r in rows
        ],
        label_heading=_("Cơ quan"),
    )


def tasks_by_council(council: Council, councils: list[int], today) -> Chart:
    rows = (
        Task.objects.filter(council_id__in=councils)
        .values("council_id", "council__name")
        .annotate(**_state_counts(today))
        .order_by("-late", "council__name")
    )
    page = reverse("resolution-overview")
    return Chart(
        name="tasks-by-council",
        title=_("Nhiệm vụ theo hội đồng (bấm để xem chi tiết)"),
        series=_series(),
        rows=[
            Row(
                r["council__name"],
                [r["on_track"], r["late"], r["done"]],
                f"{page}?council={r['council_id']}",
            )
            for r in rows
        ],
        label_heading=_("Hội đồng"),
    )


def resolutions_by_status(council: Council, councils: list[int], today) -> Chart:
    """Resolutions by how their implementation goes (a resolution is late when one of its
    tasks is; done when all are): one query — the tasks counted per resolution in a join,
    then the resolutions counted over those. (Three correlated EXISTS per resolution cost
    ~15,000 index probes at a city's size, and enough planner cost to start PostgreSQL's JIT,
    ~100 ms of compiling per request.)"""
    repealed = Q(status=Resolution.Status.REPEALED)
    per_resolution = Resolution.objects.filter(council_id__in=councils).annotate(
        n_tasks=Count("tasks"),
        n_open=Count("tasks", filter=Q(tasks__done_on__isnull=True)),
        n_late=Count("tasks", filter=Q(tasks__done_on__isnull=True, tasks__due_on__lt=today)),
    )
    counts = per_resolution.aggregate(
        repealed=Count("pk", filter=repealed),
        late=Count("pk", filter=~repealed & Q(n_late__gt=0)),
        going=Count("pk", filter=~repealed & Q(n_open__gt=0, n_late=0)),
        done=Count("pk", filter=~repealed & Q(n_tasks__gt=0, n_open=0)),
        none=Count("pk", filter=~repealed & Q(n_tasks=0)),
    )
    labels = [
        ("going", _("Đang thực hiện đúng tiến độ")),
        ("late", _("Có nhiệm vụ quá hạn")),
        ("done", _("Đã hoàn thành")),
        ("none", _("Chưa giao nhiệm vụ")),
        ("repealed", _("Đã bãi bỏ")),
    ]
    return Chart.bars(
        "resolutions-by-status",
        _("Nghị quyết theo tình hình thực hiện"),
        [(label, counts[key] or 0) for key, label in labels],
        label_heading=_("Tình hình"),
    )


def recommendations(council: Council, councils: list[int], today) -> Chart:
    # Answered: the agency has reported at least once (the report's service sets
    # ``last_report_at``; reports are never deleted) — no subquery per recommendation.
    answered = Q(last_report_at__isnull=False)
    open_ = Q(done_on__isnull=True)
    counts = Task.objects.filter(
        council_id__in=councils, kind=Task.Kind.RECOMMENDATION
    ).aggregate(
        done=Count("pk", filter=Q(done_on__isnull=False)),
        answered=Count("pk", filter=open_ & answered),
        pending=Count("pk", filter=open_ & ~answered & Q(due_on__gte=today)),
        overdue=Count("pk", filter=open_ & ~answered & Q(due_on__lt=today)),
    )
    return Chart.bars(
        "recommendations",
        _("Kiến nghị giám sát: đã trả lời và đang chờ"),
        [
            (_("Đã giải quyết xong"), counts["done"], _link(council, kind="recommendation",
                                                            state="done")),
            (_("Đã trả lời, đang giải quyết"), counts["answered"]),
            (_("Chưa trả lời, còn hạn"), counts["pending"]),
            (_("Chưa trả lời, quá hạn"), counts["overdue"], _link(council, kind="recommendation",
                                                                 state="late")),
        ],
        label_heading=_("Tình trạng"),
        tone="c2",
    )


def consultations_by_status(council: Council, councils: list[int], today) -> Chart:
    rows = (
        Consultation.objects.filter(council_id__in=councils)
        .exclude(status=Consultation.Status.DRAFT)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by("status")
    )
    labels = dict(Consultation.Status.choices)
    return Chart.bars(
        "consultations",
        _("Lấy ý kiến đại biểu"),
        [(labels.get(r["status"], r["status"]), r["n"]) for r in rows],
        label_heading=_("Trạng thái"),
        tone="c3",
    )


def task_totals(councils: list[int], today, complete: Chart | None) -> dict:
    """Every task and recommendation, and the late ones: the page's figures — summed from a
    chart that has every task (per council, or every agency of a commune), else one query."""
    if complete is not None:
        return {
            "total": complete.total,
            "late": sum(row.values[1] for row in complete.rows),
        }
    return Task.objects.filter(council_id__in=councils).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=today))
    )


def task_list(councils: list[int], today, *, agency=None, state=None, kind=None):
    tasks = (
        Task.objects.filter(council_id__in=councils)
        .select_related("agency", "council", "resolution", "programme")
        .order_by("due_on", "pk")
    )
    if agency:
        tasks = tasks.filter(agency_id=agency)
    if kind in Task.Kind.values:
        tasks = tasks.filter(kind=kind)
    if state == "late":
        tasks = tasks.filter(done_on__isnull=True, due_on__lt=today)
    elif state == "done":
        tasks = tasks.filter(done_on__isnull=False)
    elif state == "on_track":
        tasks = tasks.filter(done_on__isnull=True, due_on__gte=today)
    return tasks


def task_table(tasks) -> Table:
    """The drill-down list as a file: streamed from one query."""
    rows = tasks.values_list(
        "title", "agency__name", "council__name", "due_on", "percent", "done_on"
    )
    return Table(
        name="tasks",
        title=_("Nhiệm vụ"),
        columns=[
            Column("title", _("Nội dung")),
            Column("agency", _("Cơ quan")),
            Column("council", _("Hội đồng")),
            Column("due_on", _("Hạn")),
            Column("percent", _("Tiến độ (%)")),
            Column("done_on", _("Ngày hoàn thành")),
        ],
        rows=rows,
    )


CHARTS = {
    "resolutions-by-status": resolutions_by_status,
    "recommendations": recommendations,
    "tasks-by-agency": tasks_by_agency,
    "tasks-by-council": tasks_by_council,
    "consultations": consultations_by_status,
}


def export_table(name: str, council: Council, councils: list[int], filters: dict) -> Table | None:
    """The one table ``?export=<name>`` asks for, complete (every agency), or None."""
    today = timezone.localdate()
    if name == "tasks":
        return task_table(task_list(councils, today, **filters))
    if name not in CHARTS or (name == "tasks-by-council" and len(councils) < 2):
        return None
    return CHARTS[name](council, councils, today).table()


def build(council: Council, councils: list[int], filters: dict) -> Overview:
    today = timezone.localdate()
    by_status = resolutions_by_status(council, councils, today)
    by_agency = tasks_by_agency(council, councils, today, limit=AGENCY_ROWS)
    # The narrow charts side by side, then the stacked ones across the page.
    charts = [by_status, recommendations(council, councils, today), by_agency]
    complete = by_agency if len(by_agency.rows) < AGENCY_ROWS else None
    if len(councils) > 1:  # the city's page: every council under it, to drill into
        complete = tasks_by_council(council, councils, today)
        charts.append(complete)
    charts.append(consultations_by_status(council, councils, today))
    tasks = task_list(councils, today, **filters)
    totals = task_totals(councils, today, complete)
    kpis = [
        (_("Nghị quyết"), by_status.total, ""),
        (_("Nhiệm vụ, kiến nghị"), totals["total"], ""),
        (_("Quá hạn"), totals["late"], "bad" if totals["late"] else ""),
    ]
    open_consultations = Consultation.objects.filter(
        council_id__in=councils, status=Consultation.Status.OPEN
    ).select_related("council").order_by("deadline")
    return Overview(
        council=council,
        councils=councils,
        charts=charts,
        tables=[c.table() for c in charts] + [task_table(tasks)],
        kpis=kpis,
        tasks=tasks,
        open_consultations=open_consultations,
    )
