"""Every write of a vote: create, open, cast, close (count), publish, cancel, re-vote.

Locking (PostgreSQL), so that no ballot counts unless the poll was open when it committed and
closing waits for the ballots in flight:
* a ballot reads its poll row ``FOR SHARE``: ballots never wait for each other;
* closing takes the poll row ``FOR UPDATE``: it waits for every ballot holding the share lock,
  counts them, and every later ballot then reads ``closed`` and is refused.
Ballots never lock the session row; live progress is published apart, coalesced.
Lock order everywhere: poll, then session.

SQLite (the embedded default) has no row locks and ``select_for_update`` does nothing there.
Every transaction begins ``IMMEDIATE`` instead (chamber/settings.py): it holds the database's
one write lock from its first statement to its commit, and the others queue for it (busy
timeout). Writers are thus wholly ordered: a ballot that began before the close commits before
the close reads the ballots and is counted; one that begins after it reads ``closed`` and is
refused. The ballots of a storm queue one after another (a few milliseconds each), which on a
commune hall's one box is what there is anyway.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting import chain
from meeting.fixed_rules import rules_of
from meeting.models import Attendance, Delegate, Session
from meeting.selectors import agenda_item_check
from meeting.services import presentation_take_down, quorum_gate, session_lock
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.groups import Audience
from realtime.publish import emit, notify
from voting import rules, selectors, tally
from voting.models import Ballot, Participation, Poll, PollResult
from voting.secrecy import (
    ballots_digest,
    place_secret_ballot,
    receipt_for,
    sealed_ballots,
    unlink_secret_ballots,
)

MAX_COUNTDOWN_SECONDS = 24 * 60 * 60


def _log(poll: Poll, action: str, actor: Actor, **data) -> None:
    chain.append(session_id=poll.session_id, action=action, actor=actor, poll=poll.pk, **data)


def _poll_not_found() -> ServiceError:
    return ServiceError("poll.not_found", _("Không tìm thấy cuộc biểu quyết."))


def _lock_poll(poll_id: int, session_id: int | None = None) -> Poll:
    polls = Poll.objects.select_for_update().filter(pk=poll_id)
    if session_id is not None:
        polls = polls.filter(session_id=session_id)
    poll = polls.first()
    if poll is None:
        raise _poll_not_found()
    return poll


def poll_create(
    *,
    session_id: int,
    title: str,
    actor: Actor,
    agenda_item_id: int | None = None,
    kind: str = Poll.Kind.NAMED,
    choice_type: str = Poll.ChoiceType.YES_NO_ABSTAIN,
    options: list[str] | None = None,
    min_selections: int = 0,
    max_selections: int = 1,
    countdown_seconds: int | None = None,
    allow_change: bool = False,
    show_partial: bool = False,
    base: str | None = None,
    threshold: str | None = None,
    threshold_fraction: tuple[int, int] | None = None,
    threshold_strict: bool = True,
    quorum: str = Poll.Quorum.NONE,
    presence_quorum: str = Poll.PresenceQuorum.NONE,
    tie_rule: str = rules.TieRule.FAILS,
    casting_delegate_id: int | None = None,
    weighted: bool = False,
    revote_of: Poll | None = None,
) -> Poll:
    """A draft poll; the rules default to the council's, as fixed when the session opened.

    The consoles hear of it (``poll.created``); a re-vote is created here too."""
    title = (title or "").strip()
    if not title:
        raise ServiceError("poll.invalid", _("Cần nhập nội dung biểu quyết."))
    with transaction.atomic():
        session = session_lock(session_id)
        if session.status == Session.Status.CLOSED:
            raise ServiceError("session.closed", _("Kỳ họp đã bế mạc."))
        council = session.council
        defaults = rules_of(session)
        poll = Poll(
            session=session,
            title=title[:500],
            kind=kind,
            choice_type=choice_type,
            min_selections=min_selections,
            max_selections=max_selections,
            countdown_seconds=countdown_seconds,
            allow_change=allow_change,
            show_partial=show_partial,
            base=base or defaults.vote_base,
            threshold=threshold or defaults.vote_threshold,
            threshold_strict=threshold_strict,
            quorum=quorum,
            presence_quorum=presence_quorum,
            tie_rule=tie_rule,
            weighted=weighted,
            revote_of=revote_of,
        )
        if threshold_fraction is not None:
            poll.threshold = Poll.Threshold.FRACTION
            poll.threshold_numerator, poll.threshold_denominator = threshold_fraction
        if agenda_item_id is not None:
            agenda_item_check(session=session, item_id=agenda_item_id)
            poll.agenda_item_id = agenda_item_id
        if casting_delegate_id is not None:
            if not Delegate.objects.filter(pk=casting_delegate_id, council=council).exists():
                raise ServiceError(
                    "delegate.not_found", _("Đại biểu không thuộc hội đồng của kỳ họp này.")
                )
            poll.casting_delegate_id = casting_delegate_id
        if choice_type == Poll.ChoiceType.OPTIONS:
            labels = [str(label).strip() for label in (options or []) if str(label).strip()]
            poll.options = [{"id": str(i + 1), "label": label} for i, label in enumerate(labels)]
        _validate_poll(poll)
        poll.save()
        _log(
            poll,
            "poll.create",
            actor,
            title=poll.title,
            kind=poll.kind,
            revote_of=poll.revote_of_id,
        )
        # Drafts are the console's alone (snapshots show them to no other screen).
        notify(
            session=session,
            type="poll.created",
            data={"poll": selectors.poll_payload(poll)},
            audience=Audience.CHAIR,
        )
    return poll


def _validate_poll(poll: Poll) -> None:
    def invalid(message: str) -> ServiceError:
        return ServiceError("poll.invalid", message)

    valid = {
        "kind": Poll.Kind.values,
        "choice_type": Poll.ChoiceType.values,
        "base": Poll.Base.values,
        "threshold": Poll.Threshold.values,
        "quorum": Poll.Quorum.values,
        "presence_quorum": Poll.PresenceQuorum.values,
        "tie_rule": list(rules.TieRule),
    }
    for name, allowed in valid.items():
        if getattr(poll, name) not in allowed:
            raise invalid(_("Giá trị “%(name)s” không hợp lệ.") % {"name": name})
    if poll.choice_type == Poll.ChoiceType.OPTIONS:
        if len(poll.options) < 2:
            raise invalid(_("Cần ít nhất hai lựa chọn."))
        if not 0 <= poll.min_selections <= poll.max_selections <= len(poll.options):
            raise invalid(_("Số lựa chọn tối thiểu và tối đa không hợp lệ."))
    else:
        poll.options, poll.min_selections, poll.max_selections = [], 1, 1
    if poll.threshold == Poll.Threshold.FRACTION and not (
        0 < poll.threshold_numerator <= poll.threshold_denominator
    ):
        raise invalid(_("Tỷ lệ thông qua phải nằm trong khoảng (0, 1]."))
    if poll.countdown_seconds is not None and not (
        0 < poll.countdown_seconds <= MAX_COUNTDOWN_SECONDS
    ):
        raise invalid(_("Thời gian đếm ngược không hợp lệ."))
    if poll.kind == Poll.Kind.SECRET and poll.tie_rule == rules.TieRule.CASTING_VOTE:
        raise invalid(_("Bỏ phiếu kín không thể dùng phiếu quyết định của chủ tọa."))
    if poll.kind == Poll.Kind.SECRET and poll.show_partial:
        # Counts that move as ballots arrive tell the room each ballot in turn.
        raise invalid(_("Bỏ phiếu kín không hiện kết quả tạm thời trước khi kết thúc."))


def poll_open(
    *, poll_id: int, actor: Actor, session_id: int | None = None, override_reason: str = ""
) -> Poll:
    """Open the vote: only with the sitting's quorum present, unless ``override_reason`` says
    why the chair goes on without it. The quorum of the moment is kept with the poll."""
    with transaction.atomic():
        poll = _lock_poll(poll_id, session_id)
        session = session_lock(poll.session_id)
        if poll.status != Poll.Status.DRAFT:
            raise ServiceError("poll.bad_transition", _("Chỉ mở được biểu quyết đang ở dự thảo."))
        if session.status != Session.Status.IN_PROGRESS:
            raise ServiceError("session.not_live", _("Kỳ họp không trong phiên họp."))
        if Poll.objects.filter(session=session, status=Poll.Status.OPEN).exists():
            raise ServiceError(
                "poll.another_open", _("Đang có một cuộc biểu quyết khác chưa kết thúc.")
            )
        poll.quorum_at_open = quorum_gate(
            session,
            override_reason=override_reason,
            refusal=_(
                "Chưa đủ túc số để biểu quyết: có mặt %(present)d/%(seats)d đại biểu, cần ít "
                "nhất %(required)d. Chủ tọa chỉ có thể vẫn mở biểu quyết khi nêu rõ lý do."
            ),
        )
        now = timezone.now()
        poll.status = Poll.Status.OPEN
        poll.opened_at = now
        if poll.countdown_seconds:
            poll.closes_at = now + timedelta(seconds=poll.countdown_seconds)
        poll.save(update_fields=["status", "opened_at", "closes_at", "quorum_at_open"])
        # The rules are fixed from here on: the chain keeps them, the record check compares;
        # with them the sitting's quorum of the moment (and the chair's reason, below it).
        _log(
            poll,
            "poll.open",
            actor,
            rules=tally.rule_facts(poll),
            opened_at=poll.opened_at.isoformat(),
            quorum=poll.quorum_at_open,
        )
        emit(
            session=session,
            type="poll.opened",
            data={"poll": selectors.poll_payload(poll), "progress": selectors.progress(poll)},
        )
    return poll


def _normalise_choice(poll: Poll, choice) -> str | list[str]:
    if poll.choice_type == Poll.ChoiceType.YES_NO_ABSTAIN:
        if choice not in ("yes", "no", "abstain"):
            raise ServiceError("ballot.invalid_choice", _("Lựa chọn không hợp lệ."))
        return choice
    if not isinstance(choice, list) or not all(isinstance(c, str | int) for c in choice):
        raise ServiceError("ballot.invalid_choice", _("Lựa chọn không hợp lệ."))
    selected = [str(c) for c in choice]
    if len(set(selected)) != len(selected) or not set(selected) <= set(poll.choice_ids):
        raise ServiceError("ballot.invalid_choice", _("Lựa chọn không hợp lệ."))
    if len(selected) > poll.max_selections:
        raise ServiceError(
            "ballot.too_many_selections",
            _("Chỉ được chọn tối đa %(n)d.") % {"n": poll.max_selections},
        )
    if len(selected) < poll.min_selections:
        raise ServiceError(
            "ballot.too_few_selections",
            _("Cần chọn ít nhất %(n)d.") % {"n": poll.min_selections},
        )
    return sorted(selected, key=poll.choice_ids.index)


def _read_poll_for_share(poll_id: int) -> Poll | None:
    """Status, closing time and session of the poll, holding a share lock until commit.

    Read through the model (``raw``), not a bare cursor: the backends return different types
    for a raw ``closes_at`` (an aware datetime from PostgreSQL, a naive one from SQLite), and
    the model's converters make both aware. SQLite has no row locks: there the ballot's
    transaction holds the database's write lock from its first statement (``BEGIN IMMEDIATE``,
    chamber/settings.py), so a close is either wholly before it or wholly after it.
    """
    share = " FOR SHARE" if connection.vendor == "postgresql" else ""
    polls = Poll.objects.raw(
        f"SELECT id, status, closes_at, session_id FROM voting_poll WHERE id = %s{share}",
        [poll_id],
    )
    return next(iter(polls), None)


def ballot_cast(
    *,
    poll_id: int,
    delegate: Delegate,
    choice,
    command_id: str,
    previous_id: str | None = None,
) -> dict:
    """Cast (or, where the poll allows it, change) a delegate's ballot; returns the receipt.

    Idempotent by ``command_id``: the same command again returns the same receipt. Changing a
    secret ballot takes ``previous_id``, the command id of the ballot it replaces.
    """
    receipt = receipt_for(poll_id=poll_id, command_id=command_id)
    # Only the tablet that cast the old ballot knows its command id; its receipt is public.
    previous = receipt_for(poll_id=poll_id, command_id=previous_id) if previous_id else None
    try:
        with transaction.atomic():
            return _cast(poll_id, delegate, choice, receipt, previous)
    except IntegrityError:
        # A copy of this command (or another ballot of the same delegate) committed first.
        if Ballot.objects.filter(poll_id=poll_id, receipt=receipt).exists():
            return {"poll_id": poll_id, "receipt": receipt, "repeated": True}
        raise ServiceError(
            "ballot.already_cast", _("Đại biểu đã biểu quyết, phiếu không thể thay đổi.")
        ) from None


def _cast(poll_id, delegate, choice, receipt, previous_receipt) -> dict:
    row = _read_poll_for_share(poll_id)
    if row is None:
        raise _poll_not_found()
    status, closes_at, session_id = row.status, row.closes_at, row.session_id
    session = Session.objects.only("council_id").get(pk=session_id)
    if session.council_id != delegate.council_id:
        raise _poll_not_found()  # another council's poll: reveal nothing about it
    if Ballot.objects.filter(poll_id=poll_id, receipt=receipt).exists():
        return {"poll_id": poll_id, "receipt": receipt, "repeated": True}
    if status != Poll.Status.OPEN or (closes_at is not None and timezone.now() >= closes_at):
        raise ServiceError("poll.not_open", _("Cuộc biểu quyết không mở hoặc đã kết thúc."))
    if not Attendance.objects.filter(
        session_id=session_id, delegate=delegate, status=Attendance.Status.PRESENT
    ).exists():
        raise ServiceError(
            "ballot.not_checked_in", _("Đại biểu cần điểm danh có mặt trước khi biểu quyết.")
        )
    poll = Poll.objects.get(pk=poll_id)
    normalised = _normalise_choice(poll, choice)
    secret = poll.kind == Poll.Kind.SECRET
    # Weights as fixed when the session opened.
    weight = rules_of(poll.session).weight_of(delegate) if poll.weighted else 1
    already = Participation.objects.filter(poll=poll, delegate=delegate).exists()
    if already:
        if not poll.allow_change:
            raise ServiceError(
                "ballot.already_cast", _("Đại biểu đã biểu quyết, phiếu không thể thay đổi.")
            )
        previous = Ballot.objects.select_for_update().filter(poll=poll, superseded=False)
        previous = (
            previous.filter(receipt=previous_receipt or "")
            if secret
            else previous.filter(delegate=delegate)
        )
        # A secret ballot is found only through the command id its voter's tablet kept.
        if previous.update(superseded=True) != 1:
            raise ServiceError(
                "ballot.previous_unknown", _("Không tìm thấy phiếu trước đó để thay đổi.")
            )
    else:
        Participation.objects.create(poll=poll, delegate=delegate, voted_at=timezone.now())
    ballot = Ballot.objects.create(
        poll=poll,
        delegate=None if secret else delegate,
        choice=normalised,
        weight=weight,
        receipt=receipt,
    )
    if secret:
        place_secret_ballot(ballot)
    return {"poll_id": poll_id, "receipt": receipt, "changed": already}


def poll_close(*, poll_id: int, actor: Actor, session_id: int | None = None) -> PollResult:
    """Close the poll and count it, once, from the database, with today's attendance."""
    with transaction.atomic():
        poll = _lock_poll(poll_id, session_id)  # waits for the ballots in flight
        if poll.status != Poll.Status.OPEN:
            raise ServiceError("poll.not_open", _("Cuộc biểu quyết không mở hoặc đã kết thúc."))
        session = session_lock(poll.session_id)
        poll.status = Poll.Status.CLOSED
        poll.closed_at = timezone.now()
        poll.save(update_fields=["status", "closed_at"])
        result = _poll_result_create(poll, session)
        if poll.kind == Poll.Kind.SECRET:
            unlink_secret_ballots(poll)
        _log(poll, "poll.close", actor, **sealed_ballots(poll, result))
        # Who was present and who took part, in an entry of its own: never beside a ballot.
        _log(
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


def close_overdue_polls() -> int:
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


def poll_publish(*, poll_id: int, actor: Actor, session_id: int | None = None) -> Poll:
    """Show the result to the room."""
    with transaction.atomic():
        poll = _lock_poll(poll_id, session_id)
        if poll.status != Poll.Status.CLOSED:
            raise ServiceError("poll.bad_transition", _("Chỉ công bố được biểu quyết đã kết thúc."))
        session = session_lock(poll.session_id)
        poll.status = Poll.Status.PUBLISHED
        poll.published_at = timezone.now()
        poll.save(update_fields=["status", "published_at"])
        _log(poll, "poll.publish", actor)
        emit(
            session=session,
            type="poll.published",
            data={
                "poll": selectors.poll_payload(poll),
                "result": selectors.result_payload(poll.result),
            },
        )
        presentation_take_down(session=session)  # the result takes the room
    return poll


def poll_cancel(*, poll_id: int, reason: str, actor: Actor, session_id: int | None = None) -> Poll:
    """Cancel an open or closed poll: ballots are kept, the result (if any) is void."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("poll.reason_required", _("Cần nêu lý do hủy biểu quyết."))
    with transaction.atomic():
        poll = _lock_poll(poll_id, session_id)
        if poll.status not in (Poll.Status.OPEN, Poll.Status.CLOSED):
            raise ServiceError(
                "poll.bad_transition", _("Chỉ hủy được biểu quyết đang mở hoặc đã kết thúc.")
            )
        session = session_lock(poll.session_id)
        PollResult.objects.filter(poll=poll).update(void=True)
        poll.status = Poll.Status.CANCELLED
        poll.cancelled_at = timezone.now()
        poll.cancel_reason = reason[:2000]
        poll.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        _log(poll, "poll.cancel", actor, reason=poll.cancel_reason)
        emit(session=session, type="poll.cancelled", data={"poll": selectors.poll_payload(poll)})
        presentation_take_down(session=session)  # the room is told the vote is void
    return poll


def poll_revote(*, poll_id: int, actor: Actor, session_id: int | None = None) -> Poll:
    """A new draft poll with the same question and rules, linked to the first."""
    original = Poll.objects.filter(pk=poll_id)
    if session_id is not None:
        original = original.filter(session_id=session_id)
    original = original.first()
    if original is None:
        raise _poll_not_found()
    if original.status in (Poll.Status.DRAFT, Poll.Status.OPEN):
        raise ServiceError(
            "poll.bad_transition", _("Chỉ biểu quyết lại sau khi cuộc biểu quyết đã kết thúc.")
        )
    fraction = (
        (original.threshold_numerator, original.threshold_denominator)
        if original.threshold == Poll.Threshold.FRACTION
        else None
    )
    return poll_create(
        session_id=original.session_id,
        title=original.title,
        actor=actor,
        agenda_item_id=original.agenda_item_id,
        kind=original.kind,
        choice_type=original.choice_type,
        options=[option["label"] for option in original.options],
        min_selections=original.min_selections,
        max_selections=original.max_selections,
        countdown_seconds=original.countdown_seconds,
        allow_change=original.allow_change,
        show_partial=selectors.shows_partial(original),
        base=original.base,
        threshold=original.threshold,
        threshold_fraction=fraction,
        threshold_strict=original.threshold_strict,
        quorum=original.quorum,
        presence_quorum=original.presence_quorum,
        tie_rule=original.tie_rule,
        casting_delegate_id=original.casting_delegate_id,
        weighted=original.weighted,
        revote_of=original,
    )


def poll_progress_publish(
    *, poll_id: int, audiences: tuple[Audience, ...] = (Audience.ROOM, Audience.TABLETS)
) -> None:
    """Tell these screens how many have voted (coalesced by the caller: not one per ballot).

    A notice, not an event: it takes no lock and moves no ``seq``, so a vote storm is not
    serialised on the session row to tell a count. Two read in concurrent transactions may
    arrive in either order; ``voted`` only grows, and the screens keep the largest they saw.
    The console hears who has voted (named polls) with the room's progress.
    """
    poll = Poll.objects.select_related("session").filter(pk=poll_id).first()
    if poll is None or poll.status != Poll.Status.OPEN:
        return
    progress = selectors.progress(poll)
    for audience in audiences:
        notify(session=poll.session, type="poll.progress", data=progress, audience=audience)
    if poll.kind == Poll.Kind.NAMED and Audience.ROOM in audiences:
        notify(
            session=poll.session,
            type="poll.voters",
            data={"poll_id": poll.pk, "voted": selectors.voted_delegate_ids(poll)},
            audience=Audience.CHAIR,
        )
