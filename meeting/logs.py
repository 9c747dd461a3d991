"""The hash-chained logs: a session's (``ActionLog``, meeting.chain: every action of a sitting,
which the minutes and verify-record rest on) and a council's credentials' (``CredentialLog``,
meeting.credentials: badges printed, sign-ins, PINs).

Imported by ``meeting.models``: use ``from meeting.models import ActionLog``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionLog(models.Model):
    """Who changed what in a session, and when: one row per service action."""

    session = models.ForeignKey(
        "meeting.Session", verbose_name=_("kỳ họp"), on_delete=models.PROTECT, related_name="log"
    )
    at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=64)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_delegate = models.ForeignKey(
        "meeting.Delegate",
        verbose_name=_("đại biểu thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    data = models.JSONField(_("chi tiết"), default=dict)
    previous_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["id"]
        indexes = [models.Index(fields=["session", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"


class CredentialLog(models.Model):
    """Every use of a council's delegate credentials: badge sheets printed, badge sign-ins,
    PINs set or failed, badges re-issued — who, when, from which device.

    A hash chain per council, like the session log (meeting.chain): each entry's hash covers
    its content and the hash before it (meeting.credentials.verify_credential_chain).
    """

    council = models.ForeignKey(
        "meeting.Council", verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=64)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delegate = models.ForeignKey(
        "meeting.Delegate",
        verbose_name=_("đại biểu"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    device = models.CharField(_("thiết bị"), max_length=64, blank=True, default="")
    data = models.JSONField(_("chi tiết"), default=dict)
    previous_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("nhật ký sử dụng thẻ")
        verbose_name_plural = _("nhật ký sử dụng thẻ")
        ordering = ["id"]
        indexes = [models.Index(fields=["council", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"
