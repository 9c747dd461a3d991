"""Assisted votes: every delegate present can vote, with or without a working tablet.

* Named poll: the secretary records a present delegate's vote from a show of hands
  (``ballot_record``). The who-has-voted row keeps who recorded it; the chain gets an entry
  ``ballot.recorded`` (the delegate, the choice, the receipt, by whom and when).
* Secret poll: the secretary issues a one-time pass for a spare tablet (``voting_pass_issue``),
  valid for that delegate and that poll only. The first browser that opens its link holds it
  (``voting_pass_claim``) and casts the ballot (``ballot_cast_with_pass``); the secretary
  never sees the choice, and nothing stored ties the ballot to the pass.
* The chair, a delegate whose console account is linked to them, votes from the console as
  themself (``voting.commands``): the same ``ballot_cast`` as a tablet.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from meeting import chain
from meeting.models import Attendance, Delegate
from realtime.actors import Actor
from realtime.errors import ServiceError
from voting.ballots import ballot_cast
from voting.models import Ballot, Participation, Poll, VotingPass
from voting.secrecy import receipt_for
from voting.services import poll_not_found

PASS_PATH = "/tablet/pass/"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _poll_of_session(poll_id: int, session_id: int) -> Poll:
    poll = Poll.objects.select_related("session").filter(pk=poll_id, session_id=session_id).first()
    if poll is None:
        raise poll_not_found()
    return poll


def _delegate_of(poll: Poll, delegate_id: int) -> Delegate:
    delegate = Delegate.objects.filter(pk=delegate_id, council_id=poll.session.council_id).first()
    if delegate is None:
        raise ServiceError(
            "delegate.not_found", _("Đại biểu không thuộc hội đồng của kỳ họp này.")
        )
    return delegate


def _already_voted() -> ServiceError:
    return ServiceError(
        "ballot.already_cast", _("Đại biểu đã biểu quyết trong cuộc biểu quyết này.")
    )


def ballot_record(
    *, poll_id: int, delegate_id: int, choice, command_id: str, actor: Actor, session_id: int
) -> dict:
    """The secretary records a present delegate's vote in a named poll (a show of hands)."""
    with transaction.atomic():
        poll = _poll_of_session(poll_id, session_id)
        if poll.kind != Poll.Kind.NAMED:
            raise ServiceError(
                "ballot.secret_needs_pass",
                _(
                    "Bỏ phiếu kín: thư ký không thể ghi nhận thay lựa chọn của đại biểu. Hãy cấp "
                    "mã bỏ phiếu một lần cho máy tính bảng dự phòng."
                ),
            )
        delegate = _delegate_of(poll, delegate_id)
        receipt = receipt_for(poll_id=poll.pk, command_id=command_id)
        repeated = Ballot.objects.filter(poll=poll, receipt=receipt).exists()
        if not repeated and Participation.objects.filter(poll=poll, delegate=delegate).exists():
            raise _already_voted()  # never over a delegate's own ballot
        result = ballot_cast(
            poll_id=poll.pk, delegate=delegate, choice=choice, command_id=command_id
        )
        if result.get("repeated"):
            return {**result, "delegate_id": delegate.pk}
        participation = Participation.objects.get(poll=poll, delegate=delegate)
        participation.recorded_by = actor.user
        participation.save(update_fields=["recorded_by"])
        chain.append(
            session_id=poll.session_id,
            action="ballot.recorded",
            actor=actor,
            poll=poll.pk,
            delegate=delegate.pk,
            choice=Ballot.objects.get(poll=poll, receipt=receipt).choice,
            receipt=receipt,
            recorded_at=participation.voted_at.isoformat(),
        )
    return {**result, "delegate_id": delegate.pk}


def _pass_token(actor: Actor, command_id: str) -> str:
    """The pass's token, derived from the issuing command's id (a UUID) with the server's key:
    the same command again finds the same pass, and no token is ever stored."""
    value = f"{actor.key}:{command_id}"
    return salted_hmac("chamber.voting-pass", value, algorithm="sha256").hexdigest()[:32]


