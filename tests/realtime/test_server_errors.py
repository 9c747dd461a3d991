"""A command that fails inside the server gets one answer on the same socket (DESIGN.md).

``server.error`` with ``retryable: true``; the socket stays open; the same command sent again
with the same id is done once; a consumer that fails anyway is cleaned up (it leaves the
process fan-out and its tablet is no longer "connected"). Fuzzed frames — lone surrogates,
integers out of range — are ``message.malformed``, never a closed socket.
"""

from __future__ import annotations

import json
import random
import uuid

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from meeting import agenda_steps
from meeting.consumers import TabletConsumer
from meeting.models import ActionLog, Attendance, Session, TabletConnection
from realtime import commands as command_handlers
from realtime.actors import Actor
from realtime.fanout import process_fanout
from realtime.models import CommandReceipt
from tests.factories import make_council, make_session, make_staff
from tests.realtime import helpers
from voting import ballots
from voting import services as voting
from voting.models import Ballot, Participation

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(RuntimeError):
    """A bug inside a service, as the server would meet one."""


@pytest.fixture
def sitting(transactional_db):
    council = make_council(seats=5)
    session = make_session(council=council, items=4)
    delegate = council.delegates.order_by("seat_label").first()
    Attendance.objects.create(
        session=session, delegate=delegate, status="present", changed_at=timezone.now()
    )
    chair = make_staff(role="chair", council=council)
    poll = voting.poll_create(session_id=session.pk, title="Thông qua", actor=Actor(user=chair))
    # One delegate of five present: below the sitting's quorum, opened on the chair's reason.
    voting.poll_open(
        poll_id=poll.pk, actor=Actor(user=chair), override_reason="Kiểm thử lỗi máy chủ."
    )
    return session, delegate, chair, poll


def assert_server_error(answer: dict, command_id: str) -> None:
    assert answer["type"] == "error" and answer["id"] == command_id, answer
    assert answer["data"]["code"] == "server.error", answer
    assert answer["data"]["retryable"] is True, answer
    assert "gửi lại" in answer["data"]["message"], answer  # says what to do, in Vietnamese


async def answer_of(screen: helpers.RecordingScreen, type: str, id: str, **data) -> dict:
    """The answer to this sending of the command (an id may be sent again on purpose)."""
    await helpers.command(screen.communicator, type, id, **data)
    while True:
        frame = await screen.receive()
        if frame["type"] in ("ack", "error") and frame["id"] == id:
            return frame


@database_sync_to_async
def _session_row(session_id: int) -> tuple:
    row = Session.objects.get(pk=session_id)
    return row.seq, row.current_item_id


@database_sync_to_async
def _agenda_moves(session_id: int) -> int:
    return ActionLog.objects.filter(session_id=session_id, action="agenda.current").count()


@database_sync_to_async
def _ballots(poll_id: int) -> list:
    return list(Ballot.objects.filter(poll_id=poll_id).values_list("receipt", "choice"))


async def test_a_console_command_that_fails_inside_gets_server_error_and_the_socket_stays(
    sitting, monkeypatch
):
    session, _delegate, chair, _poll = sitting
    before = await _session_row(session.pk)
    # The console's step is written by meeting.agenda_steps (a batch, of one here): its last
    # write is done, then it fails before the end of the command.
    real_write = agenda_steps._update_sessions

    def failing_write(sittings):
        real_write(sittings)
        raise Boom("a bug")

    monkeypatch.setattr(agenda_steps, "_update_sessions", failing_write)
    screen = helpers.RecordingScreen(await helpers.chair(session, chair))
    await screen.open()
    try:
        assert_server_error(await answer_of(screen, "agenda.next", "next-1"), "next-1")
        # Nothing was done: not the move, not the command receipt, no event.
        assert await _session_row(session.pk) == before
        assert not await database_sync_to_async(
            CommandReceipt.objects.filter(command_id="next-1").exists
        )()
        assert not screen.of_type("agenda.current")
        # The same socket still answers.
        assert (await answer_of(screen, "ping", "p-1"))["type"] == "ack"
        # The fault goes away; the same command, same id, is done once.
        monkeypatch.setattr(agenda_steps, "_update_sessions", real_write)
        answer = await answer_of(screen, "agenda.next", "next-1")
        assert answer["type"] == "ack", answer
        again = await answer_of(screen, "agenda.next", "next-1")
        assert again["data"] == answer["data"]
        assert await _agenda_moves(session.pk) == 1
    finally:
        await screen.communicator.disconnect()


