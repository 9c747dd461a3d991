"""The votes' socket commands: polls from creation to publication, ballots, assisted votes.

Registered with realtime's registry (``realtime.registry.command``); documented in
docs/protocol.md. Ballots are parallel (the poll row is only share-locked: a storm of them must
not queue in the one thread that serves the console) and idempotent by their own receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from meeting.commands import override_reason
from meeting.models import Delegate
from realtime.actors import Actor
from realtime.commands import Context, int_field, str_field
from realtime.errors import ServiceError
from realtime.registry import CHAIR, TABLET, command, register_command
from voting import assisted, ballots, counting
from voting import live as voting_live
from voting import services as voting


def _after_ballot(result: dict) -> None:
    voting_live.progress_soon(result["poll_id"])


def _after_open(result: dict) -> None:
    if result.get("closes_at"):
        voting_live.close_when_due(result["poll_id"], datetime.fromisoformat(result["closes_at"]))


# Ballots are idempotent by their own receipt: storing "delegate X sent command Y" would tie a
# secret ballot to its voter, so they never go through CommandReceipt.
# A voting pass's token is derived from its command id, never stored (voting.assisted).
# Ballot command ids make the receipt: they must be unguessable (a UUID).
MIN_BALLOT_ID_LENGTH = 16


def _ballot_request(context: Context, data: dict) -> ballots.BallotRequest:
    """The ballot a tablet sent, checked for shape (no database)."""
    if len(context.command_id) < MIN_BALLOT_ID_LENGTH:
        raise ServiceError(
            "command.id_weak",
            _("Mã lệnh bỏ phiếu phải là chuỗi ngẫu nhiên từ 16 ký tự (UUID)."),
        )
    # Changing a secret ballot: the command id of the one it replaces (never its receipt).
    previous = data.get("previous_id")
    return ballots.BallotRequest(
        poll_id=int_field(data, "poll_id"),
        delegate=context.actor.delegate,
        choice=data.get("choice"),
        command_id=context.command_id,
        previous_id=previous if isinstance(previous, str) and previous else None,
    )


def ballots_cast_together(commands: list[tuple[Context, dict]]) -> list[dict | ServiceError]:
    """The tablets' ballots that reached this process together: one transaction for all
    (voting.ballots.ballots_cast), one answer each."""
    outcomes: list[dict | ServiceError | None] = [None] * len(commands)
    requests, at = [], []
    for i, (context, data) in enumerate(commands):
        try:
            requests.append(_ballot_request(context, data))
            at.append(i)
        except ServiceError as refused:
            outcomes[i] = refused
    if requests:
        for i, outcome in zip(at, ballots.ballots_cast(ballots=requests), strict=True):
            outcomes[i] = outcome
    return outcomes  # type: ignore[return-value]


@command(
    type="ballot.cast",
    screens=[TABLET],
    parallel=True,
    self_idempotent=True,
    after=_after_ballot,
    batch=ballots_cast_together,
)
def ballot_cast(context: Context, data: dict) -> dict:
    (outcome,) = ballots_cast_together([(context, data)])
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome


_POLL_FIELDS = {
    "agenda_item_id": int,
    "kind": str,
    "choice_type": str,
    "options": list,
    "min_selections": int,
    "max_selections": int,
    "countdown_seconds": int,
    "allow_change": bool,
    "show_partial": bool,
    "base": str,
    "threshold": str,
    "threshold_strict": bool,
    "quorum": str,
    "presence_quorum": str,
    "tie_rule": str,
    "casting_delegate_id": int,
    "weighted": bool,
}


@command(type="poll.create", screens=[CHAIR])
def poll_create(context: Context, data: dict) -> dict:
    options = {}
    for name, kind in _POLL_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ServiceError(
                "message.malformed", _("Trường “%(name)s” không đúng kiểu.") % {"name": name}
            )
        options[name] = value
    fraction = data.get("threshold_fraction")
    if fraction is not None:
        if not (
            isinstance(fraction, list)
            and len(fraction) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in fraction)
        ):
            raise ServiceError("message.malformed", _("threshold_fraction phải là [p, q]."))
        options["threshold_fraction"] = tuple(fraction)
    poll = voting.poll_create(
        session_id=context.session_id,
        title=str_field(data, "title"),
        actor=context.actor,
        **options,
    )
    return {"poll_id": poll.pk, "status": poll.status}


@command(
    type="ballot.cast", screens=[CHAIR], parallel=True, self_idempotent=True, after=_after_ballot
)
def ballot_cast_own(context: Context, data: dict) -> dict:
    """The chair (or any console user who is a delegate of the council) votes as themself."""
    delegate = Delegate.objects.filter(
        user=context.actor.user,
        council__sessions=context.session_id,
    ).first()
    if delegate is None or context.actor.user is None:
        raise ServiceError(
            "command.forbidden",
            _("Tài khoản này không gắn với đại biểu nào của hội đồng: chỉ đại biểu biểu quyết."),
        )
    own = Context(
        session_id=context.session_id,
        actor=Actor(user=context.actor.user, delegate=delegate),
        command_id=context.command_id,
    )
    return ballot_cast(own, data)


@command(type="ballot.record", screens=[CHAIR], after=_after_ballot)
def ballot_record(context: Context, data: dict) -> dict:
    """The secretary records a present delegate's vote in a named poll (show of hands)."""
    return assisted.ballot_record(
        poll_id=int_field(data, "poll_id"),
        delegate_id=int_field(data, "delegate_id"),
        choice=data.get("choice"),
        command_id=context.command_id,
        actor=context.actor,
        session_id=context.session_id,
    )


