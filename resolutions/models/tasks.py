"""What a council follows up after it decides: implementation tasks of a resolution and the
recommendations of a supervision programme — one table, tracked the same way: an agency, a due
date, progress reports from the agency's officer, and a state that says on track, late or done.

``council`` is the resolution's (or programme's) council, kept on the row so that every
overview chart is one query over this table.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meeting.models import Agency, Council


class Task(models.Model):
    class Kind(models.TextChoices):
        TASK = "task", _("Nhiệm vụ thực hiện nghị quyết")
        RECOMMENDATION = "recommendation", _("Kiến nghị giám sát")

    class State(models.TextChoices):
        ON_TRACK = "on_track", _("Đúng tiến độ")
        LATE = "late", _("Quá hạn")
        DONE = "done", _("Hoàn thành")

    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    resolution = models.ForeignKey(
        "resolutions.Resolution",
        verbose_name=_("nghị quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    programme = models.ForeignKey(
        "resolutions.SupervisionProgramme",
        verbose_name=_("chương trình giám sát"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    title = models.CharField(_("nội dung"), max_length=500)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan thực hiện"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("hạn hoàn thành"))
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    last_report_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nhiệm vụ, kiến nghị")
        verbose_name_plural = _("nhiệm vụ, kiến nghị")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="task") & Q(resolution__isnull=False) & Q(programme__isnull=True))
                | (
                    Q(kind="recommendation")
                    & Q(resolution__isnull=True)
                    & Q(programme__isnull=False)
                ),
                name="task_has_one_parent",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="task_percent_range"),
        ]
        indexes = [
            models.Index(fields=["council", "done_on", "due_on"]),
            models.Index(fields=["agency", "done_on"]),
            # The overview's list, in due order, a page at a time: at a city's size (~19,000
            # rows) without it every page sorted the whole table joined to four others.
            models.Index(fields=["due_on", "id"], name="task_due_order"),
            # A resolution's tasks by state, read from the index alone (the overview counts
            # the resolutions late, going, done: ~19,000 tasks in a city's year).
            models.Index(fields=["resolution", "done_on", "due_on"], name="task_resolution_state"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        if self.done_on is not None:
            return self.State.DONE
        if self.due_on < timezone.localdate():
            return self.State.LATE
        return self.State.ON_TRACK

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    @staticmethod
    def state_expression(today: datetime.date | None = None) -> Case:
        """The state in SQL, for one-query charts: ``.annotate(state=Task.state_expression())``."""
        today = today or timezone.localdate()
        return Case(
            When(done_on__isnull=False, then=Value(Task.State.DONE)),
            When(due_on__lt=today, then=Value(Task.State.LATE)),
            default=Value(Task.State.ON_TRACK),
            output_field=models.CharField(),
        )


class ProgressReport(models.Model):
    """An agency officer's report on a task (or answer to a recommendation)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    at = models.DateTimeField(_("thời điểm"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("nội dung báo cáo"))
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    done = models.BooleanField(_("đã hoàn thành"), default=False)
    file = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("tệp đính kèm (PDF)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["task", "at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_range"),
            models.CheckConstraint(
                condition=Q(done=False) | Q(percent=100), name="report_done_is_complete"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} @ {self.at:%Y-%m-%d}: {self.percent}%"