async def test_a_ballot_that_fails_inside_is_not_recorded_and_counts_once_when_sent_again(
    sitting, monkeypatch
):
    session, delegate, _chair, poll = sitting
    real_cast = ballots.ballots_cast  # what a tablet's ballot runs, in a batch of its own
    failures = []

    def failing_cast(**kwargs):
        failures.extend(ballot.command_id for ballot in kwargs["ballots"])
        raise Boom("a bug")

    monkeypatch.setattr(ballots, "ballots_cast", failing_cast)
    screen = helpers.RecordingScreen(await helpers.tablet(session, delegate))
    await screen.open()
    ballot_id = str(uuid.uuid4())
    try:
        answer = await answer_of(screen, "ballot.cast", ballot_id, poll_id=poll.pk, choice="yes")
        assert_server_error(answer, ballot_id)
        assert failures == [ballot_id]  # not retried: the connection was fine
        assert await _ballots(poll.pk) == []
        monkeypatch.setattr(ballots, "ballots_cast", real_cast)
        ack = await answer_of(screen, "ballot.cast", ballot_id, poll_id=poll.pk, choice="yes")
        assert ack["type"] == "ack", ack
        assert await _ballots(poll.pk) == [(ack["data"]["receipt"], "yes")]
        repeat = await answer_of(screen, "ballot.cast", ballot_id, poll_id=poll.pk, choice="yes")
        assert repeat["data"]["receipt"] == ack["data"]["receipt"]
        assert await _ballots(poll.pk) == [(ack["data"]["receipt"], "yes")]
    finally:
        await screen.communicator.disconnect()


async def test_a_snapshot_that_fails_is_answered_and_events_keep_flowing(sitting, monkeypatch):
    session, delegate, chair, _poll = sitting
    tablet = helpers.RecordingScreen(await helpers.tablet(session, delegate))
    await tablet.open()
    console = helpers.RecordingScreen(await helpers.chair(session, chair))
    await console.open()
    try:

        def broken(self):
            raise Boom("snapshot")

        monkeypatch.setattr(TabletConsumer, "snapshot", broken)
        assert_server_error(await answer_of(tablet, "snapshot.request", "s-1"), "s-1")
        monkeypatch.undo()
        assert (await answer_of(console, "agenda.next", "n-1"))["type"] == "ack"
        event = await tablet.until(lambda f: f["type"] == "agenda.current")
        assert event["data"]["current_item_id"] == (await _session_row(session.pk))[1]
    finally:
        await tablet.communicator.disconnect()
        await console.communicator.disconnect()


async def test_a_consumer_that_fails_is_cleaned_up(sitting, monkeypatch):
    """A failure outside any command (here: building the first snapshot) closes the socket,
    and the connection still leaves the fan-out and is no longer shown as connected."""
    session, delegate, _chair, _poll = sitting
    fanout = process_fanout()
    before = fanout.connection_count

    def broken(self):
        raise Boom("snapshot")

    monkeypatch.setattr(TabletConsumer, "snapshot", broken)
    comm = await helpers.tablet(session, delegate)
    connected, _ = await comm.connect()
    assert connected
    with pytest.raises(Boom):
        await comm.receive_output(timeout=5)
    assert comm.future.done()  # the consumer has ended (Daphne closes the socket with 1011)
    assert fanout.connection_count == before
    assert not await database_sync_to_async(
        TabletConnection.objects.filter(session=session, delegate=delegate).exists
    )()


# -- fuzzed frames --------------------------------------------------------------------------------

LONE_SURROGATES = ["\\ud800", "\\udfff", "a\\udc00b", "\\ud83d"]  # as JSON escapes
OUT_OF_RANGE = [2**53, -(2**53), 2**63, 10**30, -(10**40)]
ALLOWED_CODES = {
    "message.malformed",
    "command.id_missing",
    "command.unknown",
    "command.forbidden",
    "command.id_weak",
    "command.id_reused",
    "poll.not_found",
    "poll.not_open",
    "poll.invalid",
    "ballot.invalid_choice",
    "ballot.already_cast",
    "ballot.too_many_selections",
    "ballot.too_few_selections",
    "ballot.previous_unknown",
    "document.not_found",
    "document.bad_page",
    "agenda.item_not_found",
    "agenda.at_end",
    "agenda.at_start",
    "attendance.bad_status",
    "delegate.not_found",
    "session.not_live",
    "session.bad_transition",
    "poll.bad_transition",
    "poll.another_open",
    "poll.reason_required",
    "agenda.empty",
    "session.closed",
    # The floor (docs/protocol.md, "The floor"): refusals of commands given random fields.
    "floor.not_checked_in",
    "floor.list_closed",
    "floor.already_requested",
    "floor.bad_kind",
    "floor.reply_to_required",
    "floor.reply_to_unknown",
    "floor.request_not_found",
    "floor.speaker_required",
    "floor.bad_order",
    "floor.not_listed",
    "floor.queue_empty",
    "floor.no_turn",
    "floor.already_paused",
    "floor.not_paused",
    "floor.bad_seconds",
    "guest.not_found",
    "question.text_required",
    "question.asker_required",
    "question.not_found",
    "question.bad_state",
    "question.bad_order",
    "question.in_progress",
    "question.none_called",
    "question.none_left",
    "question.not_answered",
    "question.time_ended",
    "question.bad_due_date",
}


