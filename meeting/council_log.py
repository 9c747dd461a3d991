"""A council's own tamper-evident log, for what happens outside any session.

``meeting.chain`` chains the entries of one session (keyed by the session, its head on the
session row). Petitions, answers, resolutions' tasks and the like belong to a council and to no
session, so they go here: one chain per council, the same entry hash as the credential log
(``meeting.credentials``), and a head row per council (``CouncilLogHead``) holding the last hash
and the count — so that removing the last entries is seen too, not only editing one.

Use it from a service, inside its transaction::

    from meeting import council_log
    council_log.append(council_id=c.pk, action="petition.forward", actor=actor, petition=p.pk)

``verify_council_log(council_id)`` lists the problems in words (``chamber verify-council`` and
``chamber verify-record`` run it). Keep personal data out of ``data``: the chain is evidence,
it may be shown to anyone who checks it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from realtime.actors import Actor

GENESIS = "0" * 64


class CouncilLogHead(models.Model):
    """The last hash and the number of entries of one council's log; the writer locks it."""

    council = models.OneToOneField(
        "meeting.Council", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    head = models.CharField(max_length=64, default=GENESIS)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký hội đồng")
        verbose_name_plural = _("đầu chuỗi nhật ký hội đồng")

    def __str__(self) -> str:
        return f"{self.council_id}: {self.count} {self.head[:12]}"


class CouncilLog(models.Model):
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
    data = models.JSONField(_("chi tiết"), default=dict)
    previous_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("nhật ký của hội đồng")
        verbose_name_plural = _("nhật ký của hội đồng")
        ordering = ["id"]
        indexes = [models.Index(fields=["council", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"


def entry_hash(*, previous: str, entry: CouncilLog) -> str:
    content = json.dumps(
        {
            "previous": previous,
            "council": entry.council_id,
            "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "action": entry.action,
            "actor_user": entry.actor_user_id,
            "data": entry.data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()


def append(*, council_id: int, action: str, actor: Actor, **data) -> CouncilLog:
    """Append one entry to the council's chain; call inside the writing transaction.

    The head row is locked for the rest of the transaction: a council's entries are appended
    one at a time, in commit order (other councils are not held up).
    """
    with transaction.atomic():
        CouncilLogHead.objects.get_or_create(council_id=council_id)
        head = CouncilLogHead.objects.select_for_update().get(council_id=council_id)
        user = actor.user if actor.user is not None and actor.user.is_authenticated else None
        entry = CouncilLog(
            council_id=council_id,
            at=timezone.now(),
            action=action,
            actor_user=user,
            # JSON round trip: what is hashed is exactly what the database gives back later.
            data=json.loads(json.dumps(data, ensure_ascii=False, default=str)),
            previous_hash=head.head,
        )
        entry.hash = entry_hash(previous=head.head, entry=entry)
        entry.save()
        CouncilLogHead.objects.filter(pk=council_id).update(
            head=entry.hash, count=models.F("count") + 1
        )
        return entry


def verify_council_log(council_id: int) -> list[str]:
    """Problems found in the council's log, in words; empty when it is intact."""
    problems, previous, count = [], GENESIS, 0
    for entry in CouncilLog.objects.filter(council_id=council_id).order_by("id").iterator():
        count += 1
        if entry.previous_hash != previous:
            problems.append(
                f"council log entry {entry.pk} ({entry.action}): it does not follow the entry "
                f"before it (an entry was removed, inserted or reordered)"
            )
        if entry_hash(previous=entry.previous_hash, entry=entry) != entry.hash:
            problems.append(
                f"council log entry {entry.pk} ({entry.action}) was altered: its content no "
                f"longer matches its hash"
            )
        previous = entry.hash
    head = CouncilLogHead.objects.filter(pk=council_id).values_list("head", "count").first()
    head_hash, head_count = head if head is not None else (GENESIS, 0)
    if head_hash != previous or head_count != count:
        problems.append(
            f"the council's log ends at entry {count} with {previous[:12]}…, but its head says "
            f"{head_count} entries ending with {head_hash[:12]}… (entries were removed or added)"
        )
    return problems
