"""Every write of the list of speakers, and the two events every floor change is told by.

Each service locks the session row (``session_lock``: the session's writes and sequence
numbers serialise, so thirty requests in the same second get thirty places in commit order),
validates, writes, appends to the hash chain and emits one ``floor.changed`` (or
``questions.changed``) carrying the new state, on commit. A refusal raises ServiceError before
anything is written. Turns and timers are in ``floor.turns``, the question session in
``floor.questions``; both publish through ``floor_publish`` / ``questions_publish`` here.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from floor import selectors, timing
from floor.models import REQUEST_KINDS, Kind, Request, SpeakerList, SpeakingLimit, Turn
from meeting import chain
from meeting.models import Attendance, Delegate, Guest, Session
from meeting.selectors import agenda_item_check, agenda_item_not_found
from meeting.services import session_lock
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.publish import emit

MIN_LIMIT_SECONDS, MAX_LIMIT_SECONDS = 10, 3600


# -- shared by floor.turns and floor.questions ------------------------------------------------
def floor_publish(
    *,
    session: Session,
    item_id: int | None,
    requests=(),
    speaker_list: SpeakerList | None = None,
) -> None:
    """One sequenced event: the item's line (the requests that changed, as they now are) and
    the running turn. ``speaker_list``: the item's, if the caller holds it already."""
    if item_id and speaker_list is None:
        speaker_list = SpeakerList.objects.filter(agenda_item_id=item_id).first()
    item_turns, running = selectors.event_turns(session, item_id)
    emit(
        session=session,
        type="floor.changed",
        data={
            "list": (
                selectors.list_change(session, item_id, speaker_list, requests, item_turns)
                if item_id
                else None
            ),
            "turn": selectors.turn_payload(running),
        },
    )


def questions_publish(*, session: Session) -> None:
    """One sequenced event: the question session as it now is."""
    emit(session=session, type="questions.changed", data=selectors.questions_payload(session))


def log(session: Session, action: str, actor: Actor, **data) -> None:
    chain.append(session_id=session.pk, action=action, actor=actor, **data)


def require_live(session: Session) -> None:
    if not session.is_live:
        raise ServiceError("session.not_live", _("Kỳ họp chưa khai mạc hoặc đã bế mạc."))


def item_of(session: Session, item_id: int | None) -> int:
    """The item asked for, or the one under consideration; it must be this session's."""
    item_id = item_id or session.current_item_id
    if item_id is None:
        raise agenda_item_not_found()
    agenda_item_check(session=session, item_id=item_id)
    return item_id


def delegate_of(session: Session, delegate_id: int) -> Delegate:
    delegate = Delegate.objects.filter(pk=delegate_id, council_id=session.council_id).first()
    if delegate is None:
        raise ServiceError("delegate.not_found", _("Đại biểu không thuộc hội đồng của kỳ họp này."))
    return delegate


def guest_of(session: Session, guest_id: int) -> Guest:
    guest = Guest.objects.filter(pk=guest_id, session=session).first()
    if guest is None:
        raise ServiceError("guest.not_found", _("Không tìm thấy khách mời của kỳ họp này."))
    return guest


def require_checked_in(session: Session, delegate: Delegate) -> None:
    if not Attendance.objects.filter(
        session=session, delegate=delegate, status=Attendance.Status.PRESENT
    ).exists():
        raise ServiceError(
            "floor.not_checked_in",
            _("Đại biểu chưa điểm danh có mặt tại kỳ họp nên chưa thể đăng ký phát biểu."),
        )


def speaker_facts(*, delegate: Delegate | None, guest: Guest | None) -> dict:
    return {"delegate": delegate.pk if delegate else None, "guest": guest.pk if guest else None}


# -- requests ----------------------------------------------------------------------------------
def _list_locked(session: Session, item_id: int) -> SpeakerList:
    # One read: the caller holds the session row, so no one else makes the item's list now.
    speaker_list = SpeakerList.objects.select_for_update().filter(agenda_item_id=item_id).first()
    if speaker_list is None:
        speaker_list = SpeakerList.objects.create(agenda_item_id=item_id, session=session)
    return speaker_list


