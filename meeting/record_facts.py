"""What the session's chain records of the sitting itself, at its opening and at its close.

The minutes print the council, the term, the venue, the delegates' names, the agenda, the
chair and the secretary, the guests and the number of the minutes. Each of these facts enters
the chain when it is fixed — at the opening (``session.open``) or at the close
(``session.close``) — so ``verify-record`` can compare what the tables say now with what the
chain says then (``record.verify``).
"""

from __future__ import annotations

from django.utils import timezone

from meeting.models import ActionLog, Attendance, Council, Delegate, Session
from meeting.quorum import quorum_required

LEVEL_WORDS = {
    Council.Level.CITY: "thành phố",
    Council.Level.COMMUNE: "xã",
    Council.Level.WARD: "phường",
    Council.Level.SPECIAL_ZONE: "đặc khu",
}
BODY_PREFIXES = ("hội đồng nhân dân ", "hđnd ")


def locality_of(council: Council) -> str:
    """ "phường Bến Thành": the council's locality, from its field or else from its name."""
    if council.locality.strip():
        return council.locality.strip()
    name = council.name.strip()
    for prefix in BODY_PREFIXES:
        if name.lower().startswith(prefix):
            name = name[len(prefix) :]
            break
    level = LEVEL_WORDS.get(council.level, "")
    if level and name.lower().startswith(level):
        name = level + name[len(level) :]
    return name


def place_of(council: Council) -> str:
    """ "Bến Thành": the place name of the date line."""
    if council.place_name.strip():
        return council.place_name.strip()
    locality = locality_of(council)
    level = LEVEL_WORDS.get(council.level, "")
    if level and locality.lower().startswith(level + " "):
        return locality[len(level) + 1 :]
    return locality


def council_facts(council: Council) -> dict:
    return {
        "id": council.pk,
        "name": council.name,
        "level": council.level,
        "locality": locality_of(council),
        "place": place_of(council),
        "term": council.term,
        "term_start": council.term_start,
        "term_end": council.term_end,
        "seats": council.seats,
        "quorum_rule": council.quorum_rule,
    }


def officers(session: Session) -> dict:
    return {
        "chair_name": session.chair_name,
        "chair_title": session.chair_title,
        "secretary_name": session.secretary_name,
        "secretary_title": session.secretary_title,
    }


def at_open(session: Session) -> dict:
    """Fixed when the sitting opens: the council, the delegates, the agenda, the quorum."""
    from meeting.selectors import agenda_order

    council = session.council
    present = Attendance.objects.filter(session=session, status=Attendance.Status.PRESENT).count()
    return {
        "council": council_facts(council),
        "sitting": {
            "number": session.number,
            "title": session.title,
            "planned_start": session.planned_start.isoformat(),
            "planned_end": session.planned_end.isoformat(),
            "venue": session.venue,
        },
        "officers": officers(session),
        "roster": [
            [d.pk, d.seat_label, d.full_name, d.title]
            for d in Delegate.objects.filter(council=council).order_by("seat_label", "id")
        ],
        "agenda": [
            [item.pk, item.number, item.title, item.presenter] for item in agenda_order(session)
        ],
        "current_item": session.current_item_id,
        "present": present,
        "quorum_required": quorum_required(seats=council.seats, rule=council.quorum_rule),
    }


def at_close(session: Session) -> dict:
    """Fixed when the sitting closes: the number of the minutes, the guests, the officers."""
    return {
        "minutes_number": session.minutes_number,
        "minutes_copies": session.minutes_copies,
        "venue": session.venue,
        "officers": officers(session),
        "guests": [[guest.full_name, guest.title, guest.agency] for guest in session.guests.all()],
    }


def next_minutes_number(session: Session) -> int:
    """The council's own sequence of minutes in the year of the close ("Số: 12/BB-HĐND")."""
    year = timezone.localdate().year
    closed = ActionLog.objects.filter(
        session__council_id=session.council_id, action="session.close", at__year=year
    ).exclude(session=session)
    return closed.values("session_id").distinct().count() + 1
