"""Reads of the floor: lists of speakers, the running turn, questions, and each screen's part
of the snapshot. Every payload is built once per event, never per screen."""

from __future__ import annotations

from django.db.models import Q

from floor import timing
from floor.models import (
    DEFAULT_LIMITS,
    Kind,
    Question,
    QuestionSession,
    Request,
    SpeakerList,
    SpeakingLimit,
    Turn,
)
from meeting.models import Delegate, Guest, Session


def speaker_payload(delegate: Delegate | None, guest: Guest | None) -> dict:
    if delegate is not None:
        return {
            "delegate_id": delegate.pk,
            "guest_id": None,
            "name": delegate.full_name,
            "seat": delegate.seat_label,
            "title": delegate.title,
            "agency": "",
        }
    return {
        "delegate_id": None,
        "guest_id": guest.pk,
        "name": guest.full_name,
        "seat": "",
        "title": guest.title,
        "agency": guest.agency,
    }


def _reply_payload(turn: Turn | None) -> dict | None:
    if turn is None:
        return None
    return {"turn_id": turn.pk, "name": (turn.delegate or turn.guest).full_name}


def waiting(speaker_list: SpeakerList):
    """The waiting requests of a list, in the order they will be served."""
    return (
        Request.objects.filter(speaker_list=speaker_list, status=Request.Status.WAITING)
        .select_related("delegate", "guest", "reply_to__delegate", "reply_to__guest")
        .order_by("rank", "position")
    )


def request_payload(request: Request, place: int | None = None) -> dict:
    """A request as it now is; ``place`` (1 = next) only in a snapshot's line: an event
    carries the requests that changed, and each screen places them by (rank, position)."""
    payload = {
        "id": request.pk,
        "kind": request.kind,
        "kind_label": str(Kind(request.kind).label),
        "status": request.status,
        "rank": request.rank,
        "position": request.position,
        "speaker": speaker_payload(request.delegate, request.guest),
        "reply_to": _reply_payload(request.reply_to),
        "by_chair": request.added_by_chair,
    }
    if place is not None:
        payload["place"] = place
    return payload


def place_of(request: Request) -> int | None:
    """The request's place in its line (1 = next), or None when it no longer waits."""
    if request.status != Request.Status.WAITING:
        return None
    ahead = (
        Request.objects.filter(speaker_list_id=request.speaker_list_id, status=request.status)
        .filter(Q(rank__lt=request.rank) | Q(rank=request.rank, position__lt=request.position))
        .count()
    )
    return ahead + 1


def spoken(session: Session, item_id: int, turns: list[Turn] | None = None) -> list[dict]:
    """Who has held the floor on this item, in order: a debate replies to one of them
    (``turns``: the item's, already read). ``delegate_id`` (null for a guest): a tablet
    leaves out its delegate's own turns by it — two delegates may share a name."""
    if turns is None:
        turns = Turn.objects.filter(session=session, agenda_item_id=item_id).select_related(
            "delegate", "guest"
        )
    return [
        {
            "turn_id": t.pk,
            "kind": t.kind,
            "name": (t.delegate or t.guest).full_name,
            "delegate_id": t.delegate_id,
        }
        for t in turns
    ]


def event_turns(session: Session, item_id: int | None) -> tuple[list[Turn], Turn | None]:
    """For one ``floor.changed``, in one read: the item's turns and the running turn (on this
    item or another; a session runs one at most)."""
    wanted = (
        Q(ended_at__isnull=True) | Q(agenda_item_id=item_id)
        if item_id
        else Q(ended_at__isnull=True)
    )
    turns = list(
        Turn.objects.filter(wanted, session=session).select_related(
            "delegate", "guest", "reply_to__delegate", "reply_to__guest", "question"
        )
    )
    running = next((t for t in turns if t.ended_at is None), None)
    return [t for t in turns if item_id and t.agenda_item_id == item_id], running


