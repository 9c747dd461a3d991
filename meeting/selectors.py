"""Reads: the agenda in order, attendance, and the snapshot each screen gets on connect."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meeting.fixed_rules import HOT_DEFER, rules_of
from meeting.models import AgendaItem, Attendance, Delegate, Session, TabletConnection
from meeting.quorum import attendance_summary as summarise
from realtime.errors import ServiceError


def agenda_item_not_found() -> ServiceError:
    """The refusal of an item that is not on this session's agenda, wherever something is
    filed under an item (the agenda, a poll, a document)."""
    return ServiceError("agenda.item_not_found", _("Nội dung này không thuộc chương trình kỳ họp."))


def agenda_item_check(*, session: Session, item_id: int) -> None:
    """Refuse ``item_id`` unless it is an item of ``session``'s agenda."""
    if not AgendaItem.objects.filter(pk=item_id, session=session).exists():
        raise agenda_item_not_found()


def agenda_order(session: Session) -> list[AgendaItem]:
    """The agenda tree flattened depth-first, each item given ``number`` ("1", "1.2") and
    ``depth``."""
    items = list(AgendaItem.objects.filter(session=session).order_by("position", "id"))
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    ordered: list[AgendaItem] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        for index, item in enumerate(children.get(parent_id, []), start=1):
            item.number = f"{prefix}{index}"
            item.depth = depth
            ordered.append(item)
            walk(item.pk, f"{item.number}.", depth + 1)

    walk(None, "", 0)
    return ordered


def agenda_payload(session: Session) -> list[dict]:
    return [
        {
            "id": item.pk,
            "number": item.number,
            "depth": item.depth,
            "parent_id": item.parent_id,
            "title": item.title,
            "presenter": item.presenter,
        }
        for item in agenda_order(session)
    ]


def session_state(session: Session) -> dict:
    return {
        "id": session.pk,
        "number": session.number,
        "title": session.title,
        "status": session.status,
        "status_label": str(session.get_status_display()),
        "current_item_id": session.current_item_id,
        # The console asks for them when the sitting opens without them (the minutes).
        "chair_name": session.chair_name,
        "secretary_name": session.secretary_name,
    }


def council_payload(session: Session) -> dict:
    council = session.council
    return {
        "id": council.pk,
        "name": council.name,
        "level": council.level,
        "seats": rules_of(session).seats,  # as fixed at the opening
    }


def attendance_summary(session: Session, present: int | None = None) -> dict:
    """Present, seats, required and quorate (``present``: counted already, in this read)."""
    if present is None:
        present = Attendance.objects.filter(
            session=session, status=Attendance.Status.PRESENT
        ).count()
    rules = rules_of(session)
    return summarise(present=present, seats=rules.seats, rule=rules.quorum_rule)


def _fresh_since():
    return timezone.now() - timedelta(seconds=settings.CHAMBER_PRESENCE_STALE_SECONDS)


def delegates_connected(session_id: int, delegate_ids: set[int]) -> set[int]:
    """Which of these delegates have a tablet online in the session (one query)."""
    return set(
        TabletConnection.objects.filter(
            session_id=session_id, delegate_id__in=delegate_ids, seen_at__gte=_fresh_since()
        ).values_list("delegate_id", flat=True)
    )


def roster(session: Session) -> list[dict]:
    """Every delegate of the council with their attendance and whether a tablet is online."""
    marks = {
        delegate_id: (status, by_staff)
        for delegate_id, status, by_staff in Attendance.objects.filter(session=session).values_list(
            "delegate_id", "status", "by_staff"
        )
    }
    connected = set(
        TabletConnection.objects.filter(session=session, seen_at__gte=_fresh_since())
        .values_list("delegate_id", flat=True)
        .distinct()
    )
    return [
        {
            "id": delegate.pk,
            "full_name": delegate.full_name,
            "title": delegate.title,
            "seat": delegate.seat_label,
            "status": marks.get(delegate.pk, (None, False))[0],
            # Marked present at the console: no tablet expected, never "disconnected".
            "by_staff": marks.get(delegate.pk, (None, False))[1],
            "connected": delegate.pk in connected,
        }
        for delegate in Delegate.objects.filter(council_id=session.council_id)
    ]


