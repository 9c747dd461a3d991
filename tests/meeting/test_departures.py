"""Tablets leaving, written by the presence batch (meeting.presence, issue 13): the console is
told when a delegate's online state changes — not when one of two tablets leaves, nor for a
tablet long stale, nor for one that came and went within a batch — in few statements: a lone
departure deletes its row (which says whether it still counted) and reads who is still online."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meeting import presence, selectors
from meeting.models import TabletConnection
from meeting.presence import PresenceChange
from tests.factories import make_council, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def sitting():
    council = make_council(seats=4)
    session = make_session(council=council)
    return session, list(council.delegates.order_by("seat_label"))


def _change(session, delegate, connection_id, *, connected):
    return PresenceChange(session.pk, delegate, connection_id, "w", connected=connected)


def _online(session, *rows, seen_at=None):
    for delegate, connection_id in rows:
        TabletConnection.objects.create(
            session=session,
            delegate=delegate,
            worker="w",
            connection=connection_id,
            seen_at=seen_at or timezone.now(),
        )


def _record(published, changes):
    with published() as frames, CaptureQueriesContext(connection) as queries:
        presence.tablet_presence_record(changes=changes)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    told = [
        (f["data"]["delegate_id"], f["data"]["connected"])
        for f in frames
        if f["type"] == "roster.presence"
    ]
    return told, statements


def test_departures_one_by_one_tell_only_when_the_last_tablet_leaves(sitting, published):
    session, (first, second, third, _) = sitting
    _online(session, (first, "a1"), (first, "a2"), (second, "b1"))
    stale = timezone.now() - timedelta(hours=1)
    _online(session, (third, "c1"), seen_at=stale)

    told, statements = _record(published, [_change(session, first, "a1", connected=False)])
    assert told == []  # the other tablet is still online
    assert len(statements) == 2  # the deletion, the read of who is still online

    told, statements = _record(published, [_change(session, first, "a2", connected=False)])
    assert told == [(first.pk, False)]
    assert len(statements) == 4  # and, for the notice, the session and its outbox frame

    told, statements = _record(published, [_change(session, third, "c1", connected=False)])
    assert told == []  # shown offline already
    assert len(statements) == 1

    assert selectors.delegates_connected(session.pk, {first.pk, second.pk, third.pk}) == {second.pk}
    assert set(TabletConnection.objects.values_list("connection", flat=True)) == {"b1"}


def test_a_mixed_batch_tells_each_change_once(sitting, published):
    session, (first, second, third, fourth) = sitting
    _online(session, (second, "b1"), (third, "c1"))
    changes = [
        _change(session, first, "a1", connected=True),  # comes online
        _change(session, second, "b2", connected=True),  # a second tablet: no change
        _change(session, third, "c1", connected=False),  # goes offline
        _change(session, fourth, "d1", connected=True),  # came and went within the batch
        _change(session, fourth, "d1", connected=False),
        _change(session, second, "b3", connected=True),  # a tablet of an online delegate
        _change(session, second, "b3", connected=False),  # came and went
    ]

    told, _ = _record(published, changes)

    assert told == [(first.pk, True), (third.pk, False)]
    assert set(TabletConnection.objects.values_list("connection", flat=True)) == {"a1", "b1", "b2"}


def test_a_delegate_whose_only_tablet_comes_and_goes_while_another_leaves(sitting, published):
    session, (first, *_) = sitting
    _online(session, (first, "a1"))
    changes = [
        _change(session, first, "a2", connected=True),
        _change(session, first, "a2", connected=False),
        _change(session, first, "a1", connected=False),
    ]

    told, _ = _record(published, changes)

    assert told == [(first.pk, False)]
    assert not TabletConnection.objects.exists()
