"""The session's tamper-evident log: every state change appended to a hash chain.

Each entry's hash covers its content and the hash before it, so changing, removing or
reordering any entry breaks every hash after it (``chamber verify-record`` checks it). The
chain's head is kept on the session row, which the writer holds locked: entries of one session
are appended one at a time, in commit order.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from meeting.models import ActionLog, Session
from realtime.actors import Actor

GENESIS = "0" * 64


def entry_hash(
    *, previous: str, session_id: int, at, action: str, actor_user_id, actor_delegate_id, data: dict
) -> str:
    content = json.dumps(
        {
            "previous": previous,
            "session": session_id,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "action": action,
            "actor_user": actor_user_id,
            "actor_delegate": actor_delegate_id,
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()


def append(*, session_id: int, action: str, actor: Actor, **data) -> ActionLog:
    """Append one entry; call inside the writing transaction."""
    head = Session.objects.select_for_update().values_list("log_head", flat=True).get(pk=session_id)
    at = timezone.now()
    # JSON round trip: what is hashed is exactly what the database gives back later.
    data = json.loads(json.dumps(data, ensure_ascii=False))
    digest = entry_hash(
        previous=head,
        session_id=session_id,
        at=at,
        action=action,
        actor_user_id=actor.user.pk if actor.user else None,
        actor_delegate_id=actor.delegate.pk if actor.delegate else None,
        data=data,
    )
    entry = ActionLog.objects.create(
        session_id=session_id,
        at=at,
        action=action,
        actor_user=actor.user,
        actor_delegate=actor.delegate,
        data=data,
        previous_hash=head,
        hash=digest,
    )
    Session.objects.filter(pk=session_id).update(
        log_head=digest, log_count=models.F("log_count") + 1
    )
    return entry


def _seal_of(*, session_id: int, count: int, head: str, secret: str) -> str:
    return salted_hmac(
        "chamber.record-seal", f"{session_id}:{count}:{head}", secret=secret, algorithm="sha256"
    ).hexdigest()


def seal(*, session_id: int) -> str:
    """Seal the chain at the session's close; call inside the closing transaction, after the
    last entry.

    The seal is an HMAC of the number of entries and the final hash under the server's
    ``SECRET_KEY``, which the database does not hold: someone who can only edit the database
    can rewrite the end of the chain and recompute its hashes, and move ``log_head`` back, but
    cannot make a seal that matches. The minutes print the final hash and the number of
    entries, so the signed paper anchors the chain too (``verify-record --final-hash``).
    """
    count, head = Session.objects.values_list("log_count", "log_head").get(pk=session_id)
    value = _seal_of(session_id=session_id, count=count, head=head, secret=settings.SECRET_KEY)
    Session.objects.filter(pk=session_id).update(log_seal=value)
    return value


def seal_matches(*, session_id: int, count: int, head: str, value: str) -> bool:
    """Whether ``value`` seals this chain, under the current key or a retired one."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(
            value, _seal_of(session_id=session_id, count=count, head=head, secret=key)
        )
        for key in keys
    )


def verify_chain(session_id: int) -> list[str]:
    """Problems found in the session's chain, in words; empty when it is intact."""
    problems = []
    previous = GENESIS
    for entry in ActionLog.objects.filter(session_id=session_id).order_by("id"):
        if entry.previous_hash != previous:
            problems.append(
                f"log entry {entry.pk} ({entry.action}): it does not follow the entry before it "
                f"(an entry was removed, inserted or reordered)"
            )
        recomputed = entry_hash(
            previous=entry.previous_hash,
            session_id=entry.session_id,
            at=entry.at,
            action=entry.action,
            actor_user_id=entry.actor_user_id,
            actor_delegate_id=entry.actor_delegate_id,
            data=entry.data,
        )
        if recomputed != entry.hash:
            problems.append(
                f"log entry {entry.pk} ({entry.action}) was altered: its content no longer "
                f"matches its hash"
            )
        previous = entry.hash
    head = Session.objects.values_list("log_head", flat=True).get(pk=session_id)
    if head != previous:
        problems.append("the session's final hash does not match the last log entry")
    return problems
