"""A council's own tamper-evident log, for what happens outside any session.

``meeting.chain`` chains the entries of one session (keyed by the session, its head on the
session row). Petitions, answers, resolutions' tasks and the like belong to a council and to no
session, so they go here: one chain per council (a ``ChainedEntry``, as the session's log and
the credential log are: meeting.chained), and a head row per council (``CouncilLogHead``)
holding the last hash and the count — so that removing the last entries is seen too, not only
editing one — and the head's seal.

The seal: the council's chain never closes (a session's is sealed at its close, meeting.chain),
so its head is sealed at every append instead, in the same transaction: an HMAC of the
council, the count and the last hash under the server's ``SECRET_KEY``, which the database
does not hold. Someone who can only write the database may delete, reorder or rewrite entries,
recompute every hash after them and move the head to match — the chain then links — but
cannot make the seal of the head they leave. (Deleting a council's whole chain with its head
row leaves nothing to check here; the tables that the chain records, resolutions.verify, then
disagree with it.)

Use it from a service, inside its transaction::

    from meeting import council_log
    council_log.append(council_id=c.pk, action="petition.forward", actor=actor, petition=p.pk)

``verify_council_log(council_id)`` lists the problems in words (``chamber verify-council`` and
``chamber verify-record`` run it). Keep personal data out of ``data``: the chain is evidence,
it may be shown to anyone who checks it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from meeting.chained import GENESIS, ChainedEntry, Head
from realtime.actors import Actor

__all__ = ["GENESIS", "CouncilLog", "CouncilLogHead", "append", "lock", "verify_council_log"]


def seal_of(*, council_id: int, count: int, last: str, secret: str | None = None) -> str:
    """The seal of a council's chain head: (council, count, last hash) under the server's key."""
    return salted_hmac(
        "chamber.council-log-seal",
        f"{council_id}:{count}:{last}",
        secret=secret or settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()


def seal_matches(head: CouncilLogHead) -> bool:
    """Whether the head's seal is the server's, under the current key or a retired one."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(
            head.seal,
            seal_of(council_id=head.council_id, count=head.count, last=head.head, secret=key),
        )
        for key in keys
    )


class CouncilLogHead(models.Model):
    """The last hash, the number of entries and the seal of one council's log; the writer
    locks it."""

    council = models.OneToOneField(
        "meeting.Council", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    head = models.CharField(max_length=64, default=GENESIS)
    count = models.PositiveIntegerField(default=0)
    # seal_of(council, count, head): made at every append, with the head it seals.
    seal = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký hội đồng")
        verbose_name_plural = _("đầu chuỗi nhật ký hội đồng")

    def __str__(self) -> str:
        return f"{self.council_id}: {self.count} {self.head[:12]}"

    def save(self, *args, **kwargs) -> None:
        # A head is born sealed (its empty chain too), whoever creates it: an unsealed head
        # is never one the application left.
        if not self.seal:
            self.seal = seal_of(council_id=self.council_id, count=self.count, last=self.head)
        super().save(*args, **kwargs)


class CouncilLog(ChainedEntry):
    council = models.ForeignKey(
        "meeting.Council", verbose_name=_("hội đồng"), on_delete=models.PROTECT, related_name="+"
    )

    chain_scope = "council"
    chain_label = "council log entry"

    class Meta(ChainedEntry.Meta):
        verbose_name = _("nhật ký của hội đồng")
        verbose_name_plural = _("nhật ký của hội đồng")
        indexes = [models.Index(fields=["council", "id"])]

    @classmethod
    def lock_head(cls, scope_id: int) -> Head:
        head = lock(scope_id)
        return Head(last=head.head, count=head.count)

    @classmethod
    def head_moved(cls, scope_id: int, head: Head, entry: CouncilLog, added: int = 1) -> None:
        count = head.count + added
        CouncilLogHead.objects.filter(pk=scope_id).update(
            head=entry.hash,
            count=count,
            seal=seal_of(council_id=scope_id, count=count, last=entry.hash),
        )


def lock(council_id: int) -> CouncilLogHead:
    """Lock the council's chain for this transaction (its head row, made sealed if new): a
    council's entries are appended one at a time, in commit order (other councils are not
    held up)."""
    CouncilLogHead.objects.get_or_create(council_id=council_id)
    return CouncilLogHead.objects.select_for_update().get(council_id=council_id)


def append(*, council_id: int, action: str, actor: Actor, **data) -> CouncilLog:
    """Append one entry to the council's chain and seal its new head; call inside the writing
    transaction."""
    return CouncilLog.append_entry(scope_id=council_id, action=action, user=actor.user, data=data)


def verify_council_log(council_id: int) -> list[str]:
    """Problems found in the council's log, in words; empty when it is intact."""
    walk = CouncilLog.walk(council_id)
    problems = list(walk.problems)
    head = CouncilLogHead.objects.filter(pk=council_id).first()
    head_hash, head_count = (head.head, head.count) if head is not None else (GENESIS, 0)
    if head_hash != walk.last or head_count != walk.count:
        problems.append(
            f"the council's log ends at entry {walk.count} with {walk.last[:12]}…, but its head "
            f"says {head_count} entries ending with {head_hash[:12]}… (entries were removed or "
            f"added)"
        )
    if head is not None and not seal_matches(head):
        problems.append(
            f"the council's log head was altered: {head_count} entries ending with "
            f"{head_hash[:16]}… is not the head the server sealed (entries were removed, "
            f"reordered or rewritten, and the chain recomputed to match)"
        )
    return problems