def _reply_to(session: Session, item_id: int, kind: str, turn_id: int | None, who) -> Turn | None:
    if kind != Kind.DEBATE:
        return None
    if turn_id is None:
        raise ServiceError(
            "floor.reply_to_required", _("Tranh luận cần chọn người đã phát biểu để tranh luận.")
        )
    turn = Turn.objects.filter(pk=turn_id, session=session, agenda_item_id=item_id).first()
    if turn is None or (turn.delegate_id, turn.guest_id) == who:
        raise ServiceError(
            "floor.reply_to_unknown",
            _("Chỉ có thể tranh luận với một người khác đã phát biểu về nội dung này."),
        )
    return turn


def _place(
    *,
    session: Session,
    item_id: int,
    kind: str,
    actor: Actor,
    delegate: Delegate | None = None,
    guest: Guest | None = None,
    reply_to_turn_id: int | None = None,
    by_chair: bool = False,
) -> Request:
    if kind not in REQUEST_KINDS:
        raise ServiceError("floor.bad_kind", _("Loại đăng ký phát biểu không hợp lệ."))
    if guest is not None and kind != Kind.SPEAK:
        raise ServiceError("floor.bad_kind", _("Khách mời chỉ được mời phát biểu."))
    who = (delegate.pk if delegate else None, guest.pk if guest else None)
    reply_to = _reply_to(session, item_id, kind, reply_to_turn_id, who)
    speaker_list = _list_locked(session, item_id)
    # A point of order may be raised at any time; a closed list takes no one else, except
    # from the chair.
    if speaker_list.closed and kind != Kind.ORDER and not by_chair:
        raise ServiceError(
            "floor.list_closed", _("Chủ tọa đã khóa danh sách phát biểu của nội dung này.")
        )
    waiting = Request.objects.filter(
        speaker_list=speaker_list, status=Request.Status.WAITING, kind=kind
    )
    if waiting.filter(delegate=delegate, guest=guest).exists():
        raise ServiceError(
            "floor.already_requested",
            _("Đã có một đăng ký loại này đang chờ; hãy rút đăng ký cũ trước."),
        )
    speaker_list.last_position += 1
    speaker_list.save(update_fields=["last_position"])
    try:
        with transaction.atomic():
            request = Request.objects.create(
                speaker_list=speaker_list,
                kind=kind,
                delegate=delegate,
                guest=guest,
                reply_to=reply_to,
                rank=0 if kind == Kind.ORDER else 1,
                position=speaker_list.last_position,
                added_by_chair=by_chair,
                requested_at=timing.now(),
            )
    except IntegrityError:  # the constraint behind the check above
        raise ServiceError(
            "floor.already_requested",
            _("Đã có một đăng ký loại này đang chờ; hãy rút đăng ký cũ trước."),
        ) from None
    log(
        session,
        "floor.request",
        actor,
        request=request.pk,
        item=item_id,
        kind=kind,
        reply_to=reply_to.pk if reply_to else None,
        position=request.position,
        rank=request.rank,
        by_chair=by_chair,
        **speaker_facts(delegate=delegate, guest=guest),
    )
    floor_publish(session=session, item_id=item_id, requests=[request], speaker_list=speaker_list)
    return request


def speaker_request(
    *,
    session_id: int,
    kind: str,
    actor: Actor,
    agenda_item_id: int | None = None,
    reply_to_turn_id: int | None = None,
) -> Request:
    """A delegate asks for the floor from their tablet (one tap): on the current item unless
    another is named; a debate names the earlier turn it replies to."""
    if actor.delegate is None:
        raise ServiceError("command.forbidden", _("Chỉ đại biểu mới đăng ký phát biểu."))
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        delegate = delegate_of(session, actor.delegate.pk)
        require_checked_in(session, delegate)
        return _place(
            session=session,
            item_id=item_of(session, agenda_item_id),
            kind=kind,
            actor=actor,
            delegate=delegate,
            reply_to_turn_id=reply_to_turn_id,
        )


def speaker_add(
    *,
    session_id: int,
    kind: str,
    actor: Actor,
    delegate_id: int | None = None,
    guest_id: int | None = None,
    agenda_item_id: int | None = None,
    reply_to_turn_id: int | None = None,
) -> Request:
    """The chair adds a delegate who raised a hand, or an invited guest (not a delegate)."""
    if (delegate_id is None) == (guest_id is None):
        raise ServiceError("floor.speaker_required", _("Cần chọn một đại biểu hoặc một khách mời."))
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        delegate = guest = None
        if delegate_id is not None:
            delegate = delegate_of(session, delegate_id)
            require_checked_in(session, delegate)
        else:
            guest = guest_of(session, guest_id)
        return _place(
            session=session,
            item_id=item_of(session, agenda_item_id),
            kind=kind,
            actor=actor,
            delegate=delegate,
            guest=guest,
            reply_to_turn_id=reply_to_turn_id,
            by_chair=True,
        )


