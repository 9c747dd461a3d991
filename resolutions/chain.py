"""What this app writes to a council's chain, and reads back for the record check.

Resolutions, their tasks, supervision and consultations belong to a council and live on for
years after the sitting that adopted them, so they go to the council's own chain
(``meeting.council_log``: one chain per council, its head row locked by every append), never
to a session's (``meeting.chain``, which ends at the close).
"""

from __future__ import annotations

from meeting import council_log
from meeting.council_log import CouncilLog, CouncilLogHead
from realtime.actors import Actor


def council_lock(council_id: int) -> CouncilLogHead:
    """Lock the council's chain for this transaction: numbering, counting and entries of one
    council go one writer at a time (other councils are not held up)."""
    CouncilLogHead.objects.get_or_create(council_id=council_id)
    return CouncilLogHead.objects.select_for_update().get(council_id=council_id)


def append(*, council_id: int, action: str, actor: Actor, **data) -> CouncilLog:
    """Append one entry; call inside the writing transaction."""
    return council_log.append(council_id=council_id, action=action, actor=actor, **data)


def verify_chain(council_id: int) -> list[str]:
    return council_log.verify_council_log(council_id)


def entries_of(council_id: int, action: str, **match) -> list[CouncilLog]:
    """The council's entries of ``action`` whose data holds every ``match`` pair."""
    found = CouncilLog.objects.filter(council_id=council_id, action=action).order_by("id")
    return [e for e in found if all(e.data.get(k) == v for k, v in match.items())]
