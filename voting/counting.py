"""Closing a poll: the count, once, from the database, with the attendance of the moment.

The close takes the poll row ``FOR UPDATE`` and so waits for the ballots in flight, which hold
it ``FOR SHARE`` (``voting.ballots``); whatever commits after it reads ``closed`` and is refused.
The result is decided by ``voting.tally.count_and_decide``, the function the record check
(``record.verify``) recounts with.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting.fixed_rules import rules_of
from meeting.models import Attendance, Session
from meeting.services import session_lock
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.groups import Audience
from realtime.publish import emit, notify
from voting import selectors, tally
from voting.models import Ballot, Participation, Poll, PollResult
from voting.secrecy import ballots_digest, sealed_ballots, unlink_secret_ballots
from voting.services import poll_lock, poll_log


def poll_close(*, poll_id: int, actor: Actor, session_id: int | None = None) -> PollResult:
    """Close the poll and count it, once, from the database, with today's attendance."""
    with transaction.atomic():
        poll = poll_lock(poll_id, session_id)  # waits for the ballots in flight
        if poll.status != Poll.Status.OPEN:
            raise ServiceError("poll.not_open", _("Cuộc biểu quyết không mở hoặc đã kết thúc."))
        session = session_lock(poll.session_id)
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        result = _poll_result_create(poll, session)
        if poll.kind == Poll.Kind.SECRET:
            unlink_secret_ballots(poll)
        poll_log(poll, "poll.close", actor, **sealed_ballots(poll, result))
        # Who was present and who took part, in an entry of its own: never beside a ballot.
        poll_log(
            poll,
            "poll.turnout",
            actor,
            quorum=result.sitting_quorum,  # the sitting's quorum at this vote
            present_delegates=result.detail["present_delegates"],
            participants=sorted(
                Participation.objects.filter(poll=poll).values_list("delegate_id", flat=True)
            ),
        )
        emit(
            session=session,
            type="poll.closed",
            data={"poll": selectors.poll_payload(poll), "ballots": result.ballots},
        )
        notify(
            session=session,
            type="poll.result",
            data={"poll_id": poll.pk, "result": selectors.result_payload(result)},
            audience=Audience.CHAIR,
        )
    return result


def poll_close_overdue() -> int:
    """Close every open poll whose countdown has run out (any worker process may do it)."""
    closed = 0
    overdue = Poll.objects.filter(status=Poll.Status.OPEN, closes_at__lte=timezone.now())
    for poll_id in overdue.values_list("pk", flat=True):
        try:
            poll_close(poll_id=poll_id, actor=Actor())
            closed += 1
        except ServiceError:
            pass  # another process closed it first
    return closed


def _poll_result_create(poll: Poll, session: Session) -> PollResult:
    """Count the poll's ballots with the attendance of this moment and store the result."""
    ballots = list(Ballot.objects.filter(poll=poll, superseded=False))
    present_ids = list(
        Attendance.objects.filter(session=session, status=Attendance.Status.PRESENT).values_list(
            "delegate_id", flat=True
        )
    )
    # Seats and weights as fixed when the session opened; the record check recounts with the
    # same function on what the chain recorded.
    counted = tally.count_and_decide(
        poll, ballots, present_ids=present_ids, fixed=rules_of(session)
    )
    return PollResult.objects.create(
        poll=poll, computed_at=poll.closed_at, digest=ballots_digest(ballots, poll), **counted
    )
