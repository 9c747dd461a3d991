"""The session's tamper-evident log: every state change appended to a hash chain.

Each entry's hash covers its content and the hash before it, so changing, removing or
reordering any entry breaks every hash after it (``chamber verify-record`` checks it). The
chain's head is kept on the session row, which the writer holds locked: entries of one session
are appended one at a time, in commit order.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from meeting.chained import GENESIS
from meeting.models import ActionLog, Session
from realtime.actors import Actor

__all__ = ["GENESIS", "append", "append_many", "seal", "seal_matches", "verify_chain"]


def append(*, session_id: int, action: str, actor: Actor, **data) -> ActionLog:
    """Append one entry; call inside the writing transaction."""
    return ActionLog.append_entry(
        scope_id=session_id, action=action, user=actor.user, data=data,
        actor_delegate=actor.delegate,
    )


def append_many(*, session_id: int, entries: list[tuple[str, Actor, dict]]) -> list[ActionLog]:
    """Append entries (action, actor, data) in this order, as as many ``append`` calls would,
    in one INSERT; call inside the writing transaction."""
    return ActionLog.append_entries(
        scope_id=session_id,
        entries=[
            {"action": action, "user": actor.user, "data": data, "actor_delegate": actor.delegate}
            for action, actor, data in entries
        ],
    )


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
    walk = ActionLog.walk(session_id)
    head = Session.objects.values_list("log_head", flat=True).get(pk=session_id)
    if head != walk.last:
        return [*walk.problems, "the session's final hash does not match the last log entry"]
    return walk.problems
