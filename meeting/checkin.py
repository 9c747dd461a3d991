"""Tablets checking in together: the presence batch's check-ins in a few statements (issue 13).

``services.attendance_set`` marks one delegate at a time: the delegate read again, the
attendance row locked or made, a chain entry (its head locked, the entry, the head moved), the
present count, and three frames, each its own outbox row, hand-off and delete. A hall's morning
is hundreds of tablets arriving in a few batches (meeting.presence), so a batch checks its
arrivals in here at once, with the same outcomes: one read of the marks already made, one
INSERT of the new attendance rows, their chain entries appended together (one lock of the
head, one INSERT, one move: ``ChainedEntry.append_entries``), the summary counted once, and
the notices written together (realtime.publish.frames_together).
"""

from __future__ import annotations

from django.utils import timezone

from meeting import chain, selectors
from meeting.models import Attendance, Delegate, Session
from realtime.actors import Actor
from realtime.groups import Audience
from realtime.publish import frames_together, notify


def attendance_check_in(*, session: Session, delegates: list[Delegate]) -> set[int]:
    """Check in the arriving delegates nobody has marked yet; the ids of those checked in.

    The caller holds ``session`` locked (``services.session_lock``) and has seen it in
    progress. A delegate already marked is left alone: present needs nothing, and a mark the
    chair made (left, excused, absent) yields only to a new badge sign-in
    (``services.attendance_set`` with ``arrival``), never to a tablet's check-in or reconnect.
    A delegate of another council is not checked in (as ``attendance_set`` refuses one). Each
    check-in is logged and told as ``attendance_set`` tells it: ``attendance.changed`` to the
    console, ``attendance.mine`` to the delegate's tablets; every screen's
    ``attendance.summary`` is the caller's to coalesce.
    """
    arriving: dict[int, Delegate] = {}  # in arrival order, each delegate once
    for delegate in delegates:
        if delegate.council_id == session.council_id:
            arriving.setdefault(delegate.pk, delegate)
    if not arriving:
        return set()
    marked = set(
        Attendance.objects.filter(session=session, delegate_id__in=arriving).values_list(
            "delegate_id", flat=True
        )
    )
    new = [delegate for pk, delegate in arriving.items() if pk not in marked]
    if not new:
        return set()
    now = timezone.now()
    status = Attendance.Status.PRESENT.value
    with frames_together():
        # No other writer of this session's attendance runs meanwhile: it would hold the lock.
        Attendance.objects.bulk_create(
            [
                Attendance(
                    session=session, delegate=delegate, status=status, reason="",
                    by_staff=False, changed_at=now,
                )
                for delegate in new
            ]
        )
        chain.append_many(
            session_id=session.pk,
            entries=[
                (
                    "attendance.set",
                    Actor(delegate=delegate),
                    {
                        "delegate": delegate.pk,
                        "previous": None,
                        "status": status,
                        "reason": "",
                        "changed_at": now.isoformat(),
                    },
                )
                for delegate in new
            ],
        )
        # Counted once, after the whole batch: every ``attendance.changed`` of the batch carries
        # the batch's final count (one by one, each carried the count after its own check-in).
        # The console's frames all arrive together after the commit, so it shows the same.
        summary = selectors.attendance_summary(session)
        for delegate in new:
            announce_mark(
                session=session, delegate_id=delegate.pk, status=status, by_staff=False,
                summary=summary,
            )
    return {delegate.pk for delegate in new}


def announce_mark(
    *, session: Session, delegate_id: int, status: str, by_staff: bool, summary: dict
) -> None:
    """What hears of one delegate's new mark, on commit: the consoles' roster (with the count)
    and the delegate's own tablets. One place for the batch above and ``attendance_set``."""
    notify(
        session=session,
        type="attendance.changed",
        data={
            "delegate_id": delegate_id, "status": status, "by_staff": by_staff, "summary": summary
        },
        audience=Audience.CHAIR,
    )
    notify(
        session=session, type="attendance.mine", data={"status": status}, delegate_id=delegate_id
    )
