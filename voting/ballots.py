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
refused.

Ballots are written in batches (``ballots_cast``): the tablets' ballots that reach one worker
process while its previous batch is being written go together in one transaction, a fixed
handful of precompiled statements however many they are (voting.ballot_writer); each is
answered after that transaction commits, and each is judged on its own: one refused ballot
refuses nothing else. ``ballot_cast`` is a batch of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting.fixed_rules import HOT_DEFER, FixedRules, rules_of
from meeting.models import Delegate, Session
from realtime.errors import ServiceError
from realtime.groups import Audience
from realtime.publish import notify
from voting import ballot_writer, selectors
from voting.ballot_writer import Facts, NewBallot
from voting.models import Poll
from voting.secrecy import receipt_for
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


@dataclass(frozen=True)
class BallotRequest:
    """One ballot as its voter's tablet sent it. ``command_id`` makes the receipt and never
    leaves this process's memory; ``previous_id`` (changing a secret ballot) is the command id
    of the ballot it replaces."""

    poll_id: int
    delegate: Delegate
    choice: Any
    command_id: str
    previous_id: str | None = None


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
    request = BallotRequest(poll_id, delegate, choice, command_id, previous_id)
    (outcome,) = ballots_cast(ballots=[request])
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome


def ballots_cast(*, ballots: list[BallotRequest]) -> list[dict | ServiceError]:
    """Cast a batch of ballots in one transaction; each one's receipt, or its refusal (a
    ``ServiceError`` returned, not raised: the others are cast all the same).

    Returns once the transaction has committed; raises (nothing written) only if the database
    fails the whole batch.
    """
    try:
        with transaction.atomic():
            return _Batch(ballots).cast()
    except IntegrityError:
        # Another transaction committed a clashing row first, past the checks (a receipt made
        # for another voter, say). Alone, each ballot gets the answer that commit implies.
        if len(ballots) > 1:
            return [outcome for b in ballots for outcome in ballots_cast(ballots=[b])]
        (ballot,) = ballots
        receipt = receipt_for(poll_id=ballot.poll_id, command_id=ballot.command_id)
        if ballot_writer.receipts_in([(ballot.poll_id, receipt)]):
            return [_repeated(ballot.poll_id, receipt)]
        return [_already_cast()]


def _repeated(poll_id: int, receipt: str) -> dict:
    return {"poll_id": poll_id, "receipt": receipt, "repeated": True}


def _already_cast() -> ServiceError:
    return ServiceError(
        "ballot.already_cast", _("Đại biểu đã biểu quyết, phiếu không thể thay đổi.")
    )