def list_payload(session: Session, item_id: int, speaker_list: SpeakerList | None) -> dict:
    """The whole line of an item, for a snapshot."""
    queue = [] if speaker_list is None else list(waiting(speaker_list))
    return {
        "agenda_item_id": item_id,
        "closed": bool(speaker_list and speaker_list.closed),
        "waiting": [request_payload(r, place) for place, r in enumerate(queue, start=1)],
        "spoken": spoken(session, item_id),
        "limits": limits_for(session, item_id),
    }


def list_change(
    session: Session,
    item_id: int,
    speaker_list: SpeakerList | None,
    requests,
    turns: list[Turn] | None = None,
) -> dict:
    """What an event says of an item's line: the requests that changed, as they now are
    (a screen puts each in its place or takes it out), never the whole line again — thirty,
    or three thousand, requests must not cost each screen the square of that."""
    return {
        "agenda_item_id": item_id,
        "closed": bool(speaker_list and speaker_list.closed),
        "requests": [request_payload(r) for r in requests],
        "waiting_count": (
            0
            if speaker_list is None
            else Request.objects.filter(
                speaker_list=speaker_list, status=Request.Status.WAITING
            ).count()
        ),
        "spoken": spoken(session, item_id, turns),
        "limits": limits_for(session, item_id),
    }


def running_turn(session: Session) -> Turn | None:
    return (
        Turn.objects.filter(session=session, ended_at__isnull=True)
        .select_related("delegate", "guest", "reply_to__delegate", "reply_to__guest", "question")
        .first()
    )


def turn_payload(turn: Turn | None) -> dict | None:
    """The running turn as the screens draw it: they count from ``elapsed_seconds`` on
    receipt (never from their own clock against ``started_at``), so a skewed tablet clock
    does not matter and a reconnect resumes from the server's figure."""
    if turn is None:
        return None
    return {**turn_fixed(turn), **turn_clock(turn)}


def turn_fixed(turn: Turn) -> dict:
    """What of the running turn only a sequenced event changes (``floor.changed``: given,
    paused, resumed, time added, ended): the same for every screen at one seq."""
    return {
        "id": turn.pk,
        "kind": turn.kind,
        "kind_label": str(Kind(turn.kind).label),
        "agenda_item_id": turn.agenda_item_id,
        "question_id": turn.question_id,
        "speaker": speaker_payload(turn.delegate, turn.guest),
        "reply_to": _reply_payload(turn.reply_to),
        "started_at": turn.started_at.isoformat(),
        "limit_seconds": turn.limit_seconds,
        "added_seconds": turn.added_seconds,
        "paused": turn.paused_at is not None,
    }


def turn_clock(turn: Turn) -> dict:
    """The turn's figures of the server's clock now: computed per screen, never shared."""
    at = timing.now()
    return {
        "elapsed_seconds": round(timing.elapsed_seconds(turn, at), 3),
        "remaining_seconds": round(timing.remaining_seconds(turn, at), 3),
        "server_time": at.isoformat(),
    }


def limits_for(session: Session, item_id: int | None) -> dict[str, int]:
    """The limit of each kind on this item: the item's, else the session's, else the
    council's, else the built-in default."""
    limits = {kind.value: seconds for kind, seconds in DEFAULT_LIMITS.items()}
    rows = SpeakingLimit.objects.filter(
        Q(council_id=session.council_id, session__isnull=True, agenda_item__isnull=True)
        | Q(session=session, agenda_item__isnull=True)
        | Q(agenda_item_id=item_id)
    ).values_list("kind", "seconds", "session_id", "agenda_item_id")
    for specificity in (0, 1, 2):
        for kind, seconds, session_id, agenda_item_id in rows:
            if (2 if agenda_item_id else 1 if session_id else 0) == specificity:
                limits[kind] = seconds
    return limits


def question_payload(question: Question) -> dict:
    return {
        "id": question.pk,
        "position": question.position,
        "asker": speaker_payload(question.asker, None),
        "respondent": speaker_payload(None, question.respondent),
        "text": question.text,
        "on_paper": question.on_paper,
        "status": question.status,
        "status_label": str(Question.Status(question.status).label),
        "due_date": question.due_date.isoformat() if question.due_date else None,
        "answered_at": question.answered_at.isoformat() if question.answered_at else None,
    }


