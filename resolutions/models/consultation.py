"""Written consultation of the delegates between sessions (xin ý kiến đại biểu).

A consultation is counted like a poll (voting.tally, voting.rules): its rules are fixed when it
is sent, and the result is computed once, at the deadline or when the committee closes it,
against all seats. The shape of secrecy is a secret poll's (voting/models.py): a secret
answer (``ConsultationBallot``) holds no delegate, no time and a random key, and who answered
is the separate ``ConsultationParticipation`` — one per delegate, enforced by the database.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meeting.models import Council, Delegate
from voting.choices import VoteThreshold


class Consultation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        OPEN = "open", _("Đang lấy ý kiến")
        CLOSED = "closed", _("Đã kết thúc")
        CANCELLED = "cancelled", _("Đã hủy")

    class Form(models.TextChoices):
        # What the delegate answers: an opinion in words only, a vote, or a choice of options
        # (each may carry an opinion in words).
        OPINION = "opinion", _("Góp ý bằng văn bản")
        YES_NO_ABSTAIN = "yes_no_abstain", _("Tán thành / Không tán thành / Không biểu quyết")
        OPTIONS = "options", _("Chọn trong danh sách")

    class Kind(models.TextChoices):
        NAMED = "named", _("Công khai")
        SECRET = "secret", _("Kín")

    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("nội dung xin ý kiến"), max_length=500)
    question = models.TextField(_("câu hỏi hoặc dự thảo"), blank=True)
    draft_file = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("dự thảo (PDF)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form = models.CharField(
        _("hình thức trả lời"), max_length=20, choices=Form.choices, default=Form.YES_NO_ABSTAIN
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.NAMED)
    options = models.JSONField(default=list, blank=True)  # [{id, label}]
    max_selections = models.PositiveSmallIntegerField(default=1)
    threshold = models.CharField(
        _("ngưỡng thông qua"),
        max_length=20,
        choices=[c for c in VoteThreshold.choices if c[0] != VoteThreshold.FRACTION],
        default=VoteThreshold.MORE_THAN_HALF,
    )
    deadline = models.DateTimeField(_("hạn trả lời"))
    # Hours before the deadline at which those who have not answered are reminded by e-mail
    # (meeting.reminders; resolutions.reminders is the provider).
    remind_hours = models.JSONField(_("nhắc trước hạn (giờ)"), default=list, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Fixed when it is sent: the council's seats (the base of the result, as the law requires).
    seats = models.PositiveIntegerField(null=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # The result, computed once at the close (voting.tally's RESULT_FIELDS).
    result = models.JSONField(default=dict, blank=True)
    passed = models.BooleanField(null=True)
    digest = models.CharField(max_length=64, blank=True)
    non_respondents = models.JSONField(default=list, blank=True)  # delegate ids
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lấy ý kiến đại biểu")
        verbose_name_plural = _("lấy ý kiến đại biểu")
        ordering = ["council", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_selections__gte=1), name="consultation_selections_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def counts_votes(self) -> bool:
        return self.form != self.Form.OPINION


class ConsultationParticipation(models.Model):
    """Who answered: one per delegate per consultation (the database says so)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="participations"
    )
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "delegate"], name="one_answer_per_delegate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} → {self.consultation}"


class ConsultationBallot(models.Model):
    """An answer. Random ids: their order says nothing of the order of answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="ballots"
    )
    # Named consultations only; always NULL for a secret one.
    delegate = models.ForeignKey(Delegate, null=True, on_delete=models.PROTECT, related_name="+")
    # "yes" / "no" / "abstain", the ids of the options chosen, or null (an opinion only).
    choice = models.JSONField(null=True)
    opinion = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    receipt = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "receipt"], name="consultation_receipt_unique"
            ),
            models.UniqueConstraint(
                fields=["consultation", "delegate"],
                condition=Q(delegate__isnull=False),
                name="one_named_answer_per_delegate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}:{self.receipt}"
