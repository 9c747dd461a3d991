"""The session record: everything the minutes, the exports and the archive show."""

from __future__ import annotations

from floor.record import floor_record
from meeting.fixed_rules import rules_of
from meeting.models import ActionLog, Attendance, Delegate, Guest, Session
from meeting.quorum import attendance_summary
from meeting.record_facts import locality_of, place_of
from meeting.selectors import agenda_order
from voting.models import Poll
from voting.selectors import poll_record

# How each attendance state reads in the record; a delegate never marked was absent.
ATTENDANCE_ORDER = ["present", "left", "excused", "absent"]


def attendance_record(session: Session) -> list[dict]:
    marks = {
        delegate_id: (status, reason)
        for delegate_id, status, reason in Attendance.objects.filter(session=session).values_list(
            "delegate_id", "status", "reason"
        )
    }
    labels = dict(Attendance.Status.choices)
    rows = []
    for delegate in Delegate.objects.filter(council_id=session.council_id):
        status, reason = marks.get(delegate.pk, (Attendance.Status.ABSENT, ""))
        rows.append(
            {
                "delegate_id": delegate.pk,
                "full_name": delegate.full_name,
                "title": delegate.title,
                "seat": delegate.seat_label,
                "status": status,
                "status_label": str(labels[status]),
                "reason": reason,
            }
        )
    rows.sort(
        key=lambda row: (ATTENDANCE_ORDER.index(row["status"]), row["seat"], row["full_name"])
    )
    return rows


def timeline(session: Session, attendance: list[dict]) -> dict:
    """What the chain says of the sitting's course: the actual opening and closing times, the
    adjournments, attendance at the opening and every change after it, with its time."""
    opened = closed = last = None
    opening_quorum: dict = {}
    opening_facts: dict = {}
    pauses: list[dict] = []
    at_opening: dict[int, tuple[str, str]] = {}
    marks: dict[int, tuple[str, str]] = {}
    changes: list[dict] = []
    taken: list[int] = []
    names = {row["delegate_id"]: row for row in attendance}
    labels = dict(Attendance.Status.choices)
    for at, action, data in (
        ActionLog.objects.filter(session=session).order_by("id").values_list("at", "action", "data")
    ):
        last = at
        if action == "session.open" and opened is None:
            opened = at
            at_opening = dict(marks)
            opening_quorum = data.get("quorum") or {}  # with the chair's reason, below it
            opening_facts = data
            if data.get("current_item") is not None:  # the first item, taken at the opening
                taken.append(data["current_item"])
        elif action == "session.close":
            closed = at
        elif action == "session.adjourn":
            pauses.append({"from": at.isoformat(), "to": None})
        elif action == "session.resume" and pauses:
            pauses[-1]["to"] = at.isoformat()
        elif action == "agenda.current" and data.get("current") not in taken:
            taken.append(data.get("current"))
        elif action == "attendance.set":
            delegate = data["delegate"]
            marks[delegate] = (data["status"], data.get("reason", ""))
            if opened is not None:
                row = names.get(delegate, {})
                changes.append(
                    {
                        "at": at.isoformat(),
                        "delegate_id": delegate,
                        "full_name": row.get("full_name", ""),
                        "status": data["status"],
                        "status_label": str(labels.get(data["status"], data["status"])),
                        "reason": data.get("reason", ""),
                    }
                )
    if opened is None:  # a session the chain never saw open: its present state is all there is
        at_opening = {row["delegate_id"]: (row["status"], row["reason"]) for row in attendance}
    opening = []
    for row in attendance:
        status, reason = at_opening.get(row["delegate_id"], (Attendance.Status.ABSENT, ""))
        opening.append(
            {**row, "status": status, "status_label": str(labels[status]), "reason": reason}
        )
    opening.sort(
        key=lambda row: (ATTENDANCE_ORDER.index(row["status"]), row["seat"], row["full_name"])
    )
    return {
        "opened_at": opened.isoformat() if opened else None,
        "closed_at": closed.isoformat() if closed else None,
        "last_at": last.isoformat() if last else None,
        "pauses": pauses,
        "attendance_at_opening": opening,
        "attendance_changes": changes,
        "items_taken": taken,
        "opening_quorum": opening_quorum,
        "opening_facts": opening_facts,
    }


