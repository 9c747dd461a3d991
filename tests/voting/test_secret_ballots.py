"""Secret ballots against a delegate, a clerk and a camera (issue 10, items 6–9).

* Changing a secret ballot needs a proof only the voter's tablet holds — the command id the
  receipt is derived from — never the receipt, which is on the tablet's screen.
* A receipt proves that a ballot was counted and is in the poll's digest, never its choice:
  not on the verify page, not by trying every choice against the published digest.
* A secret poll shows no partial count before the close, in any frame.
* A weighted secret poll is recorded without any single ballot's weight.
"""

from __future__ import annotations

import json
import uuid
from itertools import permutations
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from meeting import services as meeting
from meeting.fixed_rules import FIXED_FIELDS, fix_rules
from meeting.models import ActionLog
from realtime.actors import Actor
from realtime.errors import ServiceError
from realtime.publish import capturing
from tests.factories import make_council, make_session, make_sitting, make_staff
from tests.realtime import helpers
from tests.realtime.helpers import RecordingScreen as Screen
from voting import commands, selectors, services
from voting.counting import poll_close
from voting.models import Ballot, Poll
from voting.secrecy import ballots_digest


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def chamber():
    return make_sitting(seats=6)


def open_poll(chamber, **options) -> Poll:
    poll = services.poll_create(
        session_id=chamber.session.pk, title="Bầu Trưởng ban", actor=chamber.chair, **options
    )
    return services.poll_open(poll_id=poll.pk, actor=chamber.chair)


def send_ballot(delegate, command_id: str, **data) -> dict:
    """``ballot.cast`` as a tablet sends it (the socket and the HTTP fallback run this)."""
    context = commands.Context(session_id=0, actor=Actor(delegate=delegate), command_id=command_id)
    return commands.ballot_cast(context, data)


# -- 6. the proof that changes a secret ballot --------------------------------------------


@pytest.mark.django_db
def test_a_receipt_read_off_a_tablet_cannot_replace_that_voters_ballot(chamber):
    poll = open_poll(chamber, kind="secret", allow_change=True)
    victim, attacker = chamber.delegates[:2]
    victim_id, attacker_id = new_id(), new_id()
    victim_receipt = send_ballot(victim, victim_id, poll_id=poll.pk, choice="no")["receipt"]
    send_ballot(attacker, attacker_id, poll_id=poll.pk, choice="yes")

    # The victim's receipt is on their screen: as the old proof, or passed off as the new one.
    for proof in ({"previous_receipt": victim_receipt}, {"previous_id": victim_receipt}):
        with pytest.raises(ServiceError) as refused:
            send_ballot(attacker, new_id(), poll_id=poll.pk, choice="yes", **proof)
        assert refused.value.code == "ballot.previous_unknown", proof
    assert Ballot.objects.filter(poll=poll, superseded=True).count() == 0

    # The command id of the ballot, which only the voter's own tablet holds, is the proof.
    changed = send_ballot(
        attacker, new_id(), poll_id=poll.pk, choice="abstain", previous_id=attacker_id
    )
    assert changed["changed"] is True
    # Nor can a voter pass off their own old proof to replace a second ballot later.
    with pytest.raises(ServiceError) as refused:
        send_ballot(attacker, new_id(), poll_id=poll.pk, choice="yes", previous_id=attacker_id)
    assert refused.value.code == "ballot.previous_unknown"

    result = poll_close(poll_id=poll.pk, actor=chamber.chair)
    assert result.counts == {"yes": 0, "no": 1, "abstain": 1} and result.ballots == 2
    assert Ballot.objects.get(poll=poll, receipt=victim_receipt).superseded is False


# -- 7. a receipt never proves the choice --------------------------------------------------


def closed_poll(chamber, choices, kind="secret", **options) -> tuple[Poll, dict[str, object]]:
    """A published poll: the first delegates voted ``choices``; the choice of each receipt."""
    poll = open_poll(chamber, kind=kind, **options)
    choice_of = {}
    for delegate, choice in zip(chamber.delegates, choices, strict=False):
        receipt = send_ballot(delegate, new_id(), poll_id=poll.pk, choice=choice)["receipt"]
        choice_of[receipt] = choice
    poll_close(poll_id=poll.pk, actor=chamber.chair)
    services.poll_publish(poll_id=poll.pk, actor=chamber.chair)
    return Poll.objects.get(pk=poll.pk), choice_of


@pytest.mark.django_db
def test_the_published_digest_does_not_tell_which_choice_a_receipt_carries(chamber):
    """Receipts and counts are public (the record lists them); so is the digest. If the digest
    sealed each receipt with its choice, trying every assignment of the counted choices to the
    receipts would find the one that matches, and with it every voter's choice."""
    poll, choice_of = closed_poll(chamber, ["yes", "no", "no", "abstain", "yes"])
    record = selectors.poll_record(poll)
    receipts, digest = record["receipts"], record["result"]["digest"]
    assert sorted(choice_of) == receipts
    matching = set()
    for assignment in set(permutations(choice_of[r] for r in receipts)):
        ballots = [
            Ballot(poll=poll, receipt=r, choice=c, weight=1)
            for r, c in zip(receipts, assignment, strict=True)
        ]
        if ballots_digest(ballots, poll=poll) == digest:
            matching.add(assignment)
    # Every assignment with these counts gives the same digest: it says nothing of who chose what.
    assert len(matching) == 30  # 5! / (2! 2! 1!)


