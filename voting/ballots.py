"""Casting a ballot, and the live progress of a vote that ballots make.

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

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting.fixed_rules import rules_of
from meeting.models import Attendance, Delegate, Session
from realtime.errors import ServiceError
from realtime.groups import Audience
from realtime.publish import notify
from voting import selectors
from voting.models import Ballot, Participation, Poll
from voting.secrecy import place_secret_ballot, receipt_for
from voting.services import poll_not_found


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
        raise poll_not_found()
    status, closes_at, session_id = row.status, row.closes_at, row.session_id
    session = Session.objects.only("council_id").get(pk=session_id)
    if session.council_id != delegate.council_id:
        raise poll_not_found()  # another council's poll: reveal nothing about it
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
