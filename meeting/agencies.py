"""Agencies a council keeps on a list, and the users who act for them.

An agency is whoever a council addresses its matters to: the ward People's Committee, its
offices, the city's departments. Each council keeps its own list (the city keeps the
departments; a commune its committee and offices, and may list a city department too). Voters'
petitions (petitions/) are forwarded to an agency; resolutions' tasks (issue 15) are assigned
to one. Imported by ``meeting.models``: use ``from meeting.models import Agency``.

An **agency officer** is a user linked to one or more agencies (``AgencyOfficer``): they sign
in like staff (``is_staff`` for the admin's login page) and see only what is addressed to their
agencies — ``officer_agencies(user)`` is the one place that says which. They hold no council
role (``Membership``): an officer acts for an agency, never for the council.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "committee", _("Ủy ban nhân dân")
        OFFICE = "office", _("Phòng, ban chuyên môn")
        CITY_DEPARTMENT = "department", _("Sở, ngành thành phố")
        OTHER = "other", _("Cơ quan, đơn vị khác")

    council = models.ForeignKey(
        "meeting.Council",
        verbose_name=_("hội đồng"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    name = models.CharField(_("tên cơ quan"), max_length=300)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.OFFICE)
    # Where reminders and overdue notices go besides the officers' own addresses.
    email = models.EmailField(_("thư điện tử"), blank=True)
    active = models.BooleanField(
        _("đang sử dụng"),
        default=True,
        help_text=_("Bỏ chọn để không giao việc mới; những việc đã giao vẫn giữ nguyên."),
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["council", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="agency_name_per_council"),
            models.CheckConstraint(condition=~Q(name=""), name="agency_has_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyOfficer(models.Model):
    """A user who answers for an agency (cán bộ đầu mối của cơ quan)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="agency_roles",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="officers"
    )

    class Meta:
        verbose_name = _("cán bộ của cơ quan")
        verbose_name_plural = _("cán bộ của cơ quan")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="officer_once_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.agency}"


def officer_agencies(user) -> set[int]:
    """The ids of the agencies ``user`` answers for (none for an inactive or anonymous user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    return set(AgencyOfficer.objects.filter(user=user).values_list("agency_id", flat=True))
