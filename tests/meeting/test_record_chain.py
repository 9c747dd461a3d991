"""The session log is a hash chain: any change behind the application's back shows."""

import pytest
from django.db import connection

from meeting import chain, services
from meeting.models import ActionLog, Session
from realtime.actors import Actor
from tests.factories import make_council, make_session, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_session():
    council = make_council(seats=4)
    session = make_session(council=council)
    chair = Actor(user=make_staff())
    for delegate in council.delegates.all():
        services.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=chair
        )
    services.agenda_step(session_id=session.pk, step=1, actor=chair)
    return session


def test_entries_chain_from_genesis_to_the_session_head(logged_session):
    entries = list(ActionLog.objects.filter(session=logged_session).order_by("id"))
    assert len(entries) == 5
    assert entries[0].previous_hash == chain.GENESIS
    assert all(b.previous_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert Session.objects.get(pk=logged_session.pk).log_head == entries[-1].hash
    assert chain.verify_chain(logged_session.pk) == []


def test_an_entry_edited_with_raw_sql_is_reported(logged_session):
    entry = ActionLog.objects.filter(session=logged_session).order_by("id")[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE meeting_actionlog SET data = %s WHERE id = %s",
            ['{"delegate": 1, "previous": null, "status": "excused"}', entry.pk],
        )
    problems = chain.verify_chain(logged_session.pk)
    assert problems == [
        f"log entry {entry.pk} (attendance.set) was altered: its content no longer matches its hash"
    ]


def test_a_removed_entry_is_reported(logged_session):
    entry = ActionLog.objects.filter(session=logged_session).order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM meeting_actionlog WHERE id = %s", [entry.pk])
    problems = chain.verify_chain(logged_session.pk)
    assert len(problems) == 1 and "does not follow the entry before it" in problems[0]
