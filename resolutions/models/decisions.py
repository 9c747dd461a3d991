"""Resolutions and conclusions of a council.

A resolution is adopted from a poll that passed in a sitting, from a written consultation that
was adopted between sessions, or (a conclusion) from a sitting itself. Its number is the
council's own sequence per year and kind ("15/NQ-HĐND"); the database keeps it unique. What
was adopted — number, date, title, the vote and its digest, the signed PDF — is appended to the
council's own chain (``meeting.council_log``), which ``chamber verify-record`` checks.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meeting.models import Council, Session


class Resolution(models.Model):
    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Nghị quyết")
        CONCLUSION = "conclusion", _("Kết luận")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("Đang có hiệu lực")
        AMENDED = "amended", _("Đã được sửa đổi, bổ sung")
        REPEALED = "repealed", _("Đã bãi bỏ")

    class Relation(models.TextChoices):
        NONE = "", _("Không")
        AMENDS = "amends", _("Sửa đổi, bổ sung")
        REPEALS = "repeals", _("Bãi bỏ")

    # The symbol printed after the number: "15/NQ-HĐND", "3/KL-HĐND".
    SYMBOLS = {Kind.RESOLUTION: "NQ", Kind.CONCLUSION: "KL"}

    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="resolutions"
    )
    kind = models.CharField(
        _("loại"), max_length=12, choices=Kind.choices, default=Kind.RESOLUTION
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))
    adopted_on = models.DateField(_("ngày thông qua"))
    title = models.CharField(_("trích yếu"), max_length=500)
    status = models.CharField(
        _("hiệu lực"), max_length=12, choices=Status.choices, default=Status.IN_FORCE
    )
    # Where it was adopted: one of a poll, a consultation, or (a conclusion) a sitting.
    poll = models.OneToOneField(
        "voting.Poll",
        verbose_name=_("biểu quyết thông qua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolution",
    )
    consultation = models.OneToOneField(
        "resolutions.Consultation",
        verbose_name=_("lấy ý kiến thông qua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolution",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("kỳ họp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    # The earlier resolution this one amends or repeals.
    relation = models.CharField(
        _("quan hệ với nghị quyết trước"),
        max_length=10,
        choices=Relation.choices,
        blank=True,
        default="",
    )
    target = models.ForeignKey(
        "self",
        verbose_name=_("nghị quyết được sửa đổi hoặc bãi bỏ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changed_by",
    )
    signed_file = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("bản ký số (PDF)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nghị quyết, kết luận")
        verbose_name_plural = _("nghị quyết, kết luận")
        ordering = ["council", "-year", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "kind", "year", "number"], name="resolution_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gt=0), name="resolution_number_positive"
            ),
            # Adopted by a vote of a sitting or by a consultation, never both.
            models.CheckConstraint(
                condition=Q(poll__isnull=True) | Q(consultation__isnull=True),
                name="resolution_one_source",
            ),
            models.CheckConstraint(
                condition=(Q(relation="") & Q(target__isnull=True))
                | (~Q(relation="") & Q(target__isnull=False)),
                name="resolution_relation_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "year"]),
            # The conclusions' list, newest first, page by page (kiosk_ui.paging).
            models.Index(fields=["kind", "adopted_on", "id"], name="resolution_kind_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} — {self.title}"

    @property
    def symbol(self) -> str:
        return f"{self.number}/{self.SYMBOLS[self.kind]}-HĐND"