def speaker_withdraw(*, session_id: int, request_id: int, actor: Actor) -> Request:
    """A delegate withdraws their own waiting request; the chair may remove any."""
    with transaction.atomic():
        session = session_lock(session_id)
        request = Request.objects.filter(
            pk=request_id, speaker_list__session=session, status=Request.Status.WAITING
        ).first()
        if request is None or (
            actor.delegate is not None and request.delegate_id != actor.delegate.pk
        ):
            raise ServiceError(
                "floor.request_not_found", _("Không có đăng ký phát biểu đang chờ này.")
            )
        request.status = Request.Status.WITHDRAWN
        request.save(update_fields=["status"])
        log(session, "floor.withdraw", actor, request=request.pk)
        floor_publish(
            session=session, item_id=request.speaker_list.agenda_item_id, requests=[request]
        )
        return request


def speaker_reorder(
    *, session_id: int, request_ids: list[int], actor: Actor, agenda_item_id: int | None = None
) -> SpeakerList:
    """The chair's order of the waiting requests: exactly those waiting, each once. Each gets
    a new place drawn from the list's counter, so places stay unique."""
    with transaction.atomic():
        session = session_lock(session_id)
        item_id = item_of(session, agenda_item_id)
        speaker_list = _list_locked(session, item_id)
        waiting = {r.pk: r for r in selectors.waiting(speaker_list)}
        if len(request_ids) != len(set(request_ids)) or set(request_ids) != set(waiting):
            raise ServiceError(
                "floor.bad_order",
                _("Danh sách đã thay đổi; hãy sắp xếp lại trên danh sách mới nhất."),
            )
        for request_id in request_ids:
            speaker_list.last_position += 1
            request = waiting[request_id]
            request.rank, request.position = 1, speaker_list.last_position
            request.save(update_fields=["rank", "position"])
        speaker_list.save(update_fields=["last_position"])
        log(session, "floor.reorder", actor, item=item_id, order=list(request_ids))
        floor_publish(session=session, item_id=item_id, requests=[waiting[i] for i in request_ids])
        return speaker_list


def speaker_list_close(
    *, session_id: int, actor: Actor, closed: bool = True, agenda_item_id: int | None = None
) -> SpeakerList:
    """Close the item's list to new requests (points of order still come), or reopen it."""
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        item_id = item_of(session, agenda_item_id)
        speaker_list = _list_locked(session, item_id)
        if speaker_list.closed == closed:
            return speaker_list
        speaker_list.closed = closed
        speaker_list.save(update_fields=["closed"])
        log(session, "floor.list_closed" if closed else "floor.list_reopened", actor, item=item_id)
        floor_publish(session=session, item_id=item_id)
        return speaker_list


def speaking_limit_set(
    *,
    session_id: int,
    kind: str,
    seconds: int,
    actor: Actor,
    agenda_item_id: int | None = None,
) -> SpeakingLimit:
    """The limit of one kind for this session, or (``agenda_item_id``) for one item. Turns
    already running keep theirs (the chair adds time to those)."""
    if kind not in Kind.values:
        raise ServiceError("floor.bad_kind", _("Loại lượt phát biểu không hợp lệ."))
    if isinstance(seconds, bool) or not MIN_LIMIT_SECONDS <= seconds <= MAX_LIMIT_SECONDS:
        raise ServiceError("floor.bad_seconds", _("Thời gian phải từ 10 giây đến 60 phút."))
    with transaction.atomic():
        session = session_lock(session_id)
        if session.status == Session.Status.CLOSED:
            raise ServiceError("session.closed", _("Kỳ họp đã bế mạc."))
        item_id = item_of(session, agenda_item_id) if agenda_item_id else None
        limit, _created = SpeakingLimit.objects.update_or_create(
            council_id=session.council_id,
            session=session,
            agenda_item_id=item_id,
            kind=kind,
            defaults={"seconds": seconds},
        )
        log(session, "floor.limit", actor, kind=kind, seconds=seconds, item=item_id)
        shown = item_id or session.current_item_id
        if shown:
            _list_locked(session, shown)
        floor_publish(session=session, item_id=shown)
        return limit