@command(type="pass.issue", screens=[CHAIR], self_idempotent=True)
def pass_issue(context: Context, data: dict) -> dict:
    """A one-time voting pass for a spare tablet (secret poll): its link and QR code."""
    from kiosk_ui.views import qr_svg

    if len(context.command_id) < MIN_BALLOT_ID_LENGTH:
        raise ServiceError(
            "command.id_weak",
            _("Mã lệnh cấp mã bỏ phiếu phải là chuỗi ngẫu nhiên từ 16 ký tự (UUID)."),
        )
    voting_pass, token = assisted.voting_pass_issue(
        poll_id=int_field(data, "poll_id"),
        delegate_id=int_field(data, "delegate_id"),
        command_id=context.command_id,
        actor=context.actor,
        session_id=context.session_id,
    )
    url = f"{context.origin}{assisted.PASS_PATH}{token}/"
    return {
        "pass_id": voting_pass.pk,
        "poll_id": voting_pass.poll_id,
        "delegate_id": voting_pass.delegate_id,
        "url": url,
        "qr_svg": qr_svg(url),
    }


def _poll_action(service: Callable[..., Any]) -> Callable[[Context, dict], dict]:
    def handle(context: Context, data: dict) -> dict:
        extra = {}
        if service is voting.poll_cancel:
            extra["reason"] = str_field(data, "reason")
        if service is voting.poll_open:
            extra["override_reason"] = override_reason(data)
        outcome = service(
            poll_id=int_field(data, "poll_id"),
            actor=context.actor,
            session_id=context.session_id,
            **extra,
        )
        poll = getattr(outcome, "poll", outcome)
        answer = {"poll_id": poll.pk, "status": poll.status}
        if poll.closes_at and poll.status == "open":
            answer["closes_at"] = poll.closes_at.isoformat()
        return answer

    handle.__qualname__ = service.__name__
    return handle


register_command(
    _poll_action(voting.poll_open), type="poll.open", screens=[CHAIR], after=_after_open
)
for _name, _service in (
    ("poll.close", counting.poll_close),
    ("poll.publish", voting.poll_publish),
    ("poll.cancel", voting.poll_cancel),
    ("poll.revote", voting.poll_revote),
):
    register_command(_poll_action(_service), type=_name, screens=[CHAIR])
