"""Every write to sessions, the agenda and attendance.

Each service validates, writes in one transaction with the session row locked, logs who did
it, and emits its events on commit (realtime.publish). A refused command raises ServiceError
before anything is written.
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting import chain, checkin, fixed_rules, record_facts, selectors, signals
from meeting.models import Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.publish import emit

Status = Session.Status
ABSENCES = (Attendance.Status.EXCUSED, Attendance.Status.ABSENT, Attendance.Status.LEFT)

# Which transitions the console may make, and the action's name in the log and events.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "schedule": ((Status.DRAFT,), Status.SCHEDULED),
    "open": ((Status.SCHEDULED,), Status.IN_PROGRESS),
    "adjourn": ((Status.IN_PROGRESS,), Status.ADJOURNED),
    "resume": ((Status.ADJOURNED,), Status.IN_PROGRESS),
    "close": ((Status.IN_PROGRESS, Status.ADJOURNED), Status.CLOSED),
}


def session_lock(session_id: int) -> Session:
    """Lock the session row for this transaction: its writes and sequence numbers serialise."""
    try:
        # Without the weights (a city's 5,000, decoded at each read): rules_of reads them
        # when a write needs them (the opening, a weighted count).
        return (
            Session.objects.select_for_update()
            .select_related("council")
            .defer(*fixed_rules.HOT_DEFER)
            .get(pk=session_id)
        )
    except Session.DoesNotExist:
        raise ServiceError("session.not_found", _("Không tìm thấy kỳ họp.")) from None


def _log(session: Session, action: str, actor: Actor, **data) -> None:
    chain.append(session_id=session.pk, action=action, actor=actor, **data)


def _require_live(session: Session) -> None:
    if not session.is_live:
        raise ServiceError("session.not_live", _("Kỳ họp chưa khai mạc hoặc đã bế mạc."))


def _has_open_poll(session: Session) -> bool:
    # Looked up by name: voting builds on meeting, not the other way round.
    poll_model = apps.get_model("voting", "Poll")
    return poll_model.objects.filter(session=session, status="open").exists()


def quorum_gate(session: Session, *, override_reason: str, refusal: str) -> dict:
    """The sitting's quorum now (present / all seats); below it, refused unless overridden.

    The law (Law on the Organisation of Local Government) lets a People's Council sitting
    proceed only when at least two thirds of all its delegates take part. Below the council's
    quorum the chair may still go on, but only by saying why: the reason is returned with the
    counts, for the chain and the minutes. ``refusal`` is the message, with ``%(present)d``,
    ``%(seats)d`` and ``%(required)d``.
    """
    rules = fixed_rules.rules_of(session)
    present = Attendance.objects.filter(session=session, status=Attendance.Status.PRESENT).count()
    required = rules.quorum_required
    quorate = present >= required
    reason = (override_reason or "").strip()[:2000]
    if not quorate and not reason:
        raise ServiceError(
            "quorum.not_met",
            refusal % {"present": present, "seats": rules.seats, "required": required},
        )
    return {
        "present": present,
        "seats": rules.seats,
        "required": required,
        "quorate": quorate,
        "override_reason": "" if quorate else reason,
    }


def session_transition(
    *, session_id: int, action: str, actor: Actor, override_reason: str = ""
) -> Session:
    """Open, adjourn, resume, close (or schedule) a session.

    Opening fixes the council's seats, quorum and default vote rules for the session and
    needs the quorum, unless ``override_reason`` says why the sitting opens without it.
    """
    if action not in TRANSITIONS:
        raise ServiceError("session.unknown_action", _("Thao tác không hợp lệ với kỳ họp."))
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        session = session_lock(session_id)
        if session.status not in sources:
            raise ServiceError(
                "session.bad_transition",
                _("Không thể thực hiện khi kỳ họp đang ở trạng thái “%(status)s”.")
                % {"status": session.get_status_display()},
            )
        if target == Status.CLOSED and _has_open_poll(session):
            raise ServiceError(
                "poll.still_open", _("Cần kết thúc cuộc biểu quyết đang mở trước khi bế mạc.")
            )
        changed = ["status"]
        if target == Status.IN_PROGRESS and session.current_item_id is None:
            first = selectors.agenda_order(session)[:1]
            if not first:
                raise ServiceError("agenda.empty", _("Chương trình kỳ họp chưa có nội dung nào."))
            session.current_item_id = first[0].pk
            changed.append("current_item")
        facts = {}
        if action == "open":
            facts["rules"] = fixed_rules.fix_rules(session).facts()
            changed += fixed_rules.FIXED_FIELDS
            facts["quorum"] = quorum_gate(
                session,
                override_reason=override_reason,
                refusal=_(
                    "Chưa đủ túc số để khai mạc: có mặt %(present)d/%(seats)d đại biểu, cần ít "
                    "nhất %(required)d. Chủ tọa chỉ có thể vẫn khai mạc khi nêu rõ lý do."
                ),
            )
        previous = session.status
        session.status = target
        if action == "open":
            facts.update(record_facts.at_open(session))
        elif action == "close":
            session.minutes_number = record_facts.next_minutes_number(session)
            changed.append("minutes_number")
            facts.update(record_facts.at_close(session))
        session.save(update_fields=changed)
        if action in ("adjourn", "close"):
            # The floor ends a running turn here: no one keeps the floor through a recess or
            # after the close, and its end and duration go to the chain before the close.
            signals.sitting_stops.send(sender=Session, session=session, action=action, actor=actor)
        _log(session, f"session.{action}", actor, previous=previous, status=target, **facts)
        if target == Status.CLOSED:
            chain.seal(session_id=session.pk)
        emit(session=session, type="session.changed", data=selectors.session_state(session))
        if target == Status.CLOSED:
            presentation_take_down(session=session)
    return session


def session_officers_set(
    *,
    session_id: int,
    chair_name: str,
    secretary_name: str,
    actor: Actor,
    chair_title: str = "",
    secretary_title: str = "",
) -> Session:
    """Name the chair and the secretary of the sitting (the minutes print them and they sign)."""
    values = {
        "chair_name": (chair_name or "").strip()[:200],
        "chair_title": (chair_title or "").strip()[:200],
        "secretary_name": (secretary_name or "").strip()[:200],
        "secretary_title": (secretary_title or "").strip()[:200],
    }
    if not values["chair_name"] or not values["secretary_name"]:
        raise ServiceError(
            "session.officers_required", _("Cần nhập họ tên chủ tọa và thư ký của kỳ họp.")
        )
    with transaction.atomic():
        session = session_lock(session_id)
        if session.status == Status.CLOSED:
            raise ServiceError("session.closed", _("Kỳ họp đã bế mạc."))
        if all(getattr(session, name) == value for name, value in values.items()):
            return session
        for name, value in values.items():
            setattr(session, name, value)
        session.save(update_fields=list(values))
        _log(session, "session.officers", actor, **values)
        emit(session=session, type="session.changed", data=selectors.session_state(session))
    return session


def agenda_select(*, session_id: int, item_id: int, actor: Actor) -> Session:
    with transaction.atomic():
        session = session_lock(session_id)
        _require_live(session)
        selectors.agenda_item_check(session=session, item_id=item_id)
        return _make_current(session, item_id, actor)


def agenda_step(*, session_id: int, step: int, actor: Actor) -> Session:
    """Move to the next (step=1) or previous (step=-1) item in agenda order."""
    with transaction.atomic():
        session = session_lock(session_id)
        _require_live(session)
        ids = [item.pk for item in selectors.agenda_order(session)]
        if not ids:
            raise ServiceError("agenda.empty", _("Chương trình kỳ họp chưa có nội dung nào."))
        index = ids.index(session.current_item_id) if session.current_item_id in ids else -1
        target = index + step
        if not 0 <= target < len(ids):
            code, message = (
                ("agenda.at_end", _("Đã ở nội dung cuối cùng của chương trình."))
                if step > 0
                else ("agenda.at_start", _("Đã ở nội dung đầu tiên của chương trình."))
            )
            raise ServiceError(code, message)
        return _make_current(session, ids[target], actor)


def _make_current(session: Session, item_id: int, actor: Actor) -> Session:
    previous = session.current_item_id
    session.current_item_id = item_id
    session.save(update_fields=["current_item"])
    _log(session, "agenda.current", actor, previous=previous, current=item_id)
    emit(session=session, type="agenda.current", data={"current_item_id": item_id})
    presentation_take_down(session=session)
    return session


def presentation_take_down(*, session: Session) -> bool:
    """Something else takes the room (the agenda moved, a vote's result, the close): the page
    shown to the room is no longer shown, on every screen alike. Runs in the caller's
    transaction, with the session locked; every screen hears ``document.shown`` with no
    document, and a snapshot says the same. False if no page was shown.
    """
    # Looked up by name: documents build on meeting, not the other way round.
    presentation_model = apps.get_model("documents", "Presentation")
    taken_down = presentation_model.objects.filter(session=session, document__isnull=False).update(
        document=None, page=1, updated_at=timezone.now()
    )
    if taken_down:
        emit(session=session, type="document.shown", data={"document": None, "page": None})
    return bool(taken_down)


# Marks only the console makes; a tablet cannot undo them without a badge scan.
CHAIR_MARKS = (Attendance.Status.LEFT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT)


def attendance_set(
    *,
    session_id: int,
    delegate_id: int,
    status: str,
    actor: Actor,
    reason: str = "",
    publish_summary: bool = True,
    arrival: bool = False,
) -> Attendance:
    """Mark a delegate present, excused, absent or checked out (``left``).

    The console may set any status; a delegate may only check themself in (via the badge
    or the tablet), and only while the session is live. A mark the chair made (left,
    excused, absent) yields only to an explicit arrival (``arrival``: a new badge sign-in),
    never to a tablet's check-in or reconnect (issue 10 item 16). The console's roster and the
    delegate's own tablets hear of the change at once; every screen gets the new count in an
    ``attendance.summary`` event: at once, or (``publish_summary=False``) from the caller's
    coalesced ``attendance_summary_publish`` when many check in together. ``reason`` says why
    a delegate is away (the minutes print it); it is kept only for an absence.
    """
    reason = (reason or "").strip()[:300] if status in ABSENCES else ""
    if status not in Attendance.Status.values:
        raise ServiceError("attendance.bad_status", _("Trạng thái điểm danh không hợp lệ."))
    with transaction.atomic():
        session = session_lock(session_id)
        if session.status == Status.CLOSED:
            raise ServiceError("session.closed", _("Kỳ họp đã bế mạc, không thể điểm danh."))
        if actor.delegate is not None:
            if actor.delegate.pk != delegate_id or status != Attendance.Status.PRESENT:
                raise ServiceError(
                    "command.forbidden", _("Đại biểu chỉ có thể tự điểm danh cho chính mình.")
                )
            _require_live(session)
        try:
            delegate = Delegate.objects.get(pk=delegate_id, council_id=session.council_id)
        except Delegate.DoesNotExist:
            raise ServiceError(
                "delegate.not_found", _("Đại biểu không thuộc hội đồng của kỳ họp này.")
            ) from None
        by_staff = actor.delegate is None
        attendance, created = Attendance.objects.select_for_update().get_or_create(
            session=session,
            delegate=delegate,
            defaults={
                "status": status,
                "reason": reason,
                "by_staff": by_staff,
                "changed_at": timezone.now(),
            },
        )
        previous = None if created else attendance.status
        if actor.delegate is not None and not arrival and previous in CHAIR_MARKS:
            raise ServiceError(
                "attendance.needs_badge",
                _(
                    "Chủ tọa đã ghi nhận “%(status)s”. Để điểm danh lại, vui lòng quét thẻ "
                    "đại biểu."
                )
                % {"status": attendance.get_status_display()},
            )
        if previous == status and attendance.reason == reason:
            return attendance  # nothing changes, nothing to announce
        if not created:
            attendance.status = status
            attendance.reason = reason
            attendance.by_staff = by_staff
            attendance.changed_at = timezone.now()
            attendance.save(update_fields=["status", "reason", "by_staff", "changed_at"])
        _log(
            session,
            "attendance.set",
            actor,
            delegate=delegate.pk,
            previous=previous,
            status=status,
            reason=reason,
            changed_at=attendance.changed_at.isoformat(),
        )
        summary = selectors.attendance_summary(session)
        checkin.announce_mark(
            session=session, delegate_id=delegate.pk, status=status, by_staff=by_staff,
            summary=summary,
        )
        if publish_summary:
            emit(session=session, type="attendance.summary", data=summary)
    return attendance


def attendance_summary_publish(*, session_id: int) -> None:
    """Tell every screen the present count and quorum state (coalesced check-ins)."""
    with transaction.atomic():
        session = session_lock(session_id)
        emit(session=session, type="attendance.summary", data=selectors.attendance_summary(session))


def badge_reissue(*, delegate_id: int, actor: Actor) -> Delegate:
    """Issue a new badge; every badge printed before stops working at once.

    Every tablet still signed in with the old badge is closed, whether or not the council has
    a live session (meeting.revocation); each live session's log records the re-issue.
    """
    from meeting.badges import new_badge_key
    from meeting.credentials import credential_log
    from meeting.revocation import close_badge

    with transaction.atomic():
        delegate = Delegate.objects.select_for_update().get(pk=delegate_id)
        delegate.badge_key = new_badge_key()
        delegate.badge_issued_at = timezone.now()
        # A new badge, a new PIN: the delegate sets one at the next sign-in.
        delegate.pin_hash, delegate.pin_failures, delegate.pin_locked_until = "", 0, None
        delegate.save(
            update_fields=[
                "badge_key", "badge_issued_at", "pin_hash", "pin_failures", "pin_locked_until"
            ]
        )
        credential_log(
            council_id=delegate.council_id,
            action="badge.reissued",
            user=actor.user,
            delegate=delegate,
        )
        for session in Session.objects.filter(
            council_id=delegate.council_id, status__in=[Status.IN_PROGRESS, Status.ADJOURNED]
        ):
            _log(session, "badge.reissued", actor, delegate=delegate.pk)
        close_badge(delegate.pk)
    return delegate


def tablet_presence_refresh(*, worker: str, connections: list[str] | None = None) -> int:
    """One heartbeat of a worker process: its tablets (``connections``, if given: only those
    still open) are still connected; rows it no longer holds go stale."""
    from meeting.models import TabletConnection

    rows = TabletConnection.objects.filter(worker=worker)
    if connections is not None:
        rows = rows.filter(connection__in=connections)
    return rows.update(seen_at=timezone.now())