def voting_pass_issue(
    *, poll_id: int, delegate_id: int, command_id: str, actor: Actor, session_id: int
) -> tuple[VotingPass, str]:
    """A one-time pass for a spare tablet; returns it and its token (shown, never stored).
    A pass issued before for the same delegate and poll stops working. Idempotent by
    ``command_id``."""
    token = _pass_token(actor, command_id)
    with transaction.atomic():
        again = VotingPass.objects.filter(token_hash=_hash(token)).first()
        if again is not None and again.poll.session_id == session_id:
            return _usable(again), token
        poll = _poll_of_session(poll_id, session_id)
        if poll.kind != Poll.Kind.SECRET:
            raise ServiceError(
                "pass.named_poll",
                _(
                    "Biểu quyết công khai: thư ký ghi nhận trực tiếp phiếu của đại biểu, không "
                    "cần mã bỏ phiếu."
                ),
            )
        if poll.status != Poll.Status.OPEN:
            raise ServiceError("poll.not_open", _("Cuộc biểu quyết không mở hoặc đã kết thúc."))
        delegate = _delegate_of(poll, delegate_id)
        if not Attendance.objects.filter(
            session_id=session_id, delegate=delegate, status=Attendance.Status.PRESENT
        ).exists():
            raise ServiceError(
                "ballot.not_checked_in", _("Đại biểu cần điểm danh có mặt trước khi biểu quyết.")
            )
        if Participation.objects.filter(poll=poll, delegate=delegate).exists():
            raise _already_voted()
        now = timezone.now()
        VotingPass.objects.filter(
            poll=poll, delegate=delegate, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        voting_pass = VotingPass.objects.create(
            poll=poll,
            delegate=delegate,
            token_hash=_hash(token),
            issued_by=actor.user,
            issued_at=now,
        )
        chain.append(
            session_id=poll.session_id,
            action="pass.issued",
            actor=actor,
            poll=poll.pk,
            delegate=delegate.pk,
            voting_pass=voting_pass.pk,
        )
    return voting_pass, token


def _usable(voting_pass: VotingPass) -> VotingPass:
    if voting_pass.revoked_at is not None:
        raise ServiceError(
            "pass.revoked", _("Mã bỏ phiếu này đã được thay bằng mã khác. Hãy hỏi thư ký.")
        )
    if voting_pass.used_at is not None:
        raise ServiceError("pass.used", _("Mã bỏ phiếu này đã được dùng để bỏ phiếu."))
    if voting_pass.poll.status != Poll.Status.OPEN:
        raise ServiceError("poll.not_open", _("Cuộc biểu quyết không mở hoặc đã kết thúc."))
    return voting_pass


def _invalid() -> ServiceError:
    return ServiceError("pass.invalid", _("Mã bỏ phiếu không hợp lệ."))


def voting_pass_claim(*, token: str) -> tuple[VotingPass, str]:
    """The spare tablet opens the link: the first browser holds the pass, with a key of its
    own (returned; the caller keeps it in that browser's session)."""
    with transaction.atomic():
        voting_pass = (
            VotingPass.objects.select_for_update()
            .select_related("poll", "delegate")
            .filter(token_hash=_hash(token or ""))
            .first()
        )
        if voting_pass is None:
            raise _invalid()
        _usable(voting_pass)
        if voting_pass.claimed_at is not None:
            raise ServiceError(
                "pass.claimed",
                _("Mã bỏ phiếu này đã được mở trên một máy khác. Hãy hỏi thư ký cấp mã mới."),
            )
        claim = secrets.token_urlsafe(24)
        voting_pass.claim_hash = _hash(claim)
        voting_pass.claimed_at = timezone.now()
        voting_pass.save(update_fields=["claim_hash", "claimed_at"])
    return voting_pass, claim


def voting_pass_held(*, pass_id: int, claim: str) -> VotingPass:
    """The pass this browser holds, still usable."""
    voting_pass = (
        VotingPass.objects.select_related("poll", "delegate").filter(pk=pass_id).first()
    )
    if voting_pass is None or not voting_pass.claim_hash:
        raise _invalid()
    if not hmac.compare_digest(voting_pass.claim_hash, _hash(claim or "")):
        raise _invalid()
    return _usable(voting_pass)


def ballot_cast_with_pass(*, pass_id: int, claim: str, choice, command_id: str) -> dict:
    """Cast the pass's one ballot: the delegate's, in the pass's poll only."""
    with transaction.atomic():
        locked = VotingPass.objects.select_for_update().filter(pk=pass_id).first()
        if locked is None:
            raise _invalid()
        voting_pass = voting_pass_held(pass_id=pass_id, claim=claim)
        result = ballot_cast(
            poll_id=voting_pass.poll_id,
            delegate=voting_pass.delegate,
            choice=choice,
            command_id=command_id,
        )
        voting_pass.used_at = timezone.now()
        voting_pass.save(update_fields=["used_at"])
        Participation.objects.filter(
            poll_id=voting_pass.poll_id, delegate=voting_pass.delegate
        ).update(voting_pass=voting_pass)
        chain.append(
            session_id=voting_pass.poll.session_id,
            action="pass.used",
            actor=Actor(delegate=voting_pass.delegate),
            poll=voting_pass.poll_id,
            delegate=voting_pass.delegate_id,
            voting_pass=voting_pass.pk,
        )
    return result