def attendance_read(session: Session, delegate: Delegate | None = None) -> tuple[int, str | None]:
    """How many are present and, for a delegate, their own mark (None: none yet), in one
    read: both move by notices (check-ins), never by seq, so a snapshot reads them itself."""
    counts = {"present": Count("pk", filter=Q(status=Attendance.Status.PRESENT))}
    if delegate is not None:
        # One row per delegate and session (a unique constraint): its status, or None.
        counts["mine"] = Max("status", filter=Q(delegate=delegate))
    row = Attendance.objects.filter(session=session).aggregate(**counts)
    return row["present"], row.get("mine")


def snapshot_attendance(viewer) -> tuple[int, str | None]:
    """``attendance_read`` for a snapshot's viewer (realtime.registry.Viewer), read once
    whichever part asks first: the sitting's part shows the count, the polls' the entitled."""
    return viewer.once(
        "meeting.attendance", lambda: attendance_read(viewer.session, viewer.delegate)
    )


def session_by_id(session_id: int) -> Session:
    """The row a screen's snapshot starts from: without the weights, which it never shows."""
    return Session.objects.select_related("council").defer(*HOT_DEFER).get(pk=session_id)


def public_snapshot(session: Session) -> dict:
    """What every screen of the session shows alike and only a sequenced event changes: it may
    be shared between screens at one seq (realtime.shared_snapshot)."""
    return {
        "council": council_payload(session),
        "session": session_state(session),
        "agenda": agenda_payload(session),
    }


def _base_snapshot(session: Session, public: dict | None, present: int | None) -> dict:
    return {
        "seq": session.seq,
        **(public if public is not None else public_snapshot(session)),
        # Check-ins count before their coalesced summary moves seq: read per snapshot.
        "attendance": attendance_summary(session, present),
    }


def projector_snapshot(
    session: Session, public: dict | None = None, present: int | None = None
) -> dict:
    return _base_snapshot(session, public, present)


def tablet_snapshot(
    session: Session,
    delegate: Delegate,
    public: dict | None = None,
    attendance: tuple[int, str | None] | None = None,
) -> dict:
    """``attendance``: (present, the delegate's own mark) as ``attendance_read`` gives them."""
    present, status = attendance if attendance is not None else attendance_read(session, delegate)
    snapshot = _base_snapshot(session, public, present)
    snapshot["me"] = {
        "id": delegate.pk,
        "full_name": delegate.full_name,
        "title": delegate.title,
        "seat": delegate.seat_label,
        "attendance": status,
    }
    return snapshot


def console_delegate(session: Session, user) -> Delegate | None:
    """The delegate of the session's council whose staff account runs this console."""
    if user is None or not user.is_authenticated:
        return None
    return Delegate.objects.filter(user=user, council_id=session.council_id).first()


def chair_snapshot(
    session: Session,
    own: Delegate | None = None,
    public: dict | None = None,
    present: int | None = None,
) -> dict:
    snapshot = _base_snapshot(session, public, present)
    snapshot["roster"] = roster(session)
    # The console user's own delegate, if they are one (they vote from the console).
    snapshot["me"] = (
        {"id": own.pk, "full_name": own.full_name, "seat": own.seat_label} if own else None
    )
    return snapshot


def live_session_for(delegate: Delegate) -> Session | None:
    """The session a delegate's tablet should show: the live one, else the next scheduled."""
    sessions = Session.objects.filter(council_id=delegate.council_id).select_related("council")
    return (
        sessions.filter(status__in=[Session.Status.IN_PROGRESS, Session.Status.ADJOURNED])
        .order_by("-number")
        .first()
        or sessions.filter(status=Session.Status.SCHEDULED).order_by("planned_start").first()
    )
