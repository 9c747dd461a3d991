"""Every write of a poll but its ballots and its count: create, open, publish, cancel, re-vote.

Ballots are cast in ``voting.ballots``, polls are closed and counted in ``voting.counting``;
how the two meet without losing a ballot (the poll row's locks) is told there. Lock order
everywhere: poll, then session.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting import chain
from meeting.fixed_rules import rules_of
from meeting.models import Delegate, Session
from meeting.selectors import agenda_item_check
from meeting.services import presentation_take_down, quorum_gate, session_lock
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.groups import Audience
from realtime.publish import emit, notify
from voting import rules, selectors, tally
from voting.models import Poll, PollResult

MAX_COUNTDOWN_SECONDS = 24 * 60 * 60


def poll_log(poll: Poll, action: str, actor: Actor, **data) -> None:
    """An entry of the session's hash chain about ``poll``."""
    chain.append(session_id=poll.session_id, action=action, actor=actor, poll=poll.pk, **data)


def poll_not_found() -> ServiceError:
    return ServiceError("poll.not_found", _("Không tìm thấy cuộc biểu quyết."))


def poll_lock(poll_id: int, session_id: int | None = None) -> Poll:
    """The poll, locked ``FOR UPDATE`` for this transaction (in ``session_id``, if given)."""
    polls = Poll.objects.select_for_update().filter(pk=poll_id)
    if session_id is not None:
        polls = polls.filter(session_id=session_id)
    poll = polls.first()
    if poll is None:
        raise poll_not_found()
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
        poll_log(
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
        poll = poll_lock(poll_id, session_id)
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
        poll_log(
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


def poll_publish(*, poll_id: int, actor: Actor, session_id: int | None = None) -> Poll:
    """Show the result to the room."""
    with transaction.atomic():
        poll = poll_lock(poll_id, session_id)
        if poll.status != Poll.Status.CLOSED:
            raise ServiceError("poll.bad_transition", _("Chỉ công bố được biểu quyết đã kết thúc."))
        session = session_lock(poll.session_id)
        poll.status = Poll.Status.PUBLISHED
        poll.published_at = timezone.now()
        poll.save(update_fields=["status", "published_at"])
        poll_log(poll, "poll.publish", actor)
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
        poll = poll_lock(poll_id, session_id)
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
        poll_log(poll, "poll.cancel", actor, reason=poll.cancel_reason)
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
        raise poll_not_found()
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
