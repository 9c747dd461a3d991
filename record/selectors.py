"""The session record: everything the minutes, the exports and the archive show."""

from __future__ import annotations

from meeting.models import Attendance, Delegate, Session
from meeting.selectors import agenda_order
from voting.models import Poll
from voting.selectors import poll_record

# How each attendance state reads in the record; a delegate never marked was absent.
ATTENDANCE_ORDER = ["present", "left", "excused", "absent"]


def attendance_record(session: Session) -> list[dict]:
    statuses = dict(Attendance.objects.filter(session=session).values_list("delegate_id", "status"))
    labels = dict(Attendance.Status.choices)
    rows = []
    for delegate in Delegate.objects.filter(council_id=session.council_id):
        status = statuses.get(delegate.pk, Attendance.Status.ABSENT)
        rows.append(
            {
                "delegate_id": delegate.pk,
                "full_name": delegate.full_name,
                "title": delegate.title,
                "seat": delegate.seat_label,
                "status": status,
                "status_label": str(labels[status]),
            }
        )
    rows.sort(
        key=lambda row: (ATTENDANCE_ORDER.index(row["status"]), row["seat"], row["full_name"])
    )
    return rows


def session_record(session: Session) -> dict:
    """The whole record as plain data (the JSON export is exactly this)."""
    polls = list(
        Poll.objects.filter(session=session).exclude(status=Poll.Status.DRAFT).order_by("id")
    )
    poll_records = [poll_record(poll) for poll in polls]
    by_item: dict[int | None, list[dict]] = {}
    for entry in poll_records:
        by_item.setdefault(entry["poll"]["agenda_item_id"], []).append(entry)
    agenda = [
        {
            "id": item.pk,
            "number": item.number,
            "depth": item.depth,
            "title": item.title,
            "presenter": item.presenter,
            "polls": [
                {
                    "id": p["poll"]["id"],
                    "title": p["poll"]["title"],
                    "status": p["poll"]["status"],
                    "passed": p["result"]["passed"] if p["result"] else None,
                    "void": p["result"]["void"] if p["result"] else None,
                }
                for p in by_item.get(item.pk, [])
            ],
        }
        for item in agenda_order(session)
    ]
    attendance = attendance_record(session)
    return {
        "council": {
            "id": session.council_id,
            "name": session.council.name,
            "level": session.council.level,
            "seats": session.council.seats,
        },
        "session": {
            "id": session.pk,
            "number": session.number,
            "title": session.title,
            "status": session.status,
            "planned_start": session.planned_start.isoformat(),
            "planned_end": session.planned_end.isoformat(),
            "chair": session.chair_name,
            "secretary": session.secretary_name,
            "final_hash": session.log_head,
        },
        "attendance": attendance,
        "attendance_counts": {
            status: sum(1 for row in attendance if row["status"] == status)
            for status in ATTENDANCE_ORDER
        },
        "agenda": agenda,
        "polls": poll_records,
    }