@pytest.mark.django_db
def test_the_verify_page_shows_that_a_secret_ballot_was_counted_never_its_choice(chamber):
    poll, choice_of = closed_poll(chamber, ["yes", "no", "abstain"])
    _, named_choices = closed_poll(chamber, ["no"], kind="named")
    url = f"/record/{chamber.session.pk}/verify/"
    labels = ["Tán thành", "Không tán thành", "Không biểu quyết"]
    for receipt in choice_of:
        html = Client().get(url, {"receipt": receipt}).content.decode()
        assert 'id="receipt-result" data-found="true"' in html
        assert "đã được tính" in html and poll.result.digest in html
        assert not [label for label in labels if label in html], receipt
    # A named ballot is public anyway: its page may say the choice.
    (receipt,) = named_choices
    html = Client().get(url, {"receipt": receipt}).content.decode()
    assert "<strong>Không tán thành</strong>" in html


# -- 8. no partial count of a secret poll before the close ---------------------------------


def _walk_keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _walk_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk_keys(inner)


@pytest.mark.django_db
def test_a_secret_poll_cannot_be_made_to_show_partial_counts(chamber):
    with pytest.raises(ServiceError) as refused:
        open_poll(chamber, kind="secret", show_partial=True)
    assert refused.value.code == "poll.invalid"
    assert not Poll.objects.filter(session=chamber.session).exists()
    assert open_poll(chamber, kind="named", show_partial=True).show_partial


@pytest.fixture
def sitting(transactional_db):
    council = make_council(seats=6)
    session = make_session(council=council)
    user = make_staff(role="chair", council=council)
    delegates = list(council.delegates.order_by("seat_label"))
    for delegate in delegates:
        meeting.attendance_set(
            session_id=session.pk, delegate_id=delegate.pk, status="present", actor=Actor(user=user)
        )
    return SimpleNamespace(session=session, user=user, delegates=delegates)


@pytest.mark.django_db(transaction=True)
async def test_no_frame_counts_a_secret_poll_before_its_close(sitting):
    """Not the projector's progress, not the console's, not a snapshot: only how many voted —
    even for a poll stored asking for partial counts (before this rule, or in the database)."""
    session, delegates = sitting.session, sitting.delegates
    poll = await database_sync_to_async(services.poll_create)(
        session_id=session.pk,
        title="Bầu Phó Trưởng ban",
        actor=Actor(user=sitting.user),
        kind="secret",
    )
    await database_sync_to_async(Poll.objects.filter(pk=poll.pk).update)(show_partial=True)
    screens: list[Screen] = []

    async def screen(communicator) -> Screen:
        opened = Screen(communicator)
        screens.append(opened)
        await opened.open()
        return opened

    try:
        with capturing() as published:
            chair = await screen(await helpers.chair(session, sitting.user))
            await screen(helpers.projector(session))
            tablets = [await screen(await helpers.tablet(session, d)) for d in delegates[:4]]
            assert (await chair.command("poll.open", "open", poll_id=poll.pk))["type"] == "ack"
            for tablet, choice in zip(tablets, ["yes", "yes", "no", "abstain"], strict=True):
                ack = await tablet.command("ballot.cast", new_id(), poll_id=poll.pk, choice=choice)
                assert ack["type"] == "ack", ack
            progress = await chair.until(
                lambda f: f["type"] == "poll.progress" and f["data"]["voted"] == 4
            )
            assert progress["data"] == {"poll_id": poll.pk, "voted": 4, "entitled": 6}
            for late in (
                await helpers.chair(session, sitting.user),
                helpers.projector(session),
                await helpers.tablet(session, delegates[5]),
            ):
                await screen(late)
        frames = [json.loads(item["text"]) for item in published]
        frames += [frame for s in screens for frame in s.frames]
        assert any(f["type"] == "snapshot" and f["data"]["polls"] for f in frames)
        counting = [f for f in frames if {"partial", "counts"} & set(_walk_keys(f))]
        assert counting == []
    finally:
        for s in screens:
            await s.close()


# -- 9. a weighted secret poll: no ballot's weight in the record ---------------------------


@pytest.mark.django_db
def test_a_weighted_secret_poll_is_recorded_without_any_ballots_weight(chamber):
    """The delegate of weight 2 votes yes and two others no, then the reverse: the totals are
    the same, so nothing recorded may differ — else it tells how the one of weight 2 voted."""
    from record.verify import verify_session

    heavy = chamber.delegates[0]
    heavy.vote_weight = 2
    heavy.save(update_fields=["vote_weight"])
    # Weights count as they were when the sitting opened: open it again with this weight.
    fix_rules(chamber.session)
    chamber.session.save(update_fields=FIXED_FIELDS)
    first, _ = closed_poll(chamber, ["yes", "no", "no"], weighted=True)
    second, receipts = closed_poll(chamber, ["no", "yes", "yes"], weighted=True)
    assert first.result.counts == second.result.counts == {"yes": 2, "no": 2, "abstain": 0}

    def sealed(poll):
        entry = ActionLog.objects.get(
            session=chamber.session, action="poll.close", data__poll=poll.pk
        )
        return {k: v for k, v in entry.data.items() if k not in ("poll", "digest", "receipts")}

    def recorded(poll):
        record = selectors.poll_record(poll)
        result = {k: v for k, v in record["result"].items() if k != "digest"}
        return {**record, "poll": None, "receipts": len(record["receipts"]), "result": result}

    assert sealed(first) == sealed(second)
    assert recorded(first) == recorded(second)
    assert verify_session(chamber.session.pk) == []

    # The record check still recounts, and finds a ballot changed in the database.
    changed = next(r for r, choice in receipts.items() if choice == "yes")
    Ballot.objects.filter(poll=second, receipt=changed).update(choice="no")
    problems = verify_session(chamber.session.pk)
    assert problems and all(f"poll {second.pk} " in problem for problem in problems)
    assert any("no longer match the digest" in problem for problem in problems)
