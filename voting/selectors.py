"""Reads of votes: what each screen may see of a poll, live progress and results."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from meeting.models import Attendance, Delegate, Session
from voting.models import Ballot, Participation, Poll, PollResult

LIVE = (Poll.Status.OPEN, Poll.Status.CLOSED, Poll.Status.PUBLISHED)


def poll_payload(poll: Poll) -> dict:
    """What every screen may know about a poll (never a ballot)."""
    remaining = None
    if poll.closes_at and poll.status == Poll.Status.OPEN:
        remaining = max(0.0, (poll.closes_at - timezone.now()).total_seconds())
    return {
        "id": poll.pk,
        "title": poll.title,
        "kind": poll.kind,
        "choice_type": poll.choice_type,
        "choices": poll.choice_ids,
        "options": poll.options,
        "min_selections": poll.min_selections,
        "max_selections": poll.max_selections,
        "status": poll.status,
        "agenda_item_id": poll.agenda_item_id,
        "allow_change": poll.allow_change,
        "show_partial": shows_partial(poll),
        "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
        "remaining_seconds": remaining,
        "base": poll.base,
        "threshold": poll.rules().threshold.describe(),
        "revote_of": poll.revote_of_id,
        "cancel_reason": poll.cancel_reason or None,
        "presence_quorum": poll.presence_quorum,
        # present / seats / required when it opened, and the chair's reason if below quorum
        "quorum_at_open": poll.quorum_at_open or None,
    }


def entitled_count(session_id: int) -> int:
    """Delegates who may vote now: those checked in."""
    return Attendance.objects.filter(
        session_id=session_id, status=Attendance.Status.PRESENT
    ).count()


def shows_partial(poll: Poll) -> bool:
    """Whether counts are shown while the poll is open: never for a secret poll, whose counts
    moving as ballots arrive would tell the room each ballot in turn (only how many voted)."""
    return poll.show_partial and poll.kind == Poll.Kind.NAMED


def progress(poll: Poll) -> dict:
    data = {
        "poll_id": poll.pk,
        "voted": Participation.objects.filter(poll=poll).count(),
        "entitled": entitled_count(poll.session_id),
    }
    if shows_partial(poll):
        data["partial"] = partial_counts(poll)
    return data


def partial_counts(poll: Poll) -> dict[str, int]:
    ballots = Ballot.objects.filter(poll=poll, superseded=False).only("choice", "weight")
    return poll.count(ballots)[0]


def voted_delegate_ids(poll: Poll) -> list[int]:
    return sorted(Participation.objects.filter(poll=poll).values_list("delegate_id", flat=True))


def result_payload(result: PollResult) -> dict:
    return {
        "counts": result.counts,
        "ballots": result.ballots,
        "seats": result.seats,
        "present": result.present,
        "base": result.base,
        "required": result.required,
        "threshold": result.threshold,
        "quorum_required": result.quorum_required,
        "presence_quorum_required": result.presence_quorum_required,
        "sitting_quorum": result.sitting_quorum or None,
        "passed": result.passed,
        "elected": result.elected,
        "blank": result.detail.get("blank", 0),
        "decided_by_casting_vote": result.detail.get("decided_by_casting_vote", False),
        "void": result.void,
        "digest": result.digest,
    }


def named_choices(poll: Poll) -> list[dict]:
    """Who chose what: for named polls only (a secret poll has no such list)."""
    if poll.kind != Poll.Kind.NAMED:
        return []
    return [
        {"delegate_id": delegate_id, "full_name": name, "choice": choice}
        for delegate_id, name, choice in Ballot.objects.filter(poll=poll, superseded=False)
        .order_by("delegate__seat_label", "delegate__full_name")
        .values_list("delegate_id", "delegate__full_name", "choice")
    ]


def participants(poll: Poll) -> list[dict]:
    return [
        {"delegate_id": pk, "full_name": name}
        for pk, name in Delegate.objects.filter(
            pk__in=Participation.objects.filter(poll=poll).values("delegate_id")
        ).values_list("pk", "full_name")
    ]


def staff_name(last_name: str, first_name: str, username: str) -> str:
    """A staff member's name as Vietnamese documents write it: family name first."""
    return f"{last_name} {first_name}".strip() or username


