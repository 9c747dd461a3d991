"""One hash-chained log, three chains: a session's actions (``ActionLog``, meeting.chain), a
council's credentials (``CredentialLog``, meeting.credentials) and a council's work between
sittings (``CouncilLog``, meeting.council_log).

Each entry's hash covers its content and the hash before it, so changing, removing or
reordering an entry breaks the chain from there on. The three differ only in what names their
chain (a session or a council), the fields of their own kind that the hash also covers, and
where they keep the chain's head; the hash, the append and the walk of the check are here,
once. The JSON hashed is the same, byte for byte, as before the three shared it: records made
earlier still verify (tests/meeting/test_chained.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import ClassVar, Self

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


@dataclass(frozen=True)
class Head:
    """A chain's head as the writer found it, locked: the last hash, and the number of entries
    where the chain keeps it."""

    last: str
    count: int | None = None


@dataclass(frozen=True)
class Walk:
    """What walking a chain found: problems in words, the entries counted, the last hash."""

    problems: list[str]
    count: int
    last: str


class ChainedEntry(models.Model):
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

    # The foreign key that names the chain ("session" or "council").
    chain_scope: ClassVar[str]
    # How a problem names an entry: "log entry 12 (poll.open) was altered …".
    chain_label: ClassVar[str]

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"

    # -- what each chain says of itself ----------------------------------------------------

    def own_facts(self) -> dict:
        """The fields of this kind of entry that the hash covers, besides the common ones."""
        return {self.chain_scope: getattr(self, f"{self.chain_scope}_id")}

    @classmethod
    def lock_head(cls, scope_id: int) -> Head:
        """Lock the chain for this transaction (one writer at a time) and give its head."""
        raise NotImplementedError

    @classmethod
    def head_moved(cls, scope_id: int, head: Head, entry: Self, added: int = 1) -> None:
        """``added`` entries were appended after ``head``, ``entry`` the last of them: move the
        head, where the chain keeps one."""

    # -- the same for every chain ----------------------------------------------------------

    def entry_hash(self) -> str:
        content = json.dumps(
            {
                "previous": self.previous_hash,
                "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
                "action": self.action,
                "actor_user": self.actor_user_id,
                "data": self.data,
                **self.own_facts(),
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(content.encode()).hexdigest()

    @classmethod
    def _chained(
        cls, *, scope_id: int, previous: str, action: str, user, data: dict, **fields
    ) -> Self:
        """A new entry after the hash ``previous``, its own hash computed (not saved)."""
        entry = cls(
            **{f"{cls.chain_scope}_id": scope_id},
            at=timezone.now(),
            action=action,
            actor_user=user if user is not None and user.is_authenticated else None,
            # JSON round trip: what is hashed is exactly what the database gives back later.
            data=json.loads(json.dumps(data, ensure_ascii=False, default=str)),
            previous_hash=previous,
            **fields,
        )
        entry.hash = entry.entry_hash()
        return entry

    @classmethod
    def append_entry(cls, *, scope_id: int, action: str, user, data: dict, **fields) -> Self:
        """Append one entry; call inside the writing transaction (no savepoint of its own: a
        failed append fails the caller's write too)."""
        with transaction.atomic(savepoint=False):
            head = cls.lock_head(scope_id)
            entry = cls._chained(
                scope_id=scope_id, previous=head.last, action=action, user=user, data=data,
                **fields,
            )
            entry.save(force_insert=True)
            cls.head_moved(scope_id, head, entry)
        return entry

    @classmethod
    def append_entries(cls, *, scope_id: int, entries: list[dict]) -> list[Self]:
        """Append several entries in this order, as as many ``append_entry`` calls would (the
        same hashes, the same head), with one lock of the head, one INSERT and one move of the
        head: each hash is computed from the one before it here. Each of ``entries`` holds
        ``append_entry``'s keyword arguments but ``scope_id``. Inside the writing transaction.
        """
        if not entries:
            return []
        with transaction.atomic(savepoint=False):
            head = cls.lock_head(scope_id)
            previous, chained = head.last, []
            for fields in entries:
                entry = cls._chained(scope_id=scope_id, previous=previous, **fields)
                chained.append(entry)
                previous = entry.hash
            # One INSERT of many rows: their ids follow the list's order, which is the order
            # ``walk`` checks them in (the head is locked: nothing of this chain comes between).
            cls.objects.bulk_create(chained)
            cls.head_moved(scope_id, head, chained[-1], added=len(chained))
        return chained

    @classmethod
    def walk(cls, scope_id: int) -> Walk:
        """Check every entry of the chain against the one before it and against its own hash."""
        problems, previous, count = [], GENESIS, 0
        entries = cls.objects.filter(**{f"{cls.chain_scope}_id": scope_id}).order_by("id")
        for entry in entries.iterator():
            count += 1
            named = f"{cls.chain_label} {entry.pk} ({entry.action})"
            if entry.previous_hash != previous:
                problems.append(
                    f"{named}: it does not follow the entry before it (an entry was removed, "
                    f"inserted or reordered)"
                )
            if entry.entry_hash() != entry.hash:
                problems.append(f"{named} was altered: its content no longer matches its hash")
            previous = entry.hash
        return Walk(problems=problems, count=count, last=previous)