def _fuzzed_frame(rng: random.Random, commands: list[str], index: int) -> tuple[str, bool]:
    """A frame and whether it carries a lone surrogate or an out-of-range integer."""
    command_type = rng.choice(commands)
    fields = [
        "poll_id",
        "item_id",
        "delegate_id",
        "document_id",
        "page",
        "choice",
        "status",
        "title",
        "countdown_seconds",
        "threshold_fraction",
        "text",
        "reason",
    ]
    data: dict[str, object] = {}
    poison_at = rng.randrange(4)  # where the poison goes: a value, a key, the type, the id
    poison = rng.random() < 0.5
    for name in rng.sample(fields, rng.randrange(1, 5)):
        data[name] = rng.choice([1, 0, -1, 7, "yes", "x", None, [1, 2], {"a": 1}, 2**31])
    bad = None
    if poison:
        bad = (
            json.dumps(rng.choice(OUT_OF_RANGE))
            if rng.random() < 0.5
            else f'"{rng.choice(LONE_SURROGATES)}"'
        )
    body = json.dumps(data)
    command_id = json.dumps(f"fuzz-{index}-{uuid.uuid4()}")
    type_json = json.dumps(command_type)
    if bad is not None:
        if poison_at == 0:
            body = body[:-1] + (", " if data else "") + f'"poll_id": {bad}' + "}"
        elif poison_at == 1 and bad.startswith('"'):
            body = body[:-1] + (", " if data else "") + f"{bad}: 1" + "}"
        elif poison_at == 2 and bad.startswith('"'):
            type_json = bad
        else:
            body = body[:-1] + (", " if data else "") + f'"nested": [[{{"x": {bad}}}]]' + "}"
    return f'{{"type": {type_json}, "id": {command_id}, "data": {body}}}', bad is not None


@pytest.mark.parametrize("screen_kind", ["tablet", "chair"])
async def test_fuzzed_frames_get_one_answer_each_and_never_close_the_socket(sitting, screen_kind):
    session, delegate, chair, _poll = sitting
    comm = (
        await helpers.tablet(session, delegate)
        if screen_kind == "tablet"
        else await helpers.chair(session, chair)
    )
    rng = random.Random(f"chamber-fuzz-{screen_kind}")
    commands = sorted(command_handlers.ALL_COMMANDS - {"session.close", "session.adjourn"})
    await helpers.connect_and_snapshot(comm)
    malformed = 0
    try:
        for index in range(300):
            text, poisoned = _fuzzed_frame(rng, commands, index)
            await comm.send_to(text_data=text)
            while True:  # events and notices on the way are fine; the answer must come
                frame = await comm.receive_json_from(timeout=5)
                if frame["type"] in ("ack", "error", "snapshot"):
                    break
            if frame["type"] == "snapshot":
                frame = await comm.receive_json_from(timeout=5)
            assert frame["type"] in ("ack", "error"), (text, frame)
            if poisoned:
                assert frame["type"] == "error", (text, frame)
                assert frame["data"]["code"] == "message.malformed", (text, frame)
                malformed += 1
            elif frame["type"] == "error":
                assert frame["data"]["code"] in ALLOWED_CODES, (text, frame)
        assert malformed > 100  # the poison was really sent
        ping = json.dumps({"type": "ping", "id": "last"})
        await comm.send_to(text_data=ping)
        assert (await comm.receive_json_from(timeout=5))["id"] == "last"
    finally:
        await comm.disconnect()


async def test_a_number_out_of_a_columns_range_is_malformed_and_changes_nothing(sitting):
    """Within ±2⁵³ for JSON, beyond what the column holds (a page number): refused, not 1011."""
    session, delegate, chair, _poll = sitting
    screen = helpers.RecordingScreen(await helpers.chair(session, chair))
    await screen.open()
    try:
        answer = await answer_of(
            screen, "poll.create", "big-1", title="Phân số", threshold_fraction=[1, 2**40]
        )
        assert answer["type"] == "error" and answer["data"]["code"] in {
            "message.malformed",
            "poll.invalid",
        }, answer
        assert (await answer_of(screen, "ping", "p"))["type"] == "ack"
    finally:
        await screen.communicator.disconnect()
    assert await database_sync_to_async(Participation.objects.count)() == 0