def assisted_votes(poll: Poll) -> list[dict]:
    """Who voted with the secretary's help (voting.assisted): a named ballot recorded from a
    show of hands (``recorded``: by whom, when), or a ballot cast on a spare tablet with a
    one-time pass (``pass``: issued by whom). Never a choice."""
    rows = (
        Participation.objects.filter(poll=poll)
        .filter(Q(recorded_by__isnull=False) | Q(voting_pass__isnull=False))
        .order_by("delegate__seat_label", "delegate__full_name")
        .values_list(
            "delegate_id",
            "delegate__full_name",
            "voted_at",
            "recorded_by__last_name",
            "recorded_by__first_name",
            "recorded_by__username",
            "voting_pass__issued_by__last_name",
            "voting_pass__issued_by__first_name",
            "voting_pass__issued_by__username",
        )
    )
    assisted = []
    for delegate_id, name, voted_at, r_last, r_first, r_user, p_last, p_first, p_user in rows:
        if r_user:
            how, by, at = "recorded", staff_name(r_last, r_first, r_user), voted_at.isoformat()
        else:
            how, by, at = "pass", staff_name(p_last, p_first, p_user or ""), None
        assisted.append(
            {"delegate_id": delegate_id, "full_name": name, "how": how, "by": by, "at": at}
        )
    return assisted


def poll_record(poll: Poll) -> dict:
    """The record of one poll for the session's minutes: named → who chose what; secret →
    totals, who took part and the receipts (each voter can find their own)."""
    record = {
        "poll": poll_payload(poll),
        "participants": participants(poll),
        "assisted": assisted_votes(poll),
    }
    result = PollResult.objects.filter(poll=poll).first()
    record["result"] = result_payload(result) if result else None
    if poll.kind == Poll.Kind.NAMED:
        record["choices"] = named_choices(poll)
    else:
        record["receipts"] = sorted(
            Ballot.objects.filter(poll=poll, superseded=False).values_list("receipt", flat=True)
        )
    return record


def voting_public(session: Session, *, screen: str) -> list[dict]:
    """The polls as a screen sees them before the live counts and the delegate's own ballot:
    what only events change (opened, closed, published, cancelled), so shareable at one seq
    for the tablets and the projector. The console's drafts come by notice: never shared."""
    # Each with its result in the same read: a sitting's afternoon has dozens of closed polls,
    # and a read per poll, per build and per console, was the most of a snapshot's reads.
    of_session = Poll.objects.filter(session=session).select_related("result")
    polls = list(of_session.exclude(status=Poll.Status.DRAFT))
    if screen == "chair":
        polls += list(of_session.filter(status=Poll.Status.DRAFT))
    entries = []
    for poll in polls:
        result = getattr(poll, "result", None) if poll.status in LIVE[1:] else None
        shown = result is not None and (poll.status == Poll.Status.PUBLISHED or screen == "chair")
        entries.append(
            {
                "poll": poll,  # read, never changed, by the per-viewer half
                "payload": poll_payload(poll),
                "result": result_payload(result) if shown else None,
            }
        )
    return entries


def voting_snapshot(
    session: Session,
    *,
    screen: str,
    delegate: Delegate | None = None,
    public: list[dict] | None = None,
    entitled: int | None = None,
) -> dict:
    """The polls section of a screen's snapshot: live polls, progress, published results; the
    console also gets results before publication and, for named polls, who has voted.

    The counts (``poll.progress`` is a notice), the countdown (the clock) and the delegate's
    own ballots are read here each time, on top of the public part (built here unless given);
    ``entitled``: those checked in, when the caller counted them already."""
    public = public if public is not None else voting_public(session, screen=screen)
    polls = [entry["poll"] for entry in public]
    if not polls:  # most of a sitting: nothing to count, no query to build for nothing
        return {"polls": []}
    voted_by_poll = dict(
        Participation.objects.filter(poll__in=polls)
        .values("poll_id")
        .annotate(n=Count("id"))
        .values_list("poll_id", "n")
    )
    mine: set[int] = set()
    if delegate is not None:
        mine = set(
            Participation.objects.filter(poll__in=polls, delegate=delegate).values_list(
                "poll_id", flat=True
            )
        )
    if entitled is None:  # the delegates checked in (``entitled_count``), unless read already
        entitled = entitled_count(session.pk)
    items = []
    for entry in public:
        poll = entry["poll"]
        payload = entry["payload"]
        if payload["remaining_seconds"] is not None:
            payload = {**payload, "remaining_seconds": poll_payload(poll)["remaining_seconds"]}
        item = {"poll": payload, "voted": voted_by_poll.get(poll.pk, 0)}
        item["entitled"] = entitled
        if poll.status == Poll.Status.OPEN and shows_partial(poll):
            item["partial"] = partial_counts(poll)
        if entry["result"] is not None:
            item["result"] = entry["result"]
        if delegate is not None:
            item["my_ballot"] = {"cast": poll.pk in mine}
            if poll.kind == Poll.Kind.NAMED and poll.pk in mine:
                own = Ballot.objects.filter(poll=poll, delegate=delegate, superseded=False)
                item["my_ballot"]["choice"] = own.values_list("choice", flat=True).first()
        if screen == "chair" and poll.kind == Poll.Kind.NAMED and poll.status == Poll.Status.OPEN:
            item["voted_delegate_ids"] = voted_delegate_ids(poll)
        items.append(item)
    return {"polls": items}
