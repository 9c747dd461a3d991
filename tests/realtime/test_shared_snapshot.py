"""The public part of the snapshots is built once per (session, seq) and shared: a screen that
gets it from another's build sees exactly what a build of its own would give, at every seq,
and nothing of another delegate (a secret ballot above all)."""

from __future__ import annotations

import pytest
from django.utils import translation

from meeting import selectors
from meeting import services as meeting
from realtime import registry
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer
from realtime.shared_snapshot import shared_parts
from tests.factories import make_sitting
from voting import services as voting
from voting.ballots import ballot_cast
from voting.counting import poll_close

pytestmark = pytest.mark.django_db


def _viewers(session_id, sitting):
    session = selectors.session_by_id(session_id)
    first, second = sitting.delegates[:2]
    return [
        Viewer(session=session, screen=TABLET, delegate=first),
        Viewer(session=session, screen=TABLET, delegate=second),
        Viewer(session=session, screen=PROJECTOR),
        Viewer(session=session, screen=CHAIR, user=sitting.chair.user),
    ]


def _shared_equals_fresh(sitting) -> int:
    """Every screen's snapshot built on the others' shared parts equals its own fresh build."""
    with translation.override("vi"):
        shared_parts.clear()
        builds = shared_parts.builds
        # The first delegate's tablet builds the tablets' public part; the second reuses it.
        cached = [registry.snapshot(v) for v in _viewers(sitting.session.pk, sitting)]
        built = shared_parts.builds - builds
        fresh = []
        for viewer in _viewers(sitting.session.pk, sitting):
            shared_parts.clear()
            fresh.append(registry.snapshot(viewer))
    for screen, mine, own in zip("ttpc", cached, fresh, strict=True):
        mine, own = _without_clock(mine), _without_clock(own)
        assert mine == own, screen
    return built


def _without_clock(snapshot: dict) -> dict:
    """A countdown's seconds are the clock's, read per screen: equal up to the time between."""
    for item in snapshot.get("polls", []):
        remaining = item["poll"]["remaining_seconds"]
        if remaining is not None:
            assert 0 < remaining <= 600
            item["poll"]["remaining_seconds"] = "counting"
    return snapshot


def test_a_shared_public_part_is_what_a_fresh_build_gives_at_every_seq():
    sitting = make_sitting(seats=5)
    first, second = sitting.delegates[:2]
    assert _shared_equals_fresh(sitting) > 0
    meeting.agenda_step(session_id=sitting.session.pk, step=1, actor=sitting.chair)
    _shared_equals_fresh(sitting)
    secret = voting.poll_create(
        session_id=sitting.session.pk, title="Bầu", actor=sitting.chair, kind="secret",
        countdown_seconds=600,
    )
    _shared_equals_fresh(sitting)  # a draft: the console's alone
    voting.poll_open(poll_id=secret.pk, actor=sitting.chair)
    ballot_cast(poll_id=secret.pk, delegate=first, choice="yes", command_id="a" * 32)
    _shared_equals_fresh(sitting)
    tablets = [registry.snapshot(v) for v in _viewers(sitting.session.pk, sitting)[:2]]
    # The first delegate's ballot is his alone: the second, served the same public part, sees
    # only that somebody voted, never whose or what.
    mine, theirs = (t["polls"][0] for t in tablets)
    assert mine["my_ballot"] == {"cast": True}
    assert theirs["my_ballot"] == {"cast": False}
    assert mine["voted"] == theirs["voted"] == 1
    ballot_cast(poll_id=secret.pk, delegate=second, choice="no", command_id="b" * 32)
    _shared_equals_fresh(sitting)  # vote progress is a notice: same seq, counts still right
    poll_close(poll_id=secret.pk, actor=sitting.chair)
    _shared_equals_fresh(sitting)
    voting.poll_publish(poll_id=secret.pk, actor=sitting.chair)
    _shared_equals_fresh(sitting)


def test_the_public_part_is_built_once_per_seq_and_again_when_seq_moves():
    sitting = make_sitting(seats=4)
    session_id = sitting.session.pk
    with translation.override("vi"):
        shared_parts.clear()
        start = shared_parts.builds
        for _round in range(3):
            for viewer in _viewers(session_id, sitting):
                registry.snapshot(viewer)
        once = shared_parts.builds - start
        meeting.agenda_step(session_id=session_id, step=1, actor=sitting.chair)
        for viewer in _viewers(session_id, sitting):
            registry.snapshot(viewer)
        again = shared_parts.builds - start - once
        moved = registry.snapshot(_viewers(session_id, sitting)[0])
    assert once == again > 0  # three rounds of four screens: one build per part and screen
    current = selectors.session_by_id(session_id).current_item_id
    assert moved["session"]["current_item_id"] == current


def test_check_ins_move_seq_but_leave_the_shared_parts_as_built():
    """A morning's check-ins (here, marks of the chair) advance ``seq`` with their attendance
    summaries: the shared parts stay as built (their state did not change), and the count on
    every screen is still the database's."""
    sitting = make_sitting(seats=5)
    session_id = sitting.session.pk
    with translation.override("vi"):
        shared_parts.clear()
        for viewer in _viewers(session_id, sitting):
            registry.snapshot(viewer)
        before_seq = selectors.session_by_id(session_id).seq
        start = shared_parts.builds
        for delegate in sitting.delegates[:3]:
            meeting.attendance_set(
                session_id=session_id, delegate_id=delegate.pk, status="absent",
                actor=sitting.chair,
            )
        session = selectors.session_by_id(session_id)
        snapshots = [registry.snapshot(v) for v in _viewers(session_id, sitting)]
        rebuilt = shared_parts.builds - start
    assert session.seq == before_seq + 3  # three attendance.summary events
    assert rebuilt == 0
    assert all(s["attendance"]["present"] == 2 for s in snapshots)
    assert all(s["seq"] == session.seq for s in snapshots)
    _shared_equals_fresh(sitting)
    # The next agenda step is shared state: built again, and every screen shows the new item.
    with translation.override("vi"):
        meeting.agenda_step(session_id=session_id, step=1, actor=sitting.chair)
        start = shared_parts.builds
        moved = registry.snapshot(_viewers(session_id, sitting)[2])
    assert shared_parts.builds > start
    current = selectors.session_by_id(session_id).current_item_id
    assert moved["session"]["current_item_id"] == current is not None
