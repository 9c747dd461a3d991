"""The events and notices of votes (realtime.events).

A secret poll's payloads carry no per-choice count before the close (``partial`` only for
named polls) and no ballot ever: the shapes below are what every screen may know.
"""

from realtime.events import To, event, notice
from realtime.schema import ANY, NUMBER, dict_of, list_of, nullable, obj, one_of, optional
from voting.models import Poll

POLL = obj(
    id=int,
    title=str,
    kind=one_of(*Poll.Kind.values),
    choice_type=one_of(*Poll.ChoiceType.values),
    choices=list_of(str),
    options=list_of(obj(id=str, label=str)),
    min_selections=int,
    max_selections=int,
    status=one_of(*Poll.Status.values),
    agenda_item_id=nullable(int),
    allow_change=bool,
    show_partial=bool,
    closes_at=nullable(str),
    remaining_seconds=nullable(NUMBER),
    base=str,
    threshold=str,
    revote_of=nullable(int),
    cancel_reason=nullable(str),
    presence_quorum=one_of(*Poll.PresenceQuorum.values),
    quorum_at_open=nullable(dict_of(ANY)),
)
COUNTS = dict_of(NUMBER)  # per choice: ballots, or their weight
PROGRESS = obj(poll_id=int, voted=int, entitled=int, partial=optional(COUNTS))
RESULT = obj(
    counts=COUNTS,
    ballots=int,
    seats=int,
    present=int,
    base=int,
    required=int,
    threshold=str,
    quorum_required=nullable(int),
    presence_quorum_required=nullable(int),
    sitting_quorum=nullable(dict_of(ANY)),
    passed=bool,
    elected=dict_of(bool),
    blank=NUMBER,
    decided_by_casting_vote=bool,
    void=bool,
    digest=str,
)

event("poll.opened", data=obj(poll=POLL, progress=PROGRESS))
# Live progress is a notice (issue 13): the room's screens get it up to four times a second,
# the tablets at most once; it never moves ``seq``, and ``voted`` only grows (clients keep
# the largest they saw).
notice("poll.progress", to=[To.ROOM, To.TABLETS], data=PROGRESS)
event("poll.closed", data=obj(poll=POLL, ballots=int))
event("poll.published", data=obj(poll=POLL, result=RESULT))
event("poll.cancelled", data=obj(poll=POLL))

# A draft (poll.create, poll.revote): the consoles alone see drafts.
notice("poll.created", to=[To.CHAIR], data=obj(poll=POLL))
notice("poll.result", to=[To.CHAIR], data=obj(poll_id=int, result=RESULT))
notice("poll.voters", to=[To.CHAIR], data=obj(poll_id=int, voted=list_of(int)))
