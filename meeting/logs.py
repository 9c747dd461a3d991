"""The hash-chained logs: a session's (``ActionLog``, meeting.chain: every action of a sitting,
which the minutes and verify-record rest on) and a council's credentials' (``CredentialLog``,
meeting.credentials: badges printed, sign-ins, PINs). Both are ``ChainedEntry``
(meeting.chained), as the council's own log is (meeting.council_log).

Imported by ``meeting.models``: use ``from meeting.models import ActionLog``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from meeting.chained import GENESIS, ChainedEntry, Head


class ActionLog(ChainedEntry):
    """Who changed what in a session, and when: one row per service action.

    The chain's head is kept on the session row (``log_head``, ``log_count``), which the
    writer holds locked: entries of one session are appended one at a time, in commit order.
    """

    session = models.ForeignKey(
        "meeting.Session", verbose_name=_("kỳ họp"), on_delete=models.PROTECT, related_name="log"
    )
    actor_delegate = models.ForeignKey(
        "meeting.Delegate",
        verbose_name=_("đại biểu thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    chain_scope = "session"
    chain_label = "log entry"

    class Meta(ChainedEntry.Meta):
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        indexes = [models.Index(fields=["session", "id"])]

    def own_facts(self) -> dict:
        return {"session": self.session_id, "actor_delegate": self.actor_delegate_id}

    @classmethod
    def lock_head(cls, scope_id: int) -> Head:
        from meeting.models import Session

        last, count = (
            Session.objects.select_for_update()
            .values_list("log_head", "log_count")
            .get(pk=scope_id)
        )
        return Head(last=last, count=count)

    @classmethod
    def head_moved(cls, scope_id: int, head: Head, entry: ActionLog, added: int = 1) -> None:
        from meeting.models import Session

        Session.objects.filter(pk=scope_id).update(
            log_head=entry.hash, log_count=head.count + added
        )


class CredentialLog(ChainedEntry):
    """Every use of a council's delegate credentials: badge sheets printed, badge sign-ins,
    PINs set or failed, badges re-issued — who, when, from which device.

    A hash chain per council (meeting.credentials.verify_credential_chain); it keeps no head
    row: the writer locks the council's row and chains to the council's last entry.
    """

    council = models.ForeignKey(
        "meeting.Council", verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="+"
    )
    delegate = models.ForeignKey(
        "meeting.Delegate",
        verbose_name=_("đại biểu"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    device = models.CharField(_("thiết bị"), max_length=64, blank=True, default="")

    chain_scope = "council"
    chain_label = "credential entry"

    class Meta(ChainedEntry.Meta):
        verbose_name = _("nhật ký sử dụng thẻ")
        verbose_name_plural = _("nhật ký sử dụng thẻ")
        indexes = [models.Index(fields=["council", "id"])]

    def own_facts(self) -> dict:
        return {"council": self.council_id, "delegate": self.delegate_id, "device": self.device}

    @classmethod
    def lock_head(cls, scope_id: int) -> Head:
        from meeting.models import Council

        Council.objects.select_for_update().filter(pk=scope_id).values_list("pk").first()
        last = cls.objects.filter(council_id=scope_id).order_by("-id").values_list("hash").first()
        return Head(last=last[0] if last is not None else GENESIS)
