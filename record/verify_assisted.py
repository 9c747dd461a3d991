"""The quorum and the assisted votes the minutes print, compared with the chain: the quorum
of each vote at its opening (and the chair's reason below it) and at its close, the votes the
secretary recorded from a show of hands, and the ballots cast with a one-time pass."""

from __future__ import annotations

from meeting.models import ActionLog
from voting.models import Participation, Poll, PollResult


def verify_poll_assisted(poll: Poll, result: PollResult, entries: list[ActionLog]) -> list[str]:
    label = f"poll {poll.pk} «{poll.title}»"
    mine = [e for e in entries if e.data.get("poll") == poll.pk]
    problems = []
    opening = next((e for e in mine if e.action == "poll.open"), None)
    if (
        opening is not None
        and "quorum" in opening.data
        and ((poll.quorum_at_open or {}) != opening.data["quorum"])
    ):
        problems.append(
            f"{label}: the quorum at its opening says {poll.quorum_at_open!r}, the chain says "
            f"{opening.data['quorum']!r}"
        )
    turnout = next((e for e in mine if e.action == "poll.turnout"), None)
    if (
        turnout is not None
        and "quorum" in turnout.data
        and ((result.sitting_quorum or {}) != turnout.data["quorum"])
    ):
        problems.append(
            f"{label}: the quorum at its close says {result.sitting_quorum!r}, the chain says "
            f"{turnout.data['quorum']!r}"
        )
    recorded_then = {
        (e.data["delegate"], e.actor_user_id) for e in mine if e.action == "ballot.recorded"
    }
    participations = Participation.objects.filter(poll=poll)
    recorded_now = set(
        participations.filter(recorded_by__isnull=False).values_list("delegate_id", "recorded_by")
    )
    for delegate, user in sorted(recorded_now ^ recorded_then):
        where = "the tables" if (delegate, user) in recorded_now else "the chain"
        problems.append(
            f"{label}: delegate {delegate}'s vote is recorded by staff user {user} only in {where}"
        )
    passes_then = {
        (e.data["delegate"], e.data["voting_pass"]) for e in mine if e.action == "pass.used"
    }
    passes_now = set(
        participations.filter(voting_pass__isnull=False).values_list("delegate_id", "voting_pass")
    )
    for delegate, used in sorted(passes_now ^ passes_then):
        where = "the tables" if (delegate, used) in passes_now else "the chain"
        problems.append(f"{label}: delegate {delegate} voting with pass {used} is only in {where}")
    return problems
