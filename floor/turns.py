"""Turns and their timers: give the floor, "next", end, pause, resume, add time.

The server keeps the time (``Turn``: start, pauses, end); screens draw it from the payload.
Giving the floor while someone speaks ends that turn first (as the chair's "next" button does
on a conference system); both changes go out in one ``floor.changed`` event.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from floor import selectors, timing
from floor.models import Question, Request, SpeakerList, Turn
from floor.services import floor_publish, item_of, log, require_live, speaker_facts
from meeting.models import Delegate, Guest, Session
from meeting.services import session_lock
from realtime.actors import Actor
from realtime.errors import ServiceError

MAX_ADD_SECONDS = 3600


def turn_facts(turn: Turn) -> dict:
    """What the chain keeps of a finished turn (``floor.turn_end``); verify-record compares
    the table with it."""
    return {
        "turn": turn.pk,
        "item": turn.agenda_item_id,
        "kind": turn.kind,
        "request": turn.request_id,
        "question": turn.question_id,
        "reply_to": turn.reply_to_id,
        **speaker_facts(delegate=turn.delegate, guest=turn.guest),
        "started_at": turn.started_at.isoformat(),
        "ended_at": turn.ended_at.isoformat() if turn.ended_at else None,
        "limit": turn.limit_seconds,
        "added": turn.added_seconds,
        "pauses": turn.pauses,
        "duration": round(timing.elapsed_seconds(turn), 3),
    }


def _no_turn() -> ServiceError:
    return ServiceError("floor.no_turn", _("Không có lượt phát biểu nào đang diễn ra."))


def _running(session: Session) -> Turn:
    turn = Turn.objects.select_for_update().filter(session=session, ended_at__isnull=True).first()
    if turn is None:
        raise _no_turn()
    return turn


def finish_running(session: Session, actor: Actor) -> Turn | None:
    """End the running turn, if any, inside the caller's transaction (session locked)."""
    turn = Turn.objects.select_for_update().filter(session=session, ended_at__isnull=True).first()
    if turn is None:
        return None
    at = timing.now()
    if turn.paused_at is not None:
        _unpause(turn, at)
    turn.ended_at = at
    turn.save(update_fields=["ended_at", "paused_at", "paused_seconds", "pauses"])
    if turn.request_id:
        Request.objects.filter(pk=turn.request_id).update(status=Request.Status.DONE)
    log(session, "floor.turn_end", actor, **turn_facts(turn))
    return turn


def end_on_sitting_stop(sender, *, session: Session, actor: Actor, action: str, **kwargs) -> None:
    """The sitting adjourns or closes while someone speaks (meeting.signals.sitting_stops): their
    turn ends now, its pause too, in the transaction of the adjournment or the close and
    before its entry — so the minutes give its end and duration, a closed chain still ends
    with its close, and every screen stops the timer (``floor.changed``, no turn)."""
    turn = finish_running(session, actor)
    if turn is not None:
        floor_publish(session=session, item_id=turn.agenda_item_id)


def start_turn(
    *,
    session: Session,
    actor: Actor,
    kind: str,
    item_id: int | None,
    delegate: Delegate | None = None,
    guest: Guest | None = None,
    request: Request | None = None,
    question: Question | None = None,
    reply_to: Turn | None = None,
) -> Turn:
    """Start a turn (ending the one running), inside the caller's transaction."""
    finish_running(session, actor)
    turn = Turn.objects.create(
        session=session,
        agenda_item_id=item_id,
        request=request,
        question=question,
        kind=kind,
        delegate=delegate,
        guest=guest,
        reply_to=reply_to,
        started_at=timing.now(),
        limit_seconds=selectors.limits_for(session, item_id)[kind],
    )
    if request is not None:
        request.status = Request.Status.SPEAKING
        request.save(update_fields=["status"])
    log(
        session,
        "floor.turn_start",
        actor,
        turn=turn.pk,
        item=item_id,
        kind=kind,
        request=request.pk if request else None,
        question=question.pk if question else None,
        reply_to=reply_to.pk if reply_to else None,
        started_at=turn.started_at.isoformat(),
        limit=turn.limit_seconds,
        **speaker_facts(delegate=delegate, guest=guest),
    )
    return turn


