"""What one more screen's snapshot reads once the shared part is built (issue 13): only what is
its own or moves by notices — never the running turn, the session's questions or the session
row again — and the running turn's clock still moves per screen at one seq."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from floor import questions, services, turns
from meeting import selectors
from realtime import registry
from realtime.actors import Actor
from realtime.registry import CHAIR, PROJECTOR, TABLET, Viewer
from realtime.shared_snapshot import shared_parts
from tests.factories import make_staff
from voting import services as voting
from voting.counting import poll_close

pytestmark = pytest.mark.django_db

# A tablet at a warm shared part: the attendance (the count and its own mark, one read), its
# notes, the polls' vote counts and its own ballots. Raise it only for a read that is the
# viewer's own; what is the same for every screen belongs in a shared builder.
TABLET_READS = 4
# The projector: the attendance count and the polls' vote counts.
PROJECTOR_READS = 2
# The console shares no poll (drafts come by notice): the attendance count, the roster (marks,
# tablets online, delegates), the polls (published or not, then the drafts, each with its
# result in the same read) and their vote counts — however many polls were closed before.
CONSOLE_READS = 7


def _snapshot(sitting, *, screen: str, delegate=None, user=None) -> tuple[dict, list[str]]:
    viewer = Viewer(
        session=selectors.session_by_id(sitting.session.pk),
        screen=screen,
        delegate=delegate,
        user=user,
    )
    with translation.override("vi"), CaptureQueriesContext(connection) as reads:
        snapshot = registry.snapshot(viewer)
    return snapshot, [read["sql"] for read in reads.captured_queries]


def _answered_in_writing(sitting) -> None:
    """The second delegate's question goes unreached and is answered in writing."""
    session_id = sitting.session.pk
    questions.question_register(
        session_id=session_id,
        respondent_id=sitting.guests[0].pk,
        text="Về tiến độ thu gom rác?",
        actor=Actor(delegate=sitting.delegates[1]),
    )
    due = datetime.date.today() + datetime.timedelta(days=15)
    [question] = questions.question_time_end(
        session_id=session_id, due_date=due, actor=sitting.chair
    )
    clerk = Actor(user=make_staff(role="clerk", council=sitting.session.council))
    questions.written_answer_record(question_id=question.pk, actor=clerk, text="Đã bố trí xe.")


def _give_the_floor(sitting, delegate) -> None:
    request = services.speaker_request(
        session_id=sitting.session.pk, kind="speak", actor=Actor(delegate=delegate)
    )
    turns.turn_give(session_id=sitting.session.pk, request_id=request.pk, actor=sitting.chair)


def test_a_screen_at_a_warm_shared_part_reads_only_its_own(sitting, clock):
    _answered_in_writing(sitting)
    _give_the_floor(sitting, sitting.delegates[0])
    for title in ("Miễn nhiệm", "Bầu bổ sung"):  # closed polls: each with its result
        closed = voting.poll_create(session_id=sitting.session.pk, title=title, actor=sitting.chair)
        voting.poll_open(poll_id=closed.pk, actor=sitting.chair)
        poll_close(poll_id=closed.pk, actor=sitting.chair)
    poll = voting.poll_create(
        session_id=sitting.session.pk, title="Thông qua", actor=sitting.chair, kind="secret"
    )
    voting.poll_open(poll_id=poll.pk, actor=sitting.chair)
    shared_parts.clear()
    _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[4])  # builds the shared part
    _snapshot(sitting, screen=PROJECTOR)
    _snapshot(sitting, screen=CHAIR, user=sitting.chair.user)
    builds = shared_parts.builds

    tablet, reads = _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[2])
    assert len(reads) == TABLET_READS, reads
    for table in ("floor_turn", "floor_question", "meeting_session", "meeting_agendaitem"):
        assert not [sql for sql in reads if f'"{table}"' in sql], table
    assert tablet["floor"]["turn"]["speaker"]["delegate_id"] == sitting.delegates[0].pk
    assert tablet["me"]["attendance"] == "present" and tablet["my_answers"] == []
    assert tablet["attendance"]["present"] == len(sitting.delegates)
    assert [p["entitled"] for p in tablet["polls"]] == [len(sitting.delegates)] * 3

    # Only the delegate who asked a question reads his written answers.
    asker, reads = _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[1])
    assert len(reads) == TABLET_READS + 1, reads
    assert [a["answer_text"] for a in asker["my_answers"]] == ["Đã bố trí xe."]

    projector, reads = _snapshot(sitting, screen=PROJECTOR)
    assert len(reads) == PROJECTOR_READS, reads
    assert projector["floor"]["turn"] == tablet["floor"]["turn"]
    assert shared_parts.builds == builds  # all of it from the parts built before

    console, reads = _snapshot(sitting, screen=CHAIR, user=sitting.chair.user)
    assert len(reads) == CONSOLE_READS, reads
    assert [p["result"]["ballots"] for p in console["polls"] if "result" in p] == [0, 0]


def test_the_turns_clock_moves_per_screen_at_one_seq(sitting, clock):
    _give_the_floor(sitting, sitting.delegates[0])
    shared_parts.clear()
    first, _ = _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[1])
    builds = shared_parts.builds
    clock.advance(30)
    later, _ = _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[2])
    assert shared_parts.builds == builds  # the same shared part, the same seq
    before, after = first["floor"]["turn"], later["floor"]["turn"]
    assert after["elapsed_seconds"] == before["elapsed_seconds"] + 30
    assert after["remaining_seconds"] == before["remaining_seconds"] - 30
    assert after["server_time"] > before["server_time"]
    assert before["id"] == after["id"] and not after["paused"]

    turns.turn_pause(session_id=sitting.session.pk, actor=sitting.chair)  # a new seq
    paused, _ = _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[1])
    clock.advance(40)
    still, _ = _snapshot(sitting, screen=PROJECTOR)
    assert paused["floor"]["turn"]["paused"] and still["floor"]["turn"]["paused"]
    assert still["floor"]["turn"]["elapsed_seconds"] == after["elapsed_seconds"]


def test_a_tablet_with_no_poll_no_question_reads_its_attendance_and_notes(sitting, clock):
    _give_the_floor(sitting, sitting.delegates[0])
    shared_parts.clear()
    _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[1])
    tablet, reads = _snapshot(sitting, screen=TABLET, delegate=sitting.delegates[2])
    assert len(reads) == TABLET_READS - 2, reads  # no poll: no vote count, no own ballot
    assert tablet["polls"] == [] and tablet["my_answers"] == []
