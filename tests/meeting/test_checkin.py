"""The presence batch's check-ins written together (meeting.checkin, issue 13): the outcomes of
checking each delegate in on their own, in a number of statements that does not grow with the
number of arrivals, and a chain that still verifies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from meeting import chain, presence, services
from meeting.models import ActionLog, Attendance, Session
from meeting.presence import PresenceChange
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


def _arrivals(session, delegates, prefix="c"):
    return [
        PresenceChange(session.pk, delegate, f"{prefix}{delegate.pk}", "w", connected=True)
        for delegate in delegates
    ]


def test_a_batch_checks_in_whom_nobody_marked_and_tells_each_as_one_by_one(published):
    council = make_council(seats=8)
    session = make_session(council=council)
    chair = Actor(user=make_staff(role="chair", council=council))
    delegates = list(council.delegates.order_by("seat_label"))
    marks = {delegates[1]: "excused", delegates[2]: "left", delegates[3]: "absent",
             delegates[4]: "present"}
    for delegate, status in marks.items():
        services.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status=status, actor=chair
        )
    entries_before = ActionLog.objects.filter(session=session).count()
    arriving = delegates[:6]
    twice = PresenceChange(session.pk, delegates[0], "second-tablet", "w", connected=True)

    with published() as frames:
        outcome = presence.tablet_presence_record(
            changes=[*_arrivals(session, arriving), twice]
        )

    newcomers = [delegates[0], delegates[5]]
    assert outcome.checked_in == {f"c{d.pk}" for d in newcomers}  # one tablet checks in
    statuses = dict(Attendance.objects.filter(session=session).values_list("delegate", "status"))
    expected = {d.pk: status for d, status in marks.items()}
    assert statuses == {**expected, **{d.pk: "present" for d in newcomers}}
    assert Attendance.objects.get(delegate=delegates[0], session=session).by_staff is False

    logged = list(ActionLog.objects.filter(session=session).order_by("id")[entries_before:])
    assert [(e.action, e.actor_delegate_id, e.data["delegate"], e.data["previous"],
             e.data["status"]) for e in logged] == [
        ("attendance.set", d.pk, d.pk, None, "present") for d in newcomers
    ]
    assert chain.verify_chain(session.pk) == []
    session.refresh_from_db()
    assert session.log_count == ActionLog.objects.filter(session=session).count()

    online = [f for f in frames if f["type"] == "roster.presence"]
    assert {f["data"]["delegate_id"] for f in online} == {d.pk for d in arriving}
    told = [f for f in frames if f["type"] != "roster.presence"]
    assert [(f["type"], f["group"]) for f in told] == [
        pair
        for d in newcomers
        for pair in (
            ("attendance.changed", f"session.{session.pk}.chair"),
            ("attendance.mine", f"delegate.{d.pk}"),
        )
    ]
    present = 3  # delegates[4] marked before, and the two newcomers
    for frame in told[::2]:  # the batch's final summary in each
        assert frame["data"]["summary"]["present"] == present
        assert frame["data"]["by_staff"] is False and frame["data"]["status"] == "present"


def test_a_tablet_of_another_council_checks_nobody_in_and_fails_no_batch():
    council = make_council(seats=2)
    session = make_session(council=council)
    stranger = make_council(seats=1).delegates.get()
    own = council.delegates.first()
    outcome = presence.tablet_presence_record(changes=_arrivals(session, [stranger, own]))
    assert outcome.checked_in == {f"c{own.pk}"}
    assert list(Attendance.objects.values_list("delegate", flat=True)) == [own.pk]


def _statements(session, delegates, prefix) -> list[str]:
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks(
        execute=True
    ):
        outcome = presence.tablet_presence_record(changes=_arrivals(session, delegates, prefix))
    assert len(outcome.checked_in) == len(delegates)
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


def test_a_batch_costs_the_same_statements_for_two_arrivals_as_for_twelve():
    council = make_council(seats=14)
    session = make_session(council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    few = _statements(session, delegates[:2], "a")
    many = _statements(session, delegates[2:], "b")
    assert len(many) == len(few), many
    writes = [sql.split()[0] for sql in many if sql.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    # The connections, the attendance, the chain, its head, the outbox; the outbox emptied.
    assert sorted(writes) == ["DELETE", "INSERT", "INSERT", "INSERT", "INSERT", "UPDATE"]
    call_command("verify-record", str(session.pk), stdout=io.StringIO())


def test_a_batch_for_a_session_not_in_progress_checks_nobody_in():
    council = make_council(seats=2)
    session = make_session(council=council, status=Session.Status.ADJOURNED)
    outcome = presence.tablet_presence_record(changes=_arrivals(session, council.delegates.all()))
    assert outcome.checked_in == set() and not Attendance.objects.exists()