def _give(session: Session, request: Request, actor: Actor) -> Turn:
    item_id = request.speaker_list.agenda_item_id
    turn = start_turn(
        session=session,
        actor=actor,
        kind=request.kind,
        item_id=item_id,
        delegate=request.delegate,
        guest=request.guest,
        request=request,
        reply_to=request.reply_to,
    )
    floor_publish(session=session, item_id=item_id, requests=[request])
    return turn


def turn_give(*, session_id: int, request_id: int, actor: Actor) -> Turn:
    """The chair gives the floor to one waiting request of this session."""
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        request = (
            # The session row's lock serialises the floor's writes: no lock on the request.
            Request.objects.select_related("speaker_list", "delegate", "guest", "reply_to")
            .filter(pk=request_id, speaker_list__session=session, status=Request.Status.WAITING)
            .first()
        )
        if request is None:
            raise ServiceError(
                "floor.not_listed",
                _("Người này không có trong danh sách đang chờ phát biểu."),
            )
        return _give(session, request, actor)


def turn_next(*, session_id: int, actor: Actor, agenda_item_id: int | None = None) -> Turn:
    """ "Next": the floor to the first in line on the item (the current one by default)."""
    with transaction.atomic():
        session = session_lock(session_id)
        require_live(session)
        item_id = item_of(session, agenda_item_id)
        speaker_list = SpeakerList.objects.filter(agenda_item_id=item_id).first()
        first = (
            selectors.waiting(speaker_list).select_related("speaker_list").first()
            if (speaker_list)
            else None
        )
        if first is None:
            raise ServiceError("floor.queue_empty", _("Không còn ai trong danh sách chờ."))
        return _give(session, first, actor)


def turn_end(*, session_id: int, actor: Actor) -> Turn:
    with transaction.atomic():
        session = session_lock(session_id)
        _running(session)  # refuses when none runs
        turn = finish_running(session, actor)
        floor_publish(session=session, item_id=turn.agenda_item_id)
        return turn


def _unpause(turn: Turn, at) -> None:
    turn.paused_seconds += (at - turn.paused_at).total_seconds()
    turn.pauses = [*turn.pauses, [turn.paused_at.isoformat(), at.isoformat()]]
    turn.paused_at = None


def turn_pause(*, session_id: int, actor: Actor) -> Turn:
    with transaction.atomic():
        session = session_lock(session_id)
        turn = _running(session)
        if turn.paused_at is not None:
            raise ServiceError("floor.already_paused", _("Đồng hồ đang tạm dừng."))
        turn.paused_at = timing.now()
        turn.save(update_fields=["paused_at"])
        log(session, "floor.turn_pause", actor, turn=turn.pk, at=turn.paused_at.isoformat())
        floor_publish(session=session, item_id=turn.agenda_item_id)
        return turn


def turn_resume(*, session_id: int, actor: Actor) -> Turn:
    with transaction.atomic():
        session = session_lock(session_id)
        turn = _running(session)
        if turn.paused_at is None:
            raise ServiceError("floor.not_paused", _("Đồng hồ không tạm dừng."))
        at = timing.now()
        _unpause(turn, at)
        turn.save(update_fields=["paused_at", "paused_seconds", "pauses"])
        log(session, "floor.turn_resume", actor, turn=turn.pk, at=at.isoformat())
        floor_publish(session=session, item_id=turn.agenda_item_id)
        return turn


def turn_add_time(*, session_id: int, seconds: int, actor: Actor) -> Turn:
    """More time for the speaker (the overtime, if any, turns back into a countdown)."""
    if isinstance(seconds, bool) or not 1 <= seconds <= MAX_ADD_SECONDS:
        raise ServiceError("floor.bad_seconds", _("Thời gian thêm phải từ 1 giây đến 60 phút."))
    with transaction.atomic():
        session = session_lock(session_id)
        turn = _running(session)
        turn.added_seconds += seconds
        turn.save(update_fields=["added_seconds"])
        log(session, "floor.add_time", actor, turn=turn.pk, seconds=seconds)
        floor_publish(session=session, item_id=turn.agenda_item_id)
        return turn
