"""The tables compared with what the chain recorded of the sitting: attendance, the facts fixed
at the opening and at the close, and the chain's length against the seal made at the close."""

from __future__ import annotations

from meeting import record_facts
from meeting.chain import seal_matches
from meeting.fixed_rules import rules_of
from meeting.models import ActionLog, Attendance, Delegate, Session
from meeting.selectors import agenda_order


def _name(delegate_id: int, names: dict[int, str]) -> str:
    return f"delegate {delegate_id} «{names.get(delegate_id, '?')}»"


def verify_seal(session: Session, entries: list[ActionLog]) -> list[str]:
    """The chain's end is anchored: the count and final hash sealed at the close."""
    problems = []
    count, head = len(entries), (entries[-1].hash if entries else "")
    if session.log_count != count:
        problems.append(
            f"the session counts {session.log_count} log entries, the chain has {count}"
        )
    if session.status == Session.Status.CLOSED:
        if not entries or entries[-1].action != "session.close":
            problems.append("the session is closed but its chain does not end with its close")
        if not session.log_seal:
            problems.append("the session is closed but its chain was never sealed")
        elif not seal_matches(
            session_id=session.pk, count=count, head=head, value=session.log_seal
        ):
            problems.append(
                f"the chain ({count} entries, final hash {head[:16]}…) is not the one sealed at "
                f"the close: entries were removed from its end or rewritten"
            )
    return problems


def verify_attendance(session: Session, entries: list[ActionLog]) -> list[str]:
    names = dict(
        Delegate.objects.filter(council_id=session.council_id).values_list("pk", "full_name")
    )
    logged: dict[int, tuple[str, str]] = {}
    for entry in entries:
        if entry.action == "attendance.set":
            logged[entry.data["delegate"]] = (entry.data["status"], entry.data.get("reason", ""))
    stored = {
        delegate: (status, reason)
        for delegate, status, reason in Attendance.objects.filter(session=session).values_list(
            "delegate_id", "status", "reason"
        )
    }
    problems = []
    for delegate in sorted(logged.keys() | stored.keys()):
        said, now = logged.get(delegate), stored.get(delegate)
        if said == now:
            continue
        who = _name(delegate, names)
        if now is None:
            problems.append(f"attendance of {who} recorded in the chain is missing now")
        elif said is None:
            problems.append(f"attendance of {who} was added outside the chain: {now[0]!r}")
        else:
            problems.append(
                f"attendance of {who} was changed: the table says {now[0]!r}"
                + (f" ({now[1]})" if now[1] else "")
                + f", the chain says {said[0]!r}"
                + (f" ({said[1]})" if said[1] else "")
            )
    return problems


def _differences(what: str, now: dict, then: dict) -> list[str]:
    return [
        f"{what}: {key} is {now.get(key)!r} in the tables, {then.get(key)!r} in the chain"
        for key in sorted(then)
        if key in now and now.get(key) != then.get(key)
    ]


def verify_sitting(session: Session, entries: list[ActionLog]) -> list[str]:
    """The facts the minutes print that the chain fixed at the opening and the close."""
    problems = []
    opening = next((e.data for e in entries if e.action == "session.open"), None)
    closing = next((e.data for e in reversed(entries) if e.action == "session.close"), None)
    if opening and "rules" in opening:
        # Seats, quorum, default rules and weights fixed on the session at its opening.
        problems += _differences("the session's rules", rules_of(session).facts(), opening["rules"])
    if opening and "council" in opening:
        # The council's name, term and delegates may change later (a new name, a corrected
        # spelling): the minutes of this sitting print them as the chain fixed them at its
        # opening (record.selectors.as_fixed_at_opening), so today's tables are not compared.
        sitting = {
            "number": session.number,
            "title": session.title,
            "planned_start": session.planned_start.isoformat(),
            "planned_end": session.planned_end.isoformat(),
        }
        problems += _differences("the session", sitting, opening["sitting"])
        agenda = {
            item.pk: [item.pk, item.number, item.title, item.presenter]
            for item in agenda_order(session)
        }
        for row in opening["agenda"]:
            if agenda.get(row[0]) != row:
                problems.append(
                    f"agenda item {row[0]}: {agenda.get(row[0])!r} in the tables, {row!r} in the "
                    f"chain"
                )
    if closing and "officers" in closing:
        now = {
            "minutes_number": session.minutes_number,
            "minutes_copies": session.minutes_copies,
            "venue": session.venue,
            **record_facts.officers(session),
        }
        problems += _differences(
            "the session", now, {**closing, **closing["officers"], "officers": None}
        )
        guests = [[g.full_name, g.title, g.agency] for g in session.guests.all()]
        if guests != closing["guests"]:
            problems.append(
                f"the guests: {guests!r} in the tables, {closing['guests']!r} in the chain"
            )
    return problems


POLL_STATES = {
    "poll.open": "open",
    "poll.close": "closed",
    "poll.publish": "published",
    "poll.cancel": "cancelled",
}


def verify_polls_course(session: Session, entries: list[ActionLog]) -> list[str]:
    """Each poll's status, opening time and cancellation (the minutes print them) against the
    chain, for every poll that was opened — with a result or not."""
    from voting.models import Poll, PollResult

    problems = []
    course: dict[int, dict] = {}
    for entry in entries:
        poll_id = entry.data.get("poll") if isinstance(entry.data, dict) else None
        if entry.action in POLL_STATES and poll_id is not None:
            seen = course.setdefault(poll_id, {})
            seen["status"] = POLL_STATES[entry.action]
            if entry.action == "poll.open":
                seen["opened_at"] = entry.data.get("opened_at")
            if entry.action == "poll.cancel":
                seen["cancel_reason"] = entry.data.get("reason", "")
    void = dict(PollResult.objects.filter(poll__session=session).values_list("poll_id", "void"))
    for poll in Poll.objects.filter(session=session).order_by("id"):
        label = f"poll {poll.pk} «{poll.title}»"
        seen = course.get(poll.pk)
        if seen is None:
            if poll.status != Poll.Status.DRAFT:
                problems.append(f"{label}: it is {poll.status!r} but the chain never opened it")
            continue
        now = {
            "status": poll.status,
            "opened_at": poll.opened_at.isoformat() if poll.opened_at else None,
            "cancel_reason": poll.cancel_reason,
        }
        then = {"cancel_reason": "", **seen}
        if "opened_at" in then and then["opened_at"] is None:
            del then["opened_at"]  # a record from before the opening time was logged
        for key in ("status", "opened_at", "cancel_reason"):
            if key in then and now[key] != then[key]:
                problems.append(
                    f"{label}: {key} is {now[key]!r} in the tables, {then[key]!r} in the chain"
                )
        if poll.pk in void and void[poll.pk] != (seen["status"] == "cancelled"):
            cancelled = "cancelled" if seen["status"] == "cancelled" else "not cancelled"
            problems.append(
                f"{label}: its result is {'void' if void[poll.pk] else 'valid'} in the tables, "
                f"the chain says the poll was {cancelled}"
            )
    return problems
