"""Meetings with voters, voters' petitions, their handling by agencies, and consolidation.

Only ``petitions.services`` writes these rows. A petition's voter name and address are
personal data: ``petitions.access.sees_personal_data`` says who may read them, and no export
carries them (petitions.exports).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from documents.models import StoredFile
from meeting.models import Agency, Council, Delegate


class Field(models.Model):
    """A field of petitions (lĩnh vực): a list each council keeps."""

    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("lĩnh vực"), max_length=200)
    active = models.BooleanField(_("đang sử dụng"), default=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["council", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="field_name_per_council"),
        ]

    def __str__(self) -> str:
        return self.name


class VoterMeeting(models.Model):
    """A meeting with voters (tiếp xúc cử tri)."""

    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("ngày tiếp xúc"))
    place = models.CharField(_("địa điểm"), max_length=300)
    delegates = models.ManyToManyField(
        Delegate, verbose_name=_("đại biểu tham dự"), related_name="+", blank=True
    )
    voter_count = models.PositiveIntegerField(_("số cử tri tham dự"), default=0)
    minutes = models.ForeignKey(
        StoredFile,
        verbose_name=_("biên bản"),
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
        verbose_name = _("cuộc tiếp xúc cử tri")
        verbose_name_plural = _("cuộc tiếp xúc cử tri")
        ordering = ["council", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%d/%m/%Y} — {self.place}"


class Status(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    FORWARDED = "forwarded", _("Đã chuyển cơ quan")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    ANSWERED = "answered", _("Đã trả lời")
    INFORMED = "informed", _("Đã thông tin cử tri")
    CLOSED = "closed", _("Đã kết thúc")
    TO_CITY = "to_city", _("Chuyển HĐND thành phố")


# A petition's status only moves forward, along these edges (petitions.services).
OPEN_STATUSES = (Status.RECEIVED, Status.FORWARDED, Status.IN_PROGRESS)
WITH_AGENCY = (Status.FORWARDED, Status.IN_PROGRESS)
ANSWERED_STATUSES = (Status.ANSWERED, Status.INFORMED, Status.CLOSED)


class Petition(models.Model):
    class Source(models.TextChoices):
        VOTER_MEETING = "meeting", _("Tiếp xúc cử tri")
        RECEPTION = "reception", _("Tiếp công dân")
        LETTER = "letter", _("Đơn, thư")
        PORTAL = "portal", _("Cổng 1022")
        CONSOLIDATED = "consolidated", _("Tổng hợp từ nhiều kiến nghị")

    council = models.ForeignKey(
        Council, verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("nội dung kiến nghị"))
    # The text folded (no diacritics, lower case: search.folding): search and similarity.
    folded = models.TextField(editable=False, default="")
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="petitions"
    )
    place = models.CharField(_("địa bàn"), max_length=300, blank=True)
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    meeting = models.ForeignKey(
        VoterMeeting,
        verbose_name=_("cuộc tiếp xúc cử tri"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    received_on = models.DateField(_("ngày tiếp nhận"))
    # Personal data: staff of this council only; never exported.
    voter_name = models.CharField(_("họ tên cử tri"), max_length=200, blank=True)
    voter_address = models.CharField(_("địa chỉ cử tri"), max_length=300, blank=True)

    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    # A grouped petition follows its consolidated petition (``group``) in every step.
    group = models.ForeignKey(
        "self",
        verbose_name=_("thuộc kiến nghị tổng hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # The council handling it when not its own: the city, once a commune forwarded it there
    # (petitions.steps). Its agency, due date and answer are then the city's.
    handler = models.ForeignKey(
        Council,
        verbose_name=_("hội đồng xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    due_date = models.DateField(_("hạn trả lời"), null=True, blank=True)
    forwarded_on = models.DateField(_("ngày chuyển"), null=True, blank=True)
    answer_text = models.TextField(_("nội dung trả lời"), blank=True)
    answer_file = models.ForeignKey(
        StoredFile,
        verbose_name=_("văn bản trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    informed_on = models.DateField(_("ngày thông tin cử tri"), null=True, blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kiến nghị")
        verbose_name_plural = _("kiến nghị")
        ordering = ["-received_on", "-id"]
        permissions = [
            ("view_voter", _("Xem họ tên, địa chỉ cử tri (hội đồng của mình)")),
        ]
        indexes = [
            models.Index(fields=["council", "status"]),
            # The lists' order (newest first, then id): walked backwards, LIMIT 50 stops early
            # instead of sorting every visible row (EXPLAIN in README, petitions' figures).
            models.Index(fields=["received_on", "id"], name="petition_newest"),
            models.Index(fields=["council", "received_on", "id"], name="petition_council_newest"),
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="petition_has_text"),
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | ~Q(status__in=[*WITH_AGENCY]),
                name="petition_with_agency_has_one",
            ),
            models.CheckConstraint(
                condition=Q(group__isnull=True) | ~Q(source="consolidated"),
                name="petition_groups_do_not_nest",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:60]}"

    @property
    def is_group(self) -> bool:
        return self.source == self.Source.CONSOLIDATED


class Extension(models.Model):
    """An agency's request for more time; the council accepts or refuses it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Chờ quyết định")
        ACCEPTED = "accepted", _("Đồng ý")
        REFUSED = "refused", _("Không đồng ý")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    reason = models.TextField(_("lý do"))
    previous_due = models.DateField(_("hạn cũ"))
    requested_due = models.DateField(_("hạn đề nghị"))
    decision = models.CharField(
        _("quyết định"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(decision="pending"),
                name="one_pending_extension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.requested_due}"