class _Batch:
    """One transaction's ballots. A delegate (or a receipt) twice in the batch — a change sent
    right after its ballot — goes in a later round of the same transaction, which sees the
    earlier round's rows."""

    def __init__(self, ballots: list[BallotRequest]) -> None:
        self.ballots = ballots
        self.receipts = [receipt_for(poll_id=b.poll_id, command_id=b.command_id) for b in ballots]
        self.outcomes: list[dict | ServiceError | None] = [None] * len(ballots)
        self.now = timezone.now()
        self.polls: dict[int, Poll] = {}
        self.rules: dict[int, FixedRules] = {}

    def cast(self) -> list[dict | ServiceError]:
        pending = list(range(len(self.ballots)))
        while pending:
            taken: set[tuple] = set()
            now, later = [], []
            for i in pending:
                ballot = self.ballots[i]
                keys = {(ballot.poll_id, ballot.delegate.pk), (ballot.poll_id, self.receipts[i])}
                (later if keys & taken else now).append(i)
                taken |= keys
            self._round(now)
            pending = later
        return self.outcomes  # type: ignore[return-value]

    def _round(self, indexes: list[int]) -> None:
        facts = ballot_writer.read_facts(
            [
                (i, self.ballots[i].poll_id, self.ballots[i].delegate.pk, self.receipts[i])
                for i in indexes
            ],
            self.now,
        )
        voters: dict[tuple[int, int], int] = {}  # who-has-voted rows to insert → ballot
        accepted: dict[int, NewBallot] = {}
        for i in indexes:
            try:
                new, changed = self._judge(i, facts.get(i))
            except ServiceError as refused:
                self.outcomes[i] = refused
                continue
            if new is None:
                continue  # answered already (a repeat)
            accepted[i] = new
            if not changed:
                voters[(new.poll_id, self.ballots[i].delegate.pk)] = i
            self.outcomes[i] = {"poll_id": new.poll_id, "receipt": new.receipt, "changed": changed}
        if voters:
            inserted = ballot_writer.participate(list(voters), self.now)
            beaten = [i for voter, i in voters.items() if voter not in inserted]
            for i in beaten:
                del accepted[i]
            if beaten:
                self._answer_beaten(beaten)
        if accepted:
            ballot_writer.insert_ballots(list(accepted.values()))

    def _judge(self, i: int, facts: Facts | None) -> tuple[NewBallot | None, bool]:
        """The ballot to insert and whether it changes an earlier one; or a refusal (raised),
        in the order of the checks a single ballot always had."""
        ballot, receipt = self.ballots[i], self.receipts[i]
        if facts is None or facts.council_id != ballot.delegate.council_id:
            raise poll_not_found()  # none, or another council's: reveal nothing about it
        if facts.receipt_in:
            self.outcomes[i] = _repeated(ballot.poll_id, receipt)
            return None, False
        if facts.status != Poll.Status.OPEN or facts.closing_due:
            raise ServiceError("poll.not_open", _("Cuộc biểu quyết không mở hoặc đã kết thúc."))
        if not facts.present:
            raise ServiceError(
                "ballot.not_checked_in", _("Đại biểu cần điểm danh có mặt trước khi biểu quyết.")
            )
        choice = _normalise_choice(self._poll(ballot.poll_id, facts), ballot.choice)
        secret = facts.kind == Poll.Kind.SECRET
        if facts.took_part:
            if not facts.allow_change:
                raise _already_cast()
            # A secret ballot is found only through the command id its voter's tablet kept.
            previous = (
                receipt_for(poll_id=ballot.poll_id, command_id=ballot.previous_id or "")
                if secret
                else None
            )
            if (
                secret
                and not ballot.previous_id
                or not ballot_writer.supersede(
                    poll_id=ballot.poll_id, delegate_id=ballot.delegate.pk, receipt=previous
                )
            ):
                raise ServiceError(
                    "ballot.previous_unknown", _("Không tìm thấy phiếu trước đó để thay đổi.")
                )
        weight = self._weight(facts, ballot.delegate) if facts.weighted else 1
        new = NewBallot(
            poll_id=ballot.poll_id,
            delegate_id=None if secret else ballot.delegate.pk,
            choice=choice,
            weight=weight,
            receipt=receipt,
        )
        return new, facts.took_part

    def _answer_beaten(self, beaten: list[int]) -> None:
        """Another transaction committed these voters' ballots since the read: the same
        command on another worker (same receipt: the same answer) or another ballot."""
        pairs = [(self.ballots[i].poll_id, self.receipts[i]) for i in beaten]
        counted = ballot_writer.receipts_in(pairs)
        for i, pair in zip(beaten, pairs, strict=True):
            self.outcomes[i] = _repeated(*pair) if pair in counted else _already_cast()

    def _poll(self, poll_id: int, facts: Facts) -> Poll:
        """The poll's choices as ``_normalise_choice`` reads them (built once per batch)."""
        poll = self.polls.get(poll_id)
        if poll is None:
            poll = self.polls[poll_id] = Poll(
                pk=poll_id,
                choice_type=facts.choice_type,
                options=facts.options,
                min_selections=facts.min_selections,
                max_selections=facts.max_selections,
            )
        return poll

    def _weight(self, facts: Facts, delegate: Delegate) -> int:
        """As fixed when the session opened (weighted polls only: a rare read)."""
        rules = self.rules.get(facts.session_id)
        if rules is None:
            session = (
                Session.objects.select_related("council")
                .defer(*HOT_DEFER)  # parsed once per process (rules_of), not read each batch
                .get(pk=facts.session_id)
            )
            rules = self.rules[facts.session_id] = rules_of(session)
        return rules.weight_of(delegate)


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