def session_record(session: Session) -> dict:
    """The whole record as plain data (the JSON export is exactly this)."""
    polls = list(
        Poll.objects.filter(session=session)
        .exclude(status=Poll.Status.DRAFT)
        .order_by("opened_at", "id")
    )
    poll_records = [poll_record(poll) for poll in polls]
    # Each vote's number in the sitting; a repeated vote says which it repeats, and the
    # repeated one which repeats it.
    numbers = {entry["poll"]["id"]: index for index, entry in enumerate(poll_records, start=1)}
    repeats = {entry["poll"]["id"]: entry["poll"]["revote_of"] for entry in poll_records}
    opened = {p.pk: p.opened_at.isoformat() if p.opened_at else None for p in polls}
    for entry in poll_records:
        poll = entry["poll"]
        entry["number"] = numbers[poll["id"]]
        entry["opened_at"] = opened[poll["id"]]
        entry["revote_of_number"] = numbers.get(poll["revote_of"])
        entry["attempt"] = 1
        original = poll["revote_of"]
        while original in numbers:
            entry["attempt"] += 1
            original = repeats[original]
        entry["revoted_by_numbers"] = [
            numbers[e["poll"]["id"]] for e in poll_records if e["poll"]["revote_of"] == poll["id"]
        ]
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
    course = timeline(session, attendance)
    council = session.council
    fixed = rules_of(session)  # seats and quorum as the session fixed them at its opening
    present_at_opening = sum(
        1 for row in course["attendance_at_opening"] if row["status"] == Attendance.Status.PRESENT
    )
    record = {
        "council": {
            "id": session.council_id,
            "name": council.name,
            "level": council.level,
            "seats": fixed.seats,
            "locality": locality_of(council),
            "place": place_of(council),
            "term": council.term,
            "term_start": council.term_start,
            "term_end": council.term_end,
            "quorum_rule": fixed.quorum_rule,
        },
        "session": {
            "id": session.pk,
            "number": session.number,
            "title": session.title,
            "status": session.status,
            "planned_start": session.planned_start.isoformat(),
            "planned_end": session.planned_end.isoformat(),
            "chair": session.chair_name,
            "chair_title": session.chair_title,
            "secretary": session.secretary_name,
            "secretary_title": session.secretary_title,
            "venue": session.venue,
            "minutes_number": session.minutes_number,
            "minutes_copies": session.minutes_copies,
            "opened_at": course["opened_at"],
            "closed_at": course["closed_at"],
            "pauses": course["pauses"],
            # The date of a record still open: its last entry (the same for the same record).
            "dated_at": course["last_at"],
            "final_hash": session.log_head,
            "log_count": session.log_count,
        },
        "quorum_at_opening": {
            **attendance_summary(
                present=present_at_opening, seats=fixed.seats, rule=fixed.quorum_rule
            ),
            # Opened below the quorum: the chair's reason, as the chain recorded it.
            "override_reason": course["opening_quorum"].get("override_reason", ""),
        },
        "attendance": attendance,
        "attendance_at_opening": course["attendance_at_opening"],
        "attendance_changes": course["attendance_changes"],
        "guests": [
            {"full_name": guest.full_name, "title": guest.title, "agency": guest.agency}
            for guest in Guest.objects.filter(session=session)
        ],
        "items_taken": course["items_taken"],
        "attendance_counts": {
            status: sum(1 for row in attendance if row["status"] == status)
            for status in ATTENDANCE_ORDER
        },
        "agenda": agenda,
        "polls": poll_records,
        "floor": floor_record(session),
    }
    return as_fixed_at_opening(record, course["opening_facts"])


def as_fixed_at_opening(record: dict, opening: dict) -> dict:
    """The council and the delegates as the chain fixed them when the sitting opened.

    A council renamed or a delegate's name corrected later does not rewrite the minutes of a
    past sitting: what they print of them comes from the chain, not from today's tables."""
    council = opening.get("council") or {}
    for key in ("name", "level", "locality", "place", "term", "term_start", "term_end"):
        if key in council:
            record["council"][key] = council[key]
    roster = {row[0]: row for row in opening.get("roster") or []}

    def fix(row: dict, *, seat: str = "seat", title: str = "title") -> None:
        fixed = roster.get(row.get("delegate_id"))
        if fixed is None:
            return
        row["full_name"] = fixed[2]
        if seat in row:
            row[seat] = fixed[1]
        if title in row:
            row[title] = fixed[3]

    for row in [*record["attendance"], *record["attendance_at_opening"]]:
        fix(row)
    for change in record["attendance_changes"]:
        fix(change)
    for entry in record["polls"]:
        for row in [*entry.get("choices", []), *entry.get("participants", [])]:
            fix(row)
    for item in record["floor"]["speakers"]:
        for row in item["turns"]:
            fix(row)
    for question in record["floor"]["questions"]:
        fix(question["asker"])
    return record
