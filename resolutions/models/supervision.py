"""Supervision programmes (giám sát chuyên đề, thường xuyên): the council, the subject, the
period, the delegates of the team, the agencies supervised, the report. Its recommendations
are ``Task`` rows of kind ``recommendation`` (resolutions.models.tasks)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from meeting.models import Agency, Council, Delegate


class SupervisionProgramme(models.Model):
    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("Giám sát chuyên đề")
        REGULAR = "regular", _("Giám sát thường xuyên")

    council = models.ForeignKey(
        Council,
        verbose_name=_("hội đồng"),
        on_delete=models.PROTECT,
        related_name="supervision_programmes",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.THEMATIC)
    subject = models.CharField(_("nội dung giám sát"), max_length=500)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    team = models.ManyToManyField(
        Delegate, verbose_name=_("đoàn giám sát"), related_name="supervision_teams", blank=True
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan được giám sát"), related_name="+", blank=True
    )
    report_file = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("báo cáo kết quả giám sát (PDF)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_on = models.DateField(_("ngày báo cáo"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chương trình giám sát")
        verbose_name_plural = _("chương trình giám sát")
        ordering = ["council", "-period_start", "pk"]
        # The programmes' list, newest first, page by page (kiosk_ui.paging).
        indexes = [models.Index(fields=["period_start", "id"], name="supervision_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="supervision_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.subject