def questions(session: Session) -> list[Question]:
    return list(
        Question.objects.filter(session=session)
        .exclude(status=Question.Status.WITHDRAWN)
        .select_related("asker", "respondent")
        .order_by("position")
    )


def call_order(session: Session, order: str) -> list[Question]:
    """Questions not yet reached, in the order the chair calls them: by registration, or
    grouped by respondent (respondents in the order of their first question)."""
    pending = [q for q in questions(session) if q.status == Question.Status.REGISTERED]
    if order != QuestionSession.Order.RESPONDENT:
        return pending
    first: dict[int, int] = {}
    for q in pending:
        first.setdefault(q.respondent_id, q.position)
    return sorted(pending, key=lambda q: (first[q.respondent_id], q.position))


def questions_payload(session: Session) -> dict:
    state = QuestionSession.objects.filter(session=session).first()
    order = state.order if state else QuestionSession.Order.REGISTRATION
    return {
        "order": order,
        "ended": bool(state and state.ended_at),
        "questions": [question_payload(q) for q in questions(session)],
        "call_order": [q.pk for q in call_order(session, order)],
        "respondents": [speaker_payload(None, g) for g in Guest.objects.filter(session=session)],
    }


def written_answer_payload(question: Question) -> dict:
    return {
        **question_payload(question),
        "answer_text": question.answer_text,
        "answer_pdf_url": (
            f"/floor/answers/{question.pk}/answer.pdf" if question.answer_file_id else None
        ),
    }


def my_answers(session: Session, delegate: Delegate) -> list[dict]:
    rows = Question.objects.filter(
        session=session, asker=delegate, status=Question.Status.ANSWERED_IN_WRITING
    ).select_related("asker", "respondent")
    return [written_answer_payload(q) for q in rows]


def open_written_answers(council_ids) -> list[Question]:
    """Written answers still due, oldest due date first, for the councils given."""
    return list(
        Question.objects.filter(
            session__council_id__in=council_ids, status=Question.Status.WRITTEN_DUE
        )
        .select_related("asker", "respondent", "session", "session__council")
        .order_by("due_date", "session_id", "position")
    )


def floor_public(session: Session) -> dict:
    """Each item's line, the running turn and the question session: alike for every screen
    and changed only by events (``floor.changed``, ``questions.changed``), so shareable at
    one seq. The turn is kept as read (``running``, never changed by a viewer) with what it
    shows (``turn``); its clock figures are each viewer's own (``floor_snapshot``)."""
    lists = {sl.agenda_item_id: sl for sl in SpeakerList.objects.filter(session=session)}
    # Items nobody has asked on have no list yet: only those with one, and the current item.
    item_ids = set(lists) | ({session.current_item_id} if session.current_item_id else set())
    running = running_turn(session)
    questions = questions_payload(session)
    return {
        "lists": {
            str(item_id): list_payload(session, item_id, lists.get(item_id))
            for item_id in sorted(item_ids)
        },
        "running": running,
        "turn": turn_fixed(running) if running is not None else None,
        "questions": questions,
        # Whose questions the session holds (withdrawn ones aside): a delegate not among them
        # has no written answer here — questions are registered only by a sequenced event
        # (``questions.changed``) and a withdrawn one is never answered (floor.questions).
        "askers": {q["asker"]["delegate_id"] for q in questions["questions"]},
    }


def floor_snapshot(
    session: Session, *, delegate: Delegate | None = None, public: dict | None = None
) -> dict:
    """Every screen's part: each item's list, the running turn, the question session; a
    tablet also gets the written answers to its own questions. The turn's elapsed and
    remaining seconds are the server's clock now, per screen."""
    public = public if public is not None else floor_public(session)
    running, turn = public["running"], public["turn"]
    part = {
        "floor": {
            "lists": public["lists"],
            "turn": None if running is None else {**turn, **turn_clock(running)},
        },
        "questions": public["questions"],
    }
    if delegate is not None:
        # Answers come in writing between sittings too (a notice, no seq), but only to a
        # question the shared part already shows: read only for a delegate who asked one.
        part["my_answers"] = (
            my_answers(session, delegate) if delegate.pk in public["askers"] else []
        )
    return part
